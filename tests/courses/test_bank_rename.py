"""Question banks imported before their names were checked: renamed in the browser (or with
`qualify courses rename-bank`), with every module's `questions:` that names them – removed modules' too –, so the
course saves again; a save they refuse leads to the renaming."""

import hashlib
import re

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.courses import drafts
from qualify.courses.authoring import fingerprint
from qualify.courses.bank_views import STARTER_BANK
from qualify.courses.commands import courses_cli
from qualify.courses.models import CourseFile, Module, ModuleVersion
from qualify.courses.sources import content_hash
from qualify.courses.structure import misnamed_banks, with_bank_renamed
from qualify.extensions import db
from tests.courses.conftest import save

COURSE = "/autoren/neuer-kurs"
RENAME = f"{COURSE}/fragen/umbenennen"
OLD = "fragen/Alte Fragen.gift"
DRAWING = ("---\ntitle: Start\nkind: self-study\nminutes: 15\nquestions: fragen/Alte Fragen.gift\ndraw: 1\n---\n\n"
           "# Start\n\nText.\n")


def imported_before_names_were_checked(course, path: str = OLD, gift: bytes = b"Eins {T}\n\nZwei {F}\n",
                                       *, module_text: str | None = DRAWING) -> None:
    """Store a bank under a name the loader now refuses, and let the module draw from it, as an import did then."""
    course.files.append(CourseFile(path=path, data=gift, sha256=hashlib.sha256(gift).hexdigest(),
                                   content_type="text/plain"))
    if module_text is not None:
        course.active_modules[0].current_version.source = module_text
    db.session.commit()


def banks() -> list[str]:
    db.session.expire_all()
    return sorted(f.path for f in db.session.scalars(select(CourseFile)) if f.path.startswith("fragen/"))


def rename(client, *names: tuple[str, str], **options):
    data = {}
    for index, (old, new) in enumerate(names):
        data |= {f"banks-{index}-old": old, f"banks-{index}-new": new}
    return client.post(RENAME, data=data, **options)


def test_the_course_page_lists_a_misnamed_bank_with_its_problem_and_a_name_that_would_do(client, course):
    imported_before_names_were_checked(course)

    page = client.get(COURSE).text

    assert "Bis sie umbenannt ist, lässt sich der Kurs nicht speichern." in page
    assert '<a href="#fragen-umbenennen">' in page
    assert '<label for="banks-0-new">Neuer Name für „fragen/Alte Fragen.gift“</label>' in page
    assert 'name="banks-0-new" required type="text" value="alte-fragen.gift"' in page
    assert 'aria-describedby="banks-0-new-hint"' in page
    assert "Name der Fragensammlung „Alte Fragen.gift“: erlaubt sind nur Kleinbuchstaben a–z" in page
    assert "/fragen/Alte%20Fragen.gift\"" not in page  # no link to its editor, which takes no such name


def test_renaming_moves_the_bank_and_the_questions_naming_it_in_one_save_and_the_course_saves_again(
        client, trainer, course):
    imported_before_names_were_checked(course)
    assert "Nichts gespeichert" in save(client, COURSE, course.source).text  # stuck, as before

    done = rename(client, (OLD, "alte-fragen.gift"), follow_redirects=True)

    assert "Umbenannt. Module, die daraus Fragen ziehen, nennen die neuen Namen." in done.text
    assert "fragen-umbenennen" not in done.text
    assert banks() == ["fragen/alte-fragen.gift"]
    version = course.active_modules[0].current_version
    assert version.source == DRAWING.replace(OLD, "fragen/alte-fragen.gift")  # only that line changed
    assert version.number == 2 and version.note == "qualify:fragensammlung-umbenannt"
    assert sum(1 for question in version.questions if question.get("from_bank")) == 2
    assert "Fragensammlung umbenannt" in client.get(f"{COURSE}/module/start/versionen").text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "authoring.bank_renamed"))
    assert event.actor_id == trainer.id and event.details["before"] == [OLD]
    assert event.details["after"] == ["fragen/alte-fragen.gift"] and event.details["versions"] == [["start", 2]]
    assert client.get(f"{COURSE}/fragen/alte-fragen.gift").status_code == 200
    assert save(client, COURSE, course.source).status_code == 302  # saves again


