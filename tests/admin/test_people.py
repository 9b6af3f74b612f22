"""An admin's actions on one account beyond editing it: the invitation again, erasure on request."""

import pytest
from sqlalchemy import select

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.extensions import db
from tests.conftest import PASSWORD


def mails_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def test_an_invitation_is_sent_again_to_someone_without_a_password(client, admin, make_user, make_invited):
    invited = make_invited(email="tina.tippfehler@example.org")
    page = client.get(f"/verwaltung/personen/{invited.id}").text
    assert "noch kein Passwort gesetzt" in page
    client.post(f"/verwaltung/personen/{invited.id}/einladung", data={})
    again = client.post(f"/verwaltung/personen/{invited.id}/einladung", data={}, follow_redirects=True)
    (mail,) = mails_to("tina.tippfehler@example.org")  # the second click a moment later sent nothing
    assert mail.subject == "Ihr Zugang zu Qualify" and "eben erst an tina.tippfehler@example.org" in again.text
    with_password = make_user()
    assert "noch kein Passwort gesetzt" not in client.get(f"/verwaltung/personen/{with_password.id}").text
    client.post(f"/verwaltung/personen/{with_password.id}/einladung", data={})
    assert mails_to(with_password.email) == []


def test_the_invitation_says_who_sent_it_and_what_qualify_is(client, admin, make_user, make_organisation):
    # A mail from an unknown sender with a long link looks like phishing to someone new.
    invited = make_user(password=None, email="neu@example.org", organisation=make_organisation("Muster GmbH"))
    client.post(f"/verwaltung/personen/{invited.id}/einladung", data={})
    (mail,) = mails_to("neu@example.org")
    assert "Muster GmbH hat für Sie einen Zugang zu Qualify angelegt." in mail.body_text
    assert "Lernplattform" in mail.body_text
    assert ">Passwort festlegen</a>" in mail.body_html


def test_a_corrected_address_of_someone_invited_gets_a_new_invitation(client, admin, make_invited):
    invited = make_invited(email="tina.tipfehler@example.org", name="Tina Tippfehler")
    form = {"display_name": "Tina Tippfehler", "email": "tina.tippfehler@example.org", "personnel_number": "",
            "unit": "", "language": "de", "roles": ["learner"]}
    page = client.post(f"/verwaltung/personen/{invited.id}", data=form, follow_redirects=True).text
    assert "Die Einladung ging neu an tina.tippfehler@example.org" in page
    assert len(mails_to("tina.tippfehler@example.org")) == 1


def test_the_invitation_sent_with_a_corrected_address_counts_as_sent_again(client, admin, make_invited):
    invited = make_invited(email="tina.tipfehler@example.org", name="Tina Tippfehler")
    form = {"display_name": "Tina Tippfehler", "email": "tina.tippfehler@example.org", "personnel_number": "",
            "unit": "", "language": "de", "roles": ["learner"]}
    client.post(f"/verwaltung/personen/{invited.id}", data=form)

    again = client.post(f"/verwaltung/personen/{invited.id}/einladung", data={}, follow_redirects=True)

    assert "eben erst an tina.tippfehler@example.org" in again.text
    assert len(mails_to("tina.tippfehler@example.org")) == 1  # the button right afterwards sent no second one
    log = client.get("/verwaltung/protokoll?aktion=user.invitation").text
    assert "Einladung erneut gesendet" in log and "Tina Tippfehler" in log


def test_an_admin_erases_a_leavers_account_with_a_reason_for_the_log(client, admin, make_user):
    leaver = make_user(name="Lea Leaving", email="lea@example.org")
    page = client.get(f"/verwaltung/personen/{leaver.id}/loeschen").text
    assert "Konto von Lea Leaving löschen" in page and "lea@example.org" in page  # which Lea, if there are two
    unconfirmed = client.post(f"/verwaltung/personen/{leaver.id}/loeschen",
                              data={"posts": "keep", "reason": "Austritt"}).text
    assert "Bitte bestätigen Sie, dass Sie dieses Konto endgültig löschen möchten." in unconfirmed
    refused = client.post(f"/verwaltung/personen/{leaver.id}/loeschen", data={"posts": "keep", "confirm": "y"})
    assert refused.status_code == 200 and db.session.get(User, leaver.id) is not None  # the reason is needed
    client.post(f"/verwaltung/personen/{leaver.id}/loeschen",
                data={"posts": "keep", "reason": "Löschantrag vom 3. Dezember", "confirm": "y"})
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "lea@example.org")) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.erase"))
    assert event.actor_id == admin.id and event.details["reason"] == "Löschantrag vom 3. Dezember"


def test_the_last_active_admin_cannot_erase_their_account(client, admin):
    page = client.post("/meine-daten/loeschen", data={"posts": "keep", "password": PASSWORD,
                                                      "confirm": "y"}, follow_redirects=True)
    assert "letzte aktive Administrationskonto" in page.text
    assert db.session.get(User, admin.id) is not None


