"""Platform-wide defences: CSRF on every route, headers, cookies, error pages, database outages, config."""

import os
import re
import stat
import uuid
from pathlib import Path

import pytest
from flask import Blueprint, abort
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from werkzeug.routing import FloatConverter, IntegerConverter, UUIDConverter

from qualify import create_app
from qualify.config import PROJECT_ROOT
from qualify.core.templating import page_to_return_to
from qualify.extensions import db
from tests.conftest import PASSWORD

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "Das Formular ist abgelaufen oder ungültig."
POSTGRES_URL = os.environ.get("QUALIFY_TEST_DATABASE_URL", "")


def dummy_value(converter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


def state_changing_requests(app) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, URL) for every route that changes state, with dummy URL arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {name: dummy_value(converter) for name, converter in rule._converters.items()}
        _domain, path = rule.build(values)
        found.extend((rule.endpoint, method, path) for method in sorted(rule.methods & STATE_CHANGING))
    return found


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


# --- CSRF --------------------------------------------------------------------------------------------------

def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, client, login, admin):
    requests = state_changing_requests(app)
    assert requests, "no state-changing routes found: the enumeration is broken"
    assert ("accounts.logout", "POST", "/abmelden") in requests
    login(admin)

    accepted = []
    for endpoint, method, url in requests:
        response = client.open(url, method=method, data={"email": "x@example.org", "language": "en"})
        if response.status_code != 400 or CSRF_MESSAGE not in response.text:
            accepted.append(f"{method} {url} ({endpoint}) answered {response.status_code}")

    assert accepted == []
    assert client.get("/profil").status_code == 200, "a request without token signed the admin out"


def test_a_token_from_another_browser_is_refused(app, client, new_client, login, admin, make_user):
    login(admin)
    someone_else = new_client()
    login(make_user(), via=someone_else)
    foreign_token = someone_else.csrf_token()

    response = client.post("/abmelden", data={"csrf_token": foreign_token})

    assert response.status_code == 400
    assert CSRF_MESSAGE in response.text
    assert client.get("/profil").status_code == 200


def test_a_form_sent_after_the_session_ended_shows_the_text_typed_to_copy(client, login, make_user):
    # Signed out in another tab while writing: the long text comes back to copy; a password never does.
    login(make_user())
    text = "Wir haben an Linie 4 seit dem Umbau\nmehr Stillstand als vorher – wie geht es euch?"
    response = client.post("/austausch/raum/1/neu", csrf=False, headers={"Origin": "http://localhost"}, data={
        "csrf_token": "abgelaufen", "title": "Stillstand", "body": text, "password": "geheimes-passwort-123456789012"})
    assert response.status_code == 400 and CSRF_MESSAGE in response.text
    assert "Ihr Text ist nicht verloren" in response.text
    assert "Wir haben an Linie 4 seit dem Umbau\nmehr Stillstand als vorher – wie geht es euch?" in response.text
    assert "geheimes-passwort" not in response.text


def test_a_form_posted_here_from_another_site_puts_none_of_its_text_on_our_page(client):
    bait = "ACHTUNG: Ihr Konto wird gesperrt.\nBitte rufen Sie sofort 0900 123456 an."
    for headers in ({"Origin": "https://phish.example"}, {"Referer": "https://phish.example/form"}, {}):
        response = client.post("/anmelden", csrf=False, headers=headers, data={"csrf_token": "x", "note": bait})
        assert response.status_code == 400 and "0900 123456" not in response.text


def test_a_forged_token_is_refused_even_for_guests(client):
    response = client.post("/sprache", data={"language": "en", "csrf_token": "gefaelscht"})

    assert response.status_code == 400
    assert 'lang="de"' in client.get("/").text


# --- headers and cookies -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/anmelden", "/gibt-es-nicht"])
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)
    directives = csp_directives(response)

    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "'unsafe-inline'" not in directives.get("default-src", [])
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin",
                                                   "strict-origin-when-cross-origin"}


