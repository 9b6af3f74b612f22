"""The shape of a course in the browser: modules moved, removed and brought back, question banks deleted."""

import pytest
from sqlalchemy import select

from qualify.core.time import utcnow
from qualify.courses import authoring, course_files, structure
from qualify.courses.authoring import AuthoringError
from qualify.courses.models import CourseFile, Module
from qualify.extensions import db
from qualify.learning.services import is_module_done, mark_read
from tests.courses.conftest import base_of, save

COURSE_URL = "/autoren/neuer-kurs"


def add_module(client, number: int, slug: str, title: str):
    return client.post(f"{COURSE_URL}/module", data={"number": number, "slug": slug, "title": title,
                                                     "kind": "self-study"}, follow_redirects=True)


def modules_in_order(course) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(m.slug, m.position) for m in course.active_modules]


def versions_of(module: Module) -> int:
    return len(module.versions)


def test_a_module_moves_up_and_down_without_a_new_version(client, course):
    add_module(client, 2, "mitte", "Mitte")
    add_module(client, 3, "ende", "Ende")
    page = client.post(f"{COURSE_URL}/module/ende/verschieben", data={"direction": "up"}, follow_redirects=True)
    assert "„Ende“ ist verschoben." in page.text
    assert modules_in_order(course) == [("start", 1), ("ende", 2), ("mitte", 3)]
    client.post(f"{COURSE_URL}/module/start/verschieben", data={"direction": "down"})
    assert modules_in_order(course) == [("ende", 1), ("start", 2), ("mitte", 3)]
    client.post(f"{COURSE_URL}/module/ende/verschieben", data={"direction": "up"})  # first already: stays
    assert modules_in_order(course) == [("ende", 1), ("start", 2), ("mitte", 3)]
    assert all(versions_of(m) == 1 for m in course.active_modules)


@pytest.mark.parametrize(("number", "message"), [
    ("0", "Zahl muss zwischen 1 und 99 liegen."), ("100", "Zahl muss zwischen 1 und 99 liegen."),
    ("", "Dieses Feld wird benötigt.")])
def test_a_module_number_outside_1_to_99_is_refused_with_the_range(client, course, number, message):
    page = client.post(f"{COURSE_URL}/module", data={"number": number, "slug": "null", "title": "Null",
                                                     "kind": "self-study"})
    assert f'<p class="error" id="number-error">{message}</p>' in page.text
    assert modules_in_order(course) == [("start", 1)]


def test_a_removed_module_keeps_what_learners_did_and_can_be_brought_back(client, course, make_user):
    add_module(client, 2, "extra", "Extra")
    db.session.expire_all()
    extra = next(m for m in course.modules if m.slug == "extra")
    learner = make_user()
    mark_read(learner, extra, now=utcnow())
    db.session.commit()

    page = client.post(f"{COURSE_URL}/module/extra/entfernen", data={}, follow_redirects=True)
    assert "„Extra“ ist aus dem Kurs genommen." in page.text and "Entfernte Module" in page.text
    assert modules_in_order(course) == [("start", 1)]
    again = add_module(client, 2, "extra", "Extra neu")  # its short name still belongs to it
    assert "gehört einem entfernten Modul" in again.text

    client.post(f"{COURSE_URL}/module/extra/zurueckholen", data={})
    assert modules_in_order(course) == [("start", 1), ("extra", 2)]
    assert versions_of(extra) == 1  # as it was, not a copy
    assert is_module_done(learner, extra)


def test_a_module_brought_back_after_one_numbered_99_takes_a_free_number(client, course):
    add_module(client, 2, "extra", "Extra")
    add_module(client, 99, "ende", "Ende")
    client.post(f"{COURSE_URL}/module/extra/entfernen", data={})
    page = client.post(f"{COURSE_URL}/module/extra/zurueckholen", data={}, follow_redirects=True)
    assert "„Extra“ ist wieder im Kurs." in page.text
    assert modules_in_order(course) == [("start", 1), ("extra", 2), ("ende", 99)]


@pytest.mark.parametrize(("taken", "number"), [
    (set(), 1), ({1, 2, 7}, 8), ({1, 2, 99}, 3), ({0, 99}, 1), (set(range(1, 100)) - {42}, 42)])
def test_a_module_brought_back_is_numbered_after_the_last_or_in_the_first_gap(taken, number):
    assert structure.free_number(taken) == number


