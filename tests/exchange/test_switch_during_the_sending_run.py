"""Switching how one follows a thread in the very moment the sending run works on its new post (PostgreSQL, where
both run at once): the post reaches the person once – in a mail of its own or in a digest, never in neither and
never in both."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event

from qualify.accounts.models import User
from qualify.core.mail import compose_deferred_mail
from qualify.core.time import utcnow
from qualify.exchange import following, posting
from qualify.exchange.jobs import send_daily_digests
from qualify.exchange.models import ExchangeThread
from qualify.extensions import db
from tests.exchange.conftest import outbox
from tests.workshops.test_concurrency import run_together


@pytest.mark.postgres
@pytest.mark.parametrize(("before", "after"), [("digest", "immediate"), ("immediate", "digest")])
def test_a_post_the_sending_run_is_working_on_reaches_who_switches_just_then_once(
        app, make_space, author, reader, before, after):
    space = make_space(moderation="post")
    start = utcnow() - timedelta(hours=3)
    thread = posting.start_thread(space, author, "Tagesthema", "Anfang", anonymous=False, now=start)
    following.follow(thread, reader, mode=before, now=start)
    compose_deferred_mail(start + timedelta(minutes=1))
    posting.reply(thread, author, "Mitten im Wechsel", anonymous=False, now=start + timedelta(hours=1))
    db.session.commit()
    thread_id, reader_id = thread.id, reader.id

    notes_taken = threading.Event()  # the run has taken the post's note, not yet committed
    switched = threading.Event()  # the switch has returned, not yet committed
    run_done = threading.Event()

    def pause_after_taking_the_notes(conn, cursor, statement, *args):
        taking_notes = statement.startswith("DELETE FROM exchange_post_notices")
        if taking_notes and threading.current_thread().name == "sending-run":
            notes_taken.set()
            switched.wait(timeout=2)  # a switch that waits for this run's notes lets the run go on after 2 s

    def sending_run(barrier):
        threading.current_thread().name = "sending-run"
        with app.app_context():
            barrier.wait()
            compose_deferred_mail(start + timedelta(hours=1, minutes=1))
            run_done.set()

    def switch(barrier):
        with app.app_context():
            barrier.wait()
            assert notes_taken.wait(timeout=10)
            following.follow(db.session.get(ExchangeThread, thread_id), db.session.get(User, reader_id), mode=after,
                             now=start + timedelta(hours=1, seconds=30))
            switched.set()
            run_done.wait(timeout=10)
            db.session.commit()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", pause_after_taking_the_notes)
    try:
        assert run_together([sending_run, switch]) == []
    finally:
        event.remove(engine, "after_cursor_execute", pause_after_taking_the_notes)
    if after == "digest":
        send_daily_digests(utcnow())
        db.session.commit()

    mails = outbox(reader.email)
    assert sum("Mitten im Wechsel" in mail.body_text for mail in mails) == 1