def test_templates_use_nothing_inline_that_the_policy_would_block():
    offenders = []
    for template in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        html = template.read_text()
        if re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html) or re.search(r"\son[a-z]+\s*=", html) \
                or re.search(r"\sstyle\s*=", html) or "javascript:" in html:
            offenders.append(str(template.relative_to(PROJECT_ROOT)))
    assert offenders == []


@pytest.mark.parametrize("path", ["/", "/profil", "/profil/passwort"])
def test_pages_for_a_signed_in_person_are_never_cached(client, login, make_user, path):
    login(make_user())

    response = client.get(path)

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_the_response_that_signs_in_is_not_cached_either(client, make_user):
    user = make_user()

    response = client.post("/anmelden", data={"email": user.email, "password": "richtig-gutes-passwort"})

    assert "no-store" in response.headers.get("Cache-Control", "")


def test_the_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user()

    response = client.post("/anmelden", data={"email": user.email, "password": "richtig-gutes-passwort"})

    cookie = next(value for value in response.headers.getlist("Set-Cookie")
                  if value.startswith("qualify_session="))
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert not any(part.startswith("domain=") for part in attributes)


def test_the_language_cookie_of_guests_is_httponly_and_samesite_lax(client):
    response = client.post("/sprache", data={"language": "en"})

    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("lang="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_choosing_the_language_on_the_sign_in_page_stays_there_and_keeps_where_to_go_next(client):
    page = client.get("/anmelden?next=%2Ftermine%2F4")
    assert 'name="next" value="/anmelden?next=%2Ftermine%2F4"' in page.text
    back = client.post("/sprache", data={"language": "en", "next": "/anmelden?next=%2Ftermine%2F4"})
    assert back.status_code == 302 and back.headers["Location"] == "/anmelden?next=%2Ftermine%2F4"
    elsewhere = client.post("/sprache", data={"language": "de", "next": "//evil.example/"})
    assert elsewhere.headers["Location"] == "/"


def test_a_signed_in_person_switches_the_language_at_the_foot_of_any_page_and_keeps_it(client, make_user, login):
    person = make_user()
    login(person)
    page = client.get("/lernen/")
    footer = page.text[page.text.index('<footer class="site-footer">'):]
    assert 'name="language" value="en"' in footer and 'name="next" value="/lernen/"' in footer

    back = client.post("/sprache", data={"language": "en", "next": "/lernen/"})

    assert back.headers["Location"] == "/lernen/"
    db.session.refresh(person)
    assert person.language == "en"  # the profile's setting: mails follow it too
    assert '<html lang="en">' in client.get("/lernen/").text


def test_english_chosen_on_the_sign_in_page_becomes_the_profiles_language(client, make_user):
    person = make_user(language="de")
    client.post("/sprache", data={"language": "en", "next": "/anmelden"})

    signed_in = client.post("/anmelden", data={"email": person.email, "password": PASSWORD})

    db.session.refresh(person)
    assert person.language == "en"
    assert any(cookie.startswith("lang_chosen=;") for cookie in signed_in.headers.getlist("Set-Cookie"))
    assert '<html lang="en">' in client.get("/lernen/").text


def test_without_a_choice_on_this_device_the_profiles_language_stays(client, make_user):
    person = make_user(language="en")
    client.set_cookie("lang", "de")  # whoever signed in here before read German

    client.post("/anmelden", data={"email": person.email, "password": PASSWORD})

    db.session.refresh(person)
    assert person.language == "en" and '<html lang="en">' in client.get("/lernen/").text


# --- error pages -------------------------------------------------------------------------------------------

SECRET_DETAIL = "geheimes-detail-4711"


@pytest.fixture
def broken_app(make_app):
    """A separate app with views that fail in the usual ways, run as in production (no TESTING)."""
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    failing = Blueprint("failing", __name__)

    @failing.get("/kaputt")
    def crash():
        raise RuntimeError(f"{SECRET_DETAIL}: password_hash of user 1")

    @failing.get("/verboten")
    def forbidden():
        abort(403, SECRET_DETAIL)

    @failing.get("/fehlt")
    def missing():
        abort(404, SECRET_DETAIL)

    app.register_blueprint(failing)
    return app


@pytest.mark.parametrize(("path", "status", "title"), [
    ("/verboten", 403, "Kein Zugriff"),
    ("/fehlt", 404, "Seite nicht gefunden"),
    ("/gibt-es-nicht", 404, "Seite nicht gefunden"),
    ("/kaputt", 500, "Fehler"),
])
def test_error_pages_are_generic_and_reveal_nothing(broken_app, caplog, path, status, title):
    response = broken_app.test_client().get(path)

    assert response.status_code == status
    assert f"<h1>{title}</h1>" in response.text
    for leak in (SECRET_DETAIL, "Traceback", "RuntimeError", "password_hash", "werkzeug", 'File "'):
        assert leak not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if status == 500:
        assert SECRET_DETAIL in caplog.text, "the details belong in the log"


def test_a_wrong_method_keeps_the_allow_header(client):
    response = client.get("/austausch/faden/1/folgen")

    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "")
    assert "<h1>Nicht erlaubt</h1>" in response.text


