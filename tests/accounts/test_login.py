"""Signing in and out: throttling, enumeration, redirects after login, and the life of a session."""

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from qualify.accounts.models import LoginFailure
from qualify.core.time import utcnow
from qualify.extensions import db

PASSWORD = "richtig-gutes-passwort"  # the password make_user gives everybody
WRONG = "voellig-falsches-passwort"
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def sign_in(client, email: str, password: str = PASSWORD, *, ip: str = "10.0.0.1", **kwargs):
    return client.post("/anmelden", data={"email": email, "password": password},
                       environ_overrides={"REMOTE_ADDR": ip}, **kwargs)


def fail_times(client, email: str, times: int, *, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert sign_in(client, email, WRONG, ip=ip).status_code == 200


def is_signed_in(client) -> bool:
    return client.get("/profil").status_code == 200


def without_csrf_token(html: str) -> str:
    return CSRF_VALUE.sub(r'\1TOKEN"', html)


# --- throttling --------------------------------------------------------------------------------------------

def test_after_too_many_failures_even_the_right_password_is_refused(app, client, make_user):
    user = make_user()
    fail_times(client, user.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])

    response = sign_in(client, user.email, ip="10.9.9.9")  # another address: the account itself is locked

    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in response.text
    assert not is_signed_in(client)


def test_one_failure_less_than_the_limit_still_lets_the_right_password_in(app, client, make_user):
    user = make_user()
    fail_times(client, user.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] - 1)

    assert sign_in(client, user.email).status_code == 302


def test_a_locked_account_does_not_lock_out_other_people(app, client, new_client, make_user):
    attacked, other = make_user(), make_user()
    fail_times(client, attacked.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], ip="10.0.0.66")

    response = sign_in(new_client(), other.email, ip="10.0.0.77")

    assert response.status_code == 302


def test_too_many_failures_from_one_address_lock_that_address_only(app, client, new_client, make_user):
    user = make_user()
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_IP"]):  # one failure each: no account reaches its limit
        assert sign_in(client, f"geraten{n}@example.org", WRONG, ip="10.6.6.6").status_code == 200

    assert sign_in(client, user.email, ip="10.6.6.6").status_code == 429
    assert sign_in(new_client(), user.email, ip="10.7.7.7").status_code == 302


def spray(client, app, ip: str) -> None:
    """One wrong password each for as many made-up addresses as one network address may fail."""
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_IP"]):
        assert sign_in(client, f"geraten{n}@example.org", WRONG, ip=ip).status_code == 200


def test_a_network_address_that_tried_many_accounts_is_told_so_and_when_to_come_back(app, client, make_user):
    spray(client, app, "10.6.6.6")

    response = sign_in(client, make_user().email, ip="10.6.6.6")

    minutes = app.config["LOGIN_THROTTLE_MINUTES"]
    assert response.status_code == 429 and response.headers["Retry-After"] == str(minutes * 60)
    assert flash_of(response) == (
        f"Zu viele fehlgeschlagene Anmeldungen aus Ihrem Netzwerk: Die Anmeldung ist hier für {minutes} Minuten "
        "gesperrt, außer in Browsern, in denen Sie sich mit dieser E-Mail-Adresse schon angemeldet haben.")
    assert "Auch während der Sperre können Sie ein neues Passwort setzen" in response.text


def test_a_locked_network_address_answers_alike_for_known_and_unknown_accounts(app, client, make_user):
    known = make_user(email="bekannt@example.org")
    spray(client, app, "10.6.6.6")

    for_known = sign_in(client, known.email, WRONG, ip="10.6.6.6")
    for_unknown = sign_in(client, "unbekannt@example.org", WRONG, ip="10.6.6.6")

    assert for_known.status_code == for_unknown.status_code == 429
    assert for_known.headers["Retry-After"] == for_unknown.headers["Retry-After"]
    assert (without_csrf_token(for_known.text).replace("bekannt@example.org", "ADRESSE")
            == without_csrf_token(for_unknown.text).replace("unbekannt@example.org", "ADRESSE"))


