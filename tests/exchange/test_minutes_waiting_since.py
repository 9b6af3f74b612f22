"""Minutes wait for approval since they came to wait – a draft since it was first saved, a change of approved minutes
since it was first saved beside them, approved minutes taken down after a withdrawn consent since then –, however
often they are saved again: as a new post waits since it was written, however often its author corrects it. The
queue lists them in that order and says since when; the reminder says since when the oldest waits."""

from datetime import datetime, timedelta

from qualify.core.time import to_local, utcnow
from qualify.exchange import minutes, minutes_names, minutes_text
from qualify.exchange.waiting import waiting_by_space
from qualify.extensions import db
from qualify.privacy.services import erase_account
from tests.exchange.test_moderator_reminders import MONDAY, morning, remind, reminders
from tests.exchange.test_waiting_minutes import more_sessions

FIELDS = {"topics": "Einführung des MES", "outcomes": "Schulung vor dem Start gewünscht"}
CHANGED = {**FIELDS, "outcomes": "Schulung im Januar vereinbart"}


def days_ago(days: float) -> datetime:
    return utcnow() - timedelta(days=days)


def save(session, space, moderator, fields=FIELDS, named=(), *, at: datetime):
    record = minutes.save_minutes(session, space, fields, list(named), by=moderator, now=at)
    db.session.commit()
    return record


def approve(record, session, space, moderator, *, at: datetime) -> None:
    minutes.publish_minutes(record, session, space, by=moderator, now=at)
    db.session.commit()


def waiting_since(session) -> datetime | None:
    db.session.expire_all()
    return minutes_text.minutes_of(session).waiting_since


def fresh_status(session) -> tuple[str, datetime | None]:
    db.session.expire_all()
    record = minutes_text.minutes_of(session)
    return record.status, record.waiting_since


def said(moment: datetime) -> str:
    """As the reminder says a moment."""
    return f"{to_local(moment):%d.%m.%Y, %H:%M}"


def shown(moment: datetime) -> str:
    """As the queue shows a moment (short)."""
    return f"{to_local(moment):%d.%m.%y, %H:%M}"


def test_a_draft_saved_again_and_again_waits_since_it_was_first_saved(session, space, moderator):
    first = days_ago(5)
    save(session, space, moderator, at=first)
    save(session, space, moderator, CHANGED, at=days_ago(1))
    save(session, space, moderator, {**CHANGED, "next_steps": "Betriebsrat einbeziehen"}, at=days_ago(0.1))

    assert waiting_since(session) == first
    assert waiting_by_space()[space.id].since == first
    assert remind(morning(MONDAY)) == 1
    (mail,) = reminders(moderator)
    assert f"Das Älteste wartet seit {said(first)}." in mail.body_text


def test_a_change_of_approved_minutes_waits_since_it_was_first_saved_and_no_longer_once_decided(
        session, space, moderator):
    record = save(session, space, moderator, at=days_ago(9))
    approve(record, session, space, moderator, at=days_ago(8))
    assert waiting_since(session) is None
    assert space.id not in waiting_by_space()

    changed_at = days_ago(6)
    save(session, space, moderator, CHANGED, at=changed_at)
    save(session, space, moderator, {**CHANGED, "open_questions": "Wer wertet aus?"}, at=days_ago(2))
    assert waiting_since(session) == changed_at

    assert minutes.reject_change(record, session, space, by=moderator, now=days_ago(1))
    db.session.commit()
    assert waiting_since(session) is None
    assert space.id not in waiting_by_space()

    again = days_ago(0.5)  # a new change after the decision: a new wait
    save(session, space, moderator, CHANGED, at=again)
    assert waiting_since(session) == again
    approve(record, session, space, moderator, at=utcnow())
    assert waiting_since(session) is None


def test_a_change_written_back_to_the_approved_version_waits_no_longer(session, space, moderator):
    record = save(session, space, moderator, at=days_ago(3))
    approve(record, session, space, moderator, at=days_ago(3))
    save(session, space, moderator, CHANGED, at=days_ago(2))

    save(session, space, moderator, FIELDS, at=days_ago(1))

    assert fresh_status(session) == ("published", None)


def test_approved_minutes_taken_down_after_a_withdrawn_consent_wait_since_the_withdrawal(
        session, space, moderator, reader):
    minutes_names.set_consent(session, reader, True, now=days_ago(10))
    record = save(session, space, moderator, {**FIELDS, "topics": f"Bericht von {reader.display_name}"},
                  [reader.id], at=days_ago(9))
    approve(record, session, space, moderator, at=days_ago(9))

    withdrawn_at = days_ago(2)
    minutes_names.set_consent(session, reader, False, now=withdrawn_at)
    db.session.commit()

    assert fresh_status(session) == ("draft", withdrawn_at)
    assert waiting_by_space()[space.id].minutes == 1


def test_a_change_waiting_when_the_approved_version_is_taken_down_keeps_waiting_since_it_was_saved(
        session, space, moderator, reader):
    minutes_names.set_consent(session, reader, True, now=days_ago(10))
    record = save(session, space, moderator, {**FIELDS, "topics": f"Bericht von {reader.display_name}"},
                  [reader.id], at=days_ago(9))
    approve(record, session, space, moderator, at=days_ago(9))
    changed_at = days_ago(4)
    save(session, space, moderator, CHANGED, [reader.id], at=changed_at)  # no longer names them in its text

    minutes_names.set_consent(session, reader, False, now=days_ago(2))
    db.session.commit()

    assert fresh_status(session) == ("draft", changed_at)
    assert not minutes_text.minutes_of(session).is_shown


def test_approved_minutes_taken_down_by_an_erasure_wait_since_the_erasure(session, space, moderator, reader):
    minutes_names.set_consent(session, reader, True, now=days_ago(10))
    record = save(session, space, moderator, named=[reader.id], at=days_ago(9))
    approve(record, session, space, moderator, at=days_ago(9))

    erased_at = days_ago(1)
    erase_account(reader, keep_posts=False, now=erased_at)
    db.session.commit()

    assert fresh_status(session) == ("draft", erased_at)


def test_the_queue_lists_minutes_by_since_when_they_wait_and_says_when_they_were_saved_last(
        session, exchange_module, space, moderator, client_for):
    first = days_ago(6)
    save(session, space, moderator, at=first)
    (later,) = more_sessions(exchange_module, moderator, 1)
    save(later, space, moderator, at=days_ago(3))
    saved_again = days_ago(1)
    save(session, space, moderator, CHANGED, at=saved_again)  # saved after the other, waiting longer

    page = client_for(moderator).get("/austausch/moderation").text

    section = page[page.index('id="protokolle"'):page.index('id="meldungen"')]
    assert section.index(f"/termin/{session.id}/protokoll") < section.index(f"/termin/{later.id}/protokoll")
    oldest = section[section.index(f'id="protokoll-{minutes_text.minutes_of(session).id}"'):]
    oldest = oldest[:oldest.index("</li>")]
    assert f"wartet seit {shown(first)}" in oldest
    assert f"gespeichert am {shown(saved_again)}" in oldest
    other = section[section.index(f'id="protokoll-{minutes_text.minutes_of(later).id}"'):]
    assert "gespeichert am" not in other[:other.index("</li>")]  # saved once: when it came to wait says it

