"""Besides its role given or taken (tests/reports/test_works_council_role_log.py), the works council reads in its
access log every other change of its members: one moved into or out of its organisation, deactivated, active
again, erased – and never where a member came from or went."""

import io
import re

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.privacy.services import erase_account
from tests.admin.conftest import person_form
from tests.reports.conftest import entries


@pytest.fixture
def other_firm(make_organisation):
    return make_organisation("Beispiel AG")


@pytest.fixture
def councils(make_user, login, new_client, firm, other_firm):
    """Browsers signed in as members of the works councils of Muster GmbH and Beispiel AG."""
    here, there = new_client(), new_client()
    login(make_user(Role.WORKS_COUNCIL, name="Bea Betriebsrat", organisation=firm), via=here)
    login(make_user(Role.WORKS_COUNCIL, name="Tom Rat", organisation=other_firm), via=there)
    return here, there


@pytest.fixture
def member(make_user, firm):
    """A member of Muster GmbH's works council, whose account the tests change."""
    return make_user(Role.LEARNER, Role.WORKS_COUNCIL, name="Mia Mitglied", organisation=firm)


def fresh(user):
    db.session.expire_all()
    return db.session.get(type(user), user.id)


def test_a_member_moved_to_another_organisation_is_in_both_works_councils_logs_without_naming_the_other(
        client, admin, councils, member, other_firm):
    here, there = councils

    moved = client.post(f"/verwaltung/personen/{member.id}",
                        data=person_form(member, roles=["learner", "works_council"]) | {"unit": f"org:{other_firm.id}"})

    assert moved.status_code == 302 and fresh(member).organisation_id == other_firm.id
    assert entries(here)[0] == ("Ada Admin", "Mit der Rolle „Betriebsrat“ aus Ihrer Organisation verschoben: "
                                             "Mia Mitglied")
    assert entries(there)[0] == ("Ada Admin", "Mit der Rolle „Betriebsrat“ in Ihre Organisation verschoben: "
                                              "Mia Mitglied")
    for browser in councils:
        assert "Beispiel AG" not in browser.get("/berichte/protokoll").text
        assert "Muster GmbH" not in browser.get("/berichte/protokoll").text


def test_a_member_moved_out_of_every_organisation_or_in_from_none_is_in_the_one_log_concerned(
        client, admin, councils, member, make_user, firm):
    here, _there = councils
    client.post(f"/verwaltung/personen/{member.id}", data=person_form(member, roles=["learner", "works_council"])
                | {"unit": ""})
    assert fresh(member).organisation_id is None
    assert entries(here)[0][1] == "Mit der Rolle „Betriebsrat“ aus Ihrer Organisation verschoben: Mia Mitglied"

    client.post(f"/verwaltung/personen/{member.id}", data=person_form(fresh(member), roles=["learner", "works_council"])
                | {"unit": f"org:{firm.id}"})
    assert entries(here)[0][1] == "Mit der Rolle „Betriebsrat“ in Ihre Organisation verschoben: Mia Mitglied"
    moves = db.session.scalars(select(AuditEvent.organisation_id).where(AuditEvent.action.like("works_council.%"))
                               ).all()
    assert sorted(moves) == [firm.id, firm.id]  # and no entry for "no organisation", which every council reads


def test_the_role_taken_in_the_same_save_as_a_move_is_in_the_log_of_the_council_that_lost_the_member(
        client, admin, councils, member, other_firm):
    here, there = councils

    client.post(f"/verwaltung/personen/{member.id}", data=person_form(member, roles=["learner"])
                | {"unit": f"org:{other_firm.id}"})

    assert entries(here)[0] == ("Ada Admin", "Rolle „Betriebsrat“ genommen: Mia Mitglied")
    assert not any("Mia" in what for _who, what in entries(there))


def test_the_role_given_in_the_same_save_as_a_move_is_in_the_log_of_the_council_that_gained_the_member(
        client, admin, councils, make_user, firm, other_firm):
    here, there = councils
    lena = make_user(name="Lena Lernende", organisation=firm)

    client.post(f"/verwaltung/personen/{lena.id}", data=person_form(lena, roles=["learner", "works_council"])
                | {"unit": f"org:{other_firm.id}"})

    assert entries(there)[0] == ("Ada Admin", "Rolle „Betriebsrat“ gegeben: Lena Lernende")
    assert not any("Lena" in what for _who, what in entries(here))


