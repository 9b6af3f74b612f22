"""A new post's followers are told by the next sending run of the outbox, not in the request that published it:
once each, in their language, and never about what was taken back or erased before the run."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from qualify.core.mail import OutboxMessage, compose_deferred_mail, send_due_mail
from qualify.core.time import utcnow
from qualify.exchange import following, moderation, posting, spaces
from qualify.exchange.models import PostNotice
from qualify.extensions import db
from qualify.privacy.services import erase_account
from tests.exchange.conftest import assert_no_identity, outbox
from tests.workshops.test_concurrency import run_together

START = utcnow() - timedelta(hours=1)


def mails_in_outbox() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(OutboxMessage.id)))


@pytest.fixture
def open_space(make_space):
    return make_space(moderation="post")


@pytest.fixture
def followed(open_space, make_user):
    """A thread followed post by post by a German and an English reader."""
    opener = make_user(name="Erika Eröffnerin")
    thread = posting.start_thread(open_space, opener, "Cobots an Linie 4", "Wie geht es euch?", anonymous=False,
                                  now=START)
    german = make_user(name="Gerda Deutsch", email="gerda@example.org")
    english = make_user(name="Emma English", email="emma@example.org", language="en")
    for person in (german, english):
        following.follow(thread, person, mode="immediate", now=START)
    db.session.commit()
    return thread, opener, german, english


def test_the_reply_queues_no_mail_and_the_sending_run_tells_each_follower_in_their_language(followed, author):
    thread, opener, german, english = followed
    posting.reply(thread, author, "Bei uns läuft er seit Mai.", anonymous=False, now=START + timedelta(minutes=5))
    db.session.commit()
    assert mails_in_outbox() == 0

    assert send_due_mail(START + timedelta(minutes=6)) == 3  # the opener follows their thread too

    (to_german,) = outbox(german.email)
    assert to_german.subject == "Neuer Beitrag: Cobots an Linie 4"
    assert "Hallo Gerda Deutsch" in to_german.body_text and "Bei uns läuft er seit Mai." in to_german.body_text
    (to_english,) = outbox(english.email)
    assert to_english.subject == "New post: Cobots an Linie 4"
    assert "There is a new post by Kowalczyk Anneliese" in to_english.body_text
    assert len(outbox(opener.email)) == 1
    assert outbox(author.email) == []  # not told of their own post


def test_a_second_sending_run_tells_nobody_again(followed, author):
    thread, _opener, _german, _english = followed
    posting.reply(thread, author, "Bei uns läuft er seit Mai.", anonymous=False, now=START + timedelta(minutes=5))
    db.session.commit()
    assert send_due_mail(START + timedelta(minutes=6)) == 3

    assert send_due_mail(START + timedelta(minutes=7)) == 0
    assert mails_in_outbox() == 3
    assert db.session.scalar(select(func.count(PostNotice.id))) == 0


def test_two_sending_runs_composing_at_once_write_each_follower_one_mail(followed, author, app):
    # Two schedulers by mistake: the second finds the note taken by the first (on PostgreSQL it waits for the
    # first to commit; SQLite has one writer). Sending each message once is the outbox's own lock.
    thread, opener, german, english = followed
    posting.reply(thread, author, "Bei uns läuft er seit Mai.", anonymous=False, now=START + timedelta(minutes=5))
    db.session.commit()

    def sending_run(barrier):
        with app.app_context():  # a session of its own, as a second scheduler process would have
            barrier.wait()
            compose_deferred_mail(START + timedelta(minutes=6))

    assert run_together([sending_run, sending_run]) == []
    assert mails_in_outbox() == 3
    assert all(len(outbox(person.email)) == 1 for person in (opener, german, english))


def test_a_pseudonymous_reply_is_mailed_under_its_pseudonym_only(open_space, make_user, author, reader):
    thread = posting.start_thread(open_space, make_user(), "Schichtmodelle", "Wer hat Erfahrung?",
                                  anonymous=False, now=START)
    following.follow(thread, reader, mode="immediate", now=START)
    post = posting.reply(thread, author, "Wir haben vier Schichten.", anonymous=True, now=START + timedelta(minutes=1))
    db.session.commit()

    (mail,) = outbox(reader.email)
    assert post.pseudonym in mail.body_text
    assert_no_identity(mail.subject + mail.body_text, author)


def test_a_post_deleted_before_the_sending_run_is_mailed_to_nobody(open_space, author, reader):
    thread = posting.start_thread(open_space, author, "Schichtmodelle", "Wer hat Erfahrung?", anonymous=False,
                                  now=START)
    following.follow(thread, reader, mode="immediate", now=START)
    post = posting.reply(thread, author, "Doch lieber nicht", anonymous=False, now=START + timedelta(minutes=1))
    posting.delete_post(post, author, now=START + timedelta(minutes=2))
    db.session.commit()

    assert send_due_mail(START + timedelta(minutes=3)) == 0
    assert outbox(reader.email) == []


def test_a_post_hidden_before_the_sending_run_is_mailed_to_nobody_not_even_once_restored(
        open_space, author, reader):
    moderator = spaces.moderators_of(open_space)[0]
    thread = posting.start_thread(open_space, moderator, "Schichtmodelle", "Wer hat Erfahrung?", anonymous=False,
                                  now=START)
    following.follow(thread, reader, mode="immediate", now=START)
    post = posting.reply(thread, author, "Beleidigung", anonymous=False, now=START + timedelta(minutes=1))
    moderation.hide(post, "Beleidigend", by=moderator, now=START + timedelta(minutes=2))
    db.session.commit()
    assert outbox(reader.email) == []

    moderation.restore(post, by=moderator, now=START + timedelta(minutes=3))  # not new: no mail, as before
    db.session.commit()
    assert outbox(reader.email) == []


def test_a_post_erased_with_its_authors_account_before_the_sending_run_is_mailed_to_nobody(
        open_space, make_user, author, reader):
    thread = posting.start_thread(open_space, make_user(), "Schichtmodelle", "Wer hat Erfahrung?",
                                  anonymous=False, now=START)
    following.follow(thread, reader, mode="immediate", now=START)
    posting.reply(thread, author, "Bei Anneliese zu Hause", anonymous=False, now=START + timedelta(minutes=1))
    db.session.commit()
    erase_account(author, keep_posts=False, now=START + timedelta(minutes=2))
    db.session.commit()

    assert outbox(reader.email) == []


def test_a_follower_deactivated_before_the_sending_run_is_not_written_to(followed, author):
    thread, _opener, german, _english = followed
    posting.reply(thread, author, "Bei uns läuft er seit Mai.", anonymous=False, now=START + timedelta(minutes=5))
    german.active = False
    db.session.commit()

    assert send_due_mail(START + timedelta(minutes=6)) == 2
    assert outbox(german.email) == []


def test_who_follows_only_after_the_post_appeared_is_not_mailed_about_it(open_space, make_user, author, reader):
    thread = posting.start_thread(open_space, make_user(), "Schichtmodelle", "Wer hat Erfahrung?",
                                  anonymous=False, now=START)
    posting.reply(thread, author, "Schon da", anonymous=False, now=START + timedelta(minutes=1))
    following.follow(thread, reader, mode="immediate", now=START + timedelta(minutes=2))  # read it there
    db.session.commit()

    assert outbox(reader.email) == []


def test_a_held_post_is_noted_for_its_followers_only_when_approved(space, moderator, author, reader):
    thread = posting.start_thread(space, moderator, "Frage", "Was hat sich verändert?", anonymous=False, now=START)
    following.follow(thread, reader, mode="immediate", now=START)
    post = posting.reply(thread, author, "Meine Antwort", anonymous=False, now=START + timedelta(minutes=1))
    db.session.commit()
    assert db.session.scalar(select(PostNotice.post_id).where(PostNotice.post_id == post.id)) is None
    assert outbox(reader.email) == []

    moderation.approve(post, by=moderator, now=START + timedelta(minutes=2))
    db.session.commit()
    assert db.session.scalar(select(PostNotice.post_id).where(PostNotice.post_id == post.id)) == post.id
    (mail,) = outbox(reader.email)
    assert "Meine Antwort" in mail.body_text
