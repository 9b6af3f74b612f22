"""Two seats at the same time: the person is told where they hold both, not only before booking the second."""

from datetime import time

from sqlalchemy import select

from qualify.core.time import utcnow
from qualify.courses.models import Module
from qualify.extensions import db
from qualify.workshops import schedule, services
from qualify.workshops.schedule import SessionPlan
from tests.workshops.conftest import in_days


def learning_workshop_from_11_to_13(trainer):
    """A session of another course's workshop module, overlapping the practical day's 9 to 12 o'clock."""
    workshop = db.session.scalar(select(Module).where(Module.slug == "lernwerkstatt-weiterbildungsplan"))
    (session,) = schedule.create_sessions(
        workshop, SessionPlan(start_time=time(11), end_time=time(13), capacity=8, place="Raum 2",
                              trainers=[trainer]), [in_days(12)], by=trainer, now=utcnow())
    return session


def test_seats_held_at_the_same_time_are_pointed_out_on_my_sessions_and_on_each_session(
        client, login, make_user, make_session, trainer, demo_courses):
    person = make_user()
    practical_day = make_session(day=in_days(12), start=time(9), end=time(12), booked=[person])
    learning_workshop = learning_workshop_from_11_to_13(trainer)
    later = make_session(day=in_days(12), start=time(14), end=time(16))
    db.session.commit()
    services.book(learning_workshop, person, now=utcnow())
    db.session.commit()
    login(person)

    mine = client.get("/termine/meine").text
    assert mine.count("Zur selben Zeit sind Sie auch angemeldet:") == 2  # each of the two names the other
    assert f'href="/termine/{learning_workshop.id}"' in mine.split(practical_day.title)[1]

    page = client.get(f"/termine/{practical_day.id}").text
    assert "Zur selben Zeit sind Sie auch angemeldet:" in page and learning_workshop.title in page
    assert "Zur selben Zeit" not in client.get(f"/termine/{later.id}").text  # not booked, and no overlap


def test_a_seat_given_up_clashes_with_nothing(client, login, make_user, make_session, trainer):
    person = make_user()
    practical_day = make_session(day=in_days(12), start=time(9), end=time(12), booked=[person])
    learning_workshop = learning_workshop_from_11_to_13(trainer)
    db.session.commit()
    booking = services.book(learning_workshop, person, now=utcnow())
    services.cancel(booking, now=utcnow())
    db.session.commit()
    login(person)

    assert "Zur selben Zeit" not in client.get("/termine/meine").text
    assert "Zur selben Zeit" not in client.get(f"/termine/{practical_day.id}").text


def test_booking_after_the_cancellation_deadline_is_said_before_the_seat_is_taken(
        client, login, make_user, make_session):
    late = make_session(day=in_days(1), cancellation_hours_before=72)  # the deadline was two days ago
    in_time = make_session(day=in_days(12))
    login(make_user())

    assert "Wenn Sie jetzt buchen, können Sie Ihren Platz nicht mehr selbst absagen" in \
        client.get(f"/termine/{late.id}").text
    assert "Absagefrist ist schon vorbei" not in client.get(f"/termine/{in_time.id}").text