# --- the database is away ----------------------------------------------------------------------------------

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/qualify"


def assert_unavailable_page(response, *, language: str = "de") -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert f'<html lang="{language}">' in response.text
    assert ("Vorübergehend nicht erreichbar" if language == "de" else "Temporarily unavailable") in response.text
    assert "psycopg" not in response.text and "127.0.0.1" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unreachable_database_gives_503_with_retry_after_for_guests(make_app):
    app = make_app(CLOSED_PORT_URL, create_tables=False, WTF_CSRF_ENABLED=False, TESTING=False)

    credentials = {"email": "a@example.org", "password": "egal-egal-egal"}

    response = app.test_client().post("/anmelden", data=credentials, headers={"Accept-Language": "en"})

    assert_unavailable_page(response, language="en")  # in the device's language: that needs no database


def test_unreachable_database_gives_503_to_people_who_are_signed_in(make_app):
    app = make_app(CLOSED_PORT_URL, create_tables=False, TESTING=False)
    browser = app.test_client()
    with browser.session_transaction() as session:  # a cookie from before the outage
        session["_user_id"] = "ein-sitzungs-token"
        session["_fresh"] = True

    for path in ("/profil", "/"):
        assert_unavailable_page(browser.get(path))


def test_the_health_check_answers_without_the_database(make_app):
    app = make_app(CLOSED_PORT_URL, create_tables=False)

    assert app.test_client().get("/healthz").status_code == 200


def test_sqlite_database_that_appears_later_is_used_without_restart(make_app, make_user, tmp_path):
    folder = tmp_path / "noch-nicht-da"
    app = make_app(f"sqlite:///{folder / 'qualify.sqlite'}", create_tables=False, WTF_CSRF_ENABLED=False,
                   TESTING=False)
    browser = app.test_client()
    credentials = {"email": "wieder@example.org", "password": "richtig-gutes-passwort"}

    assert_unavailable_page(browser.post("/anmelden", data=credentials))

    folder.mkdir()
    with app.app_context():
        db.create_all()
        make_user(email="wieder@example.org")
    assert browser.post("/anmelden", data=credentials).status_code == 302


@pytest.mark.postgres
def test_postgres_database_that_appears_later_is_used_without_restart(make_app, make_user):
    name = f"qualify_recovery_{uuid.uuid4().hex[:8]}"
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    app = make_app(url, create_tables=False, WTF_CSRF_ENABLED=False, TESTING=False)
    browser = app.test_client()
    credentials = {"email": "wieder@example.org", "password": "richtig-gutes-passwort"}
    try:
        assert_unavailable_page(browser.post("/anmelden", data=credentials))

        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        with app.app_context():
            db.create_all()
            make_user(email="wieder@example.org")
        assert browser.post("/anmelden", data=credentials).status_code == 302
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        server.dispose()


def test_a_database_error_inside_a_view_rolls_back_and_gives_503(make_app):
    app = make_app(TESTING=False)
    outage = Blueprint("outage", __name__)

    @outage.get("/ausfall")
    def fail():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    app.register_blueprint(outage)

    response = app.test_client().get("/ausfall")

    assert_unavailable_page(response)
    assert "server closed" not in response.text


