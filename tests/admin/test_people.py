"""An admin's actions on one account beyond editing it: the invitation again, erasure on request."""

import pytest
from sqlalchemy import select

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def admin(make_user, login):
    user = make_user(Role.ADMIN, name="Admin Ada")
    login(user)
    return user


def mails_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def test_an_invitation_is_sent_again_to_someone_without_a_password(client, admin, make_user):
    invited = make_user(password=None, email="tina.tippfehler@example.org")
    page = client.get(f"/verwaltung/personen/{invited.id}").text
    assert "noch kein Passwort gesetzt" in page
    client.post(f"/verwaltung/personen/{invited.id}/einladung", data={})
    (mail,) = mails_to("tina.tippfehler@example.org")
    assert mail.subject == "Ihr Zugang zu Qualify"
    with_password = make_user()
    assert "noch kein Passwort gesetzt" not in client.get(f"/verwaltung/personen/{with_password.id}").text
    client.post(f"/verwaltung/personen/{with_password.id}/einladung", data={})
    assert mails_to(with_password.email) == []


def test_a_corrected_address_of_someone_invited_gets_a_new_invitation(client, admin, make_user):
    invited = make_user(password=None, email="tina.tipfehler@example.org", name="Tina Tippfehler")
    form = {"display_name": "Tina Tippfehler", "email": "tina.tippfehler@example.org", "personnel_number": "",
            "unit": "", "language": "de", "roles": ["learner"]}
    page = client.post(f"/verwaltung/personen/{invited.id}", data=form, follow_redirects=True).text
    assert "Die Einladung ging neu an tina.tippfehler@example.org" in page
    assert len(mails_to("tina.tippfehler@example.org")) == 1


def test_an_admin_erases_a_leavers_account_with_a_reason_for_the_log(client, admin, make_user):
    leaver = make_user(name="Lea Leaving", email="lea@example.org")
    page = client.get(f"/verwaltung/personen/{leaver.id}/loeschen").text
    assert "Konto von Lea Leaving löschen" in page
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


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.ADMIN}))
def test_only_admins_invite_again_or_erase_others(client, make_user, login, role):
    login(make_user(role))
    target = make_user(password=None)
    assert client.post(f"/verwaltung/personen/{target.id}/einladung", data={}).status_code == 403
    assert client.get(f"/verwaltung/personen/{target.id}/loeschen").status_code == 403
    assert client.post(f"/verwaltung/personen/{target.id}/loeschen",
                       data={"posts": "keep", "reason": "x", "confirm": "y"}).status_code == 403
    assert db.session.get(User, target.id) is not None
