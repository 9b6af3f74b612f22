"""Writing and revising: a thread sent back for its title can be given another, and the author is told where
their post stands."""

import pytest

from qualify.core.time import utcnow
from qualify.exchange import errors, moderation, posting
from qualify.exchange.models import ExchangeThread
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
