"""An authoring form reaching the server twice – a double tap on a slow connection, both at the same moment, or a
form sent again once the first copy is done: one change, and a calm answer to the second, never an error page."""

import io

import pytest
from sqlalchemy import func, select

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.courses.models import Course, CourseFile, CourseOwner, Module, ModuleVersion
from qualify.extensions import db
from tests.courses.conftest import base_of
from tests.courses.test_authoring import PNG, QUIZ_MODULE
from tests.workshops.test_concurrency import run_together

COURSE_URL = "/autoren/neuer-kurs"
MODULE_URL = f"{COURSE_URL}/module/start"
SECOND_MODULE = {"number": 2, "slug": "zwei", "title": "Zwei", "kind": "self-study"}


@pytest.fixture
def taps(course, trainer, new_client, login):
    """Two browsers of the trainer: the two requests of one double tap, each with its own session."""
    browsers = [new_client(), new_client()]
    for browser in browsers:
        login(trainer, via=browser)
    return browsers


def at_once(browsers, url: str, form) -> list:
    """Post the same form from each browser at the same moment; return the responses, in the browsers' order.
    `form` may be a function that makes the form (a file to upload is read once per request)."""
    responses = {}

    def send(index, browser):
        data = {**(form() if callable(form) else form), "csrf_token": browser.csrf_token()}  # before the burst

        def task(barrier):
            barrier.wait()
            responses[index] = browser.post(url, data=data)
        return task

    assert run_together([send(index, browser) for index, browser in enumerate(browsers)]) == []
    return [responses[index] for index in range(len(browsers))]


def told(browser, response) -> str:
    """The page the browser lands on after the response, with the message it shows."""
    assert response.status_code == 302, response.text[-800:]
    return browser.get(response.headers["Location"]).text


def versions() -> list[tuple[int, str]]:
    db.session.expire_all()
    module = db.session.scalar(select(Module).where(Module.slug == "start"))
    return list(db.session.execute(select(ModuleVersion.number, ModuleVersion.note)
                                   .where(ModuleVersion.module_id == module.id).order_by(ModuleVersion.number)))


