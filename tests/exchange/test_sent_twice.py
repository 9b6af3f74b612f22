"""A moderator's decision sent twice – at the same moment (a double tap on a slow connection) or again once the
first is done – is made once: one entry in the log, one set of mails."""

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import errors, following, moderation, moderation_threads, posting, spaces
from qualify.exchange.models import ExchangeLogEntry, ExchangePost, ExchangeThread
from qualify.extensions import db
from tests.exchange.conftest import as_seen, assign, outbox
from tests.workshops.test_concurrency import run_together


def start(space, user, title="Cobots an Linie 4", body="Wie geht es euch mit dem Cobot?", anonymous=False):
    thread = posting.start_thread(space, user, title, body, anonymous=anonymous, now=utcnow())
    db.session.commit()
    return thread


def entries(action: str) -> list[ExchangeLogEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(ExchangeLogEntry).where(ExchangeLogEntry.action == action)))


def mails_to(person, about: str) -> list:
    return [mail for mail in outbox(person.email) if about in mail.subject]


def three_at_once(client_for, person, url: str, data: dict) -> list[int]:
    """Send the same form three times at the same moment, as three taps would; return the answers' statuses."""
    browsers = [client_for(person) for _ in range(3)]
    forms = [{**data, "csrf_token": browser.csrf_token()} for browser in browsers]  # fetched before the burst
    answers = []

    def send(browser, form):
        def task(barrier):
            barrier.wait()
            answers.append(browser.post(url, data=form).status_code)
        return task

    assert run_together([send(browser, form) for browser, form in zip(browsers, forms, strict=True)]) == []
    return answers


@pytest.fixture
def waiting_reply(space, moderator, author, reader):
    """A reply waiting for approval in a thread the reader follows."""
    thread = start(space, author)
    moderation.approve(thread.posts[0], by=moderator, now=utcnow())
    following.follow(thread, reader, mode="immediate", now=utcnow())
    reply = posting.reply(thread, author, "Bei uns läuft er seit Mai.", anonymous=False, now=utcnow())
    db.session.commit()
    return reply


def test_approving_three_times_at_once_publishes_once_and_tells_each_follower_once(
        waiting_reply, moderator, reader, client_for):
    url = f"/austausch/beitrag/{waiting_reply.id}/freigeben"

    answers = three_at_once(client_for, moderator, url, as_seen(waiting_reply))

    assert answers == [302] * 3
    assert [entry.post_id for entry in entries("approve")].count(waiting_reply.id) == 1
    assert len(mails_to(reader, "Neuer Beitrag")) == 1


def test_hiding_three_times_at_once_hides_once_and_tells_the_author_once(make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    post = start(space, author).posts[0]

    answers = three_at_once(client_for, mod, f"/austausch/beitrag/{post.id}/ausblenden", {"reason": "Beleidigung"})

    assert answers == [302] * 3
    assert len(entries("hide")) == 1
    assert len(mails_to(author, "ausgeblendet")) == 1


def test_locking_three_times_at_once_locks_once(make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author)

    three_at_once(client_for, mod, f"/austausch/faden/{thread.id}/sperren", {"value": "1"})

    assert len(entries("lock")) == 1


def test_a_decision_sent_again_after_the_first_is_made_once_with_one_set_of_mails(
        waiting_reply, moderator, author, reader, client_for):
    browser = client_for(moderator)
    form = as_seen(waiting_reply)
    for _tap in range(2):
        response = browser.post(f"/austausch/beitrag/{waiting_reply.id}/freigeben", data=form,
                                follow_redirects=True)
        assert "Beitrag in „Cobots an Linie 4“ freigegeben." in response.text  # the second finds it done: no error
    assert len(entries("approve")) == 2  # the opening post's and the reply's
    assert len(mails_to(reader, "Neuer Beitrag")) == 1

    hide = {"reason": "Doch nicht passend"}
    for _tap in range(2):
        browser.post(f"/austausch/beitrag/{waiting_reply.id}/ausblenden", data=hide)
    assert len(entries("hide")) == 1 and len(mails_to(author, "ausgeblendet")) == 1

    for _tap in range(2):
        browser.post(f"/austausch/beitrag/{waiting_reply.id}/wiederherstellen", data={})
    assert len(entries("restore")) == 1


def test_rejecting_twice_rejects_once(space, moderator, author):
    post = start(space, author).posts[0]
    for _tap in range(2):
        moderation.reject(post, "Bitte ohne Namen", by=moderator, now=utcnow())
        db.session.commit()
    assert len(entries("reject")) == 1 and len(mails_to(author, "nicht freigegeben")) == 1


@pytest.mark.parametrize("decision", ["approve_change", "reject_change"])
def test_a_decision_on_a_change_sent_twice_is_made_once(space, moderator, author, decision):
    post = start(space, author).posts[0]
    moderation.approve(post, by=moderator, now=utcnow())
    posting.edit_post(post, author, "Geänderte Fassung", now=utcnow())
    db.session.commit()
    seen = moderation.seen_version(post)
    for _tap in range(2):
        if decision == "approve_change":
            moderation.approve_change(post, by=moderator, now=utcnow(), seen=seen)
        else:
            moderation.reject_change(post, "Bitte beim Alten lassen", by=moderator, now=utcnow(), seen=seen)
        db.session.commit()
    assert len(entries(decision)) == 1
    assert len(mails_to(author, "Änderung wurde nicht freigegeben")) == (decision == "reject_change")


def test_locking_unlocking_and_pinning_twice_log_once_each(make_space, author):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author)
    for locked in (True, True, False, False):
        moderation_threads.set_locked(thread, locked, by=mod, now=utcnow())
        db.session.commit()
    for _tap in range(2):
        moderation_threads.set_pinned(thread, True, by=mod, now=utcnow())
        db.session.commit()
    assert [len(entries(action)) for action in ("lock", "unlock", "pin")] == [1, 1, 1]