def test_the_same_rename_sent_twice_renames_once(client, trainer, course):
    imported_before_names_were_checked(course)
    assert rename(client, (OLD, "alte-fragen")).status_code == 302  # .gift added, as for a new bank
    assert rename(client, (OLD, "alte-fragen")).status_code == 302
    assert banks() == ["fragen/alte-fragen.gift"]
    assert db.session.scalar(select(ModuleVersion.number).order_by(ModuleVersion.number.desc()).limit(1)) == 2


def test_two_misnamed_banks_get_names_of_their_own_and_are_renamed_together(client, trainer, course):
    imported_before_names_were_checked(course)
    imported_before_names_were_checked(course, "fragen/alte_fragen.gift", module_text=None)

    page = client.get(COURSE).text
    assert 'value="alte-fragen.gift"' in page and 'value="alte-fragen-2.gift"' in page

    assert rename(client, (OLD, "alte-fragen.gift"), ("fragen/alte_fragen.gift", "alte-fragen-2.gift")
                  ).status_code == 302
    assert banks() == ["fragen/alte-fragen-2.gift", "fragen/alte-fragen.gift"]


@pytest.mark.parametrize(("typed", "message"), [
    ("pool", "Eine Fragensammlung „fragen/pool.gift“ gibt es schon. Wählen Sie einen anderen Namen."),
    ("Neue Fragen", "Name der Fragensammlung: erlaubt sind nur Kleinbuchstaben a–z, Ziffern und Bindestriche "
                    "(höchstens 61 Zeichen), z. B. „neue-fragen“."),
    ("", "Dieses Feld wird benötigt."),
])
def test_a_name_taken_or_not_allowed_is_refused_at_its_field_and_what_was_typed_stays(client, trainer, course,
                                                                                       typed, message):
    imported_before_names_were_checked(course)
    imported_before_names_were_checked(course, "fragen/pool.gift", module_text=None)

    page = rename(client, (OLD, typed))

    assert page.status_code == 200
    assert "Nichts umbenannt. Bitte korrigieren Sie:" in page.text
    assert f'<a href="#banks-0-new">Neuer Name für „fragen/Alte Fragen.gift“: {message}</a>' in page.text
    assert f'value="{typed}"' in page.text or not typed
    assert banks() == ["fragen/Alte Fragen.gift", "fragen/pool.gift"]


def test_a_rename_the_loader_refuses_names_the_problems_and_renames_nothing(client, trainer, course):
    imported_before_names_were_checked(course, gift=b"Eins {T}\n\nZwei {\n")

    page = rename(client, (OLD, "alte-fragen.gift"))

    assert "Nichts umbenannt. Bitte korrigieren Sie:" in page.text
    assert "fragen/alte-fragen.gift, Zeile 3: Die geschweifte Klammer { wird nicht geschlossen." in page.text
    assert banks() == [OLD]
    assert course.active_modules[0].current_version.number == 1


def test_only_editors_of_the_course_rename_its_banks_and_only_with_the_form(client, trainer, course, new_client,
                                                                            login, make_user):
    imported_before_names_were_checked(course)
    other = new_client()
    login(make_user(Role.TRAINER), via=other)
    assert rename(other, (OLD, "alte-fragen.gift")).status_code == 404
    learner = new_client()
    login(make_user(Role.LEARNER), via=learner)
    assert rename(learner, (OLD, "alte-fragen.gift")).status_code in (403, 404)
    assert rename(client, (OLD, "alte-fragen.gift"), csrf=False).status_code == 400
    assert banks() == [OLD]


def test_a_draft_drawing_from_the_bank_is_renamed_with_the_published_text(client, trainer, course):
    imported_before_names_were_checked(course)
    module = course.active_modules[0]
    course.status = "published"
    drafted = DRAWING.replace("Text.", "Mehr Text.")
    drafts.save_draft(module, drafted, base="", draft_base="", actor=trainer)
    db.session.commit()

    assert rename(client, (OLD, "alte-fragen.gift")).status_code == 302

    draft = drafts.draft_of(module)
    assert draft.source == drafted.replace(OLD, "fragen/alte-fragen.gift")
    # Written over the renamed text now: publishing it finds no version saved in between.
    published = drafts.publish(module, draft.source, base=fingerprint(draft.source), actor=trainer)
    assert [version.number for version in published] == [3]


