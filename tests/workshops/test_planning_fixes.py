"""Planning and changing sessions as trainers and learners meet it: requests released when approval is switched off,
a plan sent twice, dates that cannot be planned, who is told of what, and cancelling after a session was moved."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from qualify.accounts.roles import Role
from qualify.core.time import to_local, utcnow
from qualify.extensions import db
from qualify.workshops import jobs, schedule, services
from qualify.workshops.models import WorkshopSession
from qualify.workshops.schedule import ScheduleError, SessionPlan, local_to_utc, series_dates
from tests.workshops.conftest import at, bookings_of, in_days, outbox
from tests.workshops.test_concurrency import run_together


def edit_form(session, trainers, **changes) -> dict:
    """The edit form as the trainer sees it, with the changes typed in."""
    start, end = to_local(session.starts_at), to_local(session.ends_at)
    return {"day": start.date().isoformat(), "start_time": start.strftime("%H:%M"),
            "end_time": end.strftime("%H:%M"), "format": session.format, "place": session.place,
            "capacity": str(session.capacity), "booking_hours_before": "0",
            "cancellation_hours_before": str(round((session.starts_at - session.cancellation_deadline_at)
                                                   .total_seconds() / 3600)),
            "note": session.note, "trainers": [str(t.id) for t in trainers],
            **({"approval_required": "y"} if session.approval_required else {}), **changes}


def new_form(trainer, **changes) -> dict:
    return {"day": in_days(10).isoformat(), "start_time": "09:00", "end_time": "12:00", "format": "in-person",
            "place": "Halle 4", "capacity": "8", "booking_hours_before": "0", "cancellation_hours_before": "24",
            "every_weeks": "0", "trainers": [str(trainer.id)], **changes}


def sessions_planned() -> int:
    return db.session.scalar(select(func.count()).select_from(WorkshopSession))


# ---------------------------------------------------------------- 1. approval switched off

def test_switching_approval_off_turns_the_requests_into_seats_and_waitlist_places_in_the_order_they_came(
        client, login, make_user, make_session, trainer):
    first, second, third = make_user(), make_user(), make_user()
    session = make_session(capacity=2, approval_required=True, booked=[first, second, third])
    login(trainer)
    form = edit_form(session, [trainer])
    del form["approval_required"]
    assert client.post(f"/termine/{session.id}/bearbeiten", data=form).status_code == 302

    assert [(b.user_id, b.status) for b in bookings_of(session)] == [
        (first.id, "confirmed"), (second.id, "confirmed"), (third.id, "waitlisted")]
    assert len(outbox(first.email, "Platz bestätigt")) == len(outbox(second.email, "Platz bestätigt")) == 1
    (waiting,) = outbox(third.email, "Warteliste")
    assert "auf Platz 1" in waiting.body_text
    # A newcomer does not overtake them: the seats are gone, and the waitlist comes first.
    newcomer = services.book(session, make_user(), now=utcnow())
    assert newcomer.status == "waitlisted" and services.waitlist_position(newcomer) == 2


def test_requests_released_into_a_session_with_people_waiting_queue_up_behind_them(make_session, make_user,
                                                                                   trainer):
    early, late = make_user(), make_user()
    session = make_session(capacity=1, approval_required=True, booked=[early, late])
    services.approve(services.booking_of(late, session), by=trainer, now=at(session, days=-5))  # the seat
    db.session.commit()
    requester = make_user()
    services.book(session, requester, now=at(session, days=-4))
    services.approve(services.booking_of(early, session), by=trainer, now=at(session, days=-4))  # waits
    db.session.commit()
    plan = SessionPlan.of(session)
    plan.approval_required = False
    schedule.update_session(session, plan, to_local(session.starts_at).date(), by=trainer, now=at(session, days=-3))
    db.session.commit()
    assert services.waitlist_position(services.booking_of(early, session)) == 1
    assert services.waitlist_position(services.booking_of(requester, session)) == 2


# ---------------------------------------------------------------- 2. the plan sent twice

def test_the_new_session_form_sent_twice_plans_the_session_once(client, login, trainer, workshop_module):
    login(trainer)
    url = f"/termine/modul/{workshop_module.id}/neu"
    first = client.post(url, data=new_form(trainer))
    again = client.post(url, data=new_form(trainer), follow_redirects=True)
    assert sessions_planned() == 1
    session_id = db.session.scalar(select(WorkshopSession.id))
    assert first.headers["Location"].endswith(f"/termine/{session_id}")
    assert again.request.path == f"/termine/{session_id}"
    assert "Dieser Termin war schon angelegt; er ist nur einmal gespeichert." in again.text


def test_a_series_sent_twice_is_planned_once_but_another_time_is_a_session_of_its_own(client, login, trainer,
                                                                                     workshop_module):
    login(trainer)
    url = f"/termine/modul/{workshop_module.id}/neu"
    series = new_form(trainer, every_weeks="1", until=in_days(24).isoformat())
    client.post(url, data=series)
    page = client.post(url, data=series, follow_redirects=True)
    assert sessions_planned() == 3 and "Diese 3 Termine waren schon angelegt" in page.text
    client.post(url, data=new_form(trainer, start_time="13:00", end_time="15:00"))
    assert sessions_planned() == 4


@pytest.mark.postgres
def test_the_same_plan_sent_from_two_tabs_at_the_same_moment_is_planned_once(new_client, login, trainer,
                                                                             workshop_module):
    tabs = []
    for _tab in range(2):
        tab = new_client()
        login(trainer, via=tab)
        tabs.append(tab)
    answers, url, form = [], f"/termine/modul/{workshop_module.id}/neu", new_form(trainer)

    def send(tab):
        def task(barrier):
            barrier.wait()
            answers.append(tab.post(url, data=form).status_code)
        return task

    assert run_together([send(tab) for tab in tabs]) == []
    assert answers == [302, 302] and sessions_planned() == 1


# ---------------------------------------------------------------- 3. dates that cannot be planned

@pytest.mark.parametrize("typed", [
    {"day": "0001-01-01", "start_time": "00:30", "end_time": "02:00"},
    {"day": "9999-12-31", "start_time": "22:00", "end_time": "02:00"},
    {"every_weeks": "1", "until": "9999-12-31"},
    {"day": (date.today() + timedelta(days=4 * 365)).isoformat()},
])
def test_dates_far_off_are_refused_by_the_form_with_a_message(client, login, trainer, workshop_module, typed):
    login(trainer)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(trainer, **typed))
    assert page.status_code == 200 and "Bitte ein Datum zwischen dem" in page.text
    assert sessions_planned() == 0


def test_a_session_cannot_be_moved_far_off_but_one_long_past_keeps_its_date(client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    page = client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(session, [trainer], day="0001-01-01"))
    assert page.status_code == 200 and "Bitte ein Datum zwischen dem" in page.text

    long_ago = utcnow().replace(second=0, microsecond=0) - timedelta(days=60)
    session.starts_at, session.ends_at = long_ago, long_ago + timedelta(hours=3)
    session.booking_deadline_at, session.cancellation_deadline_at = long_ago, long_ago - timedelta(hours=24)
    db.session.commit()
    moved = client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(session, [trainer], place="Halle 9"))
    assert moved.status_code == 302, moved.text
    db.session.expire_all()
    assert db.session.get(WorkshopSession, session.id).place == "Halle 9"


def test_the_planning_functions_refuse_the_edges_of_the_calendar_instead_of_failing():
    with pytest.raises(ScheduleError):
        local_to_utc(date(1, 1, 1), time(0, 30))
    with pytest.raises(ScheduleError):
        SessionPlan(start_time=time(22), end_time=time(2), capacity=5).times_on(date.max)
    with pytest.raises(ScheduleError, match="höchstens 52 Termine"):  # counted, not walked to week by week
        series_dates(date(2026, 1, 5), every_weeks=1, until=date.max)


def test_sessions_far_off_are_refused_when_planned_without_the_form(make_session, workshop_module, trainer):
    plan = SessionPlan(start_time=time(10), end_time=time(12), capacity=5, place="Halle 4", trainers=[trainer])
    for day in (date(1, 1, 1), date(9999, 12, 31)):
        with pytest.raises(ScheduleError, match="Bitte ein Datum zwischen dem"):
            schedule.create_sessions(workshop_module, plan, [day], by=trainer, now=utcnow())
    db.session.rollback()
    assert sessions_planned() == 0


# ---------------------------------------------------------------- 4. who was told

def test_editing_a_session_nobody_booked_does_not_claim_anyone_was_told(client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    page = client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(session, [trainer], place="Halle 5"),
                       follow_redirects=True)
    assert "Es ist noch niemand angemeldet, der benachrichtigt werden müsste." in page.text
    assert "alle Angemeldeten wurden benachrichtigt" not in page.text


# ---------------------------------------------------------------- 5. the trainer's notes in every mail

def with_note(session, note="Bitte Sicherheitsschuhe mitbringen."):
    session.note = note
    db.session.commit()
    return session


def test_the_trainers_notes_are_in_the_confirmation_and_the_reminder(make_session, make_user):
    person = make_user()
    session = with_note(make_session())
    services.book(session, person, now=at(session, days=-3))
    db.session.commit()
    jobs.send_reminders(at(session, hours=-2))
    for subject in ("Platz bestätigt", "Erinnerung"):
        (mail,) = outbox(person.email, subject)
        assert "Hinweis der Leitung: Bitte Sicherheitsschuhe mitbringen." in mail.body_text
        assert "Bitte Sicherheitsschuhe mitbringen." in mail.body_html


def test_the_trainers_notes_are_in_the_request_and_approval_mails_but_not_in_a_refusal(make_session, make_user,
                                                                                       trainer):
    approved, declined = make_user(), make_user()
    session = with_note(make_session(approval_required=True))
    for person in (approved, declined):
        services.book(session, person, now=at(session, days=-3))
    services.approve(services.booking_of(approved, session), by=trainer, now=at(session, days=-2))
    services.decline(services.booking_of(declined, session), by=trainer, now=at(session, days=-2))
    db.session.commit()
    for mail in [*outbox(approved.email, "wartet auf Freigabe"), *outbox(approved.email, "freigegeben")]:
        assert "Bitte Sicherheitsschuhe mitbringen." in mail.body_text
    (refusal,) = outbox(declined.email, "abgelehnt")
    assert "Sicherheitsschuhe" not in refusal.body_text


# ---------------------------------------------------------------- 6. the trainers are told

def test_a_new_request_is_mailed_to_the_sessions_trainers_once_with_a_link_to_decide(make_session, make_user,
                                                                                    trainer):
    colleague = make_user(Role.TRAINER, name="Trainer Theo")
    session = make_session(approval_required=True, trainers=[trainer, colleague])
    person = make_user(name="Anna Anfrage")
    for _click in range(2):
        services.book(session, person, now=at(session, days=-3))
        db.session.commit()
    for each in (trainer, colleague):
        (mail,) = outbox(each.email, "Neue Anfrage")
        assert "Anna Anfrage möchte an diesem Termin teilnehmen" in mail.body_text
        assert f"/termine/{session.id}/teilnehmende" in mail.body_text


def test_no_trainer_mail_for_a_booking_that_needs_no_approval(make_session, make_user, trainer):
    make_session(booked=[make_user()])
    assert outbox(trainer.email) == []


def test_the_trainers_are_told_when_the_course_owner_changes_or_cancels_their_session(
        client, login, make_user, make_session, trainer):
    colleague = make_user(Role.TRAINER, name="Trainer Theo")
    session = make_session(trainers=[colleague])
    login(trainer)  # the course's owner, who does not lead this session
    client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(session, [colleague], capacity="6"))
    (changed,) = outbox(colleague.email, "Termin geändert")
    assert "Trainerin Tina hat diesen Termin geändert" in changed.body_text and "Geändert: Plätze" in changed.body_text
    assert f"/termine/{session.id}" in changed.body_text

    client.post(f"/termine/{session.id}/absagen", data={"note": "Die Halle wird renoviert."})
    (cancelled,) = outbox(colleague.email, "Termin abgesagt")
    assert "Trainerin Tina hat diesen Termin abgesagt" in cancelled.body_text
    assert "Die Halle wird renoviert." in cancelled.body_text
    assert outbox(trainer.email) == []  # who made the change knows


def test_a_trainer_taken_off_a_session_hears_of_it_and_one_changing_their_own_session_alone_is_not_mailed(
        client, login, make_user, make_session, trainer):
    colleague = make_user(Role.TRAINER)
    session = make_session(trainers=[trainer, colleague])
    login(trainer)
    client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(session, [trainer]))
    (mail,) = outbox(colleague.email, "Termin geändert")
    assert "Geändert: Trainerinnen und Trainer" in mail.body_text
    client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(session, [trainer], place="Halle 8"))
    assert outbox(trainer.email) == [] and len(outbox(colleague.email)) == 1


# ---------------------------------------------------------------- 7. cancelling after the session was moved

def test_people_booked_before_a_session_was_moved_earlier_may_cancel_until_it_starts(
        client, new_client, login, make_user, make_session, trainer):
    booked_before = make_user()
    session = make_session(cancellation_hours_before=72, booked=[booked_before])
    login(trainer)
    client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(session, [trainer], day=in_days(2).isoformat()))
    db.session.expire_all()
    assert db.session.get(WorkshopSession, session.id).cancellation_deadline_at < utcnow()  # over already
    (mail,) = outbox(booked_before.email, "Termin geändert")
    assert "können Sie Ihre Teilnahme bis zum Beginn absagen" in mail.body_text

    booked_after = make_user()
    services.book(session, booked_after, now=utcnow())
    db.session.commit()
    with pytest.raises(services.BookingError, match="Absagefrist ist vorbei"):
        services.cancel(services.booking_of(booked_after, session), now=utcnow())
    db.session.rollback()

    theirs = new_client()
    login(booked_before, via=theirs)
    assert "Teilnahme absagen" in theirs.get(f"/termine/{session.id}").text  # offered on the page, too
    page = theirs.post(f"/termine/{session.id}/buchung/stornieren", data={}, follow_redirects=True)
    assert "Ihre Teilnahme ist abgesagt." in page.text
    assert services.booking_of(booked_before, session).status == "cancelled"


def test_a_new_room_alone_does_not_lift_the_deadline(make_session, make_user, trainer):
    person = make_user()
    session = make_session(booked=[person])
    plan = SessionPlan.of(session)
    plan.place = "Halle 7"
    schedule.update_session(session, plan, to_local(session.starts_at).date(), by=trainer, now=utcnow())
    db.session.commit()
    assert session.rescheduled_at is None
    with pytest.raises(services.BookingError, match="Absagefrist ist vorbei"):
        services.cancel(services.booking_of(person, session), now=at(session, hours=-2))
    (mail,) = outbox(person.email, "Termin geändert")
    assert "bis zum Beginn absagen" not in mail.body_text


# ---------------------------------------------------------------- 8. a series that says what it cannot do

def test_a_series_end_without_a_repetition_is_asked_about(client, login, trainer, workshop_module):
    login(trainer)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu",
                       data=new_form(trainer, every_weeks="0", until=in_days(40).isoformat()))
    assert page.status_code == 200
    assert "Für eine Serie bitte angeben, alle wie viele Wochen sie sich wiederholt." in page.text
    assert sessions_planned() == 0


def test_an_exception_on_no_date_of_the_series_is_pointed_out(client, login, trainer, workshop_module):
    login(trainer)
    first = in_days(10)
    typo = first + timedelta(days=8)  # meant the second week, typed a day after it
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, every_weeks="1", until=(first + timedelta(weeks=3)).isoformat(), exceptions=typo.strftime("%d.%m.%Y")))
    assert page.status_code == 200
    assert f"Diese Ausnahmen fallen auf keinen der geplanten Termine: {typo.strftime('%d.%m.%Y')}" in page.text
    assert sessions_planned() == 0
