"""Many people booking and cancelling at the same moment: never more seats than capacity, a fair waitlist."""

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from qualify.core.mail import OutboxMessage
from qualify.extensions import db
from qualify.workshops import services
from qualify.workshops.models import Booking
from tests.workshops.conftest import at, bookings_of, statuses


def run_together(tasks: list, timeout: float = 120) -> list[Exception]:
    """Start every task in a thread of its own, release them at once, and return their errors."""
    barrier = threading.Barrier(len(tasks), timeout=60)
    errors: list[Exception] = []

    def runner(task):
        try:
            task(barrier)
        except threading.BrokenBarrierError as error:
            errors.append(error)
        except Exception as error:  # noqa: BLE001  (collected for the assertion)
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return errors


def assert_fair(session, capacity: int, people: int) -> None:
    rows = bookings_of(session)
    assert len(rows) == people
    assert len({row.user_id for row in rows}) == people  # one row per person
    confirmed = [row for row in rows if row.status == "confirmed"]
    waiting = [row for row in rows if row.status == "waitlisted"]
    assert len(confirmed) == capacity
    assert len(waiting) == people - capacity
    # Arrival order is the order of the lock: every seat went to someone who came before everyone waiting.
    assert max(row.queue_number for row in confirmed) < min(row.queue_number for row in waiting)
    positions = [services.waitlist_position(row) for row in waiting]
    assert positions == list(range(1, len(waiting) + 1))


@pytest.mark.postgres
def test_sixty_simultaneous_requests_fill_ten_seats_and_queue_the_rest(app, new_client, login, make_user,
                                                                      make_session):
    session = make_session(capacity=10)
    people = [make_user() for _ in range(50)]
    clients = []
    for person in people:
        client = new_client()
        login(person, via=client)
        clients.append(client)
    url = f"/termine/{session.id}/buchung"
    statuses_seen = []

    def request(client):
        def task(barrier):
            barrier.wait()
            response = client.post(url, data={})
            statuses_seen.append(response.status_code)
        return task

    # Every person once, and the first ten a second time (a double click): 60 requests at the same moment.
    tasks = [request(client) for client in clients] + [request(client) for client in clients[:10]]
    assert run_together(tasks) == []
    assert statuses_seen.count(302) == 60
    assert_fair(session, capacity=10, people=50)
    mails = Counter(db.session.scalars(select(OutboxMessage.recipient)))
    assert len(mails) == 50 and set(mails.values()) == {1}  # a double click sends no second mail


@pytest.mark.postgres
def test_simultaneous_cancellations_promote_each_waiting_person_once(app, make_user, make_session):
    seated = [make_user() for _ in range(10)]
    waiting = [make_user() for _ in range(15)]
    newcomers = [make_user() for _ in range(10)]
    session = make_session(capacity=10, booked=seated + waiting)
    now = at(session, days=-5)

    def cancel(person):
        def task(barrier):
            with app.app_context():
                booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id,
                                                                  Booking.user_id == person.id))
                db.session.commit()  # hand the connection back: the pool has fewer than there are threads
                barrier.wait()
                services.cancel(booking, now=now)
                db.session.commit()
                db.session.remove()
        return task

    def book(person):
        def task(barrier):
            with app.app_context():
                target = db.session.get(type(session), session.id)
                db.session.commit()  # hand the connection back: the pool has fewer than there are threads
                barrier.wait()
                services.book(target, person, now=now)
                db.session.commit()
                db.session.remove()
        return task

    # All ten seats freed, the last two in line leave the waitlist, ten newcomers book – all at once.
    tasks = [cancel(p) for p in seated] + [cancel(p) for p in waiting[-2:]] + [book(p) for p in newcomers]
    assert run_together(tasks) == []
    counts = statuses(session)
    assert counts["confirmed"] == 10
    rows = bookings_of(session)
    confirmed_ids = {row.user_id for row in rows if row.status == "confirmed"}
    assert confirmed_ids == {p.id for p in waiting[:10]}  # the next ten in line, nobody overtook them
    still_waiting = {row.user_id for row in rows if row.status == "waitlisted"}
    assert still_waiting == {p.id for p in waiting[10:13] + newcomers}
    promoted_mails = Counter(db.session.scalars(select(OutboxMessage.recipient)
                                                .where(OutboxMessage.subject.startswith("Ein Platz"))))
    assert set(promoted_mails) == {p.email for p in waiting[:10]} and set(promoted_mails.values()) == {1}


def test_simultaneous_bookings_never_exceed_the_capacity(app, make_user, make_session):
    """The same race on whatever database the suite runs on (on SQLite: writers queue on the write lock)."""
    session = make_session(capacity=3)
    people = [make_user() for _ in range(8)]
    now = at(session, days=-5)

    def book(person):
        def task(barrier):
            with app.app_context():
                target = db.session.get(type(session), session.id)
                db.session.commit()  # hand the connection back: the pool has fewer than there are threads
                barrier.wait()
                for _click in range(2):
                    services.book(target, person, now=now)
                    db.session.commit()
                db.session.remove()
        return task

    assert run_together([book(p) for p in people]) == []
    assert_fair(session, capacity=3, people=8)


@pytest.mark.postgres
def test_people_switching_dates_the_opposite_way_at_the_same_moment_neither_deadlock_nor_overbook(
        app, new_client, login, make_user, make_session):
    from tests.workshops.conftest import in_days

    early_people = [make_user() for _ in range(6)]
    late_people = [make_user() for _ in range(6)]
    early = make_session(capacity=8, booked=early_people)
    late = make_session(day=in_days(21), capacity=8, booked=late_people)
    early_id, late_id = early.id, late.id
    clients = []
    for person in early_people + late_people:
        client = new_client()
        login(person, via=client)
        clients.append(client)
    answers = []

    def switch(client, session_id):
        def task(barrier):
            barrier.wait()
            answers.append(client.post(f"/termine/{session_id}/buchung/wechseln", data={}).status_code)
        return task

    # Six want the later date, six the earlier one; two seats are free on each side.
    tasks = [switch(client, late_id) for client in clients[:6]] + [switch(client, early_id) for client in clients[6:]]
    assert run_together(tasks) == []
    assert answers == [302] * 12
    db.session.expire_all()
    seats = Counter()
    for session in (early, late):
        rows = bookings_of(session)
        assert sum(row.status == "confirmed" for row in rows) <= 8
        seats.update(row.user_id for row in rows if row.status == "confirmed")
    assert sorted(seats.values()) == [1] * 12  # everyone holds exactly one seat: switched, or kept the old one


@pytest.mark.postgres
def test_two_dates_of_one_module_booked_at_the_same_moment_give_one_booking(app, new_client, login, make_user,
                                                                           make_session):
    from tests.workshops.conftest import in_days

    dates = [make_session(), make_session(day=in_days(21)), make_session(day=in_days(28))]
    urls = [f"/termine/{session.id}/buchung" for session in dates]
    person = make_user()
    clients = []
    for _ in urls:  # three tabs
        client = new_client()
        login(person, via=client)
        clients.append(client)

    def book(client, url):
        def task(barrier):
            barrier.wait()
            client.post(url, data={})
        return task

    assert run_together([book(client, url) for client, url in zip(clients, urls, strict=True)]) == []
    db.session.expire_all()
    active = [row for session in dates for row in bookings_of(session) if row.status in ("confirmed", "waitlisted")]
    assert len(active) == 1