@pytest.mark.parametrize("text", [
    DRAWING, DRAWING.replace("\n", "\r\n"), "\ufeff" + DRAWING,
    DRAWING.replace("questions: fragen/Alte Fragen.gift", 'questions: "fragen/Alte Fragen.gift"'),
])
def test_only_the_questions_line_is_written_anew(text):
    expected = re.sub(r"^questions: [^\r\n]*", "questions: fragen/alte-fragen.gift", text, flags=re.M)
    assert with_bank_renamed(text, {OLD: "fragen/alte-fragen.gift"}) == expected != text


def test_a_text_drawing_from_another_bank_or_whose_front_matter_does_not_read_stays_as_it_is():
    for text in (DRAWING.replace(OLD, "fragen/pool.gift"), "---\ntitle: [Start\nquestions: x\n---\n", "# Start\n"):
        assert with_bank_renamed(text, {OLD: "fragen/alte-fragen.gift"}) == text


def test_suggested_names_are_made_of_the_old_ones_and_differ_from_every_file_of_the_course():
    found = misnamed_banks(["fragen/Prüfung Öl.GIFT", "fragen/pruefung-oel.gift", "fragen/notizen.txt",
                            "fragen/§§.gift", "medien/Bild 1.png"])
    assert [(bank.path, bank.suggestion) for bank in found] == [
        ("fragen/Prüfung Öl.GIFT", "pruefung-oel-2.gift"), ("fragen/notizen.txt", "notizen.gift"),
        ("fragen/§§.gift", "fragen.gift")]


def test_the_command_renames_a_bank_as_the_course_editor_does(runner, course):
    imported_before_names_were_checked(course)

    result = runner.invoke(courses_cli, ["rename-bank", "neuer-kurs", "Alte Fragen.gift", "alte-fragen"])

    assert result.exit_code == 0, result.output
    assert "Renamed fragen/Alte Fragen.gift to fragen/alte-fragen.gift; 1 new module version(s)." in result.stdout
    assert banks() == ["fragen/alte-fragen.gift"]
    assert "questions: fragen/alte-fragen.gift\n" in course.active_modules[0].current_version.source
    refused = runner.invoke(courses_cli, ["rename-bank", "neuer-kurs", "fragen/alte-fragen.gift", "nie da"])
    assert refused.exit_code == 1 and "Name der Fragensammlung" in refused.output


# --- a save refused by a misnamed bank points to the rename form -------------------------------------------------

RENAME_LINK = (f'<a href="{COURSE}#fragen-umbenennen" target="_blank" rel="noopener">„Fragensammlungen umbenennen“ '
               "auf der Kursseite (neuer Tab)</a>")


@pytest.mark.parametrize("editor", ["/module/start", "/fragen/pool.gift", ""])
def test_a_save_refused_by_a_misnamed_bank_links_to_the_rename_form_and_the_typed_text_stays(client, trainer, course,
                                                                                                editor):
    client.post(f"{COURSE}/fragen", data={"name": "pool"})
    imported_before_names_were_checked(course, module_text=None)
    url = COURSE + editor
    saved = {"/module/start": course.active_modules[0].current_version.source, "": course.source,
             "/fragen/pool.gift": STARTER_BANK}[editor]
    typed = saved + "\n// Neu getippt.\n"

    page = save(client, url, typed)

    assert "Nichts gespeichert: 1 Problem." in page.text
    assert "fragen/Alte Fragen.gift, Zeile 1: Name der Fragensammlung „Alte Fragen.gift“" in page.text
    assert RENAME_LINK in page.text and "Ihr Text hier bleibt stehen." in page.text
    assert "// Neu getippt.\n</textarea>" in page.text  # what was typed stays in the editor
    preview = client.post(f"{url}/vorschau", data={"text": typed}, headers={"X-Requested-With": "authoring.js"})
    assert RENAME_LINK in preview.text


def test_a_problem_of_the_text_itself_gets_no_link_to_the_rename_form(client, trainer, course):
    page = save(client, f"{COURSE}/module/start", DRAWING.replace(OLD, "fragen/Neue Fragen.gift"))
    assert "Name der Fragensammlung „Neue Fragen.gift“" in page.text  # its questions: line: mended in the text
    assert "fragen-umbenennen" not in page.text


