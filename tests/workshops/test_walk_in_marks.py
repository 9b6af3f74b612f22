"""Who came without a seat is kept on the booking: the lists name them so after the log's retention emptied it, the
person reads their own booking sensibly, and their data export and erasure take the mark along with the booking."""

import csv
import io
from datetime import timedelta

from sqlalchemy import delete

from qualify.core.audit import AuditEvent
from qualify.core.time import to_local, utcnow
from qualify.extensions import db
from qualify.privacy.services import erase_account, export_personal_data
from qualify.workshops import services
from qualify.workshops.attendance import add_walk_in
from qualify.workshops.models import Booking
from tests.workshops.conftest import bookings_of
from tests.workshops.test_attendance_pages import moved, text_of
from tests.workshops.test_budgets import statements_for


def walked_in(client, session, *addresses: str) -> None:
    for address in addresses:
        client.post(f"/termine/{session.id}/anwesenheit/ohne-platz", data={"email": address})


def participant_rows(client, session) -> dict[str, tuple[str, bool]]:
    """The CSV's status of each person, and whether a booking date stands beside it."""
    rows = list(csv.reader(io.StringIO(client.get(f"/termine/{session.id}/teilnehmende.csv").data
                                       .decode("utf-8-sig")), delimiter=";"))
    return {row[0]: (row[2], row[5] != "") for row in rows[1:]}


def row_of(page: str, booking: Booking) -> str:
    return text_of(page.split(f'<tr id="b{booking.id}">', 1)[1].split("</tr>", 1)[0])


def test_entering_someone_in_the_room_keeps_the_moment_on_the_booking(make_user, make_session, trainer):
    waiting = make_user()
    session = moved(make_session(capacity=1, booked=[make_user(), waiting]), starts_in=timedelta(minutes=-10))
    came, now = make_user(), utcnow()

    unbooked, _ = add_walk_in(session, came, by=trainer, now=now)
    was_waiting, _ = add_walk_in(session, waiting, by=trainer, now=now)

    assert (unbooked.walked_in_at, unbooked.walked_in, unbooked.booked_on_walking_in) == (now, True, True)
    # Booked before, and came without the seat: named so, with the date of that booking.
    assert (was_waiting.walked_in, was_waiting.booked_on_walking_in) == (True, False)
    seated = next(b for b in bookings_of(session) if b.user_id not in (came.id, waiting.id))
    assert (seated.walked_in_at, seated.walked_in) == (None, False)


def test_the_lists_still_name_those_who_came_without_a_seat_once_the_log_is_emptied(
        client, login, make_user, make_session, trainer):
    session = moved(make_session(capacity=1, booked=[make_user(name="Anna Auer"),
                                                     make_user(name="Willi Wartend", email="willi@example.org")]),
                    starts_in=timedelta(minutes=-20))
    make_user(name="Wanda Walk-in", email="wanda@example.org")
    login(trainer)
    walked_in(client, session, "wanda@example.org", "willi@example.org")
    db.session.execute(delete(AuditEvent))  # what the log's retention period does, in time
    db.session.commit()

    assert participant_rows(client, session) == {"Anna Auer": ("Platz bestätigt", True),
                                                 "Wanda Walk-in": ("ohne Platz gekommen", False),
                                                 "Willi Wartend": ("ohne Platz gekommen", True)}
    page = client.get(f"/termine/{session.id}/teilnehmende").text
    anna, wanda, willi = sorted(bookings_of(session), key=lambda booking: booking.user.display_name)
    assert row_of(page, anna).startswith("Anna Auer Platz bestätigt")
    assert row_of(page, wanda) == "Wanda Walk-in ohne Platz gekommen anwesend"
    assert row_of(page, willi) == "Willi Wartend ohne Platz gekommen anwesend"
    attendance = text_of(client.get(f"/termine/{session.id}/anwesenheit").text)
    assert "Wanda Walk-in ohne Platz gekommen" in attendance and "Anna Auer ohne Platz" not in attendance