def test_with_all_99_numbers_taken_bringing_a_module_back_says_so():
    with pytest.raises(AuthoringError, match="Alle Nummern von 1 bis 99 sind an Module vergeben"):
        structure.free_number(set(range(1, 100)))


def test_a_removed_module_cannot_be_moved_or_removed_again(client, course):
    add_module(client, 2, "extra", "Extra")
    client.post(f"{COURSE_URL}/module/extra/entfernen", data={})
    moved = client.post(f"{COURSE_URL}/module/extra/verschieben", data={"direction": "up"}, follow_redirects=True)
    assert moved.status_code == 200 and "schon aus dem Kurs genommen" in moved.text
    again = client.post(f"{COURSE_URL}/module/extra/entfernen", data={}, follow_redirects=True)
    assert "schon aus dem Kurs genommen" in again.text and "ist aus dem Kurs genommen" not in again.text


def test_a_module_another_text_links_to_stays_and_the_link_is_named(client, course):
    add_module(client, 2, "extra", "Extra")
    start = f"{COURSE_URL}/module/start"
    linked = "---\ntitle: Start\nkind: self-study\nminutes: 15\n---\n\n# Start\n\nWeiter mit [Extra](02-extra.md).\n"
    assert save(client, start, linked).status_code == 302
    page = client.post(f"{COURSE_URL}/module/extra/entfernen", data={}, follow_redirects=True)
    assert "Das Modul bleibt, weil ein Text noch darauf verweist: 01-start.md, Zeile 9" in page.text
    assert "gibt es nicht" not in page.text  # it is there: that is why it stays
    assert modules_in_order(course) == [("start", 1), ("extra", 2)]


def test_moving_a_module_takes_the_links_to_it_along(client, course):
    # A module's number is in its file name: links by file name used to stop every move.
    add_module(client, 2, "extra", "Extra")
    start = f"{COURSE_URL}/module/start"
    linked = ("---\ntitle: Start\nkind: self-study\nminutes: 15\n---\n\n# Start\n\nWeiter mit [Extra](02-extra.md) "
              "oder [dem Abschnitt](02-extra.md#ziele), siehe [extra].\n\n[extra]: 02-extra.md\n")
    assert save(client, start, linked).status_code == 302
    page = client.post(f"{COURSE_URL}/module/extra/verschieben", data={"direction": "up"}, follow_redirects=True)
    assert "„Extra“ ist verschoben." in page.text
    assert modules_in_order(course) == [("extra", 1), ("start", 2)]
    text = next(m for m in course.active_modules if m.slug == "start").current_version.source
    assert "[Extra](01-extra.md)" in text and "(01-extra.md#ziele)" in text and "[extra]: 01-extra.md" in text
    assert "02-extra.md" not in text


def test_links_are_renamed_only_where_they_are_links():
    renamed = {"01-a.md": "02-a.md", "02-b.md": "01-b.md"}
    text = "[A](01-a.md) [B](<02-b.md>) 01-a.md im Text, [C](x01-a.md), [D](01-a.mdx)\n[a]: 01-a.md\n"
    assert structure.with_links_renamed(text, renamed) == (
        "[A](02-a.md) [B](<01-b.md>) 01-a.md im Text, [C](x01-a.md), [D](01-a.mdx)\n[a]: 02-a.md\n")


def test_a_question_bank_is_deleted_only_when_no_module_draws_from_it(client, course):
    client.post(f"{COURSE_URL}/fragen", data={"name": "pool"})
    start = f"{COURSE_URL}/module/start"
    drawing = "---\ntitle: Start\nkind: self-study\nminutes: 15\nquestions: fragen/pool.gift\n---\n\n# Start\n"
    client.post(f"{COURSE_URL}/fragen/pool.gift", data={
        "text": "::A::Stimmt das? {T}\n", "base": _base(client, f"{COURSE_URL}/fragen/pool.gift")})
    assert save(client, start, drawing).status_code == 302

    kept = client.post(f"{COURSE_URL}/fragen/pool.gift/loeschen", data={}, follow_redirects=True)
    assert "Die Fragensammlung bleibt, weil ein Modul daraus Fragen zieht: 01-start.md, Zeile 5" in kept.text
    assert "gibt es nicht" not in kept.text
    assert _banks() == ["fragen/pool.gift"]

    assert save(client, start, drawing.replace("questions: fragen/pool.gift\n", "")).status_code == 302
    gone = client.post(f"{COURSE_URL}/fragen/pool.gift/loeschen", data={}, follow_redirects=True)
    assert "„fragen/pool.gift“ ist gelöscht." in gone.text and _banks() == []


