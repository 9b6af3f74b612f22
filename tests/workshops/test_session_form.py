"""The session form as trainers meet it: every error at once, beside its field and with what was typed; no text cut
off without a word; a cancelled session says so before anything is typed."""

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession
from tests.workshops.conftest import bookings_of, in_days, outbox
from tests.workshops.test_planning_fixes import edit_form, new_form


def sessions_planned() -> int:
    return db.session.scalar(select(func.count()).select_from(WorkshopSession))


def error_of(page: str, field: str) -> str:
    """The message shown beside the field (none: "")."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return found.group(1).strip() if found else ""


def text_of(page: str, field: str) -> str:
    """What a text area holds."""
    return re.search(rf'<textarea[^>]*id="{field}"[^>]*>(?:\r?\n)?(.*?)</textarea>', page, re.S).group(1)


# ---------------------------------------------------------------- 1. every error in one go

def test_the_place_missing_and_an_end_at_the_begin_are_said_together(client, login, trainer, workshop_module):
    login(trainer)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, place="", start_time="09:00", end_time="09:00", note="Bitte Sicherheitsschuhe mitbringen.")).text
    assert error_of(page, "place") == "Bitte einen Ort angeben."
    assert error_of(page, "end_time") == "Das Ende muss nach dem Beginn liegen."
    assert "vor dem Beginn" not in page  # 09:00–09:00 is no night of 24 hours
    assert 'value="09:00"' in page and "Bitte Sicherheitsschuhe mitbringen." in page  # kept as typed
    assert sessions_planned() == 0


def test_a_date_in_the_past_is_said_with_the_other_errors_not_after_them(client, login, trainer, workshop_module):
    login(trainer)
    yesterday = in_days(-1)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu",
                       data=new_form(trainer, day=yesterday.isoformat(), place="", capacity="0")).text
    assert error_of(page, "day") == f"Der Termin am {yesterday.strftime('%d.%m.%Y')} liegt in der Vergangenheit."
    assert error_of(page, "place") == "Bitte einen Ort angeben."
    assert "Zahl muss zwischen 1 und 500 liegen" in error_of(page, "capacity")
    assert sessions_planned() == 0


def test_moving_a_session_into_the_past_is_said_with_the_other_errors(client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    page = client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(
        session, [trainer], day=in_days(-1).isoformat(), format="online", online_url="")).text
    assert "liegt in der Vergangenheit" in error_of(page, "day")
    assert error_of(page, "online_url") == "Bitte einen Online-Link angeben."
    db.session.expire_all()
    assert db.session.get(WorkshopSession, session.id).starts_at > utcnow()


def test_a_past_date_and_an_end_before_the_begin_are_said_together(client, login, trainer, workshop_module):
    # The end was said first, the past date only once the time was put right.
    login(trainer)
    yesterday = in_days(-1)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, day=yesterday.isoformat(), start_time="14:00", end_time="13:00")).text
    assert error_of(page, "day") == f"Der Termin am {yesterday.strftime('%d.%m.%Y')} liegt in der Vergangenheit."
    assert error_of(page, "end_time").startswith("Das Ende liegt vor dem Beginn.")
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, day=yesterday.isoformat(), start_time="14:00", end_time="14:00")).text
    assert "in der Vergangenheit" in error_of(page, "day")
    assert error_of(page, "end_time") == "Das Ende muss nach dem Beginn liegen."
    assert sessions_planned() == 0


def test_a_date_that_cannot_be_planned_and_an_end_at_the_begin_are_said_together(client, login, trainer,
                                                                                 workshop_module):
    login(trainer)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, day=in_days(-60).isoformat(), start_time="09:00", end_time="09:00")).text
    assert error_of(page, "day").startswith("Bitte ein Datum zwischen dem ")
    assert error_of(page, "end_time") == "Das Ende muss nach dem Beginn liegen."
    assert sessions_planned() == 0


def test_the_summary_lists_the_errors_in_the_order_of_the_fields(client, login, trainer, workshop_module):
    # "Hinweise" came before "Plätze" above the form, and after it below.
    login(trainer)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, place="", capacity="0", trainers=[], note="Sicherheitsschuhe " * 120, every_weeks="1")).text
    summary = re.search(r'class="form-errors".*?</ul>', page, re.S).group(0)
    listed = re.findall(r'<a href="#([a-z_]+)">', summary)
    beside_the_fields = re.findall(r'<p class="error" id="([a-z_]+)-error">', page)
    assert listed == beside_the_fields == ["place", "capacity", "trainers", "note", "until"]


def spring_change_in_weeks() -> date:
    """The next last Sunday of March that is more than two weeks ahead (02:00–03:00 does not exist there)."""
    for year in range(in_days(0).year, in_days(0).year + 3):
        last_sunday = date(year, 3, 31) - timedelta(days=(date(year, 3, 31).weekday() + 1) % 7)
        if last_sunday > in_days(15):
            return last_sunday
    raise AssertionError("no clock change ahead")


def test_a_time_the_clock_change_skips_on_a_later_date_of_a_series_is_said_beside_the_begin(
        client, login, trainer, workshop_module):
    login(trainer)
    spring_change = spring_change_in_weeks()
    first = spring_change - timedelta(weeks=2)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, day=first.isoformat(), start_time="02:30", end_time="04:00", every_weeks="1",
        until=spring_change.isoformat(), place="")).text
    assert "wegen der Zeitumstellung nicht" in error_of(page, "start_time")
    assert error_of(page, "place") == "Bitte einen Ort angeben."
    assert sessions_planned() == 0


def test_a_link_without_https_gets_one_message(client, login, trainer, workshop_module):
    login(trainer)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, format="online", place="", online_url="zoom.us/j/123")).text
    assert error_of(page, "online_url") == "Bitte einen Link mit https:// angeben."
    assert "Ungültige URL" not in page  # the same slip said twice
    assert 'value="zoom.us/j/123"' in page


def test_a_well_formed_plan_is_still_planned(client, login, trainer, workshop_module):
    login(trainer)
    response = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, start_time="22:00", end_time="06:00", format="hybrid", online_url="https://meet.example.org/4"))
    assert response.status_code == 302 and sessions_planned() == 1


# ---------------------------------------------------------------- 2. nothing cut off without a word

def test_notes_too_long_are_refused_with_their_length_and_kept_to_shorten(client, login, trainer, workshop_module):
    login(trainer)
    url = f"/termine/modul/{workshop_module.id}/neu"
    assert "maxlength" not in client.get(url).text  # a browser would cut a pasted text off without a word
    notes = "Bitte Sicherheitsschuhe mitbringen. " * 60 + "Ende."  # 2,165 characters
    page = client.post(url, data=new_form(trainer, note=notes)).text
    assert error_of(page, "note") == "Der Text ist zu lang (2.165 Zeichen). Erlaubt sind höchstens 2.000 Zeichen."
    assert text_of(page, "note") == notes
    assert sessions_planned() == 0


def test_line_breaks_in_the_notes_count_one_character_each(client, login, trainer, workshop_module):
    login(trainer)
    notes = "\r\n".join(["Sicherheitsschuhe"] * 110)  # 1,979 characters with one per line break, 2,088 with two
    response = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(trainer, note=notes))
    assert response.status_code == 302
    assert db.session.scalar(select(WorkshopSession.note)) == notes.replace("\r\n", "\n")


def test_a_place_too_long_is_refused_and_kept(client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    place = "Ausbildungswerkstatt, Halle 4, Raum 2, " * 8
    page = client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(session, [trainer], place=place)).text
    assert "Erlaubt sind höchstens 300 Zeichen." in error_of(page, "place")
    assert f'value="{place.strip()}"' in page and "maxlength" not in page
    db.session.expire_all()
    assert db.session.get(WorkshopSession, session.id).place == "Ausbildungswerkstatt Halle 4"


def test_a_reason_for_cancelling_a_session_too_long_cancels_nothing(client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    assert "maxlength" not in client.get(f"/termine/{session.id}/absagen").text
    reason = "Die Trainerin ist erkrankt. " * 40
    page = client.post(f"/termine/{session.id}/absagen", data={"note": reason}).text
    assert "Erlaubt sind höchstens 1.000 Zeichen." in error_of(page, "note")
    assert text_of(page, "note") == reason
    assert not db.session.get(WorkshopSession, session.id).is_cancelled


def test_a_reason_too_long_for_cancelling_someones_seat_is_asked_again_with_the_text(client, login, make_user,
                                                                                      make_session, trainer):
    person = make_user(name="Anna Auer")
    session = make_session(booked=[person])
    login(trainer)
    assert "maxlength" not in client.get(f"/termine/{session.id}/teilnehmende").text
    (booking,) = bookings_of(session)
    reason = "Sie haben die Sicherheitsunterweisung noch nicht gemacht. " * 20
    page = client.post(f"/termine/{session.id}/teilnehmende/stornieren",
                       data={"booking_id": booking.id, "reason": reason})
    assert page.status_code == 200
    assert "Erlaubt sind höchstens 1.000 Zeichen." in error_of(page.text, "reason")
    assert text_of(page.text, "reason") == reason
    assert "Den Platz von Anna Auer stornieren?" in page.text
    assert bookings_of(session)[0].status == "confirmed" and len(outbox(person.email)) == 1  # the confirmation

    # 995 characters with one per line break, 1,012 with two: not too long, and nothing cut off its end
    shorter = "\r\n".join(["Sie haben die Sicherheitsunterweisung noch nicht gemacht."] * 17 + ["Bis bald!"])
    client.post(f"/termine/{session.id}/teilnehmende/stornieren", data={"booking_id": booking.id, "reason": shorter})
    assert bookings_of(session)[0].status == "cancelled"
    assert "Bis bald!" in outbox(person.email)[-1].body_text


# ---------------------------------------------------------------- 3. a cancelled session cannot be changed

def test_a_cancelled_sessions_edit_form_says_so_at_once_and_takes_nothing(client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    client.post(f"/termine/{session.id}/absagen", data={})
    page = client.get(f"/termine/{session.id}/bearbeiten")
    assert page.status_code == 200
    assert "Ein abgesagter Termin kann nicht mehr geändert werden." in page.text
    assert 'name="day"' not in page.text and 'name="place"' not in page.text  # nothing to type into
    assert f'href="/termine/modul/{session.module_id}/neu"' in page.text  # a new date instead

    sent = client.post(f"/termine/{session.id}/bearbeiten", data=edit_form(session, [trainer], place="Halle 9"))
    assert sent.status_code == 409 and "Ein abgesagter Termin kann nicht mehr geändert werden." in sent.text
    db.session.expire_all()
    assert db.session.get(WorkshopSession, session.id).place == "Ausbildungswerkstatt Halle 4"



def test_a_date_in_a_message_is_written_as_the_reader_writes_dates(client, login, trainer, workshop_module):
    trainer.language = "en"
    db.session.commit()
    login(trainer)
    yesterday = in_days(-1)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=new_form(
        trainer, day=yesterday.isoformat())).text
    assert error_of(page, "day") == f"The session on {yesterday.day} {yesterday:%b %Y} is in the past."
