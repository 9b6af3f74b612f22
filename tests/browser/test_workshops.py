"""A workshop with one seat: booking, waitlist, promotion on cancel, attendance that completes the module."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import LOCAL_TZ, utcnow
from qualify.extensions import db
from qualify.learning.models import ModuleCompletion
from qualify.workshops.models import WorkshopSession


def test_one_seat_waitlist_promotion_and_attendance(make_page, make_user, sign_in, assert_accessible,
                                                    practical_day, tina):
    module, trainer = practical_day, tina
    course = module.course
    anna, ben = make_user(Role.LEARNER, name="Anna Auer"), make_user(Role.LEARNER, name="Ben Berg")
    module_url = f"/kurse/{course.slug}/module/{module.slug}"

    trainer_page = make_page()
    sign_in(trainer_page, trainer)
    trainer_page.goto(module_url)
    trainer_page.get_by_role("link", name="Termin planen").click()
    assert_accessible(trainer_page)
    tomorrow = (utcnow().astimezone(LOCAL_TZ) + timedelta(days=1)).date()
    trainer_page.get_by_label("Datum").fill(tomorrow.isoformat())
    trainer_page.get_by_label("Beginn (Uhrzeit in Deutschland)").fill("10:00")
    trainer_page.get_by_label("Ende").fill("13:00")
    trainer_page.get_by_label("Ort").fill("Schulungshalle 2")
    trainer_page.get_by_label("Plätze").fill("1")
    trainer_page.get_by_label("Absagefrist (Stunden vor Beginn)").fill("0")
    trainer_page.get_by_role("button", name="Speichern").click()
    expect(trainer_page.get_by_text("Schulungshalle 2").first).to_be_visible()
    session_url = trainer_page.url
    assert_accessible(trainer_page)

    anna_page, ben_page = make_page(), make_page()
    sign_in(anna_page, anna)
    anna_page.goto(session_url)
    expect(anna_page.get_by_role("link", name="In meinen Kalender eintragen")).to_have_count(0)  # no seat yet
    anna_page.get_by_role("button", name="Platz buchen").click()
    expect(anna_page.get_by_text("Teilnahme absagen …")).to_be_visible()
    expect(anna_page.get_by_role("link", name="In meinen Kalender eintragen")).to_be_visible()
    assert_accessible(anna_page)
    sign_in(ben_page, ben)
    ben_page.goto(session_url)
    ben_page.get_by_role("button", name="Auf die Warteliste").click()
    expect(ben_page.get_by_text("Sie sind auf Platz 1 der Warteliste.")).to_be_visible()
    expect(ben_page.get_by_role("link", name="In meinen Kalender eintragen")).to_have_count(0)
    assert_accessible(ben_page)
    # The list of all dates, one tap from "Meine Termine", marks Ben's place in words.
    ben_page.goto("/termine/meine")
    ben_page.get_by_role("navigation", name="Termine").get_by_role("link", name="Alle Termine").click()
    expect(ben_page.get_by_text("Auf der Warteliste – Platz 1")).to_be_visible()
    assert_accessible(ben_page)
    trainer_page.goto(session_url + "/teilnehmende")  # a seat and a waitlist place, each with its actions
    trainer_page.get_by_text("Platz geben …").click()
    expect(trainer_page.get_by_role("button", name="Ja, Platz geben")).to_be_visible()
    assert_accessible(trainer_page)

    anna_page.reload()
    anna_page.get_by_text("Teilnahme absagen …").click()  # asked once more: the seat goes at once
    expect(anna_page.get_by_text("Ihr Platz geht sofort an die nächste Person auf der Warteliste.")).to_be_visible()
    assert_accessible(anna_page)
    anna_page.get_by_role("button", name="Ja, Teilnahme absagen").click()
    ben_page.goto("/termine/meine")
    expect(ben_page.get_by_text("Schulungshalle 2").first).to_be_visible()
    ben_page.goto(session_url)
    expect(ben_page.get_by_text("Teilnahme absagen …")).to_be_visible()
    assert_accessible(ben_page)

    # The day has come: the session starts in half an hour, and attendance can be taken.
    db.session.expire_all()
    session = db.session.scalar(select(WorkshopSession).where(WorkshopSession.module_id == module.id))
    length = session.ends_at - session.starts_at
    session.starts_at = utcnow() + timedelta(minutes=30)
    session.ends_at = session.starts_at + length
    db.session.commit()
    trainer_page.goto(session_url)
    trainer_page.get_by_role("link", name="Anwesenheit eintragen").click()
    assert_accessible(trainer_page)
    trainer_page.locator("li", has_text="Ben Berg").get_by_role("button", name="anwesend").click()
    expect(trainer_page.locator("li", has_text="Ben Berg").get_by_role("button", name="anwesend")).to_have_attribute(
        "aria-pressed", "true")

    db.session.expire_all()
    assert db.session.scalar(select(ModuleCompletion).where(ModuleCompletion.user_id == ben.id,
                                                            ModuleCompletion.module_id == module.id)) is not None
    ben_page.goto(module_url)
    expect(ben_page.get_by_text("Erledigt")).to_be_visible()


def test_a_calendar_subscription_on_a_phone_is_one_tap_or_one_copy(phone_page, make_user, sign_in,
                                                                   assert_accessible):
    sign_in(phone_page, make_user(Role.LEARNER))
    phone_page.goto("/termine/meine")
    phone_page.get_by_role("button", name="Adresse erzeugen").click()
    subscribe = phone_page.get_by_role("link", name="Im Kalender abonnieren (iPhone, iPad, Mac, Outlook)")
    assert subscribe.get_attribute("href").startswith("webcal://")
    # Android has no app for webcal: the https address to copy, described by the way into Google Kalender.
    address = phone_page.get_by_label("Adresse zum Kopieren", exact=False)
    assert address.input_value().startswith("http")
    expect(address).to_have_accessible_description(re.compile("„Weitere Kalender“ → „Per URL“"))
    phone_page.get_by_role("button", name="Adresse kopieren").click()
    expect(phone_page.get_by_role("status")).to_have_text("Adresse kopiert.")
    assert_accessible(phone_page)


def test_a_trainer_on_a_phone_moves_a_booked_session_and_mail_page_and_calendar_file_agree(
        make_page, make_user, sign_in, assert_accessible, practical_day, tina):
    from datetime import time

    from icalendar import Calendar

    from qualify.core.mail import OutboxMessage, build_email
    from qualify.workshops import schedule, services

    small_phone = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
    anna = make_user(Role.LEARNER, name="Anna Auer")
    day = (utcnow().astimezone(LOCAL_TZ) + timedelta(days=10)).date()
    plan = schedule.SessionPlan(start_time=time(9), end_time=time(12), capacity=5, place="Halle 3", trainers=[tina])
    (session,) = schedule.create_sessions(practical_day, plan, [day], by=tina, now=utcnow())
    services.book(session, anna, now=utcnow())
    db.session.commit()
    session_url = f"/termine/{session.id}"

    phone_page = make_page(**small_phone)
    sign_in(phone_page, tina)
    phone_page.goto(session_url + "/bearbeiten")
    phone_page.get_by_label("Beginn (Uhrzeit in Deutschland)").fill("11:00")
    phone_page.get_by_label("Ende").fill("14:00")
    phone_page.get_by_label("Ort").fill("Halle 5")
    phone_page.get_by_role("button", name="Speichern").click()
    expect(phone_page.get_by_text("Der Termin ist geändert; alle Angemeldeten wurden benachrichtigt.")).to_be_visible()
    assert_accessible(phone_page)

    anna_page = make_page(**small_phone)
    sign_in(anna_page, anna)
    anna_page.goto(session_url)
    expect(anna_page.get_by_text(re.compile("11:00–14:00"))).to_be_visible()
    with anna_page.expect_download() as download:
        anna_page.get_by_role("link", name=re.compile("In meinen Kalender eintragen")).click()
    (downloaded,) = Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")

    db.session.expire_all()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == anna.email,
                                                          OutboxMessage.subject.startswith("Termin geändert"))).one()
    email = build_email(mail, "Qualify <noreply@example.org>")
    text = email.get_body(("plain",)).get_content()
    (part,) = [part for part in email.walk() if part.get_content_type() == "text/calendar"]
    (mailed,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert "11:00–14:00" in text and "bisher:" in text and "Ort: Halle 5 (bisher: Halle 3)" in text
    for event in (downloaded, mailed):  # one entry in the calendar, whichever way it came
        assert str(event["UID"]) == session.uid and int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART").astimezone(LOCAL_TZ).strftime("%H:%M") == "11:00"
        assert str(event["LOCATION"]) == "Halle 5"
