"""New courses and modules, each begun from a starter text in the course's language and imported like every
save."""

from flask_babel import gettext as _

from qualify.core import audit
from qualify.courses import services
from qualify.courses.authoring import COURSE_FILE, AuthoringError, import_changes
from qualify.courses.fields import COURSE_FIELDS
from qualify.courses.models import Course, CourseOwner, Module
from qualify.courses.module_versions import NEW_MODULE_NOTE
from qualify.courses.owners import course_owners
from qualify.courses.sources import SLUG
from qualify.extensions import db

# Addresses below /autoren/ that are pages of their own, not courses: no course may take them as its slug.
RESERVED_SLUGS = frozenset({"hilfe"})
STARTERS = {
    "self-study": {"minutes": 15},
    "exchange": {"minutes": 60, "moderation": "pre", "anonymous": "allowed"},
    "workshop": {"minutes": 90, "duration_minutes": 90, "capacity": 12, "format": "in-person"},
}
# The first lines Qualify writes into a new file become the course's own text: they are in the course's language,
# whichever language the trainer reads the pages in (so not through _()).
STARTER_TEXTS = {
    "de": {"course": "Worum geht es in diesem Kurs?\n",
           "self-study": "## Lernziele\n\n- …\n",
           "exchange": "## Leitfragen\n\n- …\n\n## Regeln\n\n- …\n",
           "workshop": "## Ablauf\n\n- …\n\n## Was Sie mitbringen\n\n- …\n"},
    "en": {"course": "What is this course about?\n",
           "self-study": "## Learning objectives\n\n- …\n",
           "exchange": "## Guiding questions\n\n- …\n\n## Rules\n\n- …\n",
           "workshop": "## Agenda\n\n- …\n\n## What to bring\n\n- …\n"},
}


def _slug_rule() -> str:
    return _("Nur a–z, 0–9 und Bindestriche, beginnend mit einem Buchstaben oder einer Ziffer.")


def _yaml(meta: dict) -> str:
    import yaml  # on first use, like the front-matter reader

    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)


def create_course(slug: str, title: str, summary: str, *, actor, language: str = "de") -> Course:
    """Write a starter course.md (a draft) in the course's language, import it and make the creator its owner.
    The same form sent twice: the second copy finds the course the first created, and returns it."""
    if not SLUG.match(slug):
        raise AuthoringError(_slug_rule())
    problem = COURSE_FIELDS["language"].check(language)
    if problem:
        raise AuthoringError(_("„%(name)s“ %(problem)s.", name="language", problem=problem))
    meta = {"title": title.strip(), **({"summary": summary.strip()} if summary.strip() else {}),
            "language": language, "status": "draft"}
    text = f"---\n{_yaml(meta)}---\n\n# {title.strip()}\n\n{STARTER_TEXTS[language]['course']}"
    services.take_turns_on_course(slug)
    taken = services.get_course(slug)
    if taken is not None and taken.source == text and actor.id in {owner.id for owner in course_owners(taken)}:
        return taken
    if slug in RESERVED_SLUGS or taken is not None:
        raise AuthoringError(_("Dieses Kürzel ist schon vergeben."))
    import_changes(slug, None, {COURSE_FILE: text.encode("utf-8")}, actor=actor)
    course = services.get_course(slug)
    db.session.add(CourseOwner(course_id=course.id, user_id=actor.id))
    audit.record("authoring.course_created", actor=actor, target=course, slug=slug)
    return course


def add_module(course: Course, number: int, slug: str, title: str, kind: str, *, actor) -> Module:
    """Add a module file with starter text for its kind, in the course's language. The same form sent twice: the
    second copy finds the module the first added, still as it began, and returns it."""
    if not SLUG.match(slug):
        raise AuthoringError(_slug_rule())
    body = STARTER_TEXTS.get(course.language, STARTER_TEXTS["de"])[kind]
    meta = {"title": title.strip(), "kind": kind, **STARTERS[kind]}
    text = f"---\n{_yaml(meta)}---\n\n# {title.strip()}\n\n{body}"
    name = f"{number:02d}-{slug}.md"
    services.take_turns_on_course(course.slug)
    taken = next((module for module in course.modules if module.slug == slug), None)
    if taken is not None and _as_added(taken, name, text):
        return taken
    if taken is not None and taken.archived:  # archived ones too: progress points there
        raise AuthoringError(_("Dieses Kürzel gehört einem entfernten Modul. Holen Sie es unter „Entfernte Module“ "
                               "zurück, oder wählen Sie ein anderes Kürzel."))
    if taken is not None:
        raise AuthoringError(_("Dieses Kürzel ist in diesem Kurs schon vergeben."))
    import_changes(course.slug, course, {name: text.encode("utf-8")}, actor=actor, note=NEW_MODULE_NOTE)
    audit.record("authoring.module_added", actor=actor, target=course, file=name)
    return next(module for module in course.modules if module.slug == slug)


def _as_added(module: Module, name: str, text: str) -> bool:
    """Whether the module is still as add_module made it with this file name and starter text."""
    return (not module.archived and module.file_name == name and module.current_version.note == NEW_MODULE_NOTE
            and module.current_version.source == text)
