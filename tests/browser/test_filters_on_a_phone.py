"""The filters of the catalogue and of the list of dates on a 360 px phone: folded behind "Filter", so that the
first course and the first date are in the first screen; opened with the keyboard, and open with their count once
one is chosen. On a wide screen they stand as before, without the disclosure."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.workshops import schedule

SMALL_PHONE = {"width": 360, "height": 640}  # the smallest screen still common among the shift's phones


def phone(make_page):
    return make_page(viewport=SMALL_PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def plan_dates(module, trainer, places: list[str]) -> None:
    """Plan one date of the module a day for each place, from tomorrow on."""
    for number, place in enumerate(places, start=1):
        plan = schedule.SessionPlan(start_time=time(6), end_time=time(14), capacity=8, place=place,
                                    trainers=[trainer])
        day = (utcnow() + timedelta(days=number)).date()
        schedule.create_sessions(module, plan, [day], by=trainer, now=utcnow())
    db.session.commit()


def test_the_first_course_is_in_the_first_screen_and_the_filters_open_with_the_keyboard(
        make_page, make_user, sign_in, assert_accessible, demo_courses):
    page = phone(make_page)
    sign_in(page, make_user())
    page.goto("/kurse/")

    first = page.locator(".course-list > li").first.get_by_role("heading")
    expect(first).to_be_in_viewport(ratio=1)  # wholly in sight, without scrolling
    summary = page.locator("summary", has_text="Filter")
    expect(summary).to_have_text("Filter")
    expect(page.get_by_label("Thema")).to_be_hidden()
    expect(page.get_by_role("searchbox", name="Suche")).to_be_visible()  # a word is how most look for a course
    assert_accessible(page)

    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Thema")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Dauer").select_option(label="bis 1 Stunde")
    page.get_by_role("button", name="Anzeigen").click()

    expect(page.locator("summary", has_text="Filter")).to_have_text("Filter (1 aktiv)")
    expect(page.get_by_label("Dauer")).to_be_visible()  # open: what was chosen is in sight
    expect(page.get_by_label("Dauer")).to_have_value("kurz")
    assert_accessible(page)
    page.get_by_label("Dauer").focus()
    page.keyboard.press("Escape")  # as every disclosure: closed, and back at its summary
    expect(page.get_by_label("Dauer")).to_be_hidden()
    expect(page.locator("summary", has_text="Filter")).to_be_focused()


def test_the_first_date_is_in_the_first_screen(make_page, make_user, sign_in, assert_accessible, practical_day,
                                                tina):
    plan_dates(practical_day, tina, ["Ausbildungswerkstatt Halle 4", "Werk Nord, Raum 2", "Schulungszentrum"])
    page = phone(make_page)
    sign_in(page, make_user())
    page.goto("/termine/")

    expect(page.get_by_text("3 Termine")).to_be_visible()
    expect(page.locator(".course-list > li").first).to_be_in_viewport(ratio=1)  # its day, time and place too
    expect(page.get_by_label("Ort")).to_be_hidden()
    assert_accessible(page)

    page.locator("summary", has_text="Filter").tap()
    page.get_by_label("Ort").fill("Nord")
    page.get_by_role("button", name="Anzeigen").tap()
    expect(page.get_by_text("1 Termin", exact=True)).to_be_visible()
    expect(page.locator("summary", has_text="Filter")).to_have_text("Filter (1 aktiv)")
    expect(page.get_by_label("Ort")).to_have_value("Nord")
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/kurse/?dauer=kurz", "/kurse/", "/termine/"])
def test_on_a_wide_screen_the_filters_stand_in_one_row_without_the_disclosure(
        make_page, make_user, sign_in, assert_accessible, demo_courses, path):
    page = make_page()
    sign_in(page, make_user())
    page.goto(path)

    expect(page.locator("summary", has_text="Filter")).to_be_hidden()
    # The fields' group keeps its name, read from the hidden summary.
    expect(page.get_by_role("group", name=re.compile(r"^Filter"))).to_have_count(1)
    fields = page.locator("form[role=search] .field")
    bottoms = [(box := fields.nth(index).bounding_box())["y"] + box["height"] for index in range(fields.count())]
    assert max(bottoms) - min(bottoms) < 2, f"the filters of {path} stand in more than one row: {bottoms}"
    for index in range(fields.count()):
        expect(fields.nth(index).locator("input, select")).to_be_visible()
    last = fields.last.locator("input, select")
    last.focus()
    page.keyboard.press("Escape")  # no disclosure here to close, nor a focus to lose to its hidden summary
    expect(last).to_be_focused()
    assert_accessible(page)
