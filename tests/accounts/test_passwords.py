"""Forgotten and changed passwords: the link from the mail, its limits, and the rules for new passwords."""

import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from qualify.accounts.models import LoginFailure
from qualify.accounts.reset_requests import ResetRequest
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage, compose_deferred_mail, send_due_mail
from qualify.core.time import utcnow
from qualify.extensions import db

PASSWORD = "richtig-gutes-passwort"
NEW_PASSWORD = "ein ganz neuer Satz 2026"
RESET_LINK = re.compile(r"http://localhost(/passwort-neu/[A-Za-z0-9._-]+)")


def outbox() -> list[OutboxMessage]:
    """The outbox as the next sending run finds it, once it has written the reset links asked for."""
    compose_deferred_mail(utcnow())
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def request_reset(client, email: str):
    return client.post("/passwort-vergessen", data={"email": email})


def reset_path_from_mail(client, user) -> str:
    assert request_reset(client, user.email).status_code == 302
    message = outbox()[-1]
    assert message.recipient == user.email
    return RESET_LINK.search(message.body_text).group(1)


def set_new_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, data={"password": password, "confirm": password if confirm is None else confirm})


def can_sign_in(client, user, password: str) -> bool:
    return client.post("/anmelden", data={"email": user.email, "password": password}).status_code == 302


def password_is(user, password: str) -> bool:
    db.session.refresh(user)
    return check_password_hash(user.password_hash, password)


def change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post("/profil/passwort", data={"current": current, "password": new,
                                                 "confirm": new if confirm is None else confirm})


# --- asking for a link -------------------------------------------------------------------------------------

def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_mail(client, make_user):
    known = make_user(email="bekannt@example.org")

    for_known = request_reset(client, known.email)
    for_unknown = request_reset(client, "unbekannt@example.org")

    assert for_known.status_code == for_unknown.status_code == 302
    assert for_known.headers["Location"] == for_unknown.headers["Location"] == "/anmelden"
    assert client.get("/anmelden").text.count("Wenn die Adresse bei uns bekannt ist") == 1
    assert [message.recipient for message in outbox()] == ["bekannt@example.org"]


def rows_written() -> dict[str, int]:
    db.session.expire_all()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (ResetRequest, LoginFailure, OutboxMessage, AuditEvent)}


def test_a_known_an_unknown_and_a_deactivated_address_cost_the_request_the_same_work(
        new_client, make_user, count_statements):
    # The answer must not come faster for an unknown address: the request does the same for every address – it
    # notes the one typed – and the mail is looked up, signed and written when the outbox is sent.
    addresses = {"warm-up": "erste@example.org", "known": make_user(email="bekannt@example.org").email,
                 "unknown": "unbekannt@example.org", "deactivated": make_user(active=False).email}
    statements, written = {}, {}
    for case, address in addresses.items():
        client = new_client()
        client.csrf_token()
        before = rows_written()
        with count_statements() as counter:
            assert request_reset(client, address).headers["Location"] == "/anmelden"
        statements[case] = counter.statements
        written[case] = {name: count - before[name] for name, count in rows_written().items()}

    assert statements["known"] == statements["unknown"] == statements["deactivated"]
    assert written["known"] == written["unknown"] == written["deactivated"] == {
        "ResetRequest": 1, "LoginFailure": 1, "OutboxMessage": 0, "AuditEvent": 0}


def test_the_sending_run_mails_the_known_address_and_forgets_every_request(client, make_user):
    known, inactive = make_user(email="bekannt@example.org"), make_user(active=False)
    for address in (known.email, "unbekannt@example.org", inactive.email):
        request_reset(client, address)

    assert send_due_mail(utcnow()) == 1

    db.session.expire_all()
    assert [(message.recipient, message.sent_at is not None) for message in
            db.session.scalars(select(OutboxMessage))] == [("bekannt@example.org", True)]
    assert db.session.scalar(select(func.count()).select_from(ResetRequest)) == 0  # no typed address is kept


def test_a_failing_composer_leaves_the_rest_of_the_outbox_going(client, make_user, monkeypatch):
    from qualify.core import mail

    def broken(_now):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(mail, "MAIL_COMPOSERS", [broken, *mail.MAIL_COMPOSERS])
    request_reset(client, make_user(email="bekannt@example.org").email)

    assert send_due_mail(utcnow()) == 1


def test_the_confirmation_says_the_mail_can_take_a_minute_or_two_and_may_be_in_the_spam_folder(client, make_user):
    # The outbox goes out once a minute: someone waiting for the mail should not ask for a second link at once.
    response = request_reset(client, make_user().email)

    confirmation = client.get(response.headers["Location"]).text
    assert ("Wenn die Adresse bei uns bekannt ist, erhalten Sie eine E-Mail mit einem Link. Das kann ein bis zwei "
            "Minuten dauern. Bitte schauen Sie auch im Spam-Ordner nach.") in confirmation


