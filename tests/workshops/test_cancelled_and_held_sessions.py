"""A session that took place is not called off afterwards, and one called off takes no attendance: the trainer's
pages say so instead of offering what then fails."""

from datetime import timedelta

import pytest

from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.workshops import schedule
from qualify.workshops.attendance import mark_attendance
from qualify.workshops.models import WorkshopSession
from qualify.workshops.services import BookingError
from tests.workshops.conftest import bookings_of, outbox


def started(session: WorkshopSession) -> WorkshopSession:
    """The session moved to have begun half an hour ago (three hours long)."""
    session = db.session.get(WorkshopSession, session.id)
    session.starts_at = utcnow() - timedelta(minutes=30)
    session.ends_at = session.starts_at + timedelta(hours=3)
    db.session.commit()
    return session


@pytest.fixture
def held(make_session, make_user, trainer):
    """A session under way with two people booked, one of them marked present."""
    came, missed = make_user(name="Cora Gekommen"), make_user(name="Mats Gefehlt")
    session = started(make_session(booked=[came, missed]))
    mark_attendance(bookings_of(session)[0], "present", by=trainer, now=utcnow())
    db.session.commit()
    return session, came, missed


def test_a_session_with_attendance_entered_is_not_cancelled_nor_anyone_told(held, trainer):
    session, came, _missed = held
    with pytest.raises(schedule.ScheduleError, match="hat stattgefunden"):
        schedule.cancel_session(session, by=trainer, now=utcnow())
    db.session.rollback()
    assert not db.session.get(WorkshopSession, session.id).is_cancelled
    assert not outbox(came.email, "abgesagt")


def test_the_cancel_page_of_a_session_that_took_place_says_why_and_leads_back(held, client, login, trainer):
    session, came, _missed = held
    login(trainer)

    page = client.get(f"/termine/{session.id}/absagen").text
    assert "hat stattgefunden und kann nicht mehr abgesagt werden" in page
    assert "Termin absagen und alle benachrichtigen" not in page
    assert f'href="/termine/{session.id}"' in page  # "Zurück zum Termin"

    # A form sent from a page opened before the attendance was entered: refused the same way, nothing sent.
    response = client.post(f"/termine/{session.id}/absagen", data={"note": "Krank"}, follow_redirects=True)
    assert "hat stattgefunden und kann nicht mehr abgesagt werden" in response.text
    assert not db.session.get(WorkshopSession, session.id).is_cancelled
    assert not outbox(came.email, "abgesagt")


def test_a_session_nobody_was_marked_at_can_still_be_cancelled(make_session, make_user, client, login, trainer):
    person = make_user()
    session = started(make_session(booked=[person]))
    login(trainer)
    response = client.post(f"/termine/{session.id}/absagen", data={"note": "Stromausfall"}, follow_redirects=True)
    assert "Der Termin ist abgesagt" in response.text
    assert outbox(person.email, "abgesagt")


def test_a_cancelled_session_offers_no_attendance_list(make_session, make_user, client, login, trainer):
    person = make_user()
    session = started(make_session(booked=[person]))
    booking = bookings_of(session)[0]
    schedule.cancel_session(session, by=trainer, now=utcnow())
    db.session.commit()
    login(trainer)

    manage = client.get(f"/termine/{session.id}/teilnehmende").text
    assert f'href="/termine/{session.id}/anwesenheit"' not in manage

    page = client.get(f"/termine/{session.id}/anwesenheit").text
    assert "Dieser Termin wurde abgesagt; für ihn wird keine Anwesenheit eingetragen." in page
    assert "eingetragen werden, eine Stunde vor Beginn" not in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count("<button") == main.count(" disabled") == 4  # three marks and the walk-in, none to press

    # Sent anyway (a page open from before): said as it is, not as if the seat were not confirmed.
    response = client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id,
                                                                        "value": "present"}, follow_redirects=True)
    assert "Dieser Termin wurde abgesagt." in response.text
    assert "nur für bestätigte Plätze" not in response.text
    assert bookings_of(session)[0].attendance is None


def test_marking_at_a_cancelled_session_is_refused_with_the_reason(make_session, make_user, trainer):
    session = started(make_session(booked=[make_user()]))
    schedule.cancel_session(session, by=trainer, now=utcnow())
    db.session.commit()
    with pytest.raises(BookingError, match="Dieser Termin wurde abgesagt."):
        mark_attendance(bookings_of(session)[0], "present", by=trainer, now=utcnow())