def test_only_editors_of_the_course_change_its_shape(client, course, new_client, login, make_user):
    from qualify.accounts.roles import Role

    other = new_client()
    login(make_user(Role.TRAINER), via=other)
    assert other.post(f"{COURSE_URL}/module/start/entfernen", data={}).status_code == 404
    assert modules_in_order(course) == [("start", 1)]


def _base(client, url: str) -> str:
    return base_of(client.get(url))


def _banks() -> list[str]:
    db.session.expire_all()
    return [f.path for f in db.session.scalars(select(CourseFile)) if f.path.startswith("fragen/")]


def _store(course, path: str, data: bytes = b"Frage {T}\n") -> None:
    """Store a file in fragen/ as an import did before the loader checked bank names (in a subfolder, say)."""
    course.files.append(CourseFile(path=path, data=data, sha256="x", content_type="text/plain"))
    db.session.commit()


def test_a_file_in_a_subfolder_of_fragen_is_deleted_with_the_same_question(client, course):
    _store(course, "fragen/alt/pool.gift")
    page = client.get(COURSE_URL).text
    assert f'action="{COURSE_URL}/fragen/alt/pool.gift/loeschen"' in page
    assert "Die Fragensammlung löschen? Solange ein Modul daraus Fragen zieht, bleibt sie." in page

    assert client.post(f"{COURSE_URL}/fragen/alt/pool.gift/loeschen", data={}, csrf=False).status_code == 400
    gone = client.post(f"{COURSE_URL}/fragen/alt/pool.gift/loeschen", data={}, follow_redirects=True)

    assert "„fragen/alt/pool.gift“ ist gelöscht." in gone.text and _banks() == []
    assert save(client, COURSE_URL, course.source).status_code == 302  # the course saves again


def test_only_editors_of_the_course_delete_a_file_in_a_subfolder(client, course, new_client, login, make_user):
    from qualify.accounts.roles import Role

    _store(course, "fragen/alt/pool.gift")
    other = new_client()
    login(make_user(Role.TRAINER), via=other)
    assert other.post(f"{COURSE_URL}/fragen/alt/pool.gift/loeschen", data={}).status_code == 404
    assert _banks() == ["fragen/alt/pool.gift"]


@pytest.mark.parametrize("name", ["../course.md", "alt/../../course.md", "..%2Fcourse.md", "alt/../pool.gift"])
def test_a_path_leading_out_of_fragen_deletes_nothing(client, course, name):
    _store(course, "fragen/pool.gift")
    source = course.source

    response = client.post(f"{COURSE_URL}/fragen/{name}/loeschen", data={}, follow_redirects=True)

    assert "Diese Datei gibt es nicht (mehr)." in response.text and "ist gelöscht" not in response.text
    db.session.expire_all()
    assert _banks() == ["fragen/pool.gift"] and course.source == source


@pytest.mark.parametrize("path", ["fragen/../course.md", "fragen//etc/passwd", "/etc/passwd", "fragen/./pool.gift",
                                  "fragen/alt/../../course.md", "medien/../fragen/pool.gift"])
def test_deleting_refuses_paths_that_lead_elsewhere_or_are_absolute(course, trainer, path):
    _store(course, "fragen/pool.gift")
    with pytest.raises(AuthoringError):
        structure.delete_bank(course, path, actor=trainer)
    with pytest.raises(AuthoringError):
        course_files.delete_media(course, path, actor=trainer)
    with pytest.raises(AuthoringError):  # nor does any change write or remove such a file
        authoring.import_changes(course.slug, course, {}, actor=trainer, removed=(path,))
    assert _banks() == ["fragen/pool.gift"]


@pytest.mark.parametrize(("path", "inside"), [
    ("fragen/pool.gift", True), ("fragen/alt/pool.gift", True), ("fragen/Alte Fragen.gift", True),
    ("fragen/../course.md", False), ("../x", False), ("/etc/passwd", False), ("fragen//x", False),
    ("fragen/./x", False), ("", False)])
def test_a_path_is_in_the_course_folder_when_it_is_relative_and_goes_nowhere_else(path, inside):
    assert authoring.in_course_folder(path) is inside
