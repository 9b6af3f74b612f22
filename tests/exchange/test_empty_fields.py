"""A form sent with a field left empty: the server says which, in the page's language, and keeps what was typed.

The forms carry `novalidate`: a browser's own bubble ("Please fill out this field.") came in the phone's language,
not the app's, and said nothing the page could read out.
"""

import html
import re

import pytest
from sqlalchemy import func, select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import posting, spaces
from qualify.exchange.models import ExchangeFlag, ExchangePost, ExchangeSpace, ExchangeThread
from qualify.extensions import db

REQUIRED = "Dieses Feld wird benötigt."


def error_of(page: str, field: str) -> str:
    """The message shown beside the field (none: "")."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1).strip()) if found else ""


def form_tag(page: str, action: str | None = None) -> str:
    """The opening tag of the page's post form (the one sent to `action`, where given)."""
    tags = [tag for tag in re.findall(r'<form method="post"[^>]*>', page) if 'class="logout"' not in tag]
    return next(tag for tag in tags if action is None or f'action="{action}"' in tag)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def thread(make_space, author):
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Frage", "Wie ist es bei euch?", anonymous=False, now=utcnow())
    db.session.commit()
    return thread


# ---------------------------------------------------------------- a new conversation

def test_the_new_conversation_form_leaves_checking_to_the_server(thread, author, client_for):
    page = client_for(author).get(f"/austausch/raum/{thread.space_id}/neu").text
    assert "novalidate" in form_tag(page)


def test_a_new_conversation_sent_empty_names_both_fields(thread, author, client_for):
    page = client_for(author).post(f"/austausch/raum/{thread.space_id}/neu", data={"title": "", "body": "  "}).text

    assert error_of(page, "title") == REQUIRED and error_of(page, "body") == REQUIRED
    assert '<a href="#title">Titel: Dieses Feld wird benötigt.</a>' in page
    assert '<a href="#body">Ihr Beitrag: Dieses Feld wird benötigt.</a>' in page
    assert count(ExchangeThread) == 1


@pytest.mark.parametrize(("sent", "empty", "kept"), [
    ({"title": "Schichtplan im Sommer", "body": ""}, "body", 'value="Schichtplan im Sommer"'),
    ({"title": "", "body": "Wie regelt ihr die Urlaube?"}, "title", "\nWie regelt ihr die Urlaube?</textarea>"),
])
def test_a_new_conversation_partly_filled_keeps_what_was_typed(thread, author, client_for, sent, empty, kept):
    page = client_for(author).post(f"/austausch/raum/{thread.space_id}/neu", data=sent).text

    assert error_of(page, empty) == REQUIRED
    assert kept in page
    assert count(ExchangeThread) == 1


# ---------------------------------------------------------------- a reply

def test_the_reply_form_leaves_checking_to_the_server(thread, reader, client_for):
    page = client_for(reader).get(f"/austausch/faden/{thread.id}").text
    assert "novalidate" in form_tag(page, f"/austausch/faden/{thread.id}/antworten")


def test_a_reply_sent_empty_says_so_and_keeps_the_choice_of_pseudonym(thread, reader, client_for):
    response = client_for(reader).post(f"/austausch/faden/{thread.id}/antworten",
                                       data={"body": " ", "anonymous": "y"})

    assert response.status_code == 400
    assert error_of(response.text, "body") == REQUIRED
    assert '<div class="form-errors" role="alert"' in response.text  # at the top of a long thread too, focused
    assert re.search(r'<input[^>]*checked[^>]*id="anonymous"|<input[^>]*id="anonymous"[^>]*checked', response.text)
    assert count(ExchangePost) == 1


# ---------------------------------------------------------------- reporting a post

def test_a_report_sent_without_a_reason_says_so(thread, reader, client_for):
    browser = client_for(reader)
    post_id = thread.posts[0].id
    assert "novalidate" in form_tag(browser.get(f"/austausch/beitrag/{post_id}/melden").text)

    response = browser.post(f"/austausch/beitrag/{post_id}/melden", data={"reason": ""})

    assert response.status_code == 200
    assert error_of(response.text, "reason") == REQUIRED
    assert '<a href="#reason">Grund: Dieses Feld wird benötigt.</a>' in response.text
    assert count(ExchangeFlag) == 0


# ---------------------------------------------------------------- the other forms of the exchange with required fields

def test_an_edit_sent_empty_keeps_the_post_as_it_was(thread, author, client_for):
    browser = client_for(author)
    post = thread.posts[0]
    assert "novalidate" in form_tag(browser.get(f"/austausch/beitrag/{post.id}/bearbeiten").text)

    page = browser.post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": ""}).text

    assert error_of(page, "body") == REQUIRED
    db.session.expire_all()
    assert post.body_source == "Wie ist es bei euch?"


def test_a_new_space_without_a_topic_keeps_its_description(make_user, client_for):
    browser = client_for(make_user(Role.MODERATOR))
    assert "novalidate" in form_tag(browser.get("/austausch/raum/neu").text)

    page = browser.post("/austausch/raum/neu", data={
        "title": "", "description": "Leitfrage: Was ändert sich?", "scope": "network", "moderation": "pre",
        "anonymous": "allowed"}).text

    assert error_of(page, "title") == REQUIRED
    assert "\nLeitfrage: Was ändert sich?</textarea>" in page
    assert count(ExchangeSpace) == 0


def test_a_decision_without_its_reason_is_asked_again(thread, client_for):
    browser = client_for(spaces.moderators_of(thread.space)[0])
    post = thread.posts[0]
    hide = f"/austausch/beitrag/{post.id}/ausblenden"
    assert "novalidate" in form_tag(browser.get(f"/austausch/faden/{thread.id}").text, hide)

    response = browser.post(hide, data={"reason": " "})

    assert response.status_code == 400
    assert "novalidate" in form_tag(response.text, hide)
    assert error_of(response.text, "grund")
    db.session.expire_all()
    assert post.status == "published"


def test_the_message_comes_in_the_language_of_the_app_not_of_the_phone(thread, make_user, client_for):
    english = make_user(language="en")

    response = client_for(english).post(f"/austausch/faden/{thread.id}/antworten", data={"body": ""},
                                        headers={"Accept-Language": "de-DE"})

    assert error_of(response.text, "body") == "This field is required."