def test_moving_someone_without_the_role_is_no_works_councils_business(
        client, admin, councils, make_user, firm, other_firm):
    lena = make_user(name="Lena Lernende", organisation=firm)

    client.post(f"/verwaltung/personen/{lena.id}", data=person_form(lena, roles=["learner"])
                | {"unit": f"org:{other_firm.id}"})

    for browser in councils:
        assert not any("Lena" in what for _who, what in entries(browser))


def test_a_member_deactivated_and_active_again_is_in_the_works_councils_log(client, admin, councils, member):
    here, there = councils

    client.post(f"/verwaltung/personen/{member.id}/deaktivieren", data={})
    client.post(f"/verwaltung/personen/{member.id}/aktivieren", data={})

    assert entries(here)[:2] == [("Ada Admin", "Konto mit der Rolle „Betriebsrat“ wieder aktiviert: Mia Mitglied"),
                                 ("Ada Admin", "Konto mit der Rolle „Betriebsrat“ deaktiviert: Mia Mitglied")]
    assert not any("Mia" in what for _who, what in entries(there))


def test_deactivating_someone_without_the_role_is_no_works_councils_business(
        client, admin, councils, make_user, firm):
    here, _there = councils
    lena = make_user(name="Lena Lernende", organisation=firm)

    client.post(f"/verwaltung/personen/{lena.id}/deaktivieren", data={})

    assert fresh(lena).active is False
    assert not any("Lena" in what or "deaktiviert" in what for _who, what in entries(here))


def test_a_member_the_import_finds_missing_is_deactivated_as_the_imports(client, admin, councils, member, firm):
    here, _there = councils
    keep = "\n".join(f"person{n}@example.org;Person {n}" for n in range(3))
    preview = client.post("/verwaltung/import", data={
        "organisation": firm.slug, "deactivate_missing": "y",
        "file": (io.BytesIO(f"E-Mail;Name\nbea@example.org;Bea Betriebsrat\n{keep}\n".encode()), "p.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([^"]*)"', preview.text)
    assert fingerprint, preview.text[-2000:]
    client.post(preview.request.path, data={"fingerprint": fingerprint.group(1)})

    assert fresh(member).active is False
    assert ("Ada Admin", "Konto mit der Rolle „Betriebsrat“ deaktiviert: Mia Mitglied (CSV-Import)") in entries(here)


def test_a_member_erased_by_the_administration_or_by_themselves_is_in_the_works_councils_log(
        client, admin, councils, member, make_user, firm):
    here, there = councils
    herself = make_user(Role.WORKS_COUNCIL, name="Ella Eigen", organisation=firm)

    client.post(f"/verwaltung/personen/{member.id}/loeschen",
                data={"posts": "keep", "reason": "Antrag", "confirm": "y"})
    erase_account(herself, keep_posts=True, now=utcnow())  # as "Meine Daten" does it
    db.session.commit()

    assert entries(here)[:2] == [("die Person selbst", "Konto mit der Rolle „Betriebsrat“ gelöscht"),
                                 ("Ada Admin", "Konto mit der Rolle „Betriebsrat“ gelöscht")]
    assert "Antrag" not in here.get("/berichte/protokoll").text  # the reason is the administration's
    assert not any("gelöscht" in what for _who, what in entries(there))


def test_the_administrations_log_says_a_member_was_moved_and_where(client, admin, councils, member, other_firm):
    client.post(f"/verwaltung/personen/{member.id}",
                data=person_form(member, roles=["learner", "works_council"]) | {"unit": f"org:{other_firm.id}"})

    log = client.get("/verwaltung/protokoll").text

    assert "Mit der Rolle „Betriebsrat“ in die Organisation verschoben" in log
    assert "Mit der Rolle „Betriebsrat“ aus der Organisation verschoben" in log
    assert "Organisation: „Beispiel AG“" in log and "Organisation: „Muster GmbH“" in log


def test_the_log_reads_the_same_statements_for_one_change_of_its_members_or_many(
        client, admin, councils, make_user, firm, other_firm, count_statements):
    here, _there = councils

    def statements() -> int:
        with count_statements() as counter:
            assert here.get("/berichte/protokoll").status_code == 200
        return counter.count

    one = statements()
    for n in range(4):
        person = make_user(Role.LEARNER, Role.WORKS_COUNCIL, name=f"Rat {n}", organisation=other_firm)
        client.post(f"/verwaltung/personen/{person.id}",
                    data=person_form(person, roles=["learner", "works_council"]) | {"unit": f"org:{firm.id}"})
        client.post(f"/verwaltung/personen/{person.id}/deaktivieren", data={})
    erase_account(make_user(Role.WORKS_COUNCIL, organisation=firm), keep_posts=True, now=utcnow())
    db.session.commit()

    assert len(entries(here)) > 9
    assert statements() == one
