"""The catalogue, course overviews, module pages and course files."""

from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from qualify.core.database import without_transaction
from qualify.core.routing import page_number
from qualify.core.templating import RenderedParts
from qualify.core.text import german_sort_key
from qualify.courses import catalogue
from qualify.courses.models import Course, CourseFile
from qualify.courses.outline import CACHE_LIMIT, outline_of
from qualify.extensions import db

bp = Blueprint("courses", __name__, url_prefix="/kurse")

# Course files are never run as documents: an SVG with a script in it stays a picture.
FILE_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml", "application/pdf"}


def _visible_course(slug: str) -> Course:
    course = catalogue.course_by_slug(slug)
    if course is None:
        abort(404)
    _refuse_unless_visible(course)
    return course


def _refuse_unless_visible(course: Course) -> None:
    """404 for a course the person may not see; one they took part in, back in draft, says so (still a 404:
    the page is not there for now)."""
    if catalogue.can_view(current_user, course):
        return
    if catalogue.took_part(current_user, course):
        abort(make_response(render_template("courses/closed.html", course=course), 404))
    abort(404)


@bp.get("/")
@login_required
@without_transaction
def catalogue_page():
    """List the published courses, with search and filters."""
    chosen = catalogue.CatalogueFilter(
        query=request.args.get("q", "").strip()[:100], tag=request.args.get("thema", ""),
        audience=request.args.get("zielgruppe", ""), duration=request.args.get("dauer", ""))
    page = page_number()
    stamp, standing = catalogue.catalogue_stamp_and_standing(current_user)
    key = (stamp, chosen, page, str(get_locale()))
    content = _CATALOGUE_PAGES.get(key, lambda: _catalogue_content(chosen, page))
    return render_template("courses/catalogue.html", content=fill_marks(content, standing))


def fill_marks(content: Markup, standing: catalogue.Standing) -> Markup:
    """Mark the courses the person is enrolled in or has completed at their slots in the kept catalogue."""
    marks = ((standing.enrolled, Markup('<p><span class="status">{}</span></p>').format(_("eingeschrieben"))),
             (standing.completed, Markup('<p><span class="status status-published"><span aria-hidden="true">✓'
                                         '</span> {}</span></p>').format(_("abgeschlossen"))))
    for course_ids, mark in marks:
        for course_id in course_ids:
            content = content.replace(Markup("<!--stand:{}-->").format(course_id), mark)
    return content


# The catalogue is the same for every learner and changes only with a course (catalogue_stamp); reading and
# rendering 200 courses cost most of the page.
_CATALOGUE_PAGES = RenderedParts(limit=500)


def _catalogue_content(chosen: catalogue.CatalogueFilter, page_number: int) -> str:
    courses = catalogue.published_courses()
    module_titles = catalogue.module_titles_by_course() if chosen.query.strip() else None
    matching = [course for course in courses if chosen.matches(course, module_titles)]
    shown, page = catalogue.page_of(matching, page_number)
    filters = {"q": chosen.query, "thema": chosen.tag, "zielgruppe": chosen.audience,
               "dauer": chosen.duration}
    return render_template(
        "courses/_catalogue_content.html", courses=shown, total=len(matching), page=page, chosen=chosen,
        has_next=page * catalogue.PAGE_SIZE < len(matching), filters={k: v for k, v in filters.items() if v},
        module_counts=catalogue.module_counts([c.id for c in shown]),
        tags=sorted({tag for c in courses for tag in c.tags}, key=german_sort_key),
        audiences=sorted({a for c in courses for a in c.audience}, key=german_sort_key),
        tag_languages=_languages((tag, c.language) for c in courses for tag in c.tags),
        audience_languages=_languages((a, c.language) for c in courses for a in c.audience))


def _languages(words) -> dict[str, str | None]:
    """Each word of the front matter (a tag, an audience) with the language of the courses that have it, for its
    option's lang; None (German, the default) for a word that courses in different languages share."""
    languages: dict[str, str | None] = {}
    for word, language in words:
        languages[word] = language if languages.get(word, language) == language else None
    return languages


@bp.get("/<slug>")
@login_required
@without_transaction
def course(slug: str):
    """Show a course overview with its modules."""
    course = _visible_course(slug)
    body = _COURSE_BODIES.get((course.id, course.updated_at, str(get_locale())), lambda: render_template(
        "courses/_course_body.html", course=course, outline=outline_of(course)))
    return render_template("courses/course.html", course=course, body=body)


# The overview and module list of a course, the same for every reader until the course changes.
_COURSE_BODIES = RenderedParts(limit=CACHE_LIMIT)


@bp.get("/<slug>/module/<module_slug>")
@login_required
@without_transaction
def module(slug: str, module_slug: str):
    """Show a module with links to the previous and the next one."""
    found = catalogue.module_by_slugs(slug, module_slug)
    if found is None:
        abort(404)
    course, module, version = found
    _refuse_unless_visible(course)
    outline = outline_of(course)
    index = outline.index(module_slug)
    if index is None:  # archived: no longer part of the course
        abort(404)
    previous, next_ = outline.neighbours(index)
    return render_template("courses/module.html", course=course, module=module, version=version,
                           position=index + 1, total=len(outline), previous=previous, next=next_)


@bp.get("/<slug>/dateien/<path:path>")
@login_required
def course_file(slug: str, path: str):
    """Serve an image or file of a course, with its stored content type."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not catalogue.can_view(current_user, course):
        abort(404)
    stored = db.session.scalar(select(CourseFile).where(CourseFile.course_id == course.id, CourseFile.path == path))
    if stored is None or path.startswith("fragen/"):  # question banks hold the answers
        abort(404)
    response = make_response(stored.data)
    response.headers["Content-Type"] = stored.content_type
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.set_etag(stored.sha256)
    if stored.content_type not in INLINE_TYPES:
        response.headers["Content-Disposition"] = "attachment"
    return response.make_conditional(request)


KIND_LABELS = {"self-study": _l("Selbstlernen"), "exchange": _l("Austausch"), "workshop": _l("Workshop")}


@bp.app_template_filter("kind_label")
def kind_label(kind: str) -> str:
    """Name a module kind in the reader's language."""
    return str(KIND_LABELS.get(kind, kind))
