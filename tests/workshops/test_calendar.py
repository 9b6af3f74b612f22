"""Calendar files read back with icalendar: fields, escaping, CANCEL, and the revocable personal feed."""

import re

from icalendar import Calendar

from qualify.core.time import LOCAL_TZ, utcnow
from qualify.extensions import db
from qualify.workshops import calendar, schedule
from qualify.workshops.models import Booking
from tests.workshops.conftest import at


def parse(data: bytes):
    cal = Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    return cal, event


def test_session_ics_carries_uid_sequence_times_and_the_berlin_timezone(make_session):
    session = make_session()
    cal, event = parse(calendar.session_ics(session, include_link=False))
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == session.uid
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTEND") == session.ends_at
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(event["SUMMARY"]) == "Praxistag am Hochvolt-Schulungsfahrzeug"


def test_a_title_with_line_breaks_commas_and_semicolons_cannot_add_properties(make_session, workshop_module):
    workshop_module.current_version.title = "Praxis, Tag; eins\r\nATTENDEE:mailto:evil@example.org\nX: y"
    db.session.commit()
    session = make_session()
    data = calendar.session_ics(session, include_link=False)
    assert not re.search(rb"^ATTENDEE", data, re.MULTILINE)
    assert b"Praxis\\, Tag\\; eins" in data
    _cal, event = parse(data)
    assert "ATTENDEE" not in event
    assert str(event["SUMMARY"]) == "Praxis, Tag; eins\nATTENDEE:mailto:evil@example.org\nX: y"


def test_online_link_is_only_in_the_file_for_confirmed_people(make_session):
    session = make_session(format="online", place="", online_url="https://meet.example.org/raum-7")
    assert b"raum-7" not in calendar.session_ics(session, include_link=False)
    assert b"raum-7" in calendar.session_ics(session, include_link=True)


def test_a_cancelled_session_is_a_cancel_with_a_higher_sequence(make_session, trainer):
    session = make_session()
    schedule.cancel_session(session, by=trainer, now=at(session, days=-1))
    db.session.commit()
    cal, event = parse(calendar.session_ics(session, include_link=False))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == session.uid


def test_confirmation_mail_carries_the_ics(make_session, make_user):
    from tests.workshops.conftest import outbox

    person = make_user()
    make_session(booked=[person])
    (mail,) = outbox(person.email)
    (attachment,) = mail.made_attachments()
    assert attachment["content_type"] == "text/calendar; method=REQUEST"  # an invitation to mail programs (iMIP)
    _cal, event = parse(attachment["data"].encode())
    assert "Praxistag" in str(event["SUMMARY"])
    assert str(event["ATTENDEE"]) == f"mailto:{person.email}"  # whom the invitation is for (RFC 5546)


def test_giving_up_a_seat_is_confirmed_by_mail_with_a_cancel_for_the_calendar(make_session, make_user):
    from qualify.workshops import services
    from tests.workshops.conftest import outbox

    seated, next_in_line, waiting = make_user(), make_user(), make_user()
    session = make_session(capacity=1, booked=[seated, next_in_line, waiting])
    for person in (seated, waiting):
        services.cancel(services.booking_of(person, session), now=utcnow())
        db.session.commit()

    withdrawn = outbox(seated.email)[-1]
    assert withdrawn.subject.startswith("Teilnahme abgesagt") and "Ihre Teilnahme abgesagt" in withdrawn.body_text
    (attachment,) = withdrawn.made_attachments()
    assert attachment["filename"] == "absage.ics"
    cal, event = parse(attachment["data"].encode())
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == session.uid and int(event["SEQUENCE"]) == session.sequence + 1
    assert outbox(next_in_line.email)[-1].subject.startswith("Ein Platz ist frei geworden")
    only_waited = outbox(waiting.email)[-1]  # had no seat, so nothing in her calendar to take out
    assert only_waited.subject.startswith("Anmeldung zurückgezogen")
    assert only_waited.made_attachments() == []


def test_the_calendar_files_of_an_english_reader_have_english_names(client, login, make_session, make_user):
    from qualify.workshops import services
    from tests.workshops.conftest import outbox

    person = make_user(language="en")
    session = make_session(booked=[person])
    services.cancel(services.booking_of(person, session), now=utcnow())
    db.session.commit()

    booked, withdrawn = outbox(person.email)
    assert [a["filename"] for a in booked.made_attachments()] == ["session.ics"]
    assert [a["filename"] for a in withdrawn.made_attachments()] == ["cancellation.ics"]
    login(person)
    downloaded = client.get(f"/termine/{session.id}/termin.ics")
    day = session.starts_at.astimezone(schedule.LOCAL_TZ).date().isoformat()
    assert downloaded.headers["Content-Disposition"] == \
        f'attachment; filename="session-{session.module.slug}-{day}.ics"'


def test_booking_again_after_giving_up_the_seat_supersedes_the_cancellation_in_the_calendar(
        make_session, make_user, trainer):
    from qualify.workshops import services
    from tests.workshops.conftest import outbox

    person = make_user()
    session = make_session(booked=[person])
    services.cancel(services.booking_of(person, session), now=utcnow())
    db.session.commit()
    services.book(session, person, now=utcnow())
    db.session.commit()
    plan = schedule.SessionPlan.of(session)
    plan.place = "Halle 7"  # then the trainer moves it
    day = session.starts_at.astimezone(schedule.LOCAL_TZ).date()
    schedule.update_session(session, plan, day, by=trainer, now=utcnow())
    db.session.commit()

    # Each message to the person's calendar above the one before, as the session was when it was queued.
    sequences = [(str(cal["METHOD"]), int(event["SEQUENCE"]))
                 for cal, event in (parse(mail.made_attachments()[0]["data"].encode())
                                    for mail in outbox(person.email))]
    assert [method for method, _sequence in sequences] == ["REQUEST", "CANCEL", "REQUEST", "REQUEST"]
    # The move raised the session to sequence 1; the person's entry is two ahead of it.
    assert [number for _method, number in sequences] == [0, 1, 2, 3]
    assert session.sequence == 1 and services.booking_of(person, session).calendar_sequence == 2


