"""Writing and revising: a thread sent back for its title can be given another, the author is told where their
post stands, and a text too long comes back whole to shorten, never cut off without a word."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import errors, following, moderation, posting, spaces
from qualify.exchange.models import ExchangeFlag, ExchangeThread
from qualify.extensions import db


@pytest.fixture
def sent_back(space, moderator, author):
    """An opening post rejected because of its thread's title."""
    thread = posting.start_thread(space, author, "Schichtleiter Maier brüllt", "Der Ton ist rau geworden.",
                                  anonymous=False, now=utcnow())
    moderation.reject(thread.posts[0], "Bitte keinen Namen im Titel", by=moderator, now=utcnow())
    db.session.commit()
    return thread.posts[0]


def test_a_thread_sent_back_for_its_title_gets_a_new_title_with_its_opening_post(sent_back, author, client_for):
    browser = client_for(author)
    form = browser.get(f"/austausch/beitrag/{sent_back.id}/bearbeiten").text
    assert 'name="title"' in form and 'value="Schichtleiter Maier brüllt"' in form

    response = browser.post(f"/austausch/beitrag/{sent_back.id}/bearbeiten",
                            data={"title": "  Rauer   Ton in der Schicht ", "body": "Der Ton ist rau geworden."},
                            follow_redirects=True)

    db.session.expire_all()
    assert db.session.get(ExchangeThread, sent_back.thread_id).title == "Rauer Ton in der Schicht"
    assert sent_back.status == "pending"
    assert "wartet wieder auf Freigabe" in response.text


@pytest.mark.parametrize("title", ["   ", "T" * 201])
def test_a_new_title_is_checked_as_when_the_thread_was_started(sent_back, author, client_for, title):
    response = client_for(author).post(f"/austausch/beitrag/{sent_back.id}/bearbeiten",
                                       data={"title": title, "body": "Neuer Text"})
    assert response.status_code == 200 and "Neuer Text" in response.text  # the form again, as typed
    db.session.expire_all()
    assert db.session.get(ExchangeThread, sent_back.thread_id).title == "Schichtleiter Maier brüllt"
    with pytest.raises(errors.ExchangeError):
        posting.edit_post(sent_back, sent_back.author, "Neuer Text", now=utcnow(), title=title)


def test_the_title_of_an_approved_thread_is_not_changed_with_its_post(make_space, author, client_for):
    space = make_space(moderation="post")
    post = posting.start_thread(space, author, "Freigegeben", "Text", anonymous=False, now=utcnow()).posts[0]
    db.session.commit()
    assert 'name="title"' not in client_for(author).get(f"/austausch/beitrag/{post.id}/bearbeiten").text
    with pytest.raises(errors.ExchangeError, match="Titel"):
        posting.edit_post(post, author, "Text", now=utcnow(), title="Anders")


def test_revising_a_waiting_reply_says_it_waits_again(space, moderator, author, client_for):
    thread = posting.start_thread(space, author, "Frage", "Wie ist es bei euch?", anonymous=False, now=utcnow())
    moderation.approve(thread.posts[0], by=moderator, now=utcnow())
    reply = posting.reply(thread, author, "Nachtrag", anonymous=False, now=utcnow())
    db.session.commit()
    response = client_for(author).post(f"/austausch/beitrag/{reply.id}/bearbeiten", data={"body": "Besserer Nachtrag"},
                                       follow_redirects=True)
    assert "Ihr Beitrag ist geändert und wartet wieder auf Freigabe durch die Moderation." in response.text


def test_the_address_of_a_refused_reply_leads_back_to_the_thread(make_space, author, client_for):
    # After a refused reply the browser shows …/antworten; reloaded or shared, it answered 405.
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Frage", "Text", anonymous=False, now=utcnow())
    db.session.commit()
    response = client_for(author).get(f"/austausch/faden/{thread.id}/antworten")
    assert response.status_code == 302 and response.location.endswith(f"/austausch/faden/{thread.id}#antworten")


# ---------------------------------------------------------------- typed text not left without a word

def form_tag(page: str, action_part: str) -> str:
    return re.search(rf'<form method="post"[^>]*{re.escape(action_part)}[^>]*>', page).group(0)


def test_the_text_of_a_reply_and_of_a_new_thread_is_guarded_against_leaving_unsent(make_space, author, client_for):
    # "Wer sieht was?" beside the field leads to another page: app.js asks before typed text goes with it.
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Frage", "Text", anonymous=False, now=utcnow())
    db.session.commit()
    client = client_for(author)
    for url in (f"/austausch/faden/{thread.id}", f"/austausch/raum/{space.id}/neu"):
        page = client.get(url).text
        assert "Wer sieht was?" in page
        assert re.search(r'<textarea [^>]*data-guard-unsaved[^>]*name="body"', page)
    assert "data-unsaved" not in form_tag(client.get(f"/austausch/faden/{thread.id}").text, "antworten")


def test_a_refused_reply_shown_again_counts_as_unsent(make_space, author, client_for):
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Frage", "Text", anonymous=False, now=utcnow())
    db.session.commit()
    client = client_for(author)
    refused = client.post(f"/austausch/faden/{thread.id}/antworten", data={"body": "x" * 20_001}).text
    assert "data-unsaved" in form_tag(refused, "antworten")
    empty = client.post(f"/austausch/faden/{thread.id}/antworten", data={"body": ""}).text
    assert "data-unsaved" not in form_tag(empty, "antworten")  # nothing typed, nothing to lose


