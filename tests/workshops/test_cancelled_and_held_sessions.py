"""A session that took place is not called off afterwards, and one called off takes no attendance: the trainer's
pages say so instead of offering what then fails."""

import re
from datetime import timedelta

import pytest

from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.workshops import schedule
from qualify.workshops.attendance import mark_attendance
from qualify.workshops.mails import moment
from qualify.workshops.models import WorkshopSession
from qualify.workshops.services import BookingError
from tests.workshops.conftest import bookings_of, outbox
from tests.workshops.test_budgets import statements_for


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


def test_a_cancelled_sessions_bookings_say_when_it_was_cancelled_and_how_people_stood_then(
        make_session, make_user, client, login, trainer):
    seated, waiting = make_user(name="Sina Sitzplatz"), make_user(name="Wim Warteliste")
    session = make_session(capacity=1, booked=[seated, waiting])
    schedule.cancel_session(session, by=trainer, now=utcnow())
    db.session.commit()
    login(trainer)

    page = client.get(f"/termine/{session.id}/teilnehmende").text

    cancelled_at = db.session.get(WorkshopSession, session.id).cancelled_at
    assert f"Abgesagt am {moment(cancelled_at)}; alle 2 Angemeldeten wurden per E-Mail benachrichtigt." in page
    assert "Plätzen belegt" not in page and "Platz bestätigt" not in page
    rows = {name: status for name, status in re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>', page)}
    assert rows == {"Sina Sitzplatz": "hatte einen Platz", "Wim Warteliste": "stand auf der Warteliste (Platz 1)"}


def test_the_cancel_page_says_who_counts_as_registered_for_one_person_as_for_several(
        make_session, make_user, client, login, trainer):
    login(trainer)
    one = client.get(f"/termine/{make_session(booked=[make_user()]).id}/absagen").text
    two = client.get(f"/termine/{make_session(booked=[make_user(), make_user()]).id}/absagen").text
    explained = "(mit Platz, auf der Warteliste oder wartend auf Freigabe)"
    assert f"1 Person ist angemeldet {explained} und bekommt" in one
    assert f"2 Personen sind angemeldet {explained} und bekommen" in two


def test_the_session_page_offers_no_cancelling_once_attendance_is_entered_at_no_extra_cost(
        make_session, make_user, client, login, trainer, count_statements):
    session = started(make_session(booked=[make_user()]))
    login(trainer)
    client.get(f"/termine/{session.id}")  # warm up what is kept per process
    before, _ = statements_for(client, count_statements, "GET", f"/termine/{session.id}")
    assert "Termin absagen …" in client.get(f"/termine/{session.id}").text

    mark_attendance(bookings_of(session)[0], "present", by=trainer, now=utcnow())
    db.session.commit()
    page = client.get(f"/termine/{session.id}").text
    assert "Termin absagen …" not in page and f"/termine/{session.id}/absagen" not in page
    assert "hat stattgefunden und kann nicht mehr abgesagt werden" in page
    after, statements = statements_for(client, count_statements, "GET", f"/termine/{session.id}")
    assert after == before, statements