def test_moving_twice_moves_once(make_space, make_user, author, client_for):
    source = make_space(moderation="post")
    mod = spaces.moderators_of(source)[0]
    target = make_space(moderation="post", by=mod, title="Weiterbildung")
    thread = start(source, author)
    browser = client_for(mod)
    for _tap in range(2):
        response = browser.post(f"/austausch/faden/{thread.id}/verschieben",
                                data={"target": target.id, "reason": "passt besser"}, follow_redirects=True)
        assert "Das Gespräch ist verschoben." in response.text
    db.session.expire_all()
    assert thread.space_id == target.id and len(entries("move")) == 2  # one in each space's log
    colleague = make_user(Role.MODERATOR)
    for space in (source, target):
        assign(space, colleague)
    with pytest.raises(errors.ExchangeError, match="schon in diesem Raum"):  # not their move: they are told
        moderation_threads.move(thread, target, by=colleague, now=utcnow())


def test_merging_twice_merges_once(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    original = start(space, author, title="Schichtpläne", body="Original")
    duplicate = start(space, reader, title="Schichtplan", body="Doppelt gefragt")
    browser = client_for(mod)
    for _tap in range(2):
        browser.post(f"/austausch/faden/{duplicate.id}/zusammenfuehren", data={"target": original.id, "confirmed": "1"})
    assert len(entries("merge")) == 1
    assert [post.body_source for post in db.session.get(ExchangeThread, original.id).posts] == [
        "Original", "Doppelt gefragt"]


def test_dismissing_reports_twice_logs_once(make_space, author, reader):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    post = start(space, author).posts[0]
    following.flag(post, reader, "Bitte ansehen", now=utcnow())
    db.session.commit()
    for _tap in range(2):
        moderation.dismiss_flags(post, by=mod, now=utcnow())
        db.session.commit()
    assert len(entries("dismiss_flags")) == 1


def test_another_moderators_decision_on_a_post_decided_meanwhile_is_still_refused(make_space, make_user, author):
    space = make_space(moderation="post")
    first = spaces.moderators_of(space)[0]
    second = make_user(Role.MODERATOR)
    assign(space, second)
    post = start(space, author).posts[0]
    moderation.hide(post, "Beleidigung", by=first, now=utcnow())
    db.session.commit()
    with pytest.raises(errors.ExchangeError, match="anderen Zustand"):
        moderation.hide(post, "Auch meine Meinung", by=second, now=utcnow())
    db.session.rollback()
    assert len(entries("hide")) == 1 and len(mails_to(author, "ausgeblendet")) == 1
    assert db.session.get(ExchangePost, post.id).moderation_reason == "Beleidigung"