def test_a_refused_edit_shown_again_counts_as_unsaved(make_space, author, client_for):
    # The edit too long comes back with the text as typed: leaving the page then lost it without the browser asking.
    space = make_space(moderation="post")
    post = posting.start_thread(space, author, "Frage", "Kurz", anonymous=False, now=utcnow()).posts[0]
    db.session.commit()
    client = client_for(author)
    edit = f"/austausch/beitrag/{post.id}/bearbeiten"
    assert "data-unsaved" not in form_tag(client.get(edit).text, "novalidate")  # the saved text: nothing to lose
    refused = client.post(edit, data={"body": "Länger. " * 2_501}).text
    assert "Ihr Text ist zu lang" in refused
    assert "data-unsaved" in form_tag(refused, "novalidate")
    empty = client.post(edit, data={"body": ""}).text
    assert "data-unsaved" not in form_tag(empty, "novalidate")  # nothing typed, nothing to lose


# ---------------------------------------------------------------- nothing cut off without a word

def error_of(page: str, field: str) -> str:
    """The message shown beside the field (none: "")."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1).strip()) if found else ""


def test_no_field_of_the_exchange_cuts_a_longer_text_off(make_space, author, reader, admin, client_for):
    # With maxlength a browser cut a pasted text off without a word: a reply of 20,531 characters was published
    # with 20,000, its end missing. The server refuses a longer text and keeps it to shorten.
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = posting.start_thread(space, author, "Frage", "Wie ist es bei euch?", anonymous=True, now=utcnow())
    db.session.commit()
    post = thread.posts[0]
    pages = {author: [f"/austausch/raum/{space.id}/neu", f"/austausch/beitrag/{post.id}/bearbeiten"],
             reader: [f"/austausch/faden/{thread.id}", f"/austausch/beitrag/{post.id}/melden"],
             mod: ["/austausch/raum/neu", f"/austausch/faden/{thread.id}"],
             admin: [f"/austausch/beitrag/{post.id}/aufdecken"]}
    for person, urls in pages.items():
        browser = client_for(person)
        for url in urls:
            page = browser.get(url)
            assert page.status_code == 200 and "<textarea" in page.text, url
            assert "maxlength" not in page.text, url


LONG_BODY = "Schichtplan und Familie. " * 821 + "ENDE"  # 20,529 characters


@pytest.mark.parametrize(("field", "data", "message"), [
    ("body", {"title": "Lang", "body": LONG_BODY}, "Ihr Text ist zu lang: höchstens 20.000 Zeichen."),
    ("title", {"title": "Schichtplan " * 17, "body": "Kurz"},
     "Der Text ist zu lang (203 Zeichen). Erlaubt sind höchstens 200 Zeichen."),
])
def test_a_new_thread_too_long_comes_back_with_its_limit_and_the_text_as_typed(make_space, author, client_for,
                                                                                field, data, message):
    space = make_space(moderation="post")
    page = client_for(author).post(f"/austausch/raum/{space.id}/neu", data=data).text
    assert error_of(page, field) == message
    assert html.escape(data[field].strip(), quote=False) in page
    assert db.session.scalar(select(ExchangeThread.id)) is None


def test_an_edit_too_long_comes_back_with_the_text_as_typed(make_space, author, client_for):
    space = make_space(moderation="post")
    post = posting.start_thread(space, author, "Frage", "Kurz", anonymous=False, now=utcnow()).posts[0]
    db.session.commit()
    page = client_for(author).post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": LONG_BODY}).text
    assert error_of(page, "body") == "Ihr Text ist zu lang: höchstens 20.000 Zeichen." and "ENDE</textarea>" in page
    db.session.expire_all()
    assert post.body_source == "Kurz"


def test_an_edit_refused_while_it_was_typed_keeps_the_text_to_copy(make_space, author, client_for):
    # The 30 minutes ran out while the author typed: the page went back to the thread, the new text was lost.
    space = make_space(moderation="post")
    post = posting.start_thread(space, author, "Frage", "Kurz", anonymous=False, now=utcnow()).posts[0]
    db.session.commit()
    browser = client_for(author)
    assert browser.get(f"/austausch/beitrag/{post.id}/bearbeiten").status_code == 200
    post.created_at -= timedelta(minutes=31)
    db.session.commit()
    response = browser.post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": "Mein neuer, langer Text."})
    assert response.status_code == 409
    assert "Beiträge können nur in den ersten 30 Minuten bearbeitet werden." in response.text
    assert re.search(r'<textarea id="nicht-gesendet"[^>]*readonly>Mein neuer, langer Text\.</textarea>', response.text)
    db.session.expire_all()
    assert post.body_source == "Kurz"


def test_a_report_with_a_reason_too_long_comes_back_with_the_reason_as_typed(make_space, author, reader,
                                                                            client_for):
    space = make_space(moderation="post")
    post = posting.start_thread(space, author, "Frage", "Text", anonymous=False, now=utcnow()).posts[0]
    db.session.commit()
    reason = "Der Beitrag nennt einen Kollegen beim Namen. " * 46 + "ENDE"  # 2,074 characters
    page = client_for(reader).post(f"/austausch/beitrag/{post.id}/melden", data={"reason": reason}).text
    assert error_of(page, "reason") == "Der Grund ist zu lang: höchstens 2.000 Zeichen." and "ENDE</textarea>" in page
    assert db.session.scalar(select(ExchangeFlag.id)) is None
    with pytest.raises(errors.ExchangeError, match="höchstens 2.000 Zeichen"):  # nor cut off where it is stored
        following.flag(post, reader, reason, now=utcnow())


def test_a_space_description_too_long_comes_back_as_typed(make_user, client_for):
    page = client_for(make_user(Role.MODERATOR)).post("/austausch/raum/neu", data={
        "title": "Schichtarbeit", "description": LONG_BODY, "scope": "network", "moderation": "pre",
        "anonymous": "allowed"}).text
    assert error_of(page, "description") == "Ihr Text ist zu lang: höchstens 20.000 Zeichen."
    assert "ENDE</textarea>" in page
