"""An author changes their approved post in a pre-moderated space: the change waits for the moderation, and
meanwhile everybody keeps reading the approved text – the conversation never disappears."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from qualify.core.time import utcnow
from qualify.exchange import following, moderation, moderation_log, moderation_queue, posting, spaces
from qualify.exchange.errors import ExchangeError
from qualify.exchange.models import ExchangePost, ExchangeThread
from qualify.extensions import db
from qualify.privacy import services
from tests.exchange.conftest import as_seen, outbox

APPROVED, CHANGED = "Wir tauschen Schichten über das Brett.", "Wir tauschen Schichten jetzt über die App."


@pytest.fixture
def approved(make_space, author):
    """An approved opening post, written and approved ten minutes ago (still in its author's edit window)."""
    space = make_space(moderation="pre")
    mod = spaces.moderators_of(space)[0]
    earlier = utcnow() - timedelta(minutes=10)
    thread = posting.start_thread(space, author, "Schichttausch", APPROVED, anonymous=False, now=earlier)
    moderation.approve(thread.posts[0], by=mod, now=earlier)
    db.session.commit()
    return thread.posts[0], mod


def change(post, author, body=CHANGED):
    posting.edit_post(post, author, body, now=utcnow())
    db.session.commit()


def fresh(post) -> ExchangePost:
    db.session.expire_all()
    return db.session.get(ExchangePost, post.id)


def test_while_a_change_of_the_opening_post_waits_the_conversation_stays_readable_as_approved(
        approved, author, reader, client_for):
    post, mod = approved
    own_reply = posting.reply(post.thread, reader, "Bei uns auch!", anonymous=False, now=utcnow())
    moderation.approve(own_reply, by=mod, now=utcnow())
    db.session.commit()

    response = client_for(author).post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": CHANGED},
                                       follow_redirects=True)

    assert "Ihre Änderung wartet auf Freigabe durch die Moderation." in response.text
    post = fresh(post)
    assert post.status == "published" and post.body_source == APPROVED and post.edited_at is None
    other = client_for(reader)
    page = other.get(f"/austausch/faden/{post.thread_id}")
    assert page.status_code == 200
    assert APPROVED in page.text and "Bei uns auch!" in page.text
    assert CHANGED not in page.text and "bearbeitet" not in page.text and "Änderung" not in page.text
    assert "Schichttausch" in other.get(f"/austausch/raum/{post.thread.space_id}").text
    assert "Schichttausch" in other.get("/austausch/benachrichtigungen").text


def test_the_author_sees_that_the_change_waits_and_finds_it_in_the_edit_form_to_amend_it(
        approved, author, client_for):
    post, _mod = approved
    change(post, author)
    browser = client_for(author)

    page = browser.get(f"/austausch/faden/{post.thread_id}").text
    assert "Ihre Änderung wartet auf Freigabe durch die Moderation." in page
    assert APPROVED in page and "Geänderte Fassung lesen" in page and CHANGED in page

    form = browser.get(f"/austausch/beitrag/{post.id}/bearbeiten").text
    assert CHANGED in form and APPROVED not in form
    browser.post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": CHANGED + " Seit Mai."})
    post = fresh(post)
    assert post.revision_source == CHANGED + " Seit Mai." and post.body_source == APPROVED


def test_going_back_to_the_approved_text_leaves_nothing_to_decide(approved, author):
    post, _mod = approved
    change(post, author)
    change(post, author, APPROVED)
    post = fresh(post)
    assert not post.has_waiting_change and moderation_queue.pending_posts([post.thread.space_id]) == []


def test_the_queue_shows_the_change_of_an_approved_post_and_which_text_is_which(approved, author, client_for):
    post, mod = approved
    change(post, author)
    assert moderation_queue.pending_posts([post.thread.space_id]) == [post]

    queue = client_for(mod).get("/austausch/moderation").text
    item = queue[queue.index(f'id="beitrag-{post.id}"'):queue.index('id="meldungen"')]
    assert "Änderung eines freigegebenen Beitrags" in item
    new, shown = item.split("Bisher sichtbare Fassung lesen")
    assert "Neue Fassung (wartet auf Freigabe)" in new and CHANGED in new and APPROVED not in new
    assert APPROVED in shown
    assert f"/austausch/beitrag/{post.id}/aenderung-freigeben" in item
    assert f"/austausch/beitrag/{post.id}/aenderung-ablehnen" in item
    assert f"/austausch/beitrag/{post.id}/freigeben" not in item  # not a new post to publish


