"""How many invitations the administration sends one person: a few a day, whichever administrator clicks, and
the refusal says how the person gets in all the same."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select, update

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.admin.services import INVITATION_ACTIONS, INVITATIONS_PER_DAY
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.extensions import db

CAP = ("An vera@example.org sind in den letzten 24 Stunden schon 3 Einladungen gegangen – mehr sendet Qualify an "
       "einem Tag nicht.")


def mails_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def invite(client, person) -> str:
    return client.post(f"/verwaltung/personen/{person.id}/einladung", data={}, follow_redirects=True).text


def invitations_sent_ago(ago: timedelta) -> None:
    """Move every invitation so far back in time: past the guard against a double click (five minutes), say."""
    db.session.execute(update(AuditEvent).where(AuditEvent.action.in_(INVITATION_ACTIONS))
                       .values(created_at=utcnow() - ago))
    db.session.commit()


def german_moment(moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return f"{format_date(local.date(), 'full', locale='de')}, {local:%H:%M}"


def test_one_person_gets_at_most_three_invitations_a_day_whichever_administrator_sends_them(
        client, admin, make_user, make_invited, new_client, login):
    person = make_invited(email="vera@example.org")
    colleague = new_client()
    login(make_user(Role.ADMIN, name="Bernd Büro"), via=colleague)
    assert INVITATIONS_PER_DAY == 3
    for sender in (client, colleague, client):
        assert "Die Einladung ist erneut an vera@example.org unterwegs." in invite(sender, person)
        invitations_sent_ago(timedelta(minutes=10))
    last = db.session.get(User, person.id).invited_at

    page = invite(colleague, person)

    assert CAP in page
    assert (f"Die letzte Einladung gilt noch bis {german_moment(last + timedelta(days=2))}: Die Person kann den "
            "Link darin benutzen. Danach kann sie sich unter „Passwort vergessen“ selbst einen neuen schicken."
            in page)
    assert len(mails_to(person.email)) == 3

    invitations_sent_ago(timedelta(hours=24, minutes=1))  # a day later, again
    assert "Die Einladung ist erneut an vera@example.org unterwegs." in invite(client, person)


def test_the_first_invitation_by_button_counts_and_a_corrected_address_is_invited_all_the_same(
        client, admin, make_user):
    person = make_user(password=None, email="vera@example.org", name="Vera Vertipper")  # created without one
    assert "Die Einladung ist an vera@example.org unterwegs." in invite(client, person)
    for _ in range(2):
        invitations_sent_ago(timedelta(minutes=10))
        invite(client, person)
    invitations_sent_ago(timedelta(minutes=10))
    assert CAP in invite(client, person)

    # The old address was wrong: the new one gets the invitation – links to the old one no longer work.
    form = {"display_name": "Vera Vertipper", "email": "vera.v@example.org", "personnel_number": "", "unit": "",
            "language": "de", "roles": ["learner"]}
    page = client.post(f"/verwaltung/personen/{person.id}", data=form, follow_redirects=True).text
    assert "Die Einladung ging neu an vera.v@example.org" in page
    assert len(mails_to("vera.v@example.org")) == 1


def test_where_links_last_less_than_a_day_the_refusal_says_when_the_invitation_may_go_again(
        app, client, admin, make_invited, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", 3600)
    person = make_invited(email="vera@example.org")
    for _ in range(3):
        invite(client, person)
        invitations_sent_ago(timedelta(minutes=10))
    sent = datetime.now(UTC) - timedelta(hours=3)  # the last link expired two hours ago
    invitations_sent_ago(timedelta(hours=3))
    db.session.execute(update(User).where(User.id == person.id).values(invited_at=sent))
    db.session.commit()

    page = invite(client, person)

    assert CAP in page
    first = db.session.scalar(select(AuditEvent.created_at).where(AuditEvent.action.in_(INVITATION_ACTIONS))
                              .order_by(AuditEvent.created_at).limit(1))
    again = german_moment(first + timedelta(hours=24))
    assert ("Die letzte Einladung ist abgelaufen. Die Person kann sich unter „Passwort vergessen“ selbst einen "
            f"neuen Link schicken, oder Sie senden die Einladung ab {again} erneut.") in page
