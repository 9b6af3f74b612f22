"""Everyone still open marked present in one go: in the room, the trainer marks who is missing and then the rest –
one tap and a yes instead of one tap per person. Only those the page showed open, and only while still open."""

import re
from datetime import timedelta

from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.courses.models import CourseOwner
from qualify.extensions import db
from qualify.learning.models import ModuleCompletion
from tests.workshops.conftest import bookings_of
from tests.workshops.test_attendance_pages import marked, moved, text_of

OFFER = "Offenen als anwesend eintragen …"


def marks(session) -> list[str | None]:
    return [booking.attendance for booking in bookings_of(session)]


def shown_open(client, session) -> list[int]:
    """The booking ids the attendance page sends with "Alle … Offenen als anwesend eintragen"."""
    page = client.get(f"/termine/{session.id}/anwesenheit").text
    form = re.search(r'action="/termine/\d+/anwesenheit/alle-offenen">(.*?)</form>', page, re.S).group(1)
    return [int(value) for value in re.findall(r'name="booking_id" value="(\d+)"', form)]


def rest_present(client, session, booking_ids):
    return client.post(f"/termine/{session.id}/anwesenheit/alle-offenen", data={"booking_id": booking_ids},
                       follow_redirects=True)


def test_the_rest_are_marked_present_in_one_go_and_who_was_missing_keeps_the_mark(
        client, login, make_user, make_session, trainer, workshop_module):
    people = [make_user(name=name) for name in ("Anna Auer", "Ben Berg", "Cem Celik", "Dora Dietz")]
    session = moved(make_session(booked=people), starts_in=timedelta(minutes=-5))
    marked(session, trainer, "absent")  # Anna is not here
    login(trainer)

    page = client.get(f"/termine/{session.id}/anwesenheit").text
    assert "Alle 3 Offenen als anwesend eintragen …" in page and "Ja, alle 3 als anwesend eintragen" in page
    assert "Als anwesend eingetragen werden: Ben Berg, Cem Celik, Dora Dietz." in page
    page = rest_present(client, session, shown_open(client, session)).text

    assert marks(session) == ["absent", "present", "present", "present"]
    assert "3 Personen als anwesend eingetragen." in page
    counts = text_of(re.search(r'<ul class="attendance-counts"[^>]*>(.*?)</ul>', page, re.S).group(1))
    assert counts == "3 anwesend 1 abwesend 0 entschuldigt 0 offen"
    assert OFFER not in page  # nobody left to mark
    done = set(db.session.scalars(select(ModuleCompletion.user_id).where(
        ModuleCompletion.module_id == workshop_module.id)))
    assert done == {person.id for person in people[1:]}  # present completes the module, absent does not


def test_sent_twice_or_after_a_co_trainer_marked_someone_nobody_is_marked_again(
        client, login, make_user, make_session, trainer):
    people = [make_user(name=name) for name in ("Anna Auer", "Ben Berg", "Cem Celik")]
    session = moved(make_session(booked=people), starts_in=timedelta(minutes=10))
    login(trainer)
    seen_open = shown_open(client, session)
    marked(session, trainer, "excused")  # meanwhile, on a co-trainer's phone: Anna sent her apologies

    assert "2 Personen als anwesend eingetragen." in rest_present(client, session, seen_open).text
    assert marks(session) == ["excused", "present", "present"]
    again = rest_present(client, session, seen_open).text  # the same request once more (a double tap)
    assert "Es war niemand mehr offen; nichts wurde geändert." in again
    assert marks(session) == ["excused", "present", "present"]


def test_only_the_sessions_own_open_seats_are_marked(client, login, make_user, make_session, trainer):
    here, waiting = make_user(name="Anna Auer"), make_user(name="Ben Berg")
    session = moved(make_session(booked=[here, waiting], capacity=1), starts_in=timedelta(minutes=10))
    elsewhere = moved(make_session(booked=[make_user(name="Cem Celik")]), starts_in=timedelta(minutes=10))
    login(trainer)
    ids = [booking.id for booking in bookings_of(session) + bookings_of(elsewhere)]

    rest_present(client, session, ids)

    assert marks(session) == ["present", None]  # Ben on the waitlist has no seat to be marked on
    assert marks(elsewhere) == [None]


def test_before_the_hour_nothing_is_marked_and_nothing_offered(client, login, make_user, make_session, trainer):
    session = make_session(booked=[make_user(), make_user()])  # in two weeks
    login(trainer)
    assert OFFER not in client.get(f"/termine/{session.id}/anwesenheit").text

    page = rest_present(client, session, [booking.id for booking in bookings_of(session)]).text

    assert "Die Anwesenheit kann erst ab einer Stunde vor Beginn eingetragen werden." in page
    assert marks(session) == [None, None]


def test_one_person_open_is_one_tap_away_without_the_offer(client, login, make_user, make_session, trainer):
    session = moved(make_session(booked=[make_user(), make_user()]), starts_in=timedelta(minutes=10))
    marked(session, trainer, "present")
    login(trainer)
    assert OFFER not in client.get(f"/termine/{session.id}/anwesenheit").text


def test_a_trainer_who_does_not_lead_the_session_may_not(client, login, make_user, make_session, trainer,
                                                         workshop_module):
    session = moved(make_session(booked=[make_user(), make_user()]), starts_in=timedelta(minutes=10))
    colleague = make_user(Role.TRAINER, name="Kollege Karl")
    db.session.add(CourseOwner(course_id=workshop_module.course_id, user_id=colleague.id))
    db.session.commit()
    login(colleague)

    response = rest_present(client, session, [booking.id for booking in bookings_of(session)])

    assert response.status_code == 403
    assert marks(session) == [None, None]