def test_approving_the_change_puts_it_in_place_without_a_new_post_mail_or_moving_the_thread_up(
        approved, author, reader, client_for):
    post, mod = approved
    following.follow(post.thread, reader, mode="immediate", now=utcnow())
    db.session.commit()
    thread = db.session.get(ExchangeThread, post.thread_id)
    last_activity, published_at = thread.last_activity_at, post.published_at
    change(post, author)
    mails_before = len(outbox())

    response = client_for(mod).post(f"/austausch/beitrag/{post.id}/aenderung-freigeben",
                                    data=as_seen(post, next="/austausch/moderation"))

    assert response.status_code == 302
    post = fresh(post)
    assert post.status == "published" and post.body_source == CHANGED and CHANGED in post.body_html
    assert not post.has_waiting_change and post.edited_at is not None
    assert post.published_at == published_at and post.thread.last_activity_at == last_activity
    assert len(outbox()) == mails_before and outbox(reader.email) == []
    assert [e.action for e in moderation_log.log_entries(post.thread.space)][0] == "approve_change"
    page = client_for(reader).get(f"/austausch/faden/{post.thread_id}").text
    assert CHANGED in page and APPROVED not in page and "bearbeitet" in page
    assert moderation_queue.pending_posts([post.thread.space_id]) == []


def test_approving_a_change_is_not_publishing_and_publishing_is_not_approving_a_change(approved, author):
    post, mod = approved
    change(post, author)
    with pytest.raises(ExchangeError, match="anderen Zustand"):
        moderation.approve(post, by=mod, now=utcnow())
    db.session.rollback()
    pending = posting.reply(post.thread, author, "Noch eine Antwort", anonymous=False, now=utcnow())
    with pytest.raises(ExchangeError, match="anderen Zustand"):
        moderation.approve_change(pending, by=mod, now=utcnow())


def test_rejecting_the_change_keeps_the_approved_text_and_mails_the_author_why(
        approved, author, reader, client_for):
    post, mod = approved
    change(post, author)
    moderator = client_for(mod)
    moderator.post(f"/austausch/beitrag/{post.id}/aenderung-ablehnen", data=as_seen(post, reason="  "))
    assert fresh(post).has_waiting_change and outbox(author.email) == []  # a reason is needed

    moderator.post(f"/austausch/beitrag/{post.id}/aenderung-ablehnen",
                   data=as_seen(fresh(post), reason="Bitte keine App-Namen nennen."))

    post = fresh(post)
    assert post.status == "published" and post.body_source == APPROVED and not post.has_waiting_change
    (mail,) = outbox(author.email)
    assert mail.subject == "Ihre Änderung wurde nicht freigegeben: Schichttausch"
    assert "Ihre Änderung an Ihrem Beitrag" in mail.body_text and "bleibt so sichtbar" in mail.body_text
    assert "Bitte keine App-Namen nennen." in mail.body_text and CHANGED in mail.body_text
    assert outbox(reader.email) == []
    entry = moderation_log.log_entries(post.thread.space)[0]
    assert entry.action == "reject_change" and entry.reason == "Bitte keine App-Namen nennen."
    assert APPROVED in client_for(reader).get(f"/austausch/faden/{post.thread_id}").text
    assert "Ihre Änderung wartet" not in client_for(author).get(f"/austausch/faden/{post.thread_id}").text


@pytest.mark.parametrize("decision", ["aenderung-freigeben", "aenderung-ablehnen"])
def test_a_decision_on_a_change_amended_since_the_queue_was_loaded_is_refused(
        approved, author, client_for, decision):
    post, mod = approved
    change(post, author)
    as_shown = as_seen(post, reason="Passt nicht", next="/austausch/moderation")
    change(post, author, "SPAM SPAM SPAM")

    response = client_for(mod).post(f"/austausch/beitrag/{post.id}/{decision}", data=as_shown,
                                    follow_redirects=True)

    assert "Der Beitrag wurde inzwischen geändert. Bitte prüfen Sie ihn erneut." in response.text
    post = fresh(post)
    assert post.body_source == APPROVED and post.revision_source == "SPAM SPAM SPAM" and outbox(author.email) == []