# --- configuration -----------------------------------------------------------------------------------------

@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A clean environment for create_app(): no secret, no debug, development unless changed."""
    for name in ("SECRET_KEY", "FLASK_DEBUG", "QUALIFY_ENV", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)

    def config(**extra) -> dict:
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'config.sqlite'}",
                "INSTANCE_PATH": str(tmp_path / "instance"), **extra}

    return config


def test_production_refuses_to_start_in_debug_mode(environment, monkeypatch):
    monkeypatch.setenv("QUALIFY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "ein-langes-geheimnis-aus-der-umgebung")
    monkeypatch.setenv("FLASK_DEBUG", "1")

    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        create_app(environment())


@pytest.mark.parametrize("secret", [None, "", "   "])
def test_production_refuses_to_start_without_secret_key(environment, monkeypatch, secret):
    monkeypatch.setenv("QUALIFY_ENV", "production")
    if secret is not None:
        monkeypatch.setenv("SECRET_KEY", secret)

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(environment())
    assert not (Path(environment()["INSTANCE_PATH"]) / "secret_key").exists()


def test_production_starts_with_a_secret_and_sends_cookies_over_https_only(environment, monkeypatch):
    monkeypatch.setenv("QUALIFY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "ein-langes-geheimnis-aus-der-umgebung")
    monkeypatch.setenv("QUALIFY_BASE_URL", "https://qualify.example.org")  # also required, see tests/test_config.py
    monkeypatch.setenv("MAIL_SENDER", "qualify@example.org")

    app = create_app(environment())

    assert app.secret_key == "ein-langes-geheimnis-aus-der-umgebung"
    assert not app.debug
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "max-age=" in app.test_client().get("/healthz").headers["Strict-Transport-Security"]


def test_in_production_every_cookie_of_ours_goes_over_https_only(environment, monkeypatch):
    for name, value in (("QUALIFY_ENV", "production"), ("SECRET_KEY", "ein-langes-geheimnis-aus-der-umgebung"),
                        ("QUALIFY_BASE_URL", "https://qualify.example.org"), ("MAIL_SENDER", "qualify@example.org")):
        monkeypatch.setenv(name, value)
    app = create_app(environment(WTF_CSRF_ENABLED=False))

    response = app.test_client().post("/sprache", data={"language": "en", "next": "/anmelden"})

    cookies = response.headers.getlist("Set-Cookie")
    assert {cookie.split("=")[0] for cookie in cookies} == {"lang", "lang_chosen"}
    assert all("Secure" in cookie and "HttpOnly" in cookie for cookie in cookies)


def test_development_generates_a_secret_key_readable_only_by_its_owner(environment):
    app = create_app(environment())

    key_file = Path(environment()["INSTANCE_PATH"]) / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.secret_key == key_file.read_text().strip()
    assert len(app.secret_key) >= 32
    assert create_app(environment()).secret_key == app.secret_key, "the key must survive a restart"


def test_an_empty_secret_key_file_is_replaced_by_a_real_key(environment):
    key_file = Path(environment()["INSTANCE_PATH"]) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text("\n")
    app = create_app(environment())
    assert len(app.secret_key) >= 32
    assert key_file.read_text().strip() == app.secret_key


def test_the_language_switch_on_the_answer_to_a_form_leads_back_to_the_page_of_the_form(app):
    with app.test_request_context("/kurse/?q=akku"):
        assert page_to_return_to() == "/kurse/?q=akku"
    # A form that came back with an error answers at its POST-only address: switching there would meet a 405.
    with app.test_request_context("/autoren/kurs/medien", method="POST",
                                  headers={"Referer": "http://localhost/autoren/kurs?x=1"}):
        assert page_to_return_to() == "/autoren/kurs?x=1"
    with app.test_request_context("/autoren/kurs/medien", method="POST",
                                  headers={"Referer": "https://elsewhere.example/phish"}):
        assert page_to_return_to() == "/"