def test_a_deactivated_account_gets_no_link_but_the_same_answer(client, make_user):
    inactive = make_user(active=False)

    response = request_reset(client, inactive.email)

    assert response.status_code == 302 and response.headers["Location"] == "/anmelden"
    assert outbox() == []


def test_the_link_goes_to_the_address_on_file_whatever_the_spelling(client, make_user):
    make_user(email="schreibweise@example.org")

    request_reset(client, "  Schreibweise@EXAMPLE.org ")

    assert [message.recipient for message in outbox()] == ["schreibweise@example.org"]


# --- using the link ----------------------------------------------------------------------------------------

def test_the_link_in_the_mail_sets_a_new_password(client, make_user):
    user = make_user()
    path = reset_path_from_mail(client, user)

    assert client.get(path).status_code == 200
    response = set_new_password(client, path)

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Sie sind angemeldet" in client.get("/").text  # signed in: asking for the new password again asks nothing
    client.post("/abmelden", data={})
    assert not can_sign_in(client, user, PASSWORD)
    assert can_sign_in(client, user, NEW_PASSWORD)


def test_the_link_works_only_once(client, make_user):
    user = make_user()
    path = reset_path_from_mail(client, user)
    set_new_password(client, path)

    second = set_new_password(client, path, "noch ein anderes Passwort")

    assert second.status_code == 302 and second.headers["Location"] == "/passwort-vergessen"
    assert "abgelaufen oder wurde schon benutzt" in client.get("/passwort-vergessen").text
    assert can_sign_in(client, user, NEW_PASSWORD)


def test_a_used_link_says_so_in_the_language_of_its_mail_on_any_device(client, new_client, make_user):
    user = make_user(language="en")
    path = reset_path_from_mail(client, user)
    set_new_password(client, path)
    german_phone = new_client()

    again = german_phone.get(path, headers={"Accept-Language": "de"})

    assert again.headers["Location"] == "/passwort-vergessen"
    page = german_phone.get("/passwort-vergessen", headers={"Accept-Language": "de"}).text
    assert "The link has expired or has already been used" in page and '<html lang="en">' in page


def test_a_link_not_made_here_says_so_in_the_devices_language(client):
    client.get("/passwort-neu/erfunden.abc.def", headers={"Accept-Language": "de"})
    assert "abgelaufen oder wurde schon benutzt" in client.get("/passwort-vergessen").text


def test_the_mailed_link_points_at_the_platform_whatever_host_the_request_named(client, make_user):
    # Otherwise anyone could ask for a reset of someone else's account with `Host: attacker.example`
    # and receive the token when the person clicks the link in the genuine mail.
    user = make_user()
    attacker = {"base_url": "http://attacker.example"}
    form = client.get("/passwort-vergessen", **attacker).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post("/passwort-vergessen", data={"email": user.email, "csrf_token": token}, **attacker)
    assert response.status_code == 302
    (mail,) = [message for message in outbox() if message.recipient == user.email]
    assert RESET_LINK.search(mail.body_text) and "attacker" not in mail.body_text + (mail.body_html or "")


def test_a_flood_of_reset_requests_sends_a_few_mails_and_answers_alike(client, make_user):
    user = make_user()
    answers = {request_reset(client, user.email).headers["Location"] for _ in range(10)}
    assert answers == {"/anmelden"}
    assert len([m for m in outbox() if m.recipient == user.email]) == 3


def test_an_older_link_dies_when_a_newer_one_is_used(client, make_user):
    user = make_user()
    older = reset_path_from_mail(client, user)
    newer = reset_path_from_mail(client, user)
    set_new_password(client, newer)

    assert client.get(older).headers["Location"] == "/passwort-vergessen"


def test_an_expired_link_is_refused(app, client, make_user, monkeypatch):
    user = make_user()
    path = reset_path_from_mail(client, user)
    two_days_later = int(time.time()) + app.config["PASSWORD_RESET_MAX_AGE"] + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: two_days_later)

    response = set_new_password(client, path)

    assert response.status_code == 302 and response.headers["Location"] == "/passwort-vergessen"
    monkeypatch.undo()
    assert can_sign_in(client, user, PASSWORD)


@pytest.mark.parametrize("forge", ["tampered", "foreign key", "garbage"])
def test_a_forged_link_is_refused(client, make_user, forge):
    user = make_user()
    path = reset_path_from_mail(client, user)
    token = path.rsplit("/", 1)[1]
    if forge == "tampered":
        payload, rest = token.split(".", 1)
        token = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest
    elif forge == "foreign key":
        token = URLSafeTimedSerializer("ein-anderer-schluessel", salt="password-reset").dumps(
            {"user": user.id, "pw": "0" * 16})
    else:
        token = "x"

    response = set_new_password(client, f"/passwort-neu/{token}")

    assert response.status_code == 302 and response.headers["Location"] == "/passwort-vergessen"
    assert can_sign_in(client, user, PASSWORD)