def test_hiding_the_post_drops_its_waiting_change(approved, author, client_for):
    post, mod = approved
    change(post, author)
    client_for(mod).post(f"/austausch/beitrag/{post.id}/ausblenden", data={"reason": "Beleidigung"})
    post = fresh(post)
    assert post.status == "hidden" and post.body_source == APPROVED and not post.has_waiting_change
    assert post.revision_source is None and post.revision_html is None
    moderation.restore(post, by=mod, now=utcnow())
    db.session.commit()
    assert fresh(post).body_source == APPROVED and moderation_queue.pending_posts([post.thread.space_id]) == []


def test_deleting_the_post_drops_its_waiting_change(approved, author, client_for):
    post, _mod = approved
    change(post, author)
    client_for(author).post(f"/austausch/beitrag/{post.id}/loeschen", data={})
    post = fresh(post)
    assert post.status == "deleted" and post.revision_source is None and post.revision_html is None
    assert moderation_queue.pending_posts([post.thread.space_id]) == []


def test_a_post_not_approved_yet_or_sent_back_is_itself_changed_as_before(make_space, author):
    space = make_space(moderation="pre")
    mod = spaces.moderators_of(space)[0]
    waiting = posting.start_thread(space, author, "Wartet", "Erste Fassung", anonymous=False, now=utcnow()).posts[0]
    sent_back = posting.start_thread(space, author, "Zurück", "Mit Namen", anonymous=False, now=utcnow()).posts[0]
    moderation.reject(sent_back, "Name entfernen", by=mod, now=utcnow())
    db.session.commit()

    change(waiting, author, "Zweite Fassung")
    change(sent_back, author, "Ohne Namen")

    for post, text in ((waiting, "Zweite Fassung"), (sent_back, "Ohne Namen")):
        post = fresh(post)
        assert post.status == "pending" and post.body_source == text and not post.has_waiting_change


def test_a_moderators_own_edit_and_an_edit_in_a_post_moderated_space_apply_at_once(
        make_space, author, client_for):
    premoderated = make_space(moderation="pre")
    mod = spaces.moderators_of(premoderated)[0]
    own = posting.start_thread(premoderated, mod, "Regeln", "Alte Regeln", anonymous=False, now=utcnow()).posts[0]
    open_space = make_space(moderation="post", title="Offener Raum")
    theirs = posting.start_thread(open_space, author, "Offen", "Alt", anonymous=False, now=utcnow()).posts[0]
    db.session.commit()

    change(own, mod, "Neue Regeln")
    change(theirs, author, "Neu")

    for post, text in ((own, "Neue Regeln"), (theirs, "Neu")):
        post = fresh(post)
        assert post.status == "published" and post.body_source == text and not post.has_waiting_change


def test_the_data_export_holds_a_waiting_change_and_erasing_the_account_removes_it(approved, author):
    post, _mod = approved
    change(post, author, "Meine geheime Überlegung zum Schichttausch")

    (row,) = services.export_personal_data(author)["exchange"]["exchange_posts.author_id"]
    assert row["body_source"] == APPROVED and row["revision_source"] == "Meine geheime Überlegung zum Schichttausch"

    services.erase_account(author, keep_posts=True, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    (kept,) = db.session.scalars(select(ExchangePost).where(ExchangePost.thread_id == post.thread_id))
    assert kept.body_source == APPROVED and kept.author_id != author.id
    assert kept.revision_source is None and kept.revision_html is None and kept.revised_at is None
    assert moderation_queue.pending_posts([post.thread.space_id]) == []


def test_after_saving_a_change_the_thread_says_once_and_at_the_post_that_it_waits(approved, author, client_for):
    post, _mod = approved

    page = client_for(author).post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": CHANGED},
                                   follow_redirects=True).text

    # The message on top is also shown at the post by app.js: it says what happened, the post what is now.
    flashes = re.search(r'<div class="flashes".*?</div>', page, re.S).group(0)
    assert "Ihre Änderung ist gespeichert." in flashes and "wartet" not in flashes
    article = re.search(rf'<article[^>]*id="beitrag-{post.id}".*?</article>', page, re.S).group(0)
    assert page.count("Ihre Änderung wartet auf Freigabe") == article.count("Ihre Änderung wartet auf Freigabe") == 1
