"""The deadline for cancelling a seat goes by one name wherever a participant or trainer meets it (the session page,
the trainer's form, the change mail), and the session page writes its dates with the full year, as the mails do."""

from datetime import date, time

from qualify.core.time import to_local
from qualify.extensions import db
from qualify.workshops import schedule
from tests.workshops.conftest import at, in_days, outbox


def test_the_session_page_names_the_cancellation_deadline_as_the_form_and_the_mail_do(
        client, login, make_user, make_session, trainer):
    person = make_user()
    session = make_session(booked=[person])
    login(trainer)
    form = client.get(f"/termine/{session.id}/bearbeiten").text
    assert "Absagefrist (Stunden vor Beginn)" in form
    assert "Bis dahin können Teilnehmende ihren Platz selbst absagen" in form

    plan = schedule.SessionPlan.of(session)
    plan.cancellation_hours_before = 48
    schedule.update_session(session, plan, to_local(session.starts_at).date(), by=trainer, now=at(session, days=-5))
    db.session.commit()
    (mail,) = outbox(person.email, "Termin geändert")
    assert "Geändert: Absagefrist" in mail.body_text

    login(person)
    page = client.get(f"/termine/{session.id}").text
    assert "<dt>Absagefrist</dt>" in page
    for old_name in ("Abmeldefrist", "Absagen möglich bis", "Frist zum Absagen"):
        assert old_name not in page and old_name not in form and old_name not in mail.body_text


def test_the_session_page_writes_its_deadlines_with_the_full_year_as_the_mails_do(
        client, login, make_user, make_session):
    day = date(in_days(60).year + 1, 2, 16)  # next year or the one after, in winter time
    person = make_user()
    session = make_session(day=day, start=time(10), booking_hours_before=2, cancellation_hours_before=24,
                           booked=[person])
    login(person)
    page = client.get(f"/termine/{session.id}").text
    assert f"<dt>Anmeldeschluss</dt><dd>16.02.{day.year}, 08:00</dd>" in page
    assert f"<dt>Absagefrist</dt><dd>15.02.{day.year}, 10:00</dd>" in page
    assert f"16.02.{day.year % 100:02d}" not in page and f"15.02.{day.year % 100:02d}" not in page
    (confirmation,) = outbox(person.email)
    assert f"16.02.{day.year}" in confirmation.subject


def test_in_english_the_deadlines_spell_the_month_as_the_mails_do(client, login, make_user, make_session):
    day = date(in_days(60).year + 1, 2, 16)
    person = make_user(language="en")
    session = make_session(day=day, cancellation_hours_before=24, booked=[person])
    login(person)
    page = client.get(f"/termine/{session.id}").text
    (confirmation,) = outbox(person.email)
    assert f"16 Feb {day.year}" in confirmation.subject
    assert f"<dd>15 Feb {day.year}, 10:00</dd>" in page


def test_the_trainers_list_of_requests_writes_the_year_in_full(client, login, make_user, make_session, trainer):
    day = date(in_days(60).year + 1, 2, 16)
    session = make_session(day=day, approval_required=True, booking_hours_before=2, booked=[make_user()])
    login(trainer)
    page = client.get(f"/termine/{session.id}/teilnehmende").text
    assert f"bis zum Anmeldeschluss (16.02.{day.year}, 08:00)" in page
