"""Booking, the waitlist, deadlines and approvals, through the domain functions with an explicit `now`."""

import pytest

from qualify.extensions import db
from qualify.workshops import schedule, services
from qualify.workshops.attendance import mark_attendance
from qualify.workshops.services import BookingClosed, BookingError
from tests.workshops.conftest import at, bookings_of, outbox, statuses


def test_seats_are_confirmed_until_full_then_people_wait_in_order(make_session, make_user):
    people = [make_user() for _ in range(4)]
    session = make_session(capacity=2, booked=people)
    rows = bookings_of(session)
    assert [b.status for b in rows] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(b) for b in rows[2:]] == [1, 2]
    assert [b.user_id for b in rows] == [p.id for p in people]


def test_booking_twice_keeps_one_row_and_sends_one_mail(make_session, make_user):
    person = make_user()
    session = make_session(capacity=2)
    first = services.book(session, person, now=at(session, days=-3))
    db.session.commit()
    second = services.book(session, person, now=at(session, days=-3))
    db.session.commit()
    assert first.id == second.id
    assert len(bookings_of(session)) == 1
    assert len(outbox(person.email)) == 1


def test_cancelling_a_seat_promotes_the_first_waiting_person_and_tells_them(make_session, make_user):
    seated, first_waiting, second_waiting = make_user(), make_user(), make_user()
    session = make_session(capacity=1, booked=[seated, first_waiting, second_waiting])
    seat = services.booking_of(seated, session)
    promoted = services.cancel(seat, now=at(session, days=-5))
    db.session.commit()
    assert [b.user_id for b in promoted] == [first_waiting.id]
    assert statuses(session) == {"cancelled": 1, "confirmed": 1, "waitlisted": 1}
    assert len(outbox(first_waiting.email, "Platz ist frei geworden")) == 1
    assert services.waitlist_position(services.booking_of(second_waiting, session)) == 1


def test_leaving_the_waitlist_promotes_nobody(make_session, make_user):
    seated, waiting = make_user(), make_user()
    session = make_session(capacity=1, booked=[seated, waiting])
    assert services.cancel(services.booking_of(waiting, session), now=at(session, days=-5)) == []
    db.session.commit()
    assert statuses(session) == {"confirmed": 1, "cancelled": 1}


def test_booking_closes_at_the_booking_deadline(make_session, make_user):
    session = make_session(booking_hours_before=48)
    services.book(session, make_user(), now=at(session, hours=-49))
    with pytest.raises(BookingClosed):
        services.book(session, make_user(), now=at(session, hours=-47))


def test_no_booking_once_the_session_has_started(make_session, make_user):
    session = make_session()
    with pytest.raises(BookingClosed):
        services.book(session, make_user(), now=at(session, minutes=1))


def test_confirmed_seat_cannot_be_cancelled_after_the_cancellation_deadline(make_session, make_user):
    person = make_user()
    session = make_session(cancellation_hours_before=24, booked=[person])
    with pytest.raises(BookingError):
        services.cancel(services.booking_of(person, session), now=at(session, hours=-23))
    db.session.rollback()
    services.cancel(services.booking_of(person, session), now=at(session, hours=-25))
    db.session.commit()
    assert statuses(session) == {"cancelled": 1}


def test_no_promotion_after_the_booking_deadline(make_session, make_user):
    seated, waiting = make_user(), make_user()
    session = make_session(capacity=1, booking_hours_before=48, cancellation_hours_before=0,
                           booked=[seated, waiting])
    assert services.cancel(services.booking_of(seated, session), now=at(session, hours=-24)) == []
    db.session.commit()
    assert statuses(session) == {"cancelled": 1, "waitlisted": 1}


def test_no_promotion_once_the_session_has_started(make_session, make_user):
    seated, waiting = make_user(), make_user()
    session = make_session(capacity=1, cancellation_hours_before=0, booked=[seated, waiting])
    db.session.refresh(session)
    assert services.promote(services.lock_session(session), now=at(session, minutes=5)) == []
    with pytest.raises(BookingError):
        services.cancel(services.booking_of(seated, session), now=at(session, minutes=5))


def test_closing_bookings_ends_the_waitlist_and_tells_those_waiting(make_session, make_user):
    seated, waiting = make_user(), make_user()
    session = make_session(capacity=1, booking_hours_before=24, booked=[seated, waiting])
    assert services.close_bookings(session, now=at(session, hours=-23)) == 1
    db.session.commit()
    assert statuses(session) == {"confirmed": 1, "expired": 1}
    assert len(outbox(waiting.email, "Anmeldung geschlossen")) == 1