def test_the_network_limit_is_a_setting_for_plants_behind_one_address(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    spray(client, app, "10.6.6.6")
    assert sign_in(client, make_user().email, ip="10.6.6.6").status_code == 429

    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 200  # raised: the same failures no longer pause the plant
    assert sign_in(client, make_user().email, ip="10.6.6.6").status_code == 302


def test_a_browser_that_signed_in_before_is_not_paused_by_its_networks_lock(app, client, new_client, make_user):
    person = make_user()
    own = new_client()
    assert sign_in(own, person.email, ip="10.6.6.6").status_code == 302
    own.post("/abmelden", data={})
    spray(client, app, "10.6.6.6")

    assert sign_in(client, person.email, ip="10.6.6.6").status_code == 429
    assert sign_in(own, person.email, ip="10.6.6.6").status_code == 302


def test_an_account_lock_is_not_blamed_on_the_network(app, client, make_user):
    user = make_user()
    fail_times(client, user.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])

    response = sign_in(client, user.email, ip="10.9.9.9")

    assert response.status_code == 429 and "aus Ihrem Netzwerk" not in flash_of(response)


def test_someone_guessing_a_colleagues_password_does_not_lock_the_colleague_out_of_their_own_phone(
        app, client, new_client, make_user):
    colleague = make_user()
    phone = new_client()
    assert sign_in(phone, colleague.email, ip="10.0.0.5").status_code == 302  # signed in here before
    phone.post("/abmelden", data={})
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    fail_times(client, colleague.email, limit, ip="10.0.0.5")  # same plant network, another browser

    assert sign_in(client, colleague.email, ip="10.0.0.5").status_code == 429  # strangers' browsers: locked
    assert sign_in(phone, colleague.email, ip="10.0.0.5").status_code == 302  # the colleague's own: not
    phone.post("/abmelden", data={})
    fail_times(phone, colleague.email, limit, ip="10.0.0.5")  # and the phone has a limit of its own
    assert sign_in(phone, colleague.email, ip="10.0.0.5").status_code == 429


def test_a_device_mark_of_one_account_does_not_help_with_another(app, client, new_client, make_user):
    mine, theirs = make_user(), make_user()
    assert sign_in(client, mine.email).status_code == 302
    client.post("/abmelden", data={})
    fail_times(new_client(), theirs.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])

    assert sign_in(client, theirs.email).status_code == 429


