"""The question banks of a course (fragen/): adding one, renaming those whose names Qualify no longer takes, and
a bank's editor. Registered on the authoring blueprint, which checks that the person may edit the course (see its
ROUTES there); deleting a bank is in structure_views, with the other confirmed changes of a course."""

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qualify.courses import authoring, course_files, structure
from qualify.courses.authoring_forms import NewBankForm, RenameBanksForm
from qualify.courses.course_page import course_form, go_on, problem_text
from qualify.courses.editing import preview_file, save_file, source_form
from qualify.courses.models import Course
from qualify.courses.sources import bank_slug

STARTER_BANK = "// Fragensammlung im GIFT-Format: eine Frage je Absatz.\n"


def _bank_path(course: Course, name: str) -> str:
    path = authoring.BANK_FOLDER + name
    if not authoring.BANK_NAME.match(name) or authoring.stored_file(course, path) is None:
        abort(404)
    return path


def _bank_page(course: Course, path: str, **shown):
    shown.setdefault("source_form", source_form(authoring.text_of(course, path)))
    return render_template("authoring/bank.html", course=course, path=path, **shown)


def _bank_name_of_file(filename: str) -> str:
    """Make a question bank's name of an uploaded file's name: "Mein Pool.GIFT" → "mein-pool.gift"."""
    stem = bank_slug(filename.rsplit(".", 1)[0])
    return f"{stem}.gift" if stem else ""


def _bank_name(form: NewBankForm) -> str:
    """Name the new question bank as typed, else after the uploaded file; AuthoringError when neither gives one."""
    typed = (form.name.data or "").strip().lower()
    if typed:
        return typed if typed.endswith(".gift") else f"{typed.rsplit('.', 1)[0]}.gift"
    upload = form.file.data
    if upload is None:
        raise authoring.AuthoringError(_("Wählen Sie eine GIFT-Datei aus, oder geben Sie einen Namen ein, um eine "
                                         "leere Fragensammlung anzulegen."))
    name = _bank_name_of_file(upload.filename or "")
    if not authoring.BANK_NAME.match(name):
        raise authoring.AuthoringError(_("Aus dem Dateinamen „%(file)s“ lässt sich kein Name für die "
                                         "Fragensammlung machen. Geben Sie einen Namen ein: a–z, 0–9 und "
                                         "Bindestriche, Endung .gift.", file=upload.filename))
    return name


def _create_bank(course: Course, form: NewBankForm) -> str:
    """Create the question bank the form asks for: from the uploaded file, or empty."""
    upload = form.file.data
    data = upload.read() if upload else STARTER_BANK.encode("utf-8")
    return course_files.create_bank(course, _bank_name(form), data, actor=current_user)


def add_bank(course: Course):
    """Create a question bank in fragen/, empty or from an uploaded GIFT file (named after it unless named)."""
    form = NewBankForm()
    return course_form(
        course, form, shown_as="bank_form", change=lambda: _create_bank(course, form),
        done=lambda path: redirect(url_for("authoring.bank", slug=course.slug,
                                           name=path.removeprefix(authoring.BANK_FOLDER))),
        error_at=lambda _error: form.name, refused_at=form.file,
        # Refused by the loader: the bank had its name by then, which _bank_name gives again.
        said=lambda problem: problem_text(problem, authoring.BANK_FOLDER + _bank_name(form)))


def _new_name_of(form: RenameBanksForm, error: authoring.AuthoringError):
    """The field of the new name that the error is about (structure.BankNameRefused); None for another error."""
    path = getattr(error, "path", None)
    return next((entry.form.new for entry in form.banks if entry.form.old.data == path), None)


def rename_banks(course: Course):
    """Rename the question banks whose names Qualify no longer takes, and the `questions:` naming them."""
    form = RenameBanksForm()
    return course_form(
        course, form, shown_as="rename_form",
        change=lambda: structure.rename_banks(
            course, {entry.form.old.data: entry.form.new.data for entry in form.banks}, actor=current_user),
        done=lambda _versions: go_on(_("Umbenannt. Module, die daraus Fragen ziehen, nennen die neuen Namen."),
                                    url_for("authoring.course", slug=course.slug) + "#fragen"),
        error_at=lambda error: _new_name_of(form, error))


def bank(course: Course, name: str):
    """Show the editor for a question bank."""
    return _bank_page(course, _bank_path(course, name))


def save_bank(course: Course, name: str):
    """Save a question bank; modules drawing from it get new versions."""
    path = _bank_path(course, name)
    return save_file(course, path, lambda **shown: _bank_page(course, path, **shown),
                     url_for("authoring.bank", slug=course.slug, name=name))


def preview_bank(course: Course, name: str):
    """Preview the typed text of a question bank: its questions as the module editor's preview shows a quiz."""
    path = _bank_path(course, name)
    return preview_file(course, path, lambda **shown: _bank_page(course, path, **shown))


# (rule, view, methods) below the authoring blueprint's prefix; each view gets the course it may edit.
ROUTES = (
    ("/<slug>/fragen", add_bank, ("POST",)),
    ("/<slug>/fragen/umbenennen", rename_banks, ("POST",)),
    ("/<slug>/fragen/<name>", bank, ("GET",)),
    ("/<slug>/fragen/<name>", save_bank, ("POST",)),
    ("/<slug>/fragen/<name>/vorschau", preview_bank, ("POST",)),
)
