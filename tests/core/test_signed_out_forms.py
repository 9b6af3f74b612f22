"""A form sent after the sign-in ended: the text typed comes back to copy, with a way to sign in again."""

import html
import re

import pytest
from markupsafe import escape

from qualify.accounts import services
from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import posting, spaces
from qualify.extensions import db
from tests.conftest import CSRF_FIELD, PASSWORD

HERE = "http://localhost"
# One paragraph, as most replies typed on a phone are, with markup that must stay text.
REPLY = "Bei uns hilft <script>alert('x')</script> ein Zettel am Band – danke für den Tipp!"
TITLE = re.compile(r"<title>([^<]*)</title>")
SIGN_IN_LINK = re.compile(r'<a class="button[^"]*" href="(/anmelden[^"]*)"')


@pytest.fixture
def thread(make_user):
    moderator = make_user(Role.MODERATOR)
    space = spaces.create_space("Schichtarbeit", "Wie klappt es bei Ihnen?", organisation_id=None,
                                moderation="post", anonymous="allowed", by=moderator, now=utcnow())
    thread = posting.start_thread(space, moderator, "Stillstand an Linie 4", "Wie geht es euch?",
                                  anonymous=False, now=utcnow())
    db.session.commit()
    return thread


@pytest.fixture
def reader(app, make_user, login, client, thread):
    """A signed-in person with the thread open: returns the token and the address of the page."""
    user = make_user(email="leserin@example.org")
    login(user)
    page_url = f"/austausch/faden/{thread.id}"
    page = client.get(page_url)
    assert page.status_code == 200
    return user, CSRF_FIELD.search(page.text).group(1), page_url


def reply_url(thread) -> str:
    return f"/austausch/faden/{thread.id}/antworten"


def from_page(page_url: str) -> dict:
    return {"Origin": HERE, "Referer": HERE + page_url}


def title_of(response) -> str:
    return html.unescape(TITLE.search(response.text).group(1))


def test_a_one_paragraph_reply_sent_after_the_cookies_are_gone_comes_back_escaped(app, reader, thread):
    user, token, page_url = reader
    phone_next_morning = app.test_client()  # the same browser, its session cookie gone

    response = phone_next_morning.post(reply_url(thread), csrf=False, headers=from_page(page_url),
                                       data={"csrf_token": token, "body": REPLY, "reply_to": "17"})

    assert response.status_code == 400
    assert "no-store" in response.headers["Cache-Control"]
    assert title_of(response).startswith("Ihre Anmeldung ist abgelaufen")
    assert "<h1>Ihre Anmeldung ist abgelaufen</h1>" in response.text
    assert "Das Formular wurde nicht gesendet, weil Sie inzwischen abgemeldet sind." in response.text
    assert "Ungültige Anfrage" not in response.text and "neu laden" not in response.text  # a reload loses the text
    assert "Ihr Text ist nicht verloren" in response.text
    assert "Kopieren Sie den Text, melden Sie sich wieder an und fügen Sie ihn dort wieder ein." in response.text
    # Escaped, inside the read-only text area only: never markup, never a script.
    assert f'readonly>{escape(REPLY)}</textarea>' in response.text
    assert "<script>alert" not in response.text
    assert token not in response.text  # nor the token, nor the hidden id
    assert ">17<" not in response.text


def test_a_new_conversation_sent_signed_out_keeps_its_title_and_its_text(app, reader, thread):
    user, token, page_url = reader
    phone_next_morning = app.test_client()
    response = phone_next_morning.post(f"/austausch/raum/{thread.space_id}/neu", csrf=False,
                                       headers=from_page(page_url),
                                       data={"csrf_token": token, "title": "Frühschicht ab Januar",
                                             "body": "Wer weiß schon, wie es weitergeht?"})
    assert "readonly>Frühschicht ab Januar</textarea>" in response.text
    assert "readonly>Wer weiß schon, wie es weitergeht?</textarea>" in response.text