def test_ics_download_needs_the_session_to_be_visible(client, login, make_user, make_session):
    session = make_session()
    login(make_user())
    response = client.get(f"/termine/{session.id}/termin.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    cal, _event = parse(response.data)
    assert str(cal["METHOD"]) == "PUBLISH"  # a file to keep, not an invitation to answer
    day = session.starts_at.astimezone(schedule.LOCAL_TZ).date().isoformat()
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="termin-{session.module.slug}-{day}.ics"'
    assert client.get("/termine/999999/termin.ics").status_code == 404


def test_feed_lists_confirmed_sessions_and_stops_working_when_revoked(client, login, make_user, make_session):
    person = make_user()
    confirmed = make_session(capacity=1, booked=[person])
    waiting_elsewhere = make_session(capacity=1, booked=[make_user()])
    # Waiting for another date of the module, as before the rule of one date per module at a time.
    db.session.add(Booking(session_id=waiting_elsewhere.id, user_id=person.id, status="waitlisted", queue_number=2,
                           booked_at=utcnow()))
    db.session.commit()
    login(person)
    page = client.post("/termine/kalender/abo", data={}, follow_redirects=True)
    url = re.search(r'value="(http[^"]+\.ics)"', page.text).group(1)
    assert f'href="webcal://{url.split("://", 1)[1]}"' in page.text  # one tap on a phone subscribes
    path = url.split("localhost", 1)[1]
    feed = client.get(path)
    assert feed.status_code == 200
    uids = {str(e["UID"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")}
    assert uids == {confirmed.uid} and waiting_elsewhere.uid not in uids
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in str(db.session.scalars(db.select(calendar.CalendarFeed.token_hash)).all())
    mine = client.get("/termine/meine").text  # both break the subscription: each asks once more
    assert "Adresse widerrufen …</summary>" in mine and "Neue Adresse erzeugen …</summary>" in mine
    client.post("/termine/kalender/abo/widerrufen", data={})
    assert client.get(path).status_code == 404


def test_a_trainers_feed_holds_the_sessions_they_lead(client, login, make_session, trainer):
    led = make_session()
    login(trainer)
    page = client.post("/termine/kalender/abo", data={}, follow_redirects=True)
    url = re.search(r'value="(http[^"]+\.ics)"', page.text).group(1)
    feed = client.get(url.split("localhost", 1)[1])
    assert {str(e["UID"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")} == {led.uid}
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.data  # a changed room reaches phones within the hour


def test_reloading_the_page_with_a_new_feed_address_does_not_replace_it(client, login, make_user):
    login(make_user())
    first = client.post("/termine/kalender/abo", data={}, follow_redirects=True)
    url = re.search(r'value="(http[^"]+\.ics)"', first.text).group(1)
    again = client.get("/termine/kalender/abo", follow_redirects=True)  # the reload after the redirect
    assert url not in again.text  # shown once only
    assert client.get(url.split("localhost", 1)[1]).status_code == 200  # and still the one that works


def test_a_new_feed_address_replaces_the_old_one(make_user):
    person = make_user()
    old = calendar.create_feed_token(person)
    new = calendar.create_feed_token(person)
    db.session.commit()
    assert calendar.user_for_feed_token(old) is None
    assert calendar.user_for_feed_token(new).id == person.id


def test_the_berlin_timezone_is_written_as_yearly_rules_that_agree_with_zoneinfo_for_every_plannable_day(
        make_session):
    from datetime import UTC, datetime, timedelta

    from qualify.workshops.schedule import DAYS_AHEAD

    cal, _event = parse(calendar.session_ics(make_session(), include_link=False))
    (zone,) = cal.walk("VTIMEZONE")
    data = zone.to_ical()
    assert b"RDATE" not in data and data.count(b"RRULE:FREQ=YEARLY") == 2  # as Outlook reads it
    assert cal.subcomponents[0] is zone  # before the event that refers to it
    written = zone.to_tz(lookup_tzid=False)  # the offsets the file itself states, not the name looked up
    moment = datetime(utcnow().year, 1, 1, tzinfo=UTC)
    while moment < utcnow() + DAYS_AHEAD + timedelta(days=366):
        assert moment.astimezone(written).utcoffset() == moment.astimezone(LOCAL_TZ).utcoffset(), moment
        moment += timedelta(hours=7)  # every hour of the day in turn, through each clock change


def test_a_feed_without_sessions_has_no_timezone_to_explain(make_user):
    data = calendar.feed_ics([], name="Qualify")
    assert b"VTIMEZONE" not in data and b"BEGIN:VCALENDAR" in data


def test_the_facts_kept_for_a_mails_calendar_file_read_back_as_the_session_was(make_session):
    session = make_session()
    facts = calendar.EventFacts.of(session, stamp=utcnow())
    kept = facts.to_json()
    # Every fact, the times as ISO 8601 with their offset: the outbox's JSON column takes nothing else.
    assert set(kept) == {"uid", "sequence", "stamp", "starts_at", "ends_at", "title", "cancelled", "format",
                         "place", "online_url", "note"}
    assert kept["starts_at"] == session.starts_at.isoformat() and kept["uid"] == session.uid
    assert calendar.EventFacts.from_json(kept) == facts
