"""`qualify courses …`: validate, import and export course folders, and render stored HTML again."""

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from qualify.courses import services
from qualify.courses.loader import load_tree
from qualify.courses.models import Course
from qualify.extensions import db

courses_cli = AppGroup("courses", help="Course content in Markdown.")


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _refuse(problems, nothing_done: str) -> None:
    """Undo what was begun, print each problem and stop with exit status 1 ("Nothing imported: 3 problem(s).")."""
    db.session.rollback()
    _print_problems(problems)
    click.echo(f"{nothing_done}: {len(problems)} problem(s).", err=True)
    sys.exit(1)


@courses_cli.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print courses, modules, question counts and errors as JSON.")
def validate_command(path: Path, as_json: bool) -> None:
    """Check a tree of course folders without touching the database."""
    tree = load_tree(path)
    if as_json:
        click.echo(json.dumps(tree.summary(), ensure_ascii=False, indent=2))
    else:
        _print_problems(tree.problems)
        modules = sum(len(course.modules) for course in tree.courses)
        click.echo(f"{len(tree.courses)} course(s), {modules} module(s), {len(tree.problems)} problem(s).")
    sys.exit(0 if tree.ok else 1)


@courses_cli.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Validate, then create or update the courses of a tree in one transaction."""
    tree = load_tree(path)
    try:
        report = services.import_tree(tree)
    except services.ImportRefused as refused:
        _refuse(refused.problems, "Nothing imported")
    db.session.commit()
    if not report.changed:
        click.echo(f"No changes: {len(report.unchanged)} course(s) already up to date.")
        return
    click.echo(f"Imported: {len(report.created)} new, {len(report.updated)} updated, "
               f"{len(report.unchanged)} unchanged course(s); {report.new_versions} new module version(s).")
    for note in report.notes:
        click.echo(f"  {note}")


@courses_cli.command("export")
@click.argument("slug")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--clean", is_flag=True, help="Delete files in FOLDER/SLUG that the course no longer has.")
def export_command(slug: str, folder: Path, clean: bool) -> None:
    """Write a course back as Markdown files into FOLDER/SLUG."""
    course = services.get_course(slug)
    if course is None:
        raise click.ClickException(f"No course {slug!r}.")
    stale = services.stale_files(course, folder / slug)
    if stale and not clean:  # the next import of the folder would bring removed modules back
        names = ", ".join(path.relative_to(folder / slug).as_posix() for path in stale)
        raise click.ClickException(f"{folder / slug} holds file(s) the course no longer has: {names}. "
                                   "An import of the folder would bring them back. Use --clean to delete them, "
                                   "or export into an empty folder. Nothing written.")
    written = services.export_course(course, folder / slug)
    for path in stale:
        path.unlink()
    click.echo(f"Wrote {len(written)} file(s) to {folder / slug}"
               + (f"; deleted {len(stale)} the course no longer has." if stale else "."))


@courses_cli.command("rename-bank")
@click.argument("slug")
@click.argument("old")
@click.argument("new")
def rename_bank_command(slug: str, old: str, new: str) -> None:
    """Rename the question bank OLD of a stored course to NEW (as in fragen/, with or without that folder) and
    point the modules drawing from it at the new name, as the course editor's renaming does."""
    from qualify.courses import authoring, structure  # the editor's code: loaded for this command only

    course = services.get_course(slug)
    if course is None:
        raise click.ClickException(f"No course {slug!r}.")
    old_path = old if old.startswith(authoring.BANK_FOLDER) else authoring.BANK_FOLDER + old
    try:
        versions = structure.rename_banks(course, {old_path: new}, actor=None)
    except authoring.AuthoringError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except authoring.Refused as refused:
        _refuse(refused.problems, "Nothing renamed")
    db.session.commit()
    click.echo(f"Renamed {old_path} to {authoring.BANK_FOLDER}{structure.bank_file_name(new)}; "
               f"{len(versions)} new module version(s).")


@courses_cli.command("rerender")
def rerender_command() -> None:
    """Render the stored HTML of every course again from its sources (after an upgrade changed the renderer)."""
    changed, skipped = 0, []
    for course in db.session.scalars(select(Course)):
        try:
            changed += services.rerender_course(course)
        except ValueError as error:  # e.g. a file imported before the loader checked it: the others go on
            skipped.append(str(error))
    db.session.commit()
    click.echo(f"{changed} text(s) rendered anew.")
    if skipped:
        click.echo("Left as they were, fix and import them again:\n  " + "\n  ".join(skipped), err=True)
        sys.exit(1)
