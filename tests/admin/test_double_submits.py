"""The same form reaching the server twice – a double click, a tab sent again: one change, and a calm answer to
the second request, never an error page."""

import html

import pytest
from sqlalchemy import func, select

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.extensions import db
from tests.admin.conftest import hidden_fields, upload
from tests.workshops.test_concurrency import run_together

NEW_PERSON = {"display_name": "Nora Neu", "email": "nora@example.org", "personnel_number": "", "unit": "",
              "language": "de", "roles": ["learner"], "send_invitation": "y"}
ERASE = {"posts": "keep", "reason": "Austritt zum 30. November", "confirm": "y"}
CSV = ("E-Mail;Name;Einheit\n"
       "anna@example.org;Anna Arndt;Montage\n"
       "ben@example.org;Ben Brandt;Logistik\n")


@pytest.fixture
def admins(new_client, login, make_user):
    """Two browsers of one administrator, each with its own session, as two tabs or a double click send."""
    admin = make_user(Role.ADMIN, name="Admin Ada")
    browsers = [new_client(), new_client()]
    for browser in browsers:
        login(admin, via=browser)
    return browsers


def at_once(*requests) -> list:
    """Send the requests at the same moment, each (browser, url, form), and return their responses."""
    responses = []

    def send(browser, url, form):
        form = {**form, "csrf_token": browser.csrf_token()}  # fetched before the burst

        def task(barrier):
            barrier.wait()
            responses.append(browser.post(url, data=form))
        return task

    assert run_together([send(*request) for request in requests]) == []
    return responses


def count(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def page_after(browser, response) -> str:
    return html.unescape(browser.get(response.headers["Location"]).text)


def test_a_person_sent_twice_is_created_once_and_the_second_form_says_the_address_is_taken(admins):
    first, second = admins
    assert first.post("/verwaltung/personen/neu", data=NEW_PERSON).status_code == 302
    again = second.post("/verwaltung/personen/neu", data=NEW_PERSON)
    assert again.status_code == 200 and "nora@example.org ist bereits vergeben" in again.text


def test_a_person_sent_twice_at_the_same_moment_is_created_once_without_an_error_page(admins):
    responses = at_once(*((browser, "/verwaltung/personen/neu", NEW_PERSON) for browser in admins))

    assert sorted(response.status_code for response in responses) == [200, 302]
    (refused,) = [response for response in responses if response.status_code == 200]
    assert "nora@example.org ist bereits vergeben" in refused.text
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "nora@example.org")) == 1


def test_an_erasure_sent_again_says_the_account_is_erased_already(admins, make_user):
    first, second = admins
    url = f"/verwaltung/personen/{make_user(name='Lea Leaving').id}/loeschen"
    assert first.post(url, data=ERASE).status_code == 302

    again = second.post(url, data=ERASE)

    assert again.status_code == 302 and again.headers["Location"] == "/verwaltung/"
    assert "Dieses Konto ist bereits gelöscht." in page_after(second, again)
    assert count("account.erase") == 1
    assert second.get(url).status_code == 404  # a page to erase it again is not offered


def test_an_erasure_sent_twice_at_the_same_moment_erases_once_without_an_error_page(admins, make_user):
    leaver = make_user(name="Lea Leaving")
    url = f"/verwaltung/personen/{leaver.id}/loeschen"

    responses = at_once(*((browser, url, ERASE) for browser in admins))

    assert [response.status_code for response in responses] == [302, 302]
    assert {response.headers["Location"] for response in responses} == {"/verwaltung/"}
    told = {page_after(browser, response) for browser, response in zip(admins, responses, strict=True)}
    assert any("Dieses Konto ist bereits gelöscht." in page for page in told)
    assert count("account.erase") == 1
    stand_ins = db.session.scalar(select(func.count()).select_from(User)
                                  .where(User.display_name == "ehemaliges Mitglied"))
    assert stand_ins == 1  # the second request left no stand-in of its own behind


def test_ones_own_erasure_sent_twice_at_the_same_moment_signs_out_both_times(new_client, login, make_user):
    from tests.conftest import PASSWORD

    person = make_user(name="Lea Leaving")
    browsers = [new_client(), new_client()]
    for browser in browsers:
        login(person, via=browser)

    responses = at_once(*((browser, "/meine-daten/loeschen", {"posts": "keep", "password": PASSWORD, "confirm": "y"})
                          for browser in browsers))

    assert [response.status_code for response in responses] == [302, 302]
    assert count("account.erase") == 1


def preview(browser, organisation) -> tuple[str, dict[str, str]]:
    """Where the preview's confirmation goes, and what it sends."""
    fields = hidden_fields(upload(browser, organisation, CSV))
    return fields.pop("action"), fields


def test_an_import_confirmed_again_says_it_was_carried_out_already(admins, make_organisation):
    first, second = admins
    action, fields = preview(first, make_organisation("Muster GmbH"))
    assert first.post(action, data=fields).status_code == 302

    again = second.post(action, data=fields)

    told = page_after(second, again)
    assert "Diese Datei ist bereits importiert" in told
    assert "Seit der Vorschau hat sich etwas geändert" not in told and "nichts importiert" not in told
    assert count("users.import") == 1


def test_an_import_confirmed_twice_at_the_same_moment_is_carried_out_once(admins, make_organisation):
    action, fields = preview(admins[0], make_organisation("Muster GmbH"))

    responses = at_once(*((browser, action, fields) for browser in admins))

    assert [response.status_code for response in responses] == [302, 302]
    told = [page_after(browser, response) for browser, response in zip(admins, responses, strict=True)]
    assert sum("Import abgeschlossen: 2 neu" in page for page in told) == 1
    assert sum("Diese Datei ist bereits importiert" in page for page in told) == 1
    assert count("users.import") == 1


def test_deactivating_twice_logs_it_once(client, admin, make_user):
    person = make_user()
    for _attempt in range(2):
        client.post(f"/verwaltung/personen/{person.id}/deaktivieren", data={})
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.deactivate")) == 1