def test_approval_flow_pending_then_approved_or_declined(make_session, make_user, trainer):
    accepted, refused = make_user(), make_user()
    session = make_session(approval_required=True, capacity=1, booked=[accepted, refused])
    assert statuses(session) == {"pending": 2}
    assert len(outbox(accepted.email, "wartet auf Freigabe")) == 1
    now = at(session, days=-3)
    services.approve(services.booking_of(accepted, session), by=trainer, now=now)
    services.decline(services.booking_of(refused, session), by=trainer, now=now)
    db.session.commit()
    assert services.booking_of(accepted, session).status == "confirmed"
    assert services.booking_of(refused, session).status == "declined"
    assert len(outbox(accepted.email, "freigegeben")) == 1
    assert len(outbox(refused.email, "abgelehnt")) == 1
    with pytest.raises(BookingError):
        services.book(session, refused, now=now)


def test_approved_request_on_a_full_session_goes_to_the_end_of_the_waitlist(make_session, make_user, trainer):
    first, second = make_user(), make_user()
    session = make_session(approval_required=True, capacity=1, booked=[first, second])
    now = at(session, days=-3)
    services.approve(services.booking_of(first, session), by=trainer, now=now)
    approved = services.approve(services.booking_of(second, session), by=trainer, now=now)
    db.session.commit()
    assert approved.status == "waitlisted"
    assert services.waitlist_position(approved) == 1


def test_cancelling_a_session_tells_everyone_booked(make_session, make_user, trainer):
    people = [make_user() for _ in range(3)]
    session = make_session(capacity=2, booked=people)
    told = schedule.cancel_session(session, by=trainer, now=at(session, days=-2))
    db.session.commit()
    assert told == 3
    assert all(len(outbox(p.email, "abgesagt")) == 1 for p in people)
    with pytest.raises(BookingClosed):
        services.book(session, make_user(), now=at(session, days=-2))


def test_raising_the_capacity_promotes_waiting_people(make_session, make_user, trainer):
    seated, waiting = make_user(), make_user()
    session = make_session(capacity=1, booked=[seated, waiting])
    plan = schedule.SessionPlan.of(session)
    plan.capacity = 2
    day = session.starts_at.astimezone(schedule.LOCAL_TZ).date()
    schedule.update_session(session, plan, day, by=trainer, now=at(session, days=-3))
    db.session.commit()
    assert statuses(session) == {"confirmed": 2}
    # More seats change nothing the booked people see: no "changed" mail, the same calendar entry.
    assert session.sequence == 0 and outbox(seated.email, "Termin geändert") == []
    assert len(outbox(waiting.email, "Ein Platz ist frei geworden")) == 1


def test_moving_the_booking_deadline_into_the_future_opens_bookings_again(make_session, make_user, trainer):
    session = make_session(booking_hours_before=48)
    services.close_bookings(session, now=at(session, hours=-47))
    db.session.commit()
    with pytest.raises(BookingClosed):
        services.book(session, make_user(), now=at(session, hours=-30))
    plan = schedule.SessionPlan.of(session)
    plan.booking_hours_before = 0
    day = session.starts_at.astimezone(schedule.LOCAL_TZ).date()
    schedule.update_session(session, plan, day, by=trainer, now=at(session, hours=-30))
    db.session.commit()
    assert services.book(session, make_user(), now=at(session, hours=-29)).status == "confirmed"


def test_someone_marked_present_cannot_give_up_the_seat(make_session, make_user, trainer):
    person = make_user()
    session = make_session(booked=[person], cancellation_hours_before=0)
    booking = services.booking_of(person, session)
    mark_attendance(booking, "present", by=trainer, now=at(session, minutes=-30))
    db.session.commit()
    with pytest.raises(BookingError, match="Anwesenheit ist schon eingetragen"):
        services.cancel(booking, now=at(session, minutes=-20))


def test_a_request_left_undecided_at_the_deadline_is_told_so_not_that_no_seat_came_free(make_session, make_user):
    asking = make_user()
    session = make_session(capacity=1, approval_required=True, booking_hours_before=24)
    services.book(session, asking, now=at(session, days=-3))
    db.session.commit()
    services.close_bookings(session, now=at(session, hours=-24))
    db.session.commit()
    (mail,) = outbox(asking.email, "Anmeldung geschlossen")
    assert "nicht entschieden" in mail.body_text and "kein Platz frei" not in mail.body_text


def test_a_request_approved_into_a_full_session_is_told_it_is_on_the_waitlist(make_session, make_user, trainer):
    seated, asking = make_user(), make_user()
    session = make_session(capacity=1, approval_required=True)
    for person in (seated, asking):
        services.book(session, person, now=at(session, days=-3))
    services.approve(services.booking_of(seated, session), by=trainer, now=at(session, days=-3))
    services.approve(services.booking_of(asking, session), by=trainer, now=at(session, days=-3))
    db.session.commit()
    (mail,) = outbox(asking.email, "freigegeben")
    assert mail.subject.startswith("Anmeldung freigegeben, Warteliste") and "Platz 1" in mail.body_text
