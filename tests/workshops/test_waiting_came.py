"""Someone on the waitlist, or with a request still open, comes after all: the attendance list names them, and one
tap enters them as present – no address to type on a phone in the room."""

import re
from datetime import timedelta

from qualify.accounts.roles import Role
from qualify.courses.models import CourseOwner
from qualify.extensions import db
from tests.workshops.conftest import bookings_of
from tests.workshops.test_attendance_pages import moved, text_of

CAME = "Ist gekommen – als anwesend eintragen"


def came(client, session, booking):
    return client.post(f"/termine/{session.id}/anwesenheit/von-der-warteliste", data={"booking_id": booking.id},
                       follow_redirects=True)


def waiting_names(page: str) -> list[str]:
    """The people listed under "Von der Warteliste oder mit offener Anfrage", with what the list says of them."""
    return [text_of(item) for item in re.findall(r'<li id="w\d+">\s*<p class="attendance-person">(.*?)</p>', page,
                                                  re.S)]


def test_a_person_from_the_waitlist_is_entered_present_by_one_tap(client, login, make_user, make_session, trainer):
    seated, first, second = make_user(name="Anna Auer"), make_user(name="Ben Berg"), make_user(name="Cem Celik")
    session = moved(make_session(capacity=1, booked=[seated, first, second]), starts_in=timedelta(minutes=5))
    login(trainer)
    page = client.get(f"/termine/{session.id}/anwesenheit").text
    assert waiting_names(page) == ["Ben Berg Warteliste (Platz 1)", "Cem Celik Warteliste (Platz 2)"]
    assert page.count(CAME) == 2

    page = came(client, session, bookings_of(session)[2]).text  # Cem came; Ben did not

    cem = bookings_of(session)[2]
    assert (cem.status, cem.attendance, cem.walked_in) == ("confirmed", "present", True)
    assert "Cem Celik ist als anwesend eingetragen." in page
    assert waiting_names(page) == ["Ben Berg Warteliste (Platz 1)"]
    assert [b.status for b in bookings_of(session)] == ["confirmed", "waitlisted", "confirmed"]


def test_a_request_still_open_is_listed_too(client, login, make_user, make_session, trainer):
    asking = make_user(name="Dora Dietz")
    session = moved(make_session(approval_required=True, booked=[asking]), starts_in=timedelta(minutes=5))
    login(trainer)
    assert waiting_names(client.get(f"/termine/{session.id}/anwesenheit").text) == ["Dora Dietz wartet auf Freigabe"]

    came(client, session, bookings_of(session)[0])

    assert bookings_of(session)[0].attendance == "present"


def test_a_second_tap_enters_nobody_twice(client, login, make_user, make_session, trainer):
    session = moved(make_session(capacity=1, booked=[make_user(), make_user(name="Ben Berg")]),
                    starts_in=timedelta(minutes=5))
    login(trainer)
    waiting = bookings_of(session)[1]
    came(client, session, waiting)

    page = came(client, session, waiting).text

    assert "Ben Berg steht schon auf der Liste." in page
    assert [b.status for b in bookings_of(session)] == ["confirmed", "confirmed"]


def test_before_the_hour_the_buttons_are_off_and_nobody_is_entered(client, login, make_user, make_session,
                                                                   trainer):
    session = make_session(capacity=1, booked=[make_user(), make_user()])  # in two weeks
    login(trainer)
    assert re.search(r'<button type="submit" class="button" disabled>Ist gekommen',
                     client.get(f"/termine/{session.id}/anwesenheit").text)

    page = came(client, session, bookings_of(session)[1]).text

    assert "Die Anwesenheit kann erst ab einer Stunde vor Beginn eingetragen werden." in page
    assert bookings_of(session)[1].status == "waitlisted"


def test_only_a_booking_of_this_session_by_its_own_trainer(client, new_client, login, make_user, make_session,
                                                           trainer, workshop_module):
    session = moved(make_session(capacity=1, booked=[make_user(), make_user()]), starts_in=timedelta(minutes=5))
    other = moved(make_session(capacity=1, booked=[make_user(), make_user()]), starts_in=timedelta(minutes=5))
    colleague = make_user(Role.TRAINER, name="Kollege Karl")
    db.session.add(CourseOwner(course_id=workshop_module.course_id, user_id=colleague.id))
    db.session.commit()
    login(trainer)
    assert came(client, session, bookings_of(other)[1]).status_code == 404

    colleagues_client = new_client()
    login(colleague, via=colleagues_client)
    assert came(colleagues_client, session, bookings_of(session)[1]).status_code == 403
    assert [b.status for b in bookings_of(session) + bookings_of(other)] == ["confirmed", "waitlisted"] * 2
