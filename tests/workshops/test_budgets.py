"""Workshop pages send a fixed, small number of SQL statements, however many people booked."""

from datetime import time

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses.models import Module
from qualify.extensions import db
from qualify.workshops import queries, schedule, services
from qualify.workshops.models import Booking
from tests.workshops.conftest import bookings_of, in_days


def statements_for(client, count_statements, method: str, url: str) -> tuple[int, list[str]]:
    form = {"csrf_token": client.csrf_token()} if method == "POST" else None
    with count_statements() as counter:
        response = client.open(url, method=method, data=form)
        assert response.status_code in (200, 302), response.status_code
    return counter.count, counter.statements


def test_a_repeated_booking_click_costs_three_statements(client, login, make_user, make_session,
                                                         count_statements):
    session = make_session(capacity=5)
    login(make_user())
    client.post(f"/termine/{session.id}/buchung", data={})
    count, statements = statements_for(client, count_statements, "POST", f"/termine/{session.id}/buchung")
    # the signed-in person with roles, the session with its module and course, the person's booking
    assert count == 3, statements
    assert len(bookings_of(session)) == 1
    assert "Ihr Platz ist bestätigt" in client.get(f"/termine/{session.id}").text


def test_a_first_booking_costs_nine_statements_however_many_booked_before(client, new_client, login, make_user,
                                                                        make_session, count_statements):
    few = make_session(capacity=30, booked=[make_user()])
    many = make_session(capacity=30, booked=[make_user() for _ in range(20)])
    login(make_user())  # two people: one person books one date of a module at a time
    with_few, _ = statements_for(client, count_statements, "POST", f"/termine/{few.id}/buchung")
    other = new_client()
    login(make_user(), via=other)
    with_many, statements = statements_for(other, count_statements, "POST", f"/termine/{many.id}/buchung")
    assert with_many == with_few, statements
    # the person, the session, their bookings of the module (none), the person's turn (an advisory lock on
    # PostgreSQL, the write lock on SQLite), the session lock, their bookings again under the lock, the counts by
    # status, the INSERT (ON CONFLICT DO NOTHING, no savepoint), the confirmation mail
    assert with_few == 9, statements
    assert [b.status for b in bookings_of(many)].count("confirmed") == 21


def test_the_session_page_costs_the_same_with_1_and_20_bookings(client, login, make_user, make_session,
                                                               count_statements):
    few = make_session(capacity=30, booked=[make_user()])
    many = make_session(capacity=30, booked=[make_user() for _ in range(20)])
    login(make_user())
    for session in (few, many):
        client.post(f"/termine/{session.id}/buchung", data={})
        client.get(f"/termine/{session.id}")  # warm up what is kept per process
    with_few, _ = statements_for(client, count_statements, "GET", f"/termine/{few.id}")
    with_many, statements = statements_for(client, count_statements, "GET", f"/termine/{many.id}")
    assert with_many == with_few, statements
    # the person, the session with module, course and version headline, their booking, the trainers and
    # their roles, the counts by status
    assert with_few <= 6, statements


def test_a_weekly_series_is_checked_for_trainer_clashes_in_one_statement(
        make_session, make_user, trainer, workshop_module, count_statements):
    weeks = [in_days(14 + 7 * n) for n in range(8)]
    elsewhere = [make_session(day=weeks[2], start=time(12), end=time(14)),
                 make_session(day=weeks[5], start=time(9), end=time(11))]
    make_session(day=weeks[3], start=time(13), end=time(15))  # begins as the series' session ends
    plan = schedule.SessionPlan(start_time=time(10), end_time=time(13), capacity=8, format="in-person",
                                place="Halle 4", online_url="", booking_hours_before=0, cancellation_hours_before=24,
                                approval_required=False, trainers=[trainer, make_user(Role.TRAINER)])
    series = schedule.create_sessions(workshop_module, plan, weeks, by=trainer, now=utcnow())
    db.session.flush()
    with count_statements() as counter:
        clashes = queries.trainer_clashes(series)
    assert counter.count == 1, counter.statements
    assert clashes == [(trainer, elsewhere[0]), (trainer, elsewhere[1])]


def test_the_participant_list_download_costs_the_same_with_1_and_20_people(client, login, make_user, make_session,
                                                                          trainer, count_statements):
    # Logged and committed before it was written, the file read every booking and person again: 3 per line.
    few = make_session(capacity=30, booked=[make_user()])
    many = make_session(capacity=30, booked=[make_user() for _ in range(20)])
    login(trainer)
    with_few, _ = statements_for(client, count_statements, "GET", f"/termine/{few.id}/teilnehmende.csv")
    with_many, statements = statements_for(client, count_statements, "GET", f"/termine/{many.id}/teilnehmende.csv")
    assert with_many == with_few, statements


