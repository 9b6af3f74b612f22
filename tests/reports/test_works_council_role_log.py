"""The works council reads in its access log who was given its role, or lost it, and by whom – however it was
done: on the person's page, by import, on the command line. Who may give it: tests/admin/test_works_council_role.py.
"""

import io
import re

from sqlalchemy import select

from qualify.accounts import services
from qualify.accounts.commands import users_cli
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.privacy.services import erase_account
from tests.admin.conftest import person_form
from tests.reports.conftest import entries


def test_a_grant_and_a_removal_on_the_person_page_are_in_that_works_councils_log(
        client, admin, council, make_user, make_organisation, login, new_client, firm):
    elsewhere = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=make_organisation("Beispiel AG")), via=elsewhere)
    lena = make_user(name="Lena Lernende", organisation=firm)

    client.post(f"/verwaltung/personen/{lena.id}", data=person_form(lena, roles=["learner", "works_council"]))
    client.post(f"/verwaltung/personen/{lena.id}", data=person_form(lena, roles=["learner", "trainer"]))

    assert entries(council)[:2] == [("Ada Admin", "Rolle „Betriebsrat“ genommen: Lena Lernende"),
                                    ("Ada Admin", "Rolle „Betriebsrat“ gegeben: Lena Lernende")]
    # Her own member's, made with the fixture before: by no one signed in.
    assert ("System", "Rolle „Betriebsrat“ gegeben: Bea Betriebsrat") in entries(council)
    assert not any("Lena Lernende" in what for _who, what in entries(elsewhere))
    # Another role is none of the works council's business, nor is the look at Lena's page an entry here.
    assert len([what for _who, what in entries(council) if "Lena" in what]) == 2


def test_a_grant_by_import_and_on_the_command_line_is_in_the_log(client, admin, council, runner, firm):
    preview = client.post("/verwaltung/import", data={
        "organisation": firm.slug,
        "file": (io.BytesIO(b"E-Mail;Name;Rollen\nbob@example.org;Bob Rat;Lernende|Betriebsrat\n"), "p.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([^"]*)"', preview.text).group(1)
    client.post(preview.request.path, data={"fingerprint": fingerprint})
    made = runner.invoke(users_cli, ["create", "--email", "carl@example.org", "--name", "Carl Rat",
                               "--role", "works_council", "--organisation", firm.slug])
    assert made.exit_code == 0, made.output

    assert entries(council)[:2] == [("System", "Rolle „Betriebsrat“ gegeben: Carl Rat"),
                                    ("Ada Admin", "Rolle „Betriebsrat“ gegeben: Bob Rat (CSV-Import)")]


def test_the_log_names_the_member_escaped_and_still_who_gave_the_role_once_both_are_erased(
        client, admin, council, make_user, firm):
    giver = make_user(Role.ADMIN, name="Gerd Geber", email="gerd@example.org")
    member = make_user(name="<b>Mia</b>", organisation=firm)
    services.set_roles(member, {Role.LEARNER, Role.WORKS_COUNCIL}, actor=giver)
    db.session.commit()
    assert entries(council)[0] == ("Gerd Geber", "Rolle „Betriebsrat“ gegeben: <b>Mia</b>")
    assert "&lt;b&gt;Mia&lt;/b&gt;" in council.get("/berichte/protokoll").text

    for person in (member, giver):
        erase_account(person, keep_posts=True, now=utcnow())
    db.session.commit()

    assert entries(council)[:2] == [("die Person selbst", "Konto mit der Rolle „Betriebsrat“ gelöscht"),
                                    ("Gerd Geber <gerd@example.org>",
                                     "Rolle „Betriebsrat“ gegeben: ehemaliges Mitglied")]


def test_the_log_reads_the_same_statements_for_one_change_of_its_members_or_many(
        client, admin, council, make_user, firm, count_statements):
    def statements() -> int:
        with count_statements() as counter:
            assert council.get("/berichte/protokoll").status_code == 200
        return counter.count

    one = statements()
    for n in range(6):
        services.set_roles(make_user(name=f"Rat {n}", organisation=firm), {Role.LEARNER, Role.WORKS_COUNCIL},
                           actor=make_user(Role.ADMIN, name=f"Admin {n}"))
    db.session.commit()

    assert statements() == one
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.organisation_id == firm.id)).all()) >= 7
