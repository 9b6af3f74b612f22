"""The files of a course folder besides its texts: media under medien/ and question banks under fragen/, added
and removed."""

import hashlib

from flask_babel import gettext as _

from qualify.core import audit
from qualify.courses import services
from qualify.courses.authoring import (
    BANK_FOLDER,
    BANK_NAME,
    MEDIA_FOLDER,
    AuthoringError,
    import_changes,
    in_course_folder,
    stored_file,
)
from qualify.courses.authoring_media import media_name_problem, media_problem
from qualify.courses.models import Course, CourseFile
from qualify.courses.sources import bank_slug


def _holds(stored: CourseFile | None, data: bytes) -> bool:
    """Whether the stored file has exactly this content: the same upload, sent twice."""
    return stored is not None and stored.sha256 == hashlib.sha256(data).hexdigest()


def upload_media(course: Course, filename: str, data: bytes, *, actor, replace: bool = False) -> str:
    """Check an uploaded file by its content and store it under medien/; return its path. A file of the same
    name is replaced only when asked to: every text showing it would show the new one. The same file sent twice:
    the second copy finds it stored."""
    problem = media_name_problem(filename) or media_problem(filename, data)
    if problem:
        raise AuthoringError(problem)
    path = MEDIA_FOLDER + filename
    services.take_turns_on_course(course.slug)
    stored = stored_file(course, path)
    if _holds(stored, data):
        return path
    if not replace and stored is not None:
        raise AuthoringError(_("Eine Datei „%(path)s“ gibt es schon. Um sie zu ersetzen, wählen Sie die neue noch "
                               "einmal aus und kreuzen „ersetzen“ an; sonst benennen Sie die neue Datei um.",
                               path=path))
    import_changes(course.slug, course, {path: data}, actor=actor)
    audit.record("authoring.media", actor=actor, target=course, path=path, bytes=len(data))
    return path


def delete_media(course: Course, path: str, *, actor) -> None:
    """Remove a file from medien/, unless a module or the overview still shows or links it (Refused)."""
    services.take_turns_on_course(course.slug)
    if not path.startswith(MEDIA_FOLDER) or not in_course_folder(path) or stored_file(course, path) is None:
        raise AuthoringError(_("Diese Datei gibt es nicht (mehr)."))
    import_changes(course.slug, course, {}, actor=actor, removed=(path,))
    audit.record("authoring.media_deleted", actor=actor, target=course, path=path)


def create_bank(course: Course, name: str, data: bytes, *, actor) -> str:
    """Add a question bank under fragen/; its GIFT is checked by the loader. The same bank sent twice: the second
    copy finds it stored."""
    if not BANK_NAME.match(name):
        raise AuthoringError(bank_name_rule(name))
    path = BANK_FOLDER + name
    services.take_turns_on_course(course.slug)
    stored = stored_file(course, path)
    if _holds(stored, data):
        return path
    if stored is not None:
        raise AuthoringError(_("Diese Fragensammlung gibt es schon. Bearbeiten Sie sie in der Liste."))
    import_changes(course.slug, course, {path: data}, actor=actor)
    audit.record("authoring.bank_created", actor=actor, target=course, path=path)
    return path


def bank_name_rule(typed: str) -> str:
    """Say which names a new question bank may have, with one made of what was typed ("Sicherheit HV")."""
    stem = typed[:-5] if typed.lower().endswith(".gift") else typed
    return _("Name der Fragensammlung: erlaubt sind nur Kleinbuchstaben a–z, Ziffern und Bindestriche (höchstens "
             "61 Zeichen), z. B. „%(example)s“.", example=bank_slug(stem) or "notfall")
