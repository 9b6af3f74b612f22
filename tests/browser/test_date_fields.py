"""Planning a session with the keyboard: the way back in the breadcrumb, and a focus that stays visible on the
date field – also on its calendar button, where Chromium draws only a thin ring of its own (WCAG 2.4.7)."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

FOCUS = (179, 92, 0)  # --focus in app.css
# The date field holding the focus, and whether the focus is on its calendar button: inside the field, the field
# itself then matches neither :focus nor :focus-visible.
ON_THE_BUTTON = "() => document.activeElement.id === 'day' && !document.activeElement.matches(':focus')"


@pytest.fixture
def planner(tina, practical_day):
    """A trainer who owns the high-voltage course, and its practical day (a workshop module)."""
    return tina, practical_day


def focus_coloured_pixels(picture: bytes) -> int:
    data = Image.open(io.BytesIO(picture)).convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for pixel in pixels if all(abs(a - b) <= 40 for a, b in zip(pixel, FOCUS, strict=True)))


def test_planning_a_session_has_a_way_back_and_the_date_fields_calendar_button_shows_the_focus(
        page, sign_in, planner, assert_accessible):
    trainer, module = planner
    sign_in(page, trainer)
    page.goto(f"/termine/modul/{module.id}/neu")

    breadcrumb = page.get_by_role("navigation", name="Brotkrümelnavigation")
    expect(breadcrumb.get_by_role("link", name="Termine")).to_have_attribute("href", "/termine/")
    expect(breadcrumb.get_by_role("link", name=module.current_version.title)).to_be_visible()
    assert_accessible(page)

    day = page.get_by_label("Datum", exact=True)
    day.focus()
    for _ in range(5):  # day, month, year, then the calendar button
        if page.evaluate(ON_THE_BUTTON):
            break
        page.keyboard.press("Tab")
    assert page.evaluate(ON_THE_BUTTON), "Tab never reached the calendar button"

    ring = day.evaluate("field => { const style = getComputedStyle(field);"
                        " return [style.outlineStyle, style.outlineWidth, style.outlineColor]; }")
    assert ring == ["solid", "3px", "rgb(179, 92, 0)"]  # the field: the app's ring, as on every other field
    # The button: a ring in the focus colour of its own, inside the field's box (the field's ring is outside it).
    assert focus_coloured_pixels(day.screenshot(animations="disabled")) >= 40
    page.keyboard.press("Tab")  # on to the start time: the field lets go of its ring
    assert focus_coloured_pixels(day.screenshot(animations="disabled")) == 0
