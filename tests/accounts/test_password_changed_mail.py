"""A changed password is mailed to the person: when, and what to do if it was not them."""

from datetime import UTC, datetime

from flask_babel import force_locale, format_date
from sqlalchemy import select

from qualify.accounts import tokens
from qualify.accounts.mails import send_password_changed
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.extensions import db

PASSWORD = "richtig-gutes-passwort"
NEW_PASSWORD = "ein ganz neuer Satz 2026"
SUBJECT = "Ihr Passwort wurde geändert"


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def notices() -> list[OutboxMessage]:
    return [message for message in outbox() if message.subject == SUBJECT]


def change_password(client, current: str = PASSWORD, new: str = NEW_PASSWORD):
    return client.post("/profil/passwort", data={"current": current, "password": new, "confirm": new})


def set_password_through_the_link(client, user, password: str = NEW_PASSWORD):
    return client.post(f"/passwort-neu/{tokens.make_reset_token(user)}", data={"password": password,
                                                                             "confirm": password})


def today() -> set[str]:
    """Today as the mail writes it, in Berlin (either side of midnight, should the test run across it)."""
    with force_locale("de"):
        return {format_date(utcnow(), "full")}


def test_changing_the_password_mails_the_person_when_and_what_to_do_if_it_was_not_them(client, login, make_user):
    user = make_user(name="Paula Passwort")
    login(user)
    days = today()

    assert change_password(client).status_code == 302

    (notice,) = notices()
    days |= today()
    assert notice.recipient == user.email and notice.user_id == user.id
    text = notice.body_text
    assert "Hallo Paula Passwort," in text
    assert any(f"wurde am {day} um " in text for day in days)
    assert "Wenn Sie das selbst waren, ist nichts weiter zu tun." in text
    assert "„Passwort vergessen“" in text and "Administration" in text
    assert "http://localhost/passwort-vergessen" in text
    assert '<a href="http://localhost/passwort-vergessen">' in notice.body_html
    assert NEW_PASSWORD not in text + notice.body_html


def test_a_password_set_through_the_reset_link_is_mailed_too(client, make_user):
    user = make_user()

    assert set_password_through_the_link(client, user).status_code == 302

    (notice,) = notices()
    assert notice.recipient == user.email and "„Passwort vergessen“" in notice.body_text


def test_an_invited_person_setting_their_first_password_gets_no_such_mail(client, make_user):
    invited = make_user(password=None)

    assert set_password_through_the_link(client, invited).status_code == 302

    assert notices() == []


def test_a_refused_change_mails_nothing(client, login, make_user):
    login(make_user())

    change_password(client, current="geraten-geraten")
    change_password(client, new="password123")

    assert notices() == []


def test_the_mail_gives_the_time_in_berlin_in_the_persons_language(app, make_user):
    german, english = make_user(language="de"), make_user(language="en")
    winter_afternoon = datetime(2026, 3, 12, 13, 5, tzinfo=UTC)  # 14:05 in Berlin

    with app.test_request_context():
        send_password_changed(german, winter_afternoon)
        send_password_changed(english, winter_afternoon)
    db.session.commit()

    for_german, for_english = outbox()
    assert "am Donnerstag, 12. März 2026 um 14:05 Uhr" in for_german.body_text
    assert "Thursday, 12 March 2026" in for_english.body_text and "14:05" in for_english.body_text