def test_the_lock_ends_when_the_failures_leave_the_window(app, client, make_user):
    user = make_user()
    fail_times(client, user.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    window = timedelta(minutes=app.config["LOGIN_THROTTLE_MINUTES"])

    db.session.execute(update(LoginFailure).values(failed_at=utcnow() - window + timedelta(minutes=1)))
    db.session.commit()
    assert sign_in(client, user.email).status_code == 429  # still inside the window

    db.session.execute(update(LoginFailure).values(failed_at=utcnow() - window - timedelta(minutes=1)))
    db.session.commit()
    assert sign_in(client, user.email).status_code == 302


def test_failures_are_counted_in_the_database_so_every_process_sees_them(app, client, client_class, make_app,
                                                                            make_user):
    user = make_user()
    fail_times(client, user.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    # Another app instance on the same database stands in for another worker process: it shares no memory.
    other_process = make_app(app.config["SQLALCHEMY_DATABASE_URI"], create_tables=False)
    other_process.test_client_class = client_class

    response = sign_in(other_process.test_client(), user.email, ip="10.8.8.8")

    assert response.status_code == 429


def test_failures_are_stored_without_the_address_or_email_in_clear(app, client, make_user):
    user = make_user(email="klartext@example.org")
    fail_times(client, user.email, 1, ip="10.1.2.3")

    keys = db.session.scalars(db.select(LoginFailure.key_hash)).all()

    assert len(keys) == 2
    assert not any("klartext" in key or "10.1.2.3" in key for key in keys)


def flash_of(response) -> str:
    return " ".join(re.findall(r'<p class="flash flash-error">([^<]*)</p>', response.text))


def test_the_last_attempts_before_the_lock_are_counted_down(app, client, make_user):
    user = make_user()
    limit, minutes = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], app.config["LOGIN_THROTTLE_MINUTES"]
    assert limit > 3, "the countdown below needs at least one plain failure first"
    fail_times(client, user.email, limit - 3)

    said = [flash_of(sign_in(client, user.email, WRONG)) for _ in range(3)]

    assert said == [
        f"E-Mail-Adresse oder Passwort ist falsch. Noch 2 Versuche, dann ist die Anmeldung für {minutes} Minuten "
        "gesperrt.",
        f"E-Mail-Adresse oder Passwort ist falsch. Noch 1 Versuch, dann ist die Anmeldung für {minutes} Minuten "
        "gesperrt.",
        "E-Mail-Adresse oder Passwort ist falsch. Zu viele fehlgeschlagene Anmeldungen: Die Anmeldung ist für die "
        f"nächsten {minutes} Minuten gesperrt.",
    ]


def test_the_first_failures_say_nothing_about_a_lock(client, make_user):
    response = sign_in(client, make_user().email, WRONG)

    assert flash_of(response) == "E-Mail-Adresse oder Passwort ist falsch."
    assert "Passwort vergessen?" in response.text and "während der Sperre" not in response.text


def test_the_lock_says_how_many_minutes_are_left_and_offers_a_new_password(app, client, make_user):
    user = make_user()
    fail_times(client, user.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    window = timedelta(minutes=app.config["LOGIN_THROTTLE_MINUTES"])
    db.session.execute(update(LoginFailure).values(failed_at=utcnow() - window + timedelta(minutes=9, seconds=30)))
    db.session.commit()

    response = sign_in(client, user.email)

    assert response.status_code == 429
    assert flash_of(response) == ("Zu viele fehlgeschlagene Anmeldungen: Die Anmeldung ist für die nächsten "
                                  "10 Minuten gesperrt.")  # 9½ minutes, rounded up
    assert '<a class="button" href="/passwort-vergessen">Passwort vergessen?</a>' in response.text
    assert "Auch während der Sperre können Sie ein neues Passwort setzen" in response.text
    assert response.text.count("Passwort vergessen?") == 1

    db.session.execute(update(LoginFailure).values(failed_at=utcnow() - window + timedelta(seconds=20)))
    db.session.commit()
    assert flash_of(sign_in(client, user.email)) == ("Zu viele fehlgeschlagene Anmeldungen: Die Anmeldung ist für "
                                                     "die nächste Minute gesperrt.")


def test_the_lock_lasts_until_enough_failures_have_left_the_window(app, client, make_user):
    # More failures than the limit (attempts at the same moment, or counted by another process): the lock lifts
    # when fewer than the limit are left in the window, that is when the limit-th newest failure leaves it.
    user = make_user()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    window = timedelta(minutes=app.config["LOGIN_THROTTLE_MINUTES"])
    key_hash = hashlib.sha256(f"account:{user.email}".encode()).hexdigest()
    db.session.add_all(LoginFailure(key_hash=key_hash, failed_at=utcnow() - window + timedelta(minutes=n))
                       for n in range(1, limit + 3))
    db.session.commit()

    response = sign_in(client, user.email)

    assert response.status_code == 429
    assert "die nächsten 3 Minuten gesperrt" in flash_of(response)


def test_a_known_and_an_unknown_address_are_warned_and_locked_alike(app, client, make_user):
    # The counters run per address typed, whether an account has it or not: the warnings tell no account apart.
    known = make_user(email="bekannt@example.org")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]

    for attempt in range(limit + 1):
        for_known = sign_in(client, known.email, WRONG, ip="10.0.1.1")
        for_unknown = sign_in(client, "unbekannt@example.org", WRONG, ip="10.0.2.2")

        assert for_known.status_code == for_unknown.status_code
        assert (without_csrf_token(for_known.text).replace("bekannt@example.org", "ADRESSE")
                == without_csrf_token(for_unknown.text).replace("unbekannt@example.org", "ADRESSE")), attempt
    assert "Die Anmeldung ist für die nächsten" in flash_of(for_unknown)


def test_an_address_near_its_own_limit_is_warned_whichever_account_is_tried(app, client, make_user):
    # Many failures from one network address: the warning is about that address, for any account typed.
    limit = app.config["LOGIN_MAX_FAILURES_PER_IP"]
    for n in range(limit - 2):
        sign_in(client, f"geraten{n}@example.org", WRONG, ip="10.6.6.6")

    response = sign_in(client, make_user().email, WRONG, ip="10.6.6.6")

    assert "Noch 1 Versuch, dann ist die Anmeldung" in flash_of(response)


# --- user enumeration --------------------------------------------------------------------------------------

# A deactivated account is told so only with its right password (tests/admin): that tells a guesser nothing.
@pytest.mark.parametrize("case", ["wrong password", "deactivated account, wrong password", "no password set yet"])
def test_unknown_and_known_users_get_the_same_answer(client, make_user, case):
    if case == "wrong password":
        known, password = make_user(email="bekannt@example.org"), WRONG
    elif case == "deactivated account, wrong password":
        known, password = make_user(email="bekannt@example.org", active=False), WRONG
    else:
        known, password = make_user(email="bekannt@example.org", password=None), PASSWORD

    for_known = sign_in(client, known.email, password)
    for_unknown = sign_in(client, "unbekannt@example.org", password)

    assert for_known.status_code == for_unknown.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in for_known.text
    assert (without_csrf_token(for_known.text).replace("bekannt@example.org", "ADRESSE")
            == without_csrf_token(for_unknown.text).replace("unbekannt@example.org", "ADRESSE"))


def test_a_locked_known_account_looks_like_a_locked_unknown_one(app, client, make_user):
    known = make_user(email="bekannt@example.org")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    fail_times(client, known.email, limit, ip="10.0.1.1")
    fail_times(client, "unbekannt@example.org", limit, ip="10.0.2.2")

    for_known = sign_in(client, known.email, WRONG, ip="10.0.3.3")
    for_unknown = sign_in(client, "unbekannt@example.org", WRONG, ip="10.0.4.4")

    assert for_known.status_code == for_unknown.status_code == 429
    assert (without_csrf_token(for_known.text).replace("bekannt@example.org", "ADRESSE")
            == without_csrf_token(for_unknown.text).replace("unbekannt@example.org", "ADRESSE"))


def test_a_failed_login_keeps_the_address_but_never_echoes_the_password(client, make_user):
    user = make_user()

    response = sign_in(client, user.email, WRONG)

    assert f'value="{user.email}"' in response.text
    assert WRONG not in response.text


def test_email_address_is_matched_regardless_of_case_and_blanks(client, make_user):
    user = make_user(email="gross.klein@example.org")

    assert sign_in(client, "  Gross.Klein@Example.ORG ").status_code == 302
    assert is_signed_in(client)
    assert user.active


# --- where the login leads ---------------------------------------------------------------------------------

FOREIGN_TARGETS = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/profil",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " /\t/evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "/\x1f/evil.example",
    "/\x7f/evil.example",
    "https:evil.example",
    "evil.example",
]