def count(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def logged(action: str) -> int:
    return count(AuditEvent, AuditEvent.action == action)


def modules_in_order() -> list[tuple[str, int]]:
    db.session.expire_all()
    course = db.session.scalar(select(Course).where(Course.slug == "neuer-kurs"))
    return [(module.slug, module.position) for module in course.active_modules]


# --- saving a module --------------------------------------------------------------------------------------------

def test_a_module_saved_twice_at_the_same_moment_makes_one_version_and_both_say_saved(taps):
    form = {"text": QUIZ_MODULE, "note": "", "base": base_of(taps[0].get(MODULE_URL))}

    responses = at_once(taps, MODULE_URL, form)

    pages = [told(browser, response) for browser, response in zip(taps, responses, strict=True)]
    assert [number for number, _note in versions()] == [1, 2]
    assert all("Gespeichert." in page and "inzwischen gespeichert" not in page for page in pages)


def test_a_save_sent_again_after_the_first_finds_its_text_saved_and_no_conflict(taps):
    first, second = taps
    form = {"text": QUIZ_MODULE, "note": "", "base": base_of(first.get(MODULE_URL))}
    assert first.post(MODULE_URL, data=form).status_code == 302

    again = second.post(MODULE_URL, data=form)

    page = told(second, again)
    assert "Gespeichert." in page and "Neue Version" not in page
    assert [number for number, _note in versions()] == [1, 2]
    assert logged("authoring.save") == 1


def test_a_different_text_against_an_outdated_base_is_still_a_conflict(taps):
    first, second = taps
    base = base_of(first.get(MODULE_URL))
    assert first.post(MODULE_URL, data={"text": QUIZ_MODULE, "base": base}).status_code == 302

    other = second.post(MODULE_URL, data={"text": QUIZ_MODULE + "\nMein Absatz.\n", "base": base})

    assert other.status_code == 200 and "Diese Datei wurde inzwischen gespeichert" in other.text
    assert [number for number, _note in versions()] == [1, 2]


# --- restoring a version ----------------------------------------------------------------------------------------

def test_a_version_restored_twice_at_the_same_moment_is_restored_once_and_both_say_so(taps):
    first, _second = taps
    first.post(MODULE_URL, data={"text": QUIZ_MODULE, "base": base_of(first.get(MODULE_URL))})

    responses = at_once(taps, f"{MODULE_URL}/versionen/1/wiederherstellen", {})

    pages = [told(browser, response) for browser, response in zip(taps, responses, strict=True)]
    assert versions() == [(1, "qualify:neues-modul"), (2, ""), (3, "qualify:wiederhergestellt:1")]
    assert all("Version 1 ist als Version 3 wiederhergestellt." in page for page in pages)
    assert logged("authoring.restore") == 1


def test_a_restore_sent_again_says_the_version_is_restored(taps):
    first, second = taps
    first.post(MODULE_URL, data={"text": QUIZ_MODULE, "base": base_of(first.get(MODULE_URL))})
    url = f"{MODULE_URL}/versionen/1/wiederherstellen"
    assert first.post(url, data={}).status_code == 302

    page = told(second, second.post(url, data={}))

    assert "Version 1 ist als Version 3 wiederhergestellt." in page and "schon die aktuelle" not in page
    assert len(versions()) == 3


def test_restoring_the_current_text_that_no_restore_made_is_still_refused(taps):
    first, _second = taps
    url = f"{MODULE_URL}/versionen/1/wiederherstellen"  # version 1 is the current one: nothing to restore

    page = told(first, first.post(url, data={}))

    assert "Diese Version ist schon die aktuelle." in page and len(versions()) == 1


# --- adding a module, a question bank, a file, a course ---------------------------------------------------------

def test_a_module_added_twice_at_the_same_moment_is_added_once_and_both_land_on_it(taps):
    responses = at_once(taps, f"{COURSE_URL}/module", SECOND_MODULE)

    assert [response.status_code for response in responses] == [302, 302]
    assert {response.headers["Location"] for response in responses} == {f"{COURSE_URL}/module/zwei"}
    assert modules_in_order() == [("start", 1), ("zwei", 2)]
    assert logged("authoring.module_added") == 2  # the course fixture's first module, and this one once


def test_a_module_slug_taken_by_another_module_is_still_refused(taps):
    first, second = taps
    assert first.post(f"{COURSE_URL}/module", data=SECOND_MODULE).status_code == 302

    other = second.post(f"{COURSE_URL}/module", data={**SECOND_MODULE, "title": "Etwas anderes"})

    assert other.status_code == 200 and "Dieses Kürzel ist in diesem Kurs schon vergeben." in other.text


def test_a_question_bank_added_twice_at_the_same_moment_is_added_once_and_both_land_on_it(taps):
    responses = at_once(taps, f"{COURSE_URL}/fragen", {"name": "pool"})

    assert [response.status_code for response in responses] == [302, 302]
    assert count(CourseFile, CourseFile.path == "fragen/pool.gift") == 1
    assert logged("authoring.bank_created") == 1


def test_a_question_bank_of_a_name_taken_with_other_questions_is_still_refused(taps):
    first, second = taps
    assert first.post(f"{COURSE_URL}/fragen", data={"name": "pool"}).status_code == 302

    other = second.post(f"{COURSE_URL}/fragen", content_type="multipart/form-data", data={
        "name": "pool", "file": (io.BytesIO(b"::F::Stimmt das? {T}\n"), "pool.gift")})

    assert other.status_code == 200 and "Diese Fragensammlung gibt es schon." in other.text


def test_a_file_uploaded_twice_at_the_same_moment_is_stored_once_and_both_say_uploaded(taps):
    responses = at_once(taps, f"{COURSE_URL}/medien", lambda: {"file": (io.BytesIO(PNG), "bild.png")})

    pages = [told(browser, response) for browser, response in zip(taps, responses, strict=True)]
    assert all("Hochgeladen." in page for page in pages)
    assert count(CourseFile, CourseFile.path == "medien/bild.png") == 1


def test_a_course_created_twice_at_the_same_moment_is_created_once_and_both_land_on_it(taps):
    form = {"slug": "zweiter-kurs", "title": "Zweiter Kurs", "summary": ""}

    responses = at_once(taps, "/autoren/", form)

    assert [response.status_code for response in responses] == [302, 302]
    assert {response.headers["Location"] for response in responses} == {"/autoren/zweiter-kurs"}
    assert count(Course, Course.slug == "zweiter-kurs") == 1


# --- moving a module --------------------------------------------------------------------------------------------

@pytest.fixture
def three_modules(taps):
    for number, slug in ((2, "mitte"), (3, "ende")):
        taps[0].post(f"{COURSE_URL}/module", data={"number": number, "slug": slug, "title": slug.title(),
                                                   "kind": "self-study"})
    assert modules_in_order() == [("start", 1), ("mitte", 2), ("ende", 3)]


def test_a_move_sent_twice_at_the_same_moment_moves_the_module_one_place(taps, three_modules):
    responses = at_once(taps, f"{COURSE_URL}/module/ende/verschieben", {"direction": "up", "position": 3})

    pages = [told(browser, response) for browser, response in zip(taps, responses, strict=True)]
    assert modules_in_order() == [("start", 1), ("ende", 2), ("mitte", 3)]
    assert all("„Ende“ ist verschoben." in page for page in pages)
    assert logged("authoring.module_moved") == 1


def test_a_move_sent_again_from_the_same_page_moves_once_and_from_the_new_page_again(taps, three_modules):
    first, second = taps
    url = f"{COURSE_URL}/module/ende/verschieben"
    for browser in taps:  # the page both showed: "Ende" third
        assert browser.post(url, data={"direction": "up", "position": 3}).status_code == 302
    assert modules_in_order() == [("start", 1), ("ende", 2), ("mitte", 3)]

    assert 'name="position" value="2"' in first.get(COURSE_URL).text  # the page as it is now
    first.post(url, data={"direction": "up", "position": 2})

    assert modules_in_order() == [("ende", 1), ("start", 2), ("mitte", 3)]


# --- owners -----------------------------------------------------------------------------------------------------

@pytest.fixture
def admin_taps(course, make_user, new_client, login):
    """Two browsers of an administrator, who decides who edits the course."""
    admin = make_user(Role.ADMIN)
    browsers = [new_client(), new_client()]
    for browser in browsers:
        login(admin, via=browser)
    return browsers


def test_a_co_owner_added_twice_at_the_same_moment_is_added_once(admin_taps, make_user):
    colleague = make_user(Role.TRAINER)

    responses = at_once(admin_taps, f"{COURSE_URL}/besitzer", {"email": colleague.email})

    assert sorted(response.status_code for response in responses) == [200, 302]  # the second: "schon"
    assert count(CourseOwner, CourseOwner.user_id == colleague.id) == 1


def test_a_co_owner_removed_twice_is_removed_once_and_both_say_so(admin_taps, make_user):
    colleague = make_user(Role.TRAINER)
    admin_taps[0].post(f"{COURSE_URL}/besitzer", data={"email": colleague.email})
    url = f"{COURSE_URL}/besitzer/{colleague.id}/entfernen"

    responses = at_once(admin_taps, url, {})

    assert all("Entfernt." in told(browser, response) for browser, response in zip(admin_taps, responses, strict=True))
    assert "Entfernt." in told(admin_taps[1], admin_taps[1].post(url, data={}))  # and sent again, later
    assert logged("authoring.owner_removed") == 1
