"""Pre- and post-moderation: who sees a post, and when."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from qualify.core.time import utcnow
from qualify.exchange import following, moderation, posting, reading, spaces
from qualify.exchange.models import WITHDRAWN_TITLE, ExchangePost, ExchangeSpace, ExchangeThread
from qualify.extensions import db
from tests.exchange.conftest import outbox


def start(space, user, title="Neues MES in Halle 3", body="Seit März arbeiten wir mit dem neuen MES.", **kw):
    thread = posting.start_thread(space, user, title, body, anonymous=kw.pop("anonymous", False),
                                  now=kw.pop("now", utcnow()))
    db.session.commit()
    return thread


def test_pending_post_is_seen_by_its_author_and_the_moderator_but_not_by_others(
        space, moderator, author, reader, client_for):
    thread = start(space, author, body="Text der noch geprüft wird")
    url = f"/austausch/faden/{thread.id}"

    own = client_for(author).get(url).text
    assert "Text der noch geprüft wird" in own and "Wartet auf Freigabe" in own
    assert "Text der noch geprüft wird" in client_for(moderator).get(url).text
    other = client_for(reader)
    assert other.get(url).status_code == 404
    assert "Neues MES in Halle 3" not in other.get(f"/austausch/raum/{space.id}").text


def test_pending_reply_is_invisible_to_other_members_until_approved(
    space, moderator, author, reader, client_for
):
    thread = start(space, moderator, body="Frage der Moderation")  # a moderator's own post needs no approval
    post = posting.reply(thread, author, "Meine Antwort auf die Frage", anonymous=False, now=utcnow())
    db.session.commit()
    url = f"/austausch/faden/{thread.id}"
    assert "Meine Antwort auf die Frage" not in client_for(reader).get(url).text

    moderation.approve(post, by=moderator, now=utcnow())
    db.session.commit()
    assert "Meine Antwort auf die Frage" in client_for(reader).get(url).text


def test_approving_through_the_queue_publishes_the_post(space, moderator, author, reader, client_for):
    thread = start(space, author)
    mod = client_for(moderator)
    queue = mod.get("/austausch/moderation").text
    assert "Seit März arbeiten wir" in queue
    post_id = thread.posts[0].id
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', queue).group(1)
    response = mod.post(f"/austausch/beitrag/{post_id}/freigeben", data={"next": "/austausch/moderation", "seen": seen})
    assert response.status_code == 302
    assert "Seit März arbeiten wir" in client_for(reader).get(f"/austausch/faden/{thread.id}").text


def test_post_moderated_space_shows_posts_at_once(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = start(space, author, body="Gleich sichtbar")
    assert "Gleich sichtbar" in client_for(reader).get(f"/austausch/faden/{thread.id}").text


def test_a_post_visible_at_once_says_so_to_its_author(make_space, author, client_for):
    space = make_space(moderation="post")
    page = client_for(author).post(f"/austausch/raum/{space.id}/neu",
                                   data={"title": "Frühschicht", "body": "Wer noch?"}, follow_redirects=True).text
    assert "Danke! Ihr Beitrag ist jetzt für alle im Raum sichtbar." in page
    thread = db.session.scalars(db.select(ExchangeThread).where(ExchangeThread.space_id == space.id)).one()
    page = client_for(author).post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Noch etwas"},
                                   follow_redirects=True).text
    assert "Danke! Ihre Antwort ist jetzt für alle im Raum sichtbar." in page


def test_hidden_post_leaves_a_placeholder_and_restore_brings_it_back(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author, body="Erster Beitrag")
    post = posting.reply(thread, reader, "Unfreundlicher Beitrag", anonymous=False, now=utcnow())
    db.session.commit()
    moderation.hide(post, "Beleidigung", by=mod, now=utcnow())
    db.session.commit()
    page = client_for(author).get(f"/austausch/faden/{thread.id}").text
    assert "Unfreundlicher Beitrag" not in page
    assert "von der Moderation ausgeblendet" in page
    for url in (f"/austausch/beitrag/{post.id}/melden", f"/austausch/faden/{thread.id}?zitat={post.id}"):
        response = client_for(author).get(url)
        assert response.status_code in (200, 404) and "Unfreundlicher Beitrag" not in response.text, url

    moderation.restore(post, by=mod, now=utcnow())
    db.session.commit()
    assert "Unfreundlicher Beitrag" in client_for(author).get(f"/austausch/faden/{thread.id}").text


def hidden_offensive_thread(make_space, author, *, follower):
    """A thread whose title insults someone, followed by a member; its opening post hidden by the moderator."""
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author, title="Meister Müller ist unfähig", body="Erster Beitrag")
    following.follow(thread, follower, mode="immediate", now=utcnow())
    moderation.hide(thread.posts[0], "Beleidigung", by=mod, now=utcnow())
    db.session.commit()
    return space, mod, thread


def test_hiding_the_opening_post_hides_the_threads_title_from_members(make_space, author, reader, client_for):
    space, mod, thread = hidden_offensive_thread(make_space, author, follower=reader)
    for url in (f"/austausch/raum/{space.id}", f"/austausch/faden/{thread.id}", "/austausch/benachrichtigungen"):
        page = client_for(reader).get(url).text
        assert "Meister Müller" not in page and "Gespräch ausgeblendet" in page, url
    assert "Meister Müller ist unfähig" in client_for(mod).get(f"/austausch/raum/{space.id}").text
    posting.reply(thread, mod, "Hinweis der Moderation", anonymous=False, now=utcnow())  # members may not reply
    db.session.commit()
    (mail,) = outbox(reader.email)
    assert "Meister Müller" not in mail.subject + mail.body_text and "Gespräch ausgeblendet" in mail.subject


def test_members_of_another_organisation_do_not_see_an_organisation_space(
        make_space, make_organisation, make_user, client_for):
    home, other = make_organisation(), make_organisation()
    space = make_space(organisation_id=home.id)
    insider, outsider = make_user(organisation=home), make_user(organisation=other)
    assert client_for(insider).get(f"/austausch/raum/{space.id}").status_code == 200
    assert client_for(outsider).get(f"/austausch/raum/{space.id}").status_code == 404
    assert space.title not in client_for(outsider).get("/austausch/").text


def test_module_space_is_listed_and_headed_by_the_module_text(exchange_module, reader, client_for):
    client = client_for(reader)
    listing = client.get("/austausch/").text
    assert "Austausch: Der Wandel in meinem Werk" in listing
    space = spaces.space_for_module(exchange_module)
    page = client.get(f"/austausch/raum/{space.id}").text
    assert "Leitfragen" in page and "Regeln für den Austausch" in page
    assert space.is_premoderated and space.allows_pseudonyms


def test_author_can_edit_within_thirty_minutes_and_the_post_is_marked_edited(
    make_space, author, reader, client_for
):
    space = make_space(moderation="post")
    written = utcnow() - timedelta(minutes=29)
    thread = start(space, author, body="Erste Fassung", now=written)
    post = thread.posts[0]
    response = client_for(author).post(
        f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": "Zweite Fassung"}
    )
    assert response.status_code == 302
    page = client_for(reader).get(f"/austausch/faden/{thread.id}").text
    assert "Zweite Fassung" in page and "bearbeitet" in page


def test_author_edit_after_thirty_one_minutes_is_refused(make_space, author, client_for):
    space = make_space(moderation="post")
    thread = start(space, author, body="Erste Fassung", now=utcnow() - timedelta(minutes=31))
    post = thread.posts[0]
    client_for(author).post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": "Zu spät geändert"})
    db.session.expire_all()
    assert post.body_source == "Erste Fassung"


def test_nobody_else_can_edit_or_delete_a_post(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = start(space, author, body="Meins")
    post = thread.posts[0]
    other = client_for(reader)
    other.post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": "Fremd geändert"})
    other.post(f"/austausch/beitrag/{post.id}/loeschen", data={})
    db.session.expire_all()
    assert post.body_source == "Meins" and post.status == "published"


def test_deleting_own_post_erases_its_text(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = start(space, author, body="Das nehme ich zurück")
    post = thread.posts[0]
    client_for(author).post(f"/austausch/beitrag/{post.id}/loeschen", data={})
    db.session.expire_all()
    assert post.status == "deleted" and post.body_source == "" and post.body_html == ""
    page = client_for(reader).get(f"/austausch/faden/{thread.id}").text
    assert "Das nehme ich zurück" not in page and "gelöscht" in page


def test_deleting_a_post_sent_twice_says_it_is_deleted_not_that_it_is_someone_elses(make_space, author,
                                                                                    client_for):
    # A double tap or a retry: the second request found it deleted and answered "Sie können nur eigene Beiträge
    # löschen", as if the post had been somebody else's.
    space = make_space(moderation="post")
    post = start(space, author, body="Das nehme ich zurück").posts[0]
    browser = client_for(author)
    browser.post(f"/austausch/beitrag/{post.id}/loeschen", data={})
    page = browser.post(f"/austausch/beitrag/{post.id}/loeschen", data={}, follow_redirects=True).text
    assert "Ihr Beitrag ist gelöscht." in page
    assert "nur eigene Beiträge" not in page and "flash-error" not in page


def test_who_sees_what_quotes_the_note_a_deleted_post_leaves(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = start(space, author, body="Das nehme ich zurück")
    posting.delete_post(thread.posts[0], author, now=utcnow())
    db.session.commit()
    browser = client_for(reader)
    note = re.search(r'<article class="post post-deleted"[^>]*>.*?<p class="muted">([^<]+)</p>',
                     browser.get(f"/austausch/faden/{thread.id}").text, re.DOTALL).group(1)
    assert f"„{note}“" in browser.get("/austausch/wer-sieht-was").text


def test_quoting_prefills_the_reply_with_a_markdown_quote(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = start(space, author, body="Zeile eins\nZeile zwei")
    post = thread.posts[0]
    page = client_for(reader).get(f"/austausch/faden/{thread.id}?zitat={post.id}").text
    assert "&gt; Zeile eins\n&gt; Zeile zwei" in page


def test_post_longer_than_twenty_thousand_characters_is_refused(make_space, author, client_for):
    space = make_space(moderation="post")
    client_for(author).post(f"/austausch/raum/{space.id}/neu",
                            data={"title": "Lang", "body": "x" * 20_001})
    assert reading.threads_of(space, author, moderator=False) == []


def test_line_breaks_count_as_the_text_fields_counter_counts_them(make_space, author, client_for):
    # Browsers send each line break as "\r\n" while maxlength counts one character: 20,000 on the counter.
    space = make_space(moderation="post")
    body = "\r\n".join(["x" * 99] * 199 + ["x" * 100])  # 19,801 letters and 199 line breaks
    client_for(author).post(f"/austausch/raum/{space.id}/neu", data={"title": "Lang", "body": body})
    (stored,) = db.session.scalars(select(ExchangePost.body_source)).all()
    assert "\r" not in stored and len(stored) == 20_000


@pytest.mark.parametrize("decision", ["pending", "rejected"])
def test_deleting_an_opening_post_that_was_never_published_keeps_its_thread_from_others(
        space, moderator, author, reader, client_for, decision):
    thread = start(space, author, title="Ärger mit Schichtleiter Krause", body="Noch nicht geprüft")
    opening = thread.posts[0]
    if decision == "rejected":
        moderation.reject(opening, "Bitte ohne Namen", by=moderator, now=utcnow())
        db.session.commit()
    client_for(author).post(f"/austausch/beitrag/{opening.id}/loeschen", data={})
    db.session.expire_all()
    assert opening.status == "deleted"

    other = client_for(reader)
    assert other.get(f"/austausch/faden/{thread.id}").status_code == 404
    assert "Schichtleiter Krause" not in other.get(f"/austausch/raum/{space.id}").text
    assert reading.threads_of(space, reader, moderator=False) == []
    assert other.post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Ich auch"}).status_code == 404
    assert len(thread.posts) == 1


def test_deleting_a_hidden_opening_post_keeps_its_title_hidden_for_good(make_space, author, reader, client_for):
    space, mod, thread = hidden_offensive_thread(make_space, author, follower=reader)

    client_for(author).post(f"/austausch/beitrag/{thread.posts[0].id}/loeschen", data={})

    db.session.expire_all()
    assert thread.title == WITHDRAWN_TITLE
    pages = [(person, url) for person in (reader, mod, author)
             for url in (f"/austausch/raum/{space.id}", f"/austausch/faden/{thread.id}")]
    pages += [(person, "/austausch/benachrichtigungen") for person in (reader, author)]  # who follow it
    for person, url in pages:
        page = client_for(person).get(url).text
        assert "Meister Müller" not in page and "Gespräch ausgeblendet" in page, (person.display_name, url)


def test_the_hidden_title_stays_hidden_on_the_pages_to_report_and_to_edit_a_reply(
        make_space, make_user, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    colleague = make_user(name="Carla Conrad")
    thread = start(space, author, title="Meister Müller ist unfähig", body="Erster Beitrag")
    theirs = posting.reply(thread, colleague, "Finde ich nicht", anonymous=False, now=utcnow())
    mine = posting.reply(thread, reader, "Ich schon", anonymous=False, now=utcnow())
    moderation.hide(thread.posts[0], "Beleidigung", by=mod, now=utcnow())
    db.session.commit()
    browser = client_for(reader)
    for url in (f"/austausch/beitrag/{theirs.id}/melden", f"/austausch/beitrag/{mine.id}/bearbeiten"):
        page = browser.get(url)
        assert page.status_code == 200, url
        assert "Meister Müller" not in page.text and "Gespräch ausgeblendet" in page.text, url


def test_someone_elses_post_cannot_be_edited_and_the_refusal_says_why(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    post = start(space, author, body="Meins").posts[0]
    response = client_for(reader).post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": "Fremd"},
                                       follow_redirects=True)
    assert "Sie können nur eigene Beiträge bearbeiten." in response.text
    assert "ersten 30 Minuten" not in response.text


def test_moderators_are_not_told_their_posts_wait_for_approval(space, moderator, author, client_for):
    url = f"/austausch/raum/{space.id}/neu"
    own = client_for(moderator).get(url).text
    assert "Zur Freigabe senden" not in own and "Die Moderation prüft Beiträge" not in own
    assert "Veröffentlichen" in own
    member = client_for(author).get(url).text
    assert "Zur Freigabe senden" in member and "Die Moderation prüft Beiträge" in member

    thread = start(space, moderator, body="Leitfrage")
    page = client_for(moderator).get(f"/austausch/faden/{thread.id}").text
    assert "Antwort senden" in page and "Die Moderation prüft Beiträge" not in page


def test_the_thread_page_calls_it_a_conversation(make_space, author, client_for):
    thread = start(make_space(moderation="post"), author)
    page = client_for(author).get(f"/austausch/faden/{thread.id}").text
    assert "Sie folgen diesem Gespräch" in page and "Faden" not in page


def test_a_learner_guessing_a_draft_modules_number_creates_nothing(exchange_module, make_user, client_for):
    course = exchange_module.course
    course.status = "draft"
    db.session.commit()

    response = client_for(make_user()).get(f"/austausch/modul/{exchange_module.id}")

    assert response.status_code == 404
    assert db.session.scalar(select(ExchangeSpace).where(ExchangeSpace.module_id == exchange_module.id)) is None
