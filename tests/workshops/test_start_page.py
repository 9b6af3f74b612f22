"""The start page shows a learner's next booked session, and a trainer the sessions they lead today – one tap
from the attendance list."""

from datetime import time, timedelta

from qualify.accounts.roles import Role
from qualify.core.time import LOCAL_TZ, utcnow
from qualify.courses.models import CourseOwner
from qualify.extensions import db
from qualify.workshops import schedule

LED_TODAY = "Heute leiten Sie"


def test_the_start_page_shows_the_next_booked_session(client, login, make_user, make_session):
    person = make_user()
    session = make_session(booked=[person])
    login(person)
    page = client.get("/").text
    assert "Ihr nächster Termin" in page and f'href="/termine/{session.id}"' in page


def test_a_cancelled_session_is_not_the_next_one(client, login, make_user, make_session):
    person = make_user()
    session = make_session(booked=[person])
    session.status = "cancelled"
    session.cancelled_at = utcnow()
    db.session.commit()
    login(person)
    assert "Ihr nächster Termin" not in client.get("/").text


def today_at(make_session, start: time = time(0, 1), end: time = time(23, 59), **options):
    """A session today (Berlin), planned yesterday so that its start may already be past."""
    now = utcnow()
    return make_session(day=now.astimezone(LOCAL_TZ).date(), start=start, end=end, now=now - timedelta(days=1),
                        **options)


def led_today_section(page: str) -> str:
    start = page.index('aria-labelledby="led-today-heading"')
    return page[start:page.index("</section>", start)]


def test_a_trainer_finds_todays_session_on_the_start_page_with_its_attendance_and_bookings(
        client, login, trainer, make_session):
    session = today_at(make_session)
    make_session()  # in two weeks: not today's
    login(trainer)
    section = led_today_section(client.get("/").text)
    assert LED_TODAY in section and session.title in section
    assert f'href="/termine/{session.id}/anwesenheit"' in section
    assert f'href="/termine/{session.id}/teilnehmende"' in section
    assert section.count("/anwesenheit") == 1


def test_a_cancelled_session_or_one_led_by_someone_else_is_not_shown(client, login, trainer, make_user,
                                                                     workshop_module, make_session):
    colleague = make_user(Role.TRAINER, name="Kollege Karl")
    db.session.add(CourseOwner(course_id=workshop_module.course_id, user_id=colleague.id))
    db.session.commit()
    today_at(make_session, trainers=[colleague])
    cancelled = today_at(make_session)
    cancelled.status, cancelled.cancelled_at = "cancelled", utcnow()
    db.session.commit()
    login(trainer)
    assert LED_TODAY not in client.get("/").text


def test_a_learner_booked_today_sees_the_session_but_nothing_to_lead(client, login, make_user, make_session):
    person = make_user()
    today_at(make_session, start=time(23, 58), booked=[person])
    login(person)
    page = client.get("/").text
    assert LED_TODAY not in page and "/anwesenheit" not in page


def test_the_start_page_costs_the_same_with_one_and_three_sessions_led_today(
        client, login, trainer, make_session, count_statements):
    login(trainer)

    def cost() -> int:
        client.get("/")  # warm up what is kept per process
        with count_statements() as counter:
            assert client.get("/").status_code == 200
        return counter.count

    today_at(make_session)
    with_one = cost()
    today_at(make_session, start=time(8))
    today_at(make_session, start=time(14))
    assert cost() == with_one
    assert led_today_section(client.get("/").text).count("/anwesenheit") == 3


def exchange_today(module, leader, start: time = time(0, 1)):
    """An exchange session of the module today (Berlin), led by the person, planned yesterday."""
    now = utcnow()
    plan = schedule.SessionPlan(start_time=start, end_time=time(23, 59), capacity=10, place="Raum 1",
                                trainers=[leader])
    (session,) = schedule.create_sessions(module, plan, [now.astimezone(LOCAL_TZ).date()], by=leader,
                                          now=now - timedelta(days=1))
    db.session.commit()
    return session


def test_the_moderator_of_an_exchange_session_finds_its_minutes_on_the_card(client, login, exchange_module,
                                                                           space_moderator):
    session = exchange_today(exchange_module, space_moderator)
    login(space_moderator)
    section = led_today_section(client.get("/").text)
    assert f'href="/termine/{session.id}/anwesenheit"' in section
    assert f'href="/austausch/termin/{session.id}/protokoll"' in section


def test_an_admin_leading_an_exchange_session_without_moderating_its_space_is_not_offered_its_minutes(
        client, login, make_user, exchange_module):
    # As on the session's page: the minutes are written by the space's moderators.
    admin = make_user(Role.ADMIN)
    session = exchange_today(exchange_module, admin)
    login(admin)
    section = led_today_section(client.get("/").text)
    assert f'href="/termine/{session.id}/anwesenheit"' in section and "/protokoll" not in section


def test_a_workshop_has_no_minutes_on_its_card(client, login, trainer, make_session):
    today_at(make_session)
    login(trainer)
    assert "protokoll" not in led_today_section(client.get("/").text)


def test_the_start_page_of_a_moderator_costs_the_same_with_one_and_three_exchange_sessions_today(
        client, login, exchange_module, space_moderator, count_statements):
    login(space_moderator)

    def cost() -> int:
        client.get("/")  # warm up what is kept per process
        with count_statements() as counter:
            assert client.get("/").status_code == 200
        return counter.count

    exchange_today(exchange_module, space_moderator)
    with_one = cost()
    exchange_today(exchange_module, space_moderator, start=time(8))
    exchange_today(exchange_module, space_moderator, start=time(14))
    assert cost() == with_one
    assert led_today_section(client.get("/").text).count("/protokoll") == 3
