"""Queries behind the catalogue, the course page and the module page; each a fixed number of statements."""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from sqlalchemy import String, bindparam, cast, exists, func, select
from sqlalchemy.orm import defer, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from qualify.accounts.roles import Role
from qualify.core.database import in_german_order, run
from qualify.courses.models import Course, CourseOwner, Module, ModuleVersion
from qualify.extensions import db

DURATIONS = {"kurz": (0, 60), "mittel": (61, 180), "lang": (181, 100_000)}
# Cards per catalogue page: rendering every course of a large network on one page cost most of its time.
PAGE_SIZE = 24


def fold(text: str) -> str:
    """Reduce text for searching, so that "Qualität", "Qualitaet" and "qualitat" (a phone without umlauts) meet."""
    text = text.lower().replace("ß", "ss")
    for umlaut, plain in (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ae", "a"), ("oe", "o"), ("ue", "u")):
        text = text.replace(umlaut, plain)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# Endings of German plurals and declension, longest first: "Batterien" finds "Batterie", "elektrischen"
# "elektrisch". What is left must still be a word of its own (four letters and more).
_ENDINGS = ("ern", "en", "er", "es", "n", "e", "s")


def _stems(word: str) -> list[str]:
    return [word, *(word[:-len(ending)] for ending in _ENDINGS
                    if word.endswith(ending) and len(word) - len(ending) >= 4)]


def all_found(words: list[str], haystack: str) -> bool:
    """Whether every folded search word is in the folded text: as typed, without its ending, or as one
    compound ("Hochvoltsicherheit" finds "Hochvolt-Sicherheit")."""
    compound = haystack.replace("-", "").replace(" ", "")
    return all(any(stem in haystack or stem in compound for stem in _stems(word)) for word in words)


@dataclass(frozen=True)
class CatalogueFilter:
    query: str = ""
    tag: str = ""
    audience: str = ""
    duration: str = ""

    def matches(self, course: Course, module_titles: Mapping[int, list[str]] | None = None) -> bool:
        """module_titles: the titles of each course's modules, by course id (module_titles_by_course), which a
        search looks into as well: "Sicherheitsregeln" is a module of a course whose summary does not say so."""
        words = fold(self.query).split()
        if words:  # folded only for a search: the catalogue calls this for every course on every page
            titles = (module_titles or {}).get(course.id, [])
            haystack = fold(" ".join([course.title, course.summary, *course.tags, *course.audience, *titles]))
            if not all_found(words, haystack):
                return False
        if self.tag and self.tag not in course.tags:
            return False
        if self.audience and self.audience not in course.audience:
            return False
        if self.duration in DURATIONS:
            low, high = DURATIONS[self.duration]
            return course.duration_minutes is not None and low <= course.duration_minutes <= high
        return True


def module_titles_by_course() -> dict[int, list[str]]:
    """The titles of the current versions of every published course's modules, by course id, in one statement."""
    titles: dict[int, list[str]] = {}
    for course_id, title in run(_module_titles_statement()):
        titles.setdefault(course_id, []).append(title)
    return titles


@cache
def _module_titles_statement():
    return (select(Module.course_id, ModuleVersion.title)
            .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
            .join(Course, Course.id == Module.course_id)
            .where(Course.status == "published", Module.archived.is_(False)))


@cache
def _stamp_statement():
    return select(func.count(), func.max(Course.updated_at))


def catalogue_stamp() -> tuple:
    """Return what changes whenever a course, its modules or their versions change (see Course.updated_at)."""
    return tuple(run(_stamp_statement()).one())


@dataclass(frozen=True)
class Standing:
    """The courses a person is enrolled in, still learning or completed, by course id: the catalogue marks them."""

    enrolled: frozenset[int] = frozenset()
    completed: frozenset[int] = frozenset()


@cache
def _stamp_and_standing_statement():
    from qualify.learning.models import Enrolment  # learning builds on courses, not the reverse

    def course_ids(completed: bool):
        done = Enrolment.completed_at.is_not(None) if completed else Enrolment.completed_at.is_(None)
        return (select(func.aggregate_strings(cast(Enrolment.course_id, String), ","))
                .where(Enrolment.user_id == bindparam("user_id"), done).scalar_subquery())

    return select(func.count(), func.max(Course.updated_at), course_ids(False), course_ids(True))


def _ids(joined: str | None) -> frozenset[int]:
    return frozenset(int(each) for each in joined.split(",")) if joined else frozenset()


def catalogue_stamp_and_standing(user) -> tuple[tuple, Standing]:
    """Return the catalogue_stamp, and the person's standing in the courses, in the stamp's one statement: the
    catalogue is kept rendered for everyone alike, the marks are filled in for each reader (see fill_marks)."""
    count, changed, enrolled, completed = run(_stamp_and_standing_statement(), user_id=user.id).one()
    return (count, changed), Standing(_ids(enrolled), _ids(completed))


def published_courses() -> list[Course]:
    """Return the published courses without their (large) sources, ordered by title."""
    stmt = (select(Course).where(Course.status == "published")
            .options(defer(Course.source), defer(Course.overview_html))
            .order_by(in_german_order(Course.title)))
    return list(db.session.scalars(stmt))


def page_of(courses: list[Course], page: int) -> tuple[list[Course], int]:
    """Return the courses of one catalogue page (1-based, clamped) and the number of that page."""
    last = max(1, -(-len(courses) // PAGE_SIZE))
    page = min(max(page, 1), last)
    return courses[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page


def module_counts(course_ids: list[int]) -> dict[int, int]:
    """Count the active modules of each course in one statement."""
    if not course_ids:
        return {}
    stmt = (select(Module.course_id, func.count()).where(Module.course_id.in_(course_ids), Module.archived.is_(False))
            .group_by(Module.course_id))
    return dict(db.session.execute(stmt).all())


def is_owner(user, course: Course) -> bool:
    """Tell whether the user owns or co-owns the course."""
    stmt = select(exists().where(CourseOwner.course_id == course.id, CourseOwner.user_id == user.id))
    return bool(db.session.scalar(stmt))


def can_edit(user, course: Course) -> bool:
    """Admins edit every course, trainers the courses they own."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.TRAINER) and is_owner(user, course)


def can_view(user, course: Course) -> bool:
    """Published courses are open to everyone signed in; drafts only to those who may edit them."""
    return course.is_published or can_edit(user, course)


def took_part(user, course: Course) -> bool:
    """Whether the person is enrolled in the course or did a module of it: they hold links into it (their
    results, "Mein Lernen", bookmarks), and are told why it is closed while it is a draft again."""
    from qualify.learning.models import Enrolment, ModuleCompletion  # learning builds on courses, not the reverse

    enrolled = exists().where(Enrolment.course_id == course.id, Enrolment.user_id == user.id)
    did_a_module = (exists().where(ModuleCompletion.user_id == user.id, ModuleCompletion.module_id == Module.id,
                                   Module.course_id == course.id))
    return bool(db.session.scalar(select(enrolled | did_a_module)))


def course_with_outline(slug: str) -> Course | None:
    """Load a course with its modules and the headline of each current version (not their content)."""
    version_fields = load_only(ModuleVersion.id, ModuleVersion.title, ModuleVersion.kind, ModuleVersion.minutes,
                               ModuleVersion.number)
    stmt = (select(Course).where(Course.slug == slug).options(
        defer(Course.source),
        selectinload(Course.modules).joinedload(Module.current_version).options(version_fields)))
    return db.session.scalar(stmt)


@cache
def _course_statement():
    # Built once (course and module pages run it on every request); composing costs more than running.
    return select(Course).where(Course.slug == bindparam("slug")).options(defer(Course.source))


def course_by_slug(slug: str) -> Course | None:
    """Load a course without its source; its outline comes from `outline.outline_of`."""
    return db.session.scalar(_course_statement(), {"slug": slug})


@cache
def _module_page_statement():
    return (select(Course, Module, ModuleVersion).join(Module, Module.course_id == Course.id)
            .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
            .where(Course.slug == bindparam("slug"), Module.slug == bindparam("module_slug"))
            .options(defer(Course.source), defer(ModuleVersion.source)))  # the page shows the rendered HTML


def module_by_slugs(slug: str, module_slug: str) -> tuple[Course, Module, ModuleVersion] | None:
    """Load a course, one of its modules and that module's current version in one statement."""
    row = db.session.execute(_module_page_statement(), {"slug": slug, "module_slug": module_slug}).first()
    if row is None:
        return None
    course, module, version = row
    # Known already: set without a change to save and without the statements lazy loading would cost.
    set_committed_value(module, "course", course)
    set_committed_value(module, "current_version", version)
    return course, module, version