def test_a_link_stops_working_when_the_account_is_deactivated(client, make_user):
    user = make_user()
    path = reset_path_from_mail(client, user)
    user.active = False
    db.session.commit()

    assert set_new_password(client, path).headers["Location"] == "/passwort-vergessen"


def test_setting_a_new_password_signs_out_every_browser(client, new_client, make_user):
    user = make_user()
    laptop = new_client()
    assert can_sign_in(laptop, user, PASSWORD)

    set_new_password(client, reset_path_from_mail(client, user))

    assert laptop.get("/profil").status_code == 302


def test_the_reset_page_tells_no_other_site_its_address(client, make_user):
    path = reset_path_from_mail(client, make_user())

    response = client.get(path)

    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}


# --- rules for new passwords -------------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "confirm", "problem"), [
    ("kurz", "kurz", "mindestens 10 Zeichen"),
    (" mit Leerzeichen am Rand ", " mit Leerzeichen am Rand ", "Leerzeichen"),
    ("lang-genug-aber-anders", "lang-genug-und-falsch", "stimmen nicht überein"),
])
def test_a_weak_or_mistyped_new_password_is_refused_and_never_shown_again(client, make_user, password,
                                                                          confirm, problem):
    user = make_user()
    path = reset_path_from_mail(client, user)

    response = set_new_password(client, path, password, confirm)

    assert response.status_code == 200
    assert problem in response.text
    assert 'aria-invalid="true"' in response.text
    assert password.strip() not in response.text and confirm.strip() not in response.text
    assert can_sign_in(client, user, PASSWORD)


def test_changing_the_password_needs_the_current_one(client, login, make_user):
    user = make_user()
    login(user)

    response = change_password(client, "geraten-geraten", NEW_PASSWORD)

    assert response.status_code == 200
    assert "Das aktuelle Passwort ist nicht richtig." in response.text
    assert "geraten-geraten" not in response.text and NEW_PASSWORD not in response.text
    assert password_is(user, PASSWORD)


def test_a_weak_password_is_refused_when_changing_it_too(client, login, make_user):
    user = make_user()
    login(user)

    response = change_password(client, PASSWORD, "kurz")

    assert response.status_code == 200
    assert "mindestens 10 Zeichen" in response.text
    assert PASSWORD not in response.text
    assert password_is(user, PASSWORD)


def test_the_new_password_must_differ_from_the_current_one(client, login, make_user):
    user = make_user()
    login(user)

    response = change_password(client, PASSWORD, PASSWORD)

    assert response.status_code == 200
    assert "muss sich vom aktuellen unterscheiden" in response.text
    assert "Ihr Passwort ist geändert" not in response.text
    assert password_is(user, PASSWORD)


def test_changing_the_password_keeps_this_browser_and_signs_out_the_others(client, new_client, login,
                                                                           make_user):
    user = make_user()
    login(user)
    phone = new_client()
    login(user, via=phone)

    response = change_password(client, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert client.get("/profil").status_code == 200
    assert phone.get("/profil").status_code == 302
    assert can_sign_in(new_client(), user, NEW_PASSWORD)


def test_guessing_the_current_password_counts_towards_the_lock(app, client, login, make_user):
    user = make_user()
    login(user)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        change_password(client, "geraten-geraten", NEW_PASSWORD)

    response = change_password(client, PASSWORD, NEW_PASSWORD)  # right, but too late

    assert response.status_code == 200
    assert password_is(user, PASSWORD)
    assert "Zu viele fehlgeschlagene Versuche" in response.text  # not "wrong password": it was right


def test_someone_guessing_elsewhere_does_not_stop_the_person_changing_their_password(
        app, client, new_client, login, make_user):
    user = make_user()
    login(user)  # this browser now carries the device mark
    stranger = new_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] + 1):
        stranger.post("/anmelden", data={"email": user.email, "password": "geraten-geraten"},
                      environ_overrides={"REMOTE_ADDR": "10.66.6.6"})
    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and password_is(user, NEW_PASSWORD)


def test_an_invited_person_sets_their_first_password_for_the_account_named(client, make_user):
    invited = make_user(password=None, email="neu@example.org")
    page = client.get(reset_path_from_mail(client, invited)).text
    assert "Passwort festlegen" in page and "Für das Konto neu@example.org." in page


def test_an_invited_person_is_signed_in_once_the_first_password_is_set(client, make_user):
    invited = make_user(password=None, email="neu@example.org", name="Jürgen Neu")
    response = set_new_password(client, reset_path_from_mail(client, invited))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    start = client.get("/").text
    assert "Willkommen bei Qualify!" in start and "Jürgen Neu" in start
