"""With CSRF turned off (WTF_CSRF_ENABLED=False, as some tests and API clients run the app) every page still
opens, and every form sent back with its errors: the templates take the token from csrf_token(), never from a
form's csrf_token field, which a form only has while CSRF is on. That CSRF is on by default and every state-changing
route refuses a request without the token: tests/accounts/test_security.py."""

import re
from pathlib import Path

import pytest

from qualify.accounts import services
from qualify.demo import DEMO_ACCOUNTS

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FORM_TOKEN_FIELD = re.compile(r"\w\.csrf_token\b")


@pytest.fixture
def csrf_off(app, monkeypatch):
    """The app with CSRF turned off for this test (read on every request and every form)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


def routes(app, url_values, method: str):
    """Every route taking the method, but signing out, as (endpoint, URL) with the ids of objects that exist."""
    for rule in app.url_map.iter_rules():
        if method in rule.methods and rule.endpoint != "accounts.logout":
            yield rule.endpoint, rule.build({name: url_values[name] for name in rule.arguments})[1]


def browsers(new_client, login):
    """A guest, then each demo account signed in, each in a browser of its own: (who, browser)."""
    yield "guest", new_client()
    for email, *_details, password in DEMO_ACCOUNTS:
        browser = new_client()
        login(services.find_user_by_email(email), password, via=browser)
        yield email, browser


def test_with_csrf_turned_off_no_page_fails_for_a_guest_or_any_role(app, new_client, url_values, login, csrf_off):
    failed = [f"{who}: GET {url} ({endpoint})"
              for who, browser in browsers(new_client, login)
              for endpoint, url in routes(app, url_values, "GET")
              if browser.get(url).status_code == 500]

    assert failed == [], "\n".join(failed)


def test_with_csrf_turned_off_no_form_sent_empty_fails_for_a_guest_or_any_role(app, new_client, url_values, login,
                                                                              csrf_off):
    failed = []
    for who, browser in browsers(new_client, login):
        failed += [f"{who}: POST {url} ({endpoint})" for endpoint, url in routes(app, url_values, "POST")
                   if browser.post(url, data={}, csrf=False).status_code == 500]
        if who != "guest":
            assert browser.get("/profil").status_code == 200, f"{who} was signed out on the way"

    assert failed == [], "\n".join(failed)


def test_no_template_reads_the_token_from_a_forms_field():
    # form.csrf_token is undefined with CSRF off, and rendering it failed the page with a 500.
    found = [f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for number, line in enumerate(path.read_text().splitlines(), start=1)
             if FORM_TOKEN_FIELD.search(line)]

    assert found == [], "\n".join(found)
