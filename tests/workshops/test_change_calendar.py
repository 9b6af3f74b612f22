"""A changed or cancelled session: each mail's calendar file says what the mail's text says, and updates the entry
the person's calendar holds (same UID, a higher SEQUENCE; REQUEST for a change, CANCEL for a cancellation)."""

from datetime import UTC, date, time, timedelta

from babel.dates import format_date
from icalendar import Calendar

from qualify.accounts.roles import Role
from qualify.core.mail import build_email
from qualify.core.time import to_local, utcnow
from qualify.extensions import db
from qualify.workshops import schedule, services
from tests.workshops.conftest import at, outbox


def sent(mail):
    """The mail as it goes out: its plain text, and its calendar file read back (METHOD, the one VEVENT)."""
    email = build_email(mail, "Qualify <noreply@example.org>")
    text = email.get_body(("plain",)).get_content()
    (part,) = [part for part in email.walk() if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    return text, str(calendar["METHOD"]), event, part.get_param("method")


def change(session, trainer, **what):
    plan = schedule.SessionPlan.of(session)
    for name, value in what.items():
        setattr(plan, name, value)
    schedule.update_session(session, plan, to_local(session.starts_at).date(), by=trainer,
                            now=at(session, days=-3))
    db.session.commit()


def test_two_changes_before_the_mails_go_out_each_carry_the_file_of_their_own_text(make_session, make_user,
                                                                                   trainer):
    person = make_user()
    session = make_session(booked=[person])  # 10:00–13:00 in Ausbildungswerkstatt Halle 4
    change(session, trainer, start_time=time(11), end_time=time(14))
    change(session, trainer, place="Schulungszentrum, Halle 5")

    confirmation, moved, new_room = outbox(person.email)
    first_text, _method, first, _ = sent(confirmation)
    moved_text, moved_method, moved_event, moved_part = sent(moved)
    room_text, room_method, room_event, _ = sent(new_room)

    assert "11:00–14:00" in moved_text and "Ort: Ausbildungswerkstatt Halle 4" in moved_text
    assert to_local(moved_event.decoded("DTSTART")).strftime("%H:%M") == "11:00"
    assert to_local(moved_event.decoded("DTEND")).strftime("%H:%M") == "14:00"
    assert str(moved_event["LOCATION"]) == "Ausbildungswerkstatt Halle 4"
    assert "Ort: Schulungszentrum, Halle 5" in room_text and "11:00–14:00" in room_text
    assert str(room_event["LOCATION"]) == "Schulungszentrum, Halle 5"
    # One entry in the calendar, updated by each mail in turn.
    assert str(first["UID"]) == str(moved_event["UID"]) == str(room_event["UID"]) == session.uid
    assert [int(event["SEQUENCE"]) for event in (first, moved_event, room_event)] == [0, 1, 2]
    assert moved_method == room_method == moved_part.upper() == "REQUEST"
    assert "10:00–13:00" in first_text and to_local(first.decoded("DTSTART")).strftime("%H:%M") == "10:00"


def test_the_cancellation_after_a_change_removes_the_same_entry(make_session, make_user, trainer):
    person = make_user()
    session = make_session(booked=[person])
    change(session, trainer, place="Halle 7")
    (changed,) = outbox(person.email, "Termin geändert")
    changed_sequence = int(sent(changed)[2]["SEQUENCE"])
    changed.sent_at = utcnow()  # it went out (one still waiting would be withdrawn by the cancellation)
    schedule.cancel_session(session, by=trainer, now=at(session, days=-2), note="Trainer krank")
    db.session.commit()

    (cancellation,) = outbox(person.email, "Termin abgesagt")
    text, method, event, part_method = sent(cancellation)
    assert "Trainer krank" in text
    assert method == part_method.upper() == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == session.uid
    assert int(event["SEQUENCE"]) > changed_sequence


def test_giving_up_the_seat_after_a_change_cancels_above_the_changed_entry(make_session, make_user, trainer):
    person = make_user()
    session = make_session(booked=[person])
    change(session, trainer, start_time=time(9))
    booking = services.booking_of(person, session)
    services.cancel(booking, now=at(session, days=-2))
    db.session.commit()

    (changed,) = outbox(person.email, "Termin geändert")
    (withdrawn,) = outbox(person.email, "Teilnahme abgesagt")
    _text, method, event, _ = sent(withdrawn)
    assert method == "CANCEL" and str(event["UID"]) == session.uid
    assert int(event["SEQUENCE"]) > int(sent(changed)[2]["SEQUENCE"])


def test_mail_and_file_give_the_same_berlin_time_in_summer_and_in_winter(make_session, make_user, trainer):
    today = utcnow().date()
    summer = date(today.year + 1, 7, 7)  # CEST, UTC+2
    winter = date(today.year + 1, 1, 12)  # CET, UTC+1
    for day, utc_hour in ((summer, 8), (winter, 9)):
        person = make_user()
        make_session(day=day, booked=[person])
        (mail,) = outbox(person.email)
        text, _method, event, _ = sent(mail)
        assert "10:00–13:00" in text
        starts = event.decoded("DTSTART")
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert starts.hour == 10 and starts.utcoffset() == timedelta(hours=10 - utc_hour)
        assert starts.astimezone(UTC).hour == utc_hour


def test_a_mail_queued_before_mails_kept_their_facts_still_gets_the_session_as_it_is(make_session, make_user):
    person = make_user()
    session = make_session(booked=[person])
    (mail,) = outbox(person.email)
    mail.attachments = [{key: value for key, value in attachment.items() if key != "event"}
                        for attachment in mail.attachments]
    session.place = "Halle 9"
    db.session.commit()
    _text, method, event, _ = sent(mail)
    assert method == "REQUEST" and str(event["LOCATION"]) == "Halle 9"


def test_the_change_mail_names_the_time_and_place_it_replaces(make_session, make_user, trainer):
    person = make_user()
    session = make_session(booked=[person], place="Halle <3>")  # 10:00–13:00
    day = format_date(to_local(session.starts_at).date(), "full", locale="de")  # "Dienstag, 15. Dezember 2026"
    change(session, trainer, start_time=time(11), end_time=time(14), place="Halle 5")

    (mail,) = outbox(person.email, "Termin geändert")
    assert "Geändert: Zeit, Ort" in mail.body_text
    assert f"{day}, 11:00–14:00\nbisher: {day}, 10:00–13:00\nOrt: Halle 5 (bisher: Halle <3>)\n\nAlle Angaben" in (
        mail.body_text)
    assert "Ort: Halle 5 (bisher: Halle &lt;3&gt;)" in mail.body_html  # the trainer's words, escaped


def test_a_change_of_the_note_alone_says_nothing_was_before(make_session, make_user, trainer):
    person = make_user()
    session = make_session(booked=[person])
    change(session, trainer, note="Bitte Sicherheitsschuhe mitbringen.")
    (mail,) = outbox(person.email, "Termin geändert")
    assert "bisher" not in mail.body_text and "Ort: Ausbildungswerkstatt Halle 4\n\nAlle Angaben" in mail.body_text


def test_the_co_trainers_change_mail_names_the_time_and_place_it_replaces(make_session, make_user, trainer):
    colleague = make_user(Role.TRAINER)
    session = make_session(trainers=[trainer, colleague], place="Halle <3>")  # 10:00–13:00
    day = format_date(to_local(session.starts_at).date(), "full", locale="de")
    change(session, trainer, start_time=time(11), end_time=time(14), place="Halle 5")

    (mail,) = outbox(colleague.email, "Termin geändert")
    assert "Trainerin Tina hat diesen Termin geändert" in mail.body_text
    assert f"{day}, 11:00–14:00\nbisher: {day}, 10:00–13:00\nOrt: Halle 5 (bisher: Halle <3>)\n\nAlle Angaben" in (
        mail.body_text)
    assert "Ort: Halle 5 (bisher: Halle &lt;3&gt;)" in mail.body_html


def test_the_co_trainers_mail_about_seats_alone_says_nothing_was_before(make_session, make_user, trainer):
    colleague = make_user(Role.TRAINER)
    session = make_session(trainers=[trainer, colleague])
    change(session, trainer, capacity=6)
    (mail,) = outbox(colleague.email, "Termin geändert")
    assert "Geändert: Plätze" in mail.body_text
    assert "bisher" not in mail.body_text and "Ort: Ausbildungswerkstatt Halle 4\n\nAlle Angaben" in mail.body_text
