"""The day of a workshop on a small phone (360 × 740, touch): the trainer in the room with the participant list and
the attendance, the learner giving up a seat. What a thumb taps to say yes stands apart from what says no."""

from datetime import time, timedelta

from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.core.time import LOCAL_TZ, utcnow
from qualify.extensions import db
from qualify.workshops import schedule, services
from tests.browser.test_phone import SMALL_PHONE, assert_no_horizontal_overflow

ON_A_SMALL_PHONE = {"viewport": SMALL_PHONE, "is_mobile": True, "has_touch": True}
FINGERS_WIDTH = 8  # px between two targets, side by side or one under the other


def apart(first, second) -> float:
    """The gap between two targets side by side or one under the other."""
    a, b = first.bounding_box(), second.bounding_box()
    if b["y"] >= a["y"] + a["height"]:
        return b["y"] - (a["y"] + a["height"])
    return b["x"] - (a["x"] + a["width"])


def one_seat_tomorrow(module, trainer, *booked):
    """A session tomorrow with one seat that can be given up until it begins; the first booked has the seat."""
    plan = schedule.SessionPlan(start_time=time(10), end_time=time(13), capacity=1, place="Halle 4",
                                cancellation_hours_before=0, trainers=[trainer])
    tomorrow = (utcnow().astimezone(LOCAL_TZ) + timedelta(days=1)).date()
    (session,) = schedule.create_sessions(module, plan, [tomorrow], by=trainer, now=utcnow())
    for person in booked:
        services.book(session, person, now=utcnow())
    db.session.commit()
    return session


def test_yes_and_no_of_every_question_on_the_day_stand_a_fingers_width_apart(
        signed_in, make_user, practical_day, tina, assert_accessible):
    anna = make_user(Role.LEARNER, name="Annemarie Auer-Schönfeld")
    ben = make_user(Role.LEARNER, name="Benedikt Bergmann-Oberhauser")
    session = one_seat_tomorrow(practical_day, tina, anna, ben)

    # The learner gives up her seat: "Ja, Teilnahme absagen" and "Nein" side by side or one under the other.
    page = signed_in(anna, **ON_A_SMALL_PHONE)
    page.goto(f"/termine/{session.id}")
    page.get_by_text("Teilnahme absagen …").tap()
    assert apart(page.get_by_role("button", name="Ja, Teilnahme absagen"),
                 page.get_by_role("button", name="Nein")) >= FINGERS_WIDTH
    assert_accessible(page)

    # The trainer cancels a place on the waitlist from the participant list.
    page = signed_in(tina, **ON_A_SMALL_PHONE)
    page.goto(f"/termine/{session.id}/teilnehmende")
    row = page.get_by_role("row").filter(has_text=ben.display_name)
    row.get_by_text("Anmeldung stornieren …").tap()
    assert apart(row.get_by_role("button", name="Ja, Anmeldung stornieren"),
                 row.get_by_role("button", name="Nein")) >= FINGERS_WIDTH
    assert_no_horizontal_overflow(page)
    assert_accessible(page)

    # Calling the whole session off: the one button that tells everybody, and the way back.
    page.goto(f"/termine/{session.id}/absagen")
    assert apart(page.get_by_role("button", name="Termin absagen und alle benachrichtigen"),
                 page.get_by_role("link", name="Nicht absagen")) >= FINGERS_WIDTH
    expect(page.get_by_role("heading", level=1)).to_have_text("Termin absagen?")
    assert_accessible(page)


def test_in_the_room_the_trainer_goes_from_the_start_page_to_a_full_attendance_in_a_few_taps(
        signed_in, make_user, practical_day, tina, assert_accessible):
    people = [make_user(Role.LEARNER, name=f"Person {letter}") for letter in "ABCDEFGHIJKLM"]  # M waits
    plan = schedule.SessionPlan(start_time=time(0, 1), end_time=time(23, 59), capacity=12, place="Halle 4",
                                trainers=[tina])
    yesterday = utcnow() - timedelta(days=1)  # planned then: today's start may be past already
    (session,) = schedule.create_sessions(practical_day, plan, [utcnow().astimezone(LOCAL_TZ).date()], by=tina,
                                          now=yesterday)
    for person in people:
        services.book(session, person, now=yesterday)
    db.session.commit()

    page = signed_in(tina, **ON_A_SMALL_PHONE)
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Anwesenheit – {session.title}").tap()  # one tap from the start page
    expect(page.get_by_role("heading", level=1)).to_have_text("Anwesenheit")
    page.locator("li", has_text="Person C").get_by_role("button", name="abwesend").tap()  # C is not here
    expect(page.locator("li", has_text="Person C").get_by_role("button", name="abwesend")).to_have_attribute(
        "aria-pressed", "true")

    page.get_by_text("Alle 11 Offenen als anwesend eintragen …").tap()  # and the rest: a tap and a yes
    expect(page.get_by_text("Als anwesend eingetragen werden: Person A, Person B, Person D")).to_be_visible()
    assert apart(page.get_by_role("button", name="Ja, alle 11 als anwesend eintragen"),
                 page.get_by_role("button", name="Nein")) >= FINGERS_WIDTH
    page.get_by_role("button", name="Ja, alle 11 als anwesend eintragen").tap()

    expect(page.get_by_text("11 Personen als anwesend eingetragen.").first).to_be_visible()
    expect(page.locator(".attendance-counts")).to_contain_text("11 anwesend")
    expect(page.locator(".attendance-counts")).to_contain_text("0 offen")
    assert_no_horizontal_overflow(page)
    assert_accessible(page)

    # Person M, on the waitlist, came after all: a tap on the name's button, no address to type.
    page.get_by_role("button", name="Ist gekommen – als anwesend eintragen – Person M").tap()
    expect(page.get_by_text("Person M ist als anwesend eingetragen.").first).to_be_visible()
    expect(page.locator(".attendance-counts")).to_contain_text("12 anwesend")
    expect(page.get_by_role("heading", name="Von der Warteliste oder mit offener Anfrage")).to_have_count(0)