def test_what_an_erased_admin_did_stays_in_the_log_as_a_former_member_not_the_system(
        client, admin, make_user, new_client, login):
    other_admin = make_user(Role.ADMIN)
    client.post(f"/verwaltung/personen/{make_user().id}/deaktivieren", data={})
    second = new_client()
    login(other_admin, via=second)
    second.post(f"/verwaltung/personen/{admin.id}/loeschen", data={"posts": "keep", "reason": "Austritt",
                                                                     "confirm": "y"})
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivate"))
    assert event.actor_id is not None
    assert db.session.get(User, event.actor_id).display_name == "ehemaliges Mitglied"


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.ADMIN, Role.ORG_ADMIN}))  # see test_org_admin.py
def test_only_admins_invite_again_or_erase_others(client, make_user, login, role):
    login(make_user(role))
    target = make_user(password=None)
    assert client.post(f"/verwaltung/personen/{target.id}/einladung", data={}).status_code == 403
    assert client.get(f"/verwaltung/personen/{target.id}/loeschen").status_code == 403
    assert client.post(f"/verwaltung/personen/{target.id}/loeschen",
                       data={"posts": "keep", "reason": "x", "confirm": "y"}).status_code == 403
    assert db.session.get(User, target.id) is not None


@pytest.mark.parametrize("action", ["demote", "deactivate"])
def test_two_admins_taking_each_other_away_at_the_same_moment_leave_one(new_client, login, make_user, action):
    from qualify.accounts.services import count_active_admins
    from tests.workshops.test_concurrency import run_together

    first, second = make_user(Role.ADMIN), make_user(Role.ADMIN)
    # read here: the threads have no application context to load expired attributes in
    requests = []
    for actor, target in ((first, second), (second, first)):
        client = new_client()
        login(actor, via=client)
        client.csrf_token()
        if action == "demote":
            requests.append((client, f"/verwaltung/personen/{target.id}", {
                "display_name": target.display_name, "email": target.email, "personnel_number": "", "unit": "",
                "language": "de", "roles": ["learner"]}))
        else:
            requests.append((client, f"/verwaltung/personen/{target.id}/deaktivieren", {}))

    def send(client, url, form):
        def task(barrier):
            barrier.wait()
            client.post(url, data=form)
        return task

    assert run_together([send(*request) for request in requests]) == []
    db.session.expire_all()
    assert count_active_admins() == 1


def test_an_admin_who_looked_at_personal_data_stays_named_in_the_works_councils_log_after_erasure(
        client, admin, make_user, make_organisation, new_client, login):
    firm = make_organisation()
    person = make_user(organisation=firm)
    snoop = make_user(Role.ADMIN, name="Sam Snoop")
    theirs = new_client()
    login(snoop, via=theirs)
    theirs.get(f"/verwaltung/personen/{person.id}")
    client.post(f"/verwaltung/personen/{snoop.id}/loeschen", data={"posts": "keep", "reason": "Austritt",
                                                                   "confirm": "y"})
    works_council = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=firm), via=works_council)
    log = works_council.get("/berichte/protokoll").text
    assert "Sam Snoop" in log and "Personendaten angesehen" in log


def test_an_erased_accounts_stand_in_is_nobody_the_administration_can_handle(client, admin, make_user):
    from qualify.privacy.services import erase_account

    leaver = make_user(name="Lea Leaving")
    erase_account(leaver, keep_posts=True, now=utcnow())
    db.session.commit()
    stand_in = db.session.scalar(select(User).where(User.display_name == "ehemaliges Mitglied"))
    assert "ehemaliges Mitglied" not in client.get("/verwaltung/?q=ehemaliges").text
    assert client.get(f"/verwaltung/personen/{stand_in.id}").status_code == 404
    assert client.post(f"/verwaltung/personen/{stand_in.id}/aktivieren", data={}).status_code == 404
    assert client.post(f"/verwaltung/personen/{stand_in.id}/einladung", data={}).status_code == 404
    db.session.refresh(stand_in)
    assert not stand_in.active


def test_a_name_changed_before_a_look_does_not_hide_who_looked(client, admin, make_user, make_organisation,
                                                                new_client, login):
    firm = make_organisation()
    person = make_user(organisation=firm)
    snoop = make_user(Role.ADMIN, name="Sam Snoop", email="sam.snoop@example.org")
    theirs = new_client()
    login(snoop, via=theirs)
    theirs.post("/profil", data={"display_name": "Bernd Betriebsrat", "language": "de"})
    theirs.get(f"/verwaltung/personen/{person.id}")
    theirs.post("/profil", data={"display_name": "Sam Snoop", "language": "de"})
    works_council = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=firm), via=works_council)
    assert "Sam Snoop (damals „Bernd Betriebsrat“)" in works_council.get("/berichte/protokoll").text

    client.post(f"/verwaltung/personen/{snoop.id}/loeschen", data={"posts": "keep", "reason": "Austritt",
                                                                   "confirm": "y"})

    log = works_council.get("/berichte/protokoll").text
    assert "Bernd Betriebsrat &lt;sam.snoop@example.org&gt;" in log  # the address the administration gave


def test_a_look_at_someone_of_no_organisation_is_in_no_works_councils_log(client, admin, make_user,
                                                                          make_organisation, new_client, login):
    client.get(f"/verwaltung/personen/{make_user(organisation=None).id}")
    works_council = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=make_organisation()), via=works_council)
    assert "Personendaten angesehen (Administration)" not in works_council.get("/berichte/protokoll").text