MANY = 50
OWN_STATUSES = ("confirmed", "waitlisted", "pending")


def dates_with_own_bookings(make_session, make_user, person, number: int) -> None:
    """Plan `number` dates, each booked by someone else first, and give the person a booking of each, its status
    in turn a seat, a waitlist place and a request (written directly: through the booking rules one person holds
    one date of a module at a time)."""
    for n in range(number):
        session = make_session(day=in_days(14 + n), capacity=1, booked=[make_user()])
        status = OWN_STATUSES[n % len(OWN_STATUSES)]
        db.session.add(Booking(session_id=session.id, user_id=person.id, status=status, queue_number=2,
                               booked_at=utcnow(), confirmed_at=utcnow() if status == "confirmed" else None))
        if status == "waitlisted":  # someone else waiting too, behind the person: the place stays 1
            db.session.add(Booking(session_id=session.id, user_id=make_user().id, status="waitlisted",
                                   queue_number=3, booked_at=utcnow()))
    db.session.commit()


# The person with roles, the dates, their modules, trainers (with roles), courses and versions, the counts by status,
# the person's own bookings of the dates; for one course's dates also the course with its modules.
@pytest.mark.parametrize(("url", "budget"), [("/termine/", 9), ("/termine/kurs/hochvolt-sicherheit", 11)])
def test_the_list_of_dates_marks_my_bookings_at_the_same_cost_with_1_and_50_dates(
        client, new_client, login, make_user, make_session, count_statements, url, budget):
    few_person, many_person = make_user(), make_user()
    dates_with_own_bookings(make_session, make_user, few_person, 1)
    login(few_person)
    client.get(url)  # warm up what is kept per process
    with_few, _ = statements_for(client, count_statements, "GET", url)
    dates_with_own_bookings(make_session, make_user, many_person, MANY - 1)
    other = new_client()
    login(many_person, via=other)
    page = other.get(url).text
    assert page.count("Sie haben einen Platz") == 17 and page.count("Anfrage gestellt") == 16
    assert page.count("Auf der Warteliste – Platz 1") == 16
    with_many, statements = statements_for(other, count_statements, "GET", url)
    assert with_many == with_few, statements
    assert with_few <= budget, statements
    # The marks with the places on the waitlists: one statement, not one per date or per waiting person.
    assert sum("workshop_bookings.user_id =" in statement for statement in statements) == 1, statements


def test_the_module_page_marks_my_bookings_at_the_same_cost_with_1_and_10_dates(
        client, new_client, login, make_user, make_session, count_statements):
    url = "/kurse/hochvolt-sicherheit/module/praxistag-hv-schulungsfahrzeug"
    few_person, many_person = make_user(), make_user()
    dates_with_own_bookings(make_session, make_user, few_person, 1)
    login(few_person)
    client.get(url)
    with_few, _ = statements_for(client, count_statements, "GET", url)
    dates_with_own_bookings(make_session, make_user, many_person, 9)  # the page lists the next ten
    other = new_client()
    login(many_person, via=other)
    page = other.get(url).text
    assert page.count('class="own-booking ') == 9
    with_many, statements = statements_for(other, count_statements, "GET", url)
    assert with_many == with_few, statements


def test_the_session_page_costs_the_same_with_1_and_3_seats_held_at_the_same_time(
        client, new_client, login, make_user, make_session, trainer, demo_courses, count_statements):
    # A seat at the same time in the practical day, the learning workshop and the two exchange modules' dates.
    other_modules = [db.session.scalar(select(Module).where(Module.slug == slug)) for slug in (
        "lernwerkstatt-weiterbildungsplan", "austausch-wandel-in-meinem-werk", "austausch-produkte-im-wandel")]
    plan = schedule.SessionPlan(start_time=time(10), end_time=time(11), capacity=8, trainers=[trainer])
    at_the_same_time = [schedule.create_sessions(module, plan, [in_days(12)], by=trainer, now=utcnow())[0]
                        for module in other_modules]
    few_person, many_person = make_user(), make_user()
    few = make_session(day=in_days(12), start=time(9), end=time(12), booked=[few_person])
    many = make_session(day=in_days(12), start=time(9), end=time(12), booked=[many_person])
    services.book(at_the_same_time[0], few_person, now=utcnow())
    for session in at_the_same_time:
        services.book(session, many_person, now=utcnow())
    db.session.commit()
    login(few_person)
    client.get(f"/termine/{few.id}")  # warm up what is kept per process
    with_few, _ = statements_for(client, count_statements, "GET", f"/termine/{few.id}")
    other = new_client()
    login(many_person, via=other)
    assert other.get(f"/termine/{many.id}").text.count("Zur selben Zeit sind Sie auch angemeldet:") == 3
    with_many, statements = statements_for(other, count_statements, "GET", f"/termine/{many.id}")
    assert with_many == with_few, statements