def test_the_person_entered_in_the_room_reads_that_they_were_there_not_that_a_seat_waits(
        client, new_client, login, make_user, make_session, trainer):
    came = make_user(email="wanda@example.org")
    session = moved(make_session(), starts_in=timedelta(minutes=-20))
    login(trainer)
    walked_in(client, session, "wanda@example.org")
    learner = new_client()
    login(came, via=learner)

    for page in (learner.get("/termine/meine").text, learner.get(f"/termine/{session.id}").text):
        assert "Als anwesend eingetragen" in page
        assert "Platz bestätigt" not in page and "Teilnahme absagen" not in page


def test_booking_again_after_a_cancelled_walk_in_is_an_ordinary_booking(make_user, make_session):
    person = make_user()
    session = make_session()  # in two weeks: open for booking
    entered = utcnow() - timedelta(days=1)
    db.session.add(Booking(session_id=session.id, user_id=person.id, status="cancelled", queue_number=1,
                           booked_at=entered, confirmed_at=entered, cancelled_at=entered, walked_in_at=entered))
    db.session.commit()

    booking = services.book(session, person, now=utcnow())

    assert (booking.status, booking.walked_in_at, booking.walked_in) == ("confirmed", None, False)


def test_the_lists_with_people_who_came_without_a_seat_cost_what_they_cost_without(
        client, login, make_user, make_session, trainer, count_statements):
    few = moved(make_session(capacity=30, booked=[make_user()]), starts_in=timedelta(minutes=-20))
    many = moved(make_session(day=(utcnow() + timedelta(days=20)).date(), capacity=30,
                              booked=[make_user() for _ in range(5)]), starts_in=timedelta(minutes=-30))
    login(trainer)
    walked_in(client, many, *(make_user().email for _ in range(10)))
    assert sum(b.walked_in for b in bookings_of(many)) == 10

    for url in ("/termine/{}/teilnehmende.csv", "/termine/{}/teilnehmende", "/termine/{}/anwesenheit"):
        client.get(url.format(few.id))  # warm up what is kept per process
        with_few, _ = statements_for(client, count_statements, "GET", url.format(few.id))
        with_many, statements = statements_for(client, count_statements, "GET", url.format(many.id))
        assert with_many == with_few, (url, statements)
        # The lists read the mark on the booking, not the log.
        assert not any(statement.lstrip().upper().startswith("SELECT") and "audit_events" in statement
                       for statement in statements), url


def test_the_persons_data_export_shows_when_they_came_without_a_seat(client, new_client, login, make_user,
                                                                    make_session, trainer):
    came = make_user(email="wanda@example.org")
    session = moved(make_session(), starts_in=timedelta(minutes=-20))
    login(trainer)
    walked_in(client, session, "wanda@example.org")

    (row,) = export_personal_data(came)["workshops"]["workshop_bookings.user_id"]
    assert row["walked_in_at"] == bookings_of(session)[0].walked_in_at.isoformat()
    learner = new_client()
    login(came, via=learner)
    assert "ohne Platz gekommen, eingetragen am" in learner.get("/meine-daten/export").text


def test_erasing_the_person_keeps_only_the_month_they_came_without_a_seat(client, login, make_user, make_session,
                                                                          trainer):
    came = make_user(email="wanda@example.org")
    session = moved(make_session(), starts_in=timedelta(minutes=-20))
    login(trainer)
    walked_in(client, session, "wanda@example.org")

    erase_account(came, keep_posts=False, now=utcnow())
    db.session.commit()

    (booking,) = bookings_of(session)
    assert booking.user_id != came.id and booking.user.display_name == "ehemaliges Mitglied"
    moment = to_local(booking.walked_in_at)
    assert (moment.day, moment.hour, moment.minute) == (1, 12, 0)  # the month only, as the booking's other moments
    assert moment.strftime("%Y-%m") == to_local(utcnow()).strftime("%Y-%m")
