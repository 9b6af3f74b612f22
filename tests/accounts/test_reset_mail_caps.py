"""How many reset mails one address gets: a few per throttle window and ten a day from "Passwort vergessen",
the same answer whether the address has an account or not; the administration's link counts apart, with a cap
of its own."""

from datetime import timedelta

from sqlalchemy import select, update

from qualify.accounts import auth
from qualify.accounts.models import LoginFailure
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage, compose_deferred_mail
from qualify.core.time import utcnow
from qualify.extensions import db

WINDOW = timedelta(minutes=15)  # LOGIN_THROTTLE_MINUTES


def mails_to(address: str) -> list[OutboxMessage]:
    compose_deferred_mail(utcnow())  # the sending run turns the requests noted into mails
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def ask(client, address: str, times: int = 1) -> set[str]:
    """Ask for a reset link `times` times; return where the answers led (the sign-in page, with its message)."""
    return {client.post("/passwort-vergessen", data={"email": address}).headers["Location"] for _ in range(times)}


def reset_records_made(ago: timedelta) -> None:
    """Let time pass: every reset record so far was written `ago`."""
    db.session.execute(update(LoginFailure).where(LoginFailure.kind == "reset").values(failed_at=utcnow() - ago))
    db.session.commit()


def reset_records() -> int:
    return len(db.session.scalars(select(LoginFailure).where(LoginFailure.kind == "reset")).all())


def test_an_address_gets_at_most_ten_reset_mails_a_day_and_the_same_answer_throughout(client, make_user):
    person = make_user(email="postfach@example.org")
    answers = set()
    for _window in range(5):  # three per window, five windows within the day: 15 asked for, 10 let through
        answers |= ask(client, person.email, times=3)
        reset_records_made(ago=WINDOW + timedelta(minutes=1))

    assert len(mails_to(person.email)) == 10
    assert answers == {"/anmelden"}
    page = client.get("/anmelden").text
    assert "Wenn die Adresse bei uns bekannt ist, erhalten Sie eine E-Mail mit einem Link." in page

    reset_records_made(ago=timedelta(hours=24, minutes=1))  # a day later, mails go again
    ask(client, person.email)
    assert len(mails_to(person.email)) == 11


def test_an_unknown_address_is_counted_as_a_known_one(client, make_user):
    # Neither the answer nor what is kept tells whether the address has an account.
    known = make_user(email="bekannt@example.org")
    for address in (known.email, "unbekannt@example.org"):
        for _window in range(4):
            assert ask(client, address, times=3) == {"/anmelden"}
            reset_records_made(ago=WINDOW + timedelta(minutes=1))
    assert reset_records() == 2 * 10
    assert len(mails_to(known.email)) == 10 and mails_to("unbekannt@example.org") == []


def test_a_refused_request_keeps_nothing(client):
    ask(client, "flut@example.org", times=50)
    assert reset_records() == 3


def test_reset_records_are_kept_a_day_and_failed_sign_ins_for_the_window(app, client, make_user):
    person = make_user()
    client.post("/anmelden", data={"email": person.email, "password": "falsch"})
    ask(client, person.email)
    now = utcnow()

    with app.test_request_context():
        auth.purge_expired(now + WINDOW + timedelta(minutes=1))
    db.session.commit()
    assert db.session.scalars(select(LoginFailure.kind)).all() == ["reset"]  # the sign-in's are gone

    with app.test_request_context():
        auth.purge_expired(now + timedelta(hours=24, minutes=1))
    db.session.commit()
    assert db.session.scalars(select(LoginFailure)).all() == []


# -- the administration's link ----------------------------------------------------------------------------------

def send_from_person_page(client, person):
    return client.post(f"/verwaltung/personen/{person.id}/passwort-link", data={}, follow_redirects=True).text


def sent_a_while_ago() -> None:
    """Move the administration's links back past the guard against a double click (five minutes)."""
    db.session.execute(update(AuditEvent).where(AuditEvent.action == "user.password_reset_link")
                       .values(created_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()


def test_the_administrations_link_goes_when_the_person_ran_out_of_reset_mails(client, new_client, login, admin,
                                                                              make_user):
    person = make_user(email="geflutet@example.org")
    for _window in range(4):  # someone ran the address up to the day's cap
        ask(new_client(), person.email, times=3)
        reset_records_made(ago=WINDOW + timedelta(minutes=1))
    assert len(mails_to(person.email)) == 10
    login(admin)

    page = send_from_person_page(client, person)

    assert "Der Link zum Zurücksetzen des Passworts ist an geflutet@example.org unterwegs." in page
    assert len(mails_to(person.email)) == 11


def test_the_administration_sends_one_person_at_most_three_links_a_day(client, login, admin, make_user):
    person = make_user(email="vera@example.org")
    login(admin)
    for _ in range(auth.ADMIN_RESET_LINKS_PER_DAY):
        assert "unterwegs" in send_from_person_page(client, person)
        sent_a_while_ago()

    page = send_from_person_page(client, person)

    assert ("An vera@example.org sind in den letzten 24 Stunden schon 3 Links zum Zurücksetzen gegangen – mehr "
            "sendet Qualify an einem Tag nicht.") in page
    assert len(mails_to(person.email)) == 3
    db.session.execute(update(AuditEvent).where(AuditEvent.action == "user.password_reset_link")
                       .values(created_at=utcnow() - timedelta(hours=24, minutes=1)))
    db.session.commit()
    assert "unterwegs" in send_from_person_page(client, person)  # a day later, again