def assert_stays_on_this_site(location: str) -> None:
    visible = re.sub(r"[\t\r\n]", "", location).strip()  # what a browser makes of it
    parts = urlsplit(visible)
    assert visible.startswith("/") and not visible.startswith("//"), location
    assert "\\" not in visible and not parts.scheme and not parts.netloc, location


@pytest.mark.parametrize("target", FOREIGN_TARGETS)
def test_login_never_redirects_to_another_site(client, make_user, target):
    user = make_user()

    response = sign_in(client, user.email, query_string={"next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_an_encoded_double_slash_is_a_path_on_this_site(client, make_user):
    # "/%2F%2Fevil.example" is a path on our own host (the browser does not decode %2F into a host);
    # following it is harmless: it ends in our 404 page.
    user = make_user()

    response = sign_in(client, user.email, query_string={"next": "/%2F%2Fevil.example"})

    assert_stays_on_this_site(response.headers["Location"])
    assert client.get(response.headers["Location"]).status_code == 404


@pytest.mark.parametrize("target", ["/profil", "/profil/passwort?von=menue"])
def test_login_follows_a_local_next_page(client, make_user, target):
    user = make_user()

    response = sign_in(client, user.email, query_string={"next": target})

    assert response.headers["Location"] == target


def test_a_guest_is_sent_to_login_and_back_to_the_page_asked_for(client, make_user):
    user = make_user()

    to_login = client.get("/profil")
    assert to_login.status_code == 302
    login_url = to_login.headers["Location"]
    assert login_url.startswith("/anmelden?next=")
    response = client.post(login_url, data={"email": user.email, "password": PASSWORD})

    assert response.headers["Location"] == "/profil"


# --- the life of a session ---------------------------------------------------------------------------------

def test_a_copied_cookie_stops_working_after_logout(new_client, client, make_user, session_cookie):
    user = make_user()
    sign_in(client, user.email)
    copied = session_cookie(client)
    assert is_signed_in(client)

    assert client.post("/abmelden", data={}).status_code == 302
    assert not is_signed_in(client)

    thief = new_client()
    thief.set_cookie("qualify_session", copied)
    response = thief.get("/profil")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden")


def test_logout_needs_a_post_so_a_link_cannot_sign_anyone_out(client, make_user):
    sign_in(client, make_user().email)

    page = client.get("/abmelden")

    assert page.status_code == 200  # a page with the button, not the sign-out itself
    assert is_signed_in(client)


def test_the_sign_out_address_opened_directly_offers_the_button(client, make_user):
    # A bookmark or a typed address: a GET, which answered "Nicht erlaubt" before.
    sign_in(client, make_user(name="Lena Lesezeichen").email)

    page = client.get("/abmelden").text

    assert "<h1>Abmelden</h1>" in page and "Lena Lesezeichen" in page
    form = re.search(r'<form method="post" action="/abmelden">(.*?)</form>', page, re.S).group(1)
    assert 'name="csrf_token"' in form and ">Abmelden</button>" in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert client.post("/abmelden", data={"csrf_token": token}).headers["Location"] == "/anmelden"
    assert not is_signed_in(client)


def test_the_sign_out_address_opened_signed_out_leads_to_the_sign_in(client):
    response = client.get("/abmelden")

    assert response.status_code == 302 and response.headers["Location"] == "/anmelden"


def test_signing_in_starts_a_fresh_session(new_client, client, make_user, session_cookie):
    user = make_user()
    client.get("/anmelden")
    with client.session_transaction() as session:
        session["planted"] = "vom Angreifer"
    before = session_cookie(client)

    sign_in(client, user.email)

    after = session_cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session
    # Whoever planted the first cookie holds nothing: it never became a signed-in session.
    planter = new_client()
    planter.set_cookie("qualify_session", before)
    assert not is_signed_in(planter)


def test_two_browsers_have_two_sessions_and_logout_ends_only_one(new_client, client, make_user):
    user = make_user()
    phone = new_client()
    sign_in(client, user.email)
    sign_in(phone, user.email)

    client.post("/abmelden", data={})

    assert not is_signed_in(client)
    assert is_signed_in(phone)


def test_a_deactivated_account_loses_its_session_at_once(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    assert is_signed_in(client)

    user.active = False  # even without the admin's "deactivate" (which also deletes the sessions)
    db.session.commit()

    assert not is_signed_in(client)


def test_an_admin_deactivating_someone_ends_their_session(new_client, client, make_user, admin):
    person = make_user()
    sign_in(client, person.email)
    admin_browser = new_client()
    sign_in(admin_browser, admin.email, ip="10.0.0.2")

    response = admin_browser.post(f"/verwaltung/personen/{person.id}/deaktivieren", data={})

    assert response.status_code == 302
    assert not is_signed_in(client)
    assert sign_in(client, person.email).status_code == 200  # and cannot sign in again