def test_the_sign_in_link_leads_back_to_the_page_the_reply_was_written_on(app, client, reader, thread):
    user, token, page_url = reader
    response = app.test_client().post(reply_url(thread), csrf=False, headers=from_page(page_url),
                                      data={"csrf_token": token, "body": REPLY})

    sign_in_url = html.unescape(SIGN_IN_LINK.search(response.text).group(1))
    assert sign_in_url == f"/anmelden?next=/austausch/faden/{thread.id}"
    new_tab = app.test_client()
    signed_in = new_tab.post(sign_in_url, data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == page_url


@pytest.mark.parametrize("referrer", ["https://phish.example/austausch/faden/1", HERE + "//phish.example/x", None])
def test_the_sign_in_link_never_leads_to_another_site(app, reader, thread, referrer):
    user, token, _page_url = reader
    headers = {"Origin": HERE} | ({"Referer": referrer} if referrer else {})

    response = app.test_client().post(reply_url(thread), csrf=False, headers=headers,
                                      data={"csrf_token": token, "body": REPLY})

    assert response.status_code == 400
    # The reply address takes no GET: without a page of ours to go back to, the sign-in leads home.
    assert html.unescape(SIGN_IN_LINK.search(response.text).group(1)) == "/anmelden"


def test_passwords_tokens_and_hidden_values_are_never_shown_back(app, reader, thread):
    user, token, page_url = reader
    secrets = {
        "password": "mein geheimer Satz als Passwort",
        "current": "noch ein geheimer Satz",
        "new_password": "ein dritter geheimer Satz",
        "reset_token": "ein Token mit Leerzeichen darin",
        "base": "Personalnummer;Name\n4711;Kowalczyk Anneliese",  # a hidden field, with a line break as typed text
        "reply_to": "12345 67890 als Text",
    }

    response = app.test_client().post(reply_url(thread), csrf=False, headers=from_page(page_url),
                                      data={"csrf_token": token, "body": REPLY, **secrets})

    assert "Ihr Text ist nicht verloren" in response.text
    assert response.text.count("<textarea") == 1
    for value in secrets.values():
        assert str(escape(value)).split("\n")[0] not in response.text


def test_a_letter_or_two_is_not_worth_a_rescue_box(app, reader, thread):
    user, token, page_url = reader

    response = app.test_client().post(reply_url(thread), csrf=False, headers=from_page(page_url),
                                      data={"csrf_token": token, "body": "ok"})

    assert response.status_code == 400 and "Ihre Anmeldung ist abgelaufen" in response.text
    assert "Ihr Text ist nicht verloren" not in response.text
    assert html.unescape(SIGN_IN_LINK.search(response.text).group(1)).startswith("/anmelden?next=")


def test_a_one_paragraph_reply_posted_from_another_site_puts_nothing_on_our_page(app, reader, thread):
    user, token, _page_url = reader

    response = app.test_client().post(reply_url(thread), csrf=False, headers={"Origin": "https://phish.example"},
                                      data={"csrf_token": token, "body": "Rufen Sie sofort 0900 123456 an."})

    assert response.status_code == 400 and "0900 123456" not in response.text


def test_a_signed_in_person_with_an_expired_form_copies_the_text_before_reloading(client, reader, thread):
    user, _token, page_url = reader

    response = client.post(reply_url(thread), csrf=False, headers=from_page(page_url),
                           data={"csrf_token": "veraltet", "body": REPLY})

    assert response.status_code == 400
    assert title_of(response).startswith("Ungültige Anfrage")  # the general wording: no sign-in was lost
    assert "Das Formular ist abgelaufen oder ungültig." in response.text
    assert "Bitte laden Sie die Seite neu" not in response.text
    assert "Kopieren Sie ihn, laden Sie die Seite neu und fügen Sie ihn dort wieder ein." in response.text
    assert escape(REPLY) in response.text
    assert not SIGN_IN_LINK.search(response.text)


def test_without_text_to_lose_the_page_says_to_reload(client, reader, thread):
    user, _token, page_url = reader

    response = client.post(f"/austausch/faden/{thread.id}/folgen", csrf=False, headers=from_page(page_url),
                           data={"csrf_token": "veraltet", "mode": "digest"})

    assert response.status_code == 400
    assert "Das Formular ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu." in response.text
    assert "Ihr Text ist nicht verloren" not in response.text


def test_an_expired_sign_in_form_is_not_called_an_expired_sign_in(app):
    form = app.test_client().get("/anmelden")
    token = CSRF_FIELD.search(form.text).group(1)

    response = app.test_client().post("/anmelden", csrf=False, headers=from_page("/anmelden"),
                                      data={"csrf_token": token, "email": "x@example.org", "password": "geheim"})

    assert response.status_code == 400
    assert title_of(response).startswith("Ungültige Anfrage")
    assert "Bitte laden Sie die Seite neu" in response.text


def test_a_reply_sent_after_the_session_ended_on_the_server_comes_back_too(client, reader, thread):
    # The browser kept its cookie (and its form token), but a new password on another device ended the session:
    # the reply passes the token check and meets the sign-in instead, which used to redirect it away.
    user, _token, page_url = reader
    services.end_all_sessions(user)
    db.session.commit()

    response = client.post(reply_url(thread), headers=from_page(page_url), data={"body": REPLY})

    assert response.status_code == 401
    assert title_of(response).startswith("Ihre Anmeldung ist abgelaufen")
    assert f'readonly>{escape(REPLY)}</textarea>' in response.text
    assert html.unescape(SIGN_IN_LINK.search(response.text).group(1)) == \
        f"/anmelden?next=/austausch/faden/{thread.id}"


def test_without_text_a_signed_out_request_still_goes_to_the_sign_in(client, reader, thread):
    user, _token, page_url = reader
    services.end_all_sessions(user)
    db.session.commit()

    response = client.post(reply_url(thread), headers=from_page(page_url), data={"body": ""})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden?next=")
