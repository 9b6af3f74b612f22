"""A matching question on the narrowest phone: each prompt with its select under it, as wide as the screen allows,
and the answer chosen shown in full in the closed select."""

import pytest
from playwright.sync_api import expect

from qualify.accounts.roles import Role
from tests.browser.test_learning import COURSE  # the same short course

NARROWEST = {"width": 320, "height": 640}
LONG = "Gesichtsschutz mit Visier und isolierende Schutzhandschuhe der Klasse 0"
QUIZ = f"""---
title: Zuordnen
kind: self-study
minutes: 10
---

Eine Frage.

```quiz
::Gefahren:: Welche Schutzmaßnahme gehört zu welcher Gefahr? {{
=Lichtbogen bei Arbeiten an der Hochvolt-Batterie -> {LONG}
=Lärm in der Werkshalle -> Gehörschutz
}}
```
"""
# Whether the closed select is tall enough for the answer chosen, wrapped at the select's width (a select that
# shows it on one line and cuts it off is as tall as one line).
FITS = """select => {
  const style = getComputedStyle(select);
  const probe = document.createElement("div");
  probe.textContent = select.selectedOptions[0].textContent;
  const inner = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  probe.style.cssText = `position: absolute; visibility: hidden; font: ${style.font}; width: ${inner}px;`
    + "white-space: normal; overflow-wrap: break-word";
  document.body.append(probe);
  const needed = probe.getBoundingClientRect().height;
  probe.remove();
  return select.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) >= needed - 1;
}"""


@pytest.fixture
def quiz(import_course):
    import_course({"course.md": COURSE, "01-zuordnen.md": QUIZ})


def test_at_320_pixels_a_long_answer_chosen_in_a_matching_question_is_shown_in_full(
        make_page, make_user, sign_in, quiz, assert_accessible, screenshot):
    page = make_page(viewport=NARROWEST)
    sign_in(page, make_user(Role.LEARNER))
    page.goto("/kurse/strom/module/zuordnen")
    page.get_by_role("button", name="Quiz starten").click()
    select = page.get_by_label("Lichtbogen bei Arbeiten an der Hochvolt-Batterie")
    select.select_option(label=LONG)
    screenshot(page, "matching-320")

    box, prompt = select.bounding_box(), page.get_by_text("Lichtbogen bei Arbeiten", exact=False).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= NARROWEST["width"]
    assert box["y"] >= prompt["y"] + prompt["height"]  # under its prompt, not squeezed beside it
    assert select.evaluate(FITS), "the chosen answer is cut off"
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROWEST["width"]
    assert_accessible(page)


def test_the_list_of_answers_stays_on_the_screen_and_is_chosen_from_with_the_keyboard(
        make_page, make_user, sign_in, quiz, screenshot):
    page = make_page(viewport=NARROWEST)
    sign_in(page, make_user(Role.LEARNER))
    page.goto("/kurse/strom/module/zuordnen")
    page.get_by_role("button", name="Quiz starten").click()
    # Loaded first: app.js puts the focus on the page's message ("eingeschrieben") once the document is read,
    # which would take it from a select focused before.
    page.wait_for_load_state()
    select = page.get_by_label("Lichtbogen bei Arbeiten an der Hochvolt-Batterie")
    select.focus()
    expect(select).to_be_focused()
    page.keyboard.press("Enter")
    answer = select.get_by_role("option", name=LONG)
    expect(answer).to_be_visible()
    listed = answer.evaluate("option => [...option.parentElement.children].map(o => o.getBoundingClientRect())"
                             ".map(r => [r.left, r.right])")
    assert all(left >= 0 and right <= NARROWEST["width"] for left, right in listed), "the list sticks out"
    screenshot(page, "matching-320-open")
    answer.focus()
    page.keyboard.press("Enter")
    expect(select).to_have_value(select.locator("option", has_text=LONG).get_attribute("value"))
    expect(select).to_be_focused()