def test_a_form_of_the_course_page_refused_by_a_misnamed_bank_names_the_rename_form_and_keeps_what_was_typed(
        client, trainer, course):
    imported_before_names_were_checked(course, module_text=None)
    way_out = "Benennen Sie die Fragensammlung zuerst um, unter „Fragensammlungen umbenennen“ auf dieser Seite."

    module = client.post(f"{COURSE}/module", data={"number": 2, "slug": "extra", "title": "Extra",
                                                   "kind": "self-study"})
    bank = client.post(f"{COURSE}/fragen", data={"name": "neu"})

    for page in (module, bank):
        assert page.status_code == 200
        assert "Name der Fragensammlung „Alte Fragen.gift“" in page.text and way_out in page.text
        assert 'id="fragen-umbenennen"' in page.text
    assert 'value="extra"' in module.text and 'value="neu"' in bank.text
    assert banks() == [OLD] and len(course.modules) == 1


# --- removed modules ---------------------------------------------------------------------------------------------

def removed_module_drawing_from_the_old_bank(client, course, *, bank_changed_since: bool = False):
    """A module removed while it drew from the bank under its old name, as its version then stored it."""
    client.post(f"{COURSE}/module", data={"number": 2, "slug": "extra", "title": "Extra", "kind": "self-study"})
    assert client.post(f"{COURSE}/module/extra/entfernen", data={}).status_code == 302
    db.session.expire_all()
    imported_before_names_were_checked(course)
    extra = db.session.scalar(select(Module).where(Module.slug == "extra"))
    version = extra.current_version
    version.source = DRAWING.replace("title: Start", "title: Extra")
    version.settings = {"questions": OLD, "draw": 1}
    version.content_hash = "anders" if bank_changed_since else content_hash(version.source, b"Eins {T}\n\nZwei {F}\n")
    db.session.commit()
    return extra


def test_a_removed_module_drawing_from_the_bank_is_renamed_too_and_comes_back_as_it_was(client, trainer, course):
    extra = removed_module_drawing_from_the_old_bank(client, course)
    before = extra.current_version

    assert rename(client, (OLD, "alte-fragen.gift")).status_code == 302

    db.session.expire_all()
    version = extra.current_version
    assert version.number == 2 and version.note == "qualify:fragensammlung-umbenannt"
    assert version.source == before.source.replace(OLD, "fragen/alte-fragen.gift")
    assert version.settings == {"questions": "fragen/alte-fragen.gift", "draw": 1}
    assert (version.body_html, version.questions, version.title) == (before.body_html, before.questions, before.title)
    assert before.source.count(OLD) == 1  # the version before stays as it was
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "authoring.bank_renamed"))
    assert event.details["versions"] == [["start", 2], ["extra", 2]]

    back = client.post(f"{COURSE}/module/extra/zurueckholen", data={}, follow_redirects=True)

    assert "„Extra“ ist wieder im Kurs." in back.text
    db.session.expire_all()
    assert not extra.archived and extra.current_version.number == 2  # as it was removed: no new version


def test_a_removed_module_whose_bank_changed_since_gets_its_questions_anew_when_brought_back(client, trainer,
                                                                                             course):
    extra = removed_module_drawing_from_the_old_bank(client, course, bank_changed_since=True)
    assert rename(client, (OLD, "alte-fragen.gift")).status_code == 302

    assert client.post(f"{COURSE}/module/extra/zurueckholen", data={}).status_code == 302

    db.session.expire_all()
    assert not extra.archived and extra.current_version.number == 3
    assert sum(1 for question in extra.current_version.questions if question.get("from_bank")) == 2


def test_the_command_renames_the_bank_in_removed_modules_too(runner, client, course):
    extra = removed_module_drawing_from_the_old_bank(client, course)

    result = runner.invoke(courses_cli, ["rename-bank", "neuer-kurs", "Alte Fragen.gift", "alte-fragen"])

    assert result.exit_code == 0 and "2 new module version(s)." in result.stdout
    db.session.expire_all()
    assert "questions: fragen/alte-fragen.gift\n" in extra.current_version.source
