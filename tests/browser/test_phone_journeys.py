"""A learner's ways through Qualify on a small phone (360 × 740, touch): what a thumb taps is big enough, a box
stands beside its whole label, and what a page is for can be reached from its top."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from qualify.core.time import LOCAL_TZ, utcnow
from qualify.courses.models import Module
from qualify.extensions import db
from qualify.learning import services as learning
from tests.browser.test_phone import SMALL_PHONE, assert_no_horizontal_overflow
from tests.workshops.test_series_edit import plan_series

# The words beside a box, each line's left edge, and the box's right edge.
_LABEL_LINES_JS = """(label) => {
  const box = label.querySelector('input');
  const words = document.createRange();
  words.setStartAfter(box);
  words.setEndAfter(label.lastChild);
  const lines = [...words.getClientRects()].filter(rect => rect.width > 1);
  return {boxRight: box.getBoundingClientRect().right, lefts: lines.map(rect => rect.left),
          tops: new Set(lines.map(rect => Math.round(rect.top))).size};
}"""


ON_A_SMALL_PHONE = {"viewport": SMALL_PHONE, "is_mobile": True, "has_touch": True}


def height_of(locator) -> float:
    return locator.bounding_box()["height"]


def module_of(course, slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == slug))


def open_new_conversation(page, module_url: str) -> None:
    """Tap from an exchange module to its space's form for a new conversation."""
    page.goto(module_url)
    page.get_by_role("link", name="Zum Austauschraum").tap()
    page.get_by_role("link", name="Neues Gespräch beginnen").tap()


def start_conversation(page, module_url: str, title: str, text: str, *, send: str) -> None:
    """Begin a conversation in an exchange module's space, sent with the button named `send`."""
    open_new_conversation(page, module_url)
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Ihr Beitrag").fill(text)
    page.get_by_role("button", name=send).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_a_single_box_stands_beside_its_whole_label_and_is_a_target_for_a_thumb(
        signed_in, demo_courses):
    page = signed_in(**ON_A_SMALL_PHONE)
    open_new_conversation(page, "/kurse/digitale-fabrik/module/austausch-wandel-in-meinem-werk")

    label = page.locator("label").filter(has_text="Unter Pseudonym veröffentlichen")
    lines = label.evaluate(_LABEL_LINES_JS)
    assert lines["tops"] >= 2  # on this screen the label takes two lines…
    assert min(lines["lefts"]) >= lines["boxRight"]  # …and the second does not run on under the box
    assert height_of(label) >= 44
    label.tap()
    expect(page.get_by_role("checkbox", name="Unter Pseudonym veröffentlichen")).to_be_checked()
    assert_no_horizontal_overflow(page)


def test_the_links_of_a_course_a_quiz_and_the_conversations_are_each_a_thumbs_target(
        signed_in, demo_courses):
    page = signed_in(**ON_A_SMALL_PHONE)
    page.goto("/kurse/digitale-fabrik")
    modules = page.get_by_role("list", name="Module").get_by_role("link")
    expect(modules).to_have_count(6)
    for link in modules.all():  # "Was ist die digitale Fabrik?" fits one line: 19 px of text
        assert height_of(link) >= 44, link

    page.goto("/kurse/digitale-fabrik/module/was-ist-die-digitale-fabrik")
    page.get_by_role("button", name="Quiz starten").tap()
    page.once("dialog", lambda dialog: dialog.accept())  # handed in unanswered on purpose
    page.get_by_role("button", name="Abgeben und auswerten").tap()
    page.get_by_role("link", name="Zurück zum Modul").first.tap()
    attempt = page.get_by_role("link", name="Versuch 1")
    assert height_of(attempt) >= 44
    attempt.tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ergebnis")

    start_conversation(page, "/kurse/digitale-fabrik/module/austausch-wandel-in-meinem-werk", "Frühschicht",
                       "Wer fängt auch um sechs an?", send="Zur Freigabe senden")
    page.goto("/austausch/benachrichtigungen")
    followed = page.get_by_role("link", name="Frühschicht")
    assert height_of(followed) >= 44
    assert_no_horizontal_overflow(page)


def test_the_box_of_the_module_feedback_is_a_thumbs_target(signed_in, make_user, demo_courses):
    learner = make_user()
    module = module_of(demo_courses["hochvolt-sicherheit"], "warum-hochvolt")
    learning.enrol(learner, module.course, now=utcnow())
    learning.complete_module(learner, module, module.current_version, via="quiz", now=utcnow())
    db.session.commit()
    page = signed_in(learner, **ON_A_SMALL_PHONE)
    page.goto("/kurse/hochvolt-sicherheit/module/warum-hochvolt")

    label = page.locator("label").filter(has_text="würde ich weiterempfehlen")
    assert height_of(label) >= 44
    label.tap()
    expect(page.get_by_role("checkbox", name="würde ich weiterempfehlen")).to_be_checked()


def test_a_reflections_field_is_labelled_apart_from_its_question(signed_in, demo_courses):
    page = signed_in(**ON_A_SMALL_PHONE)
    page.goto("/kurse/digitale-fabrik/module/cobots-und-vorausschauende-instandhaltung")
    page.get_by_role("button", name="Quiz starten").tap()

    question = page.get_by_role("group", name="Frage 6")
    label = question.get_by_text("Ihre Gedanken (nur für Sie sichtbar, wird nicht bewertet)")
    expect(label).to_be_visible()
    page.wait_for_load_state("load")
    # Both boxes read in one go, once the page and its fonts are settled: measured one after the other, a layout
    # still moving (the quiz page after the tap) could put the label above the end of the text it was read with.
    gap = question.evaluate("""async group => {
      await document.fonts.ready;
      const text = group.querySelector('.question-text').getBoundingClientRect();
      const label = [...group.querySelectorAll('label')].find(l => l.textContent.includes('Ihre Gedanken'));
      return label.getBoundingClientRect().top - text.bottom;
    }""")
    # Before: the label ran on as the question's last line, in the same type.
    assert gap >= 8
    assert label.evaluate("element => Number(getComputedStyle(element).fontWeight)") >= 600
    expect(question.get_by_role("textbox", name="Ihre Gedanken (nur für Sie sichtbar, wird nicht bewertet)")
           ).to_be_visible()


def test_a_workshop_modules_dates_are_one_tap_from_its_top(signed_in, practical_day):
    page = signed_in(**ON_A_SMALL_PHONE)
    page.goto(f"/kurse/{practical_day.course.slug}/module/{practical_day.slug}")

    to_dates = page.get_by_role("link", name="Zu den Terminen")
    expect(to_dates).to_be_in_viewport()  # on the first screen, above the description
    assert height_of(to_dates) >= 44
    to_dates.tap()
    dates = page.get_by_role("heading", name="Termine", exact=True)
    expect(dates).to_be_focused()
    expect(dates).to_be_in_viewport()


def _apart(first, second) -> float:
    """The gap between two targets side by side or one under the other."""
    a, b = first.bounding_box(), second.bounding_box()
    if b["y"] >= a["y"] + a["height"]:
        return b["y"] - (a["y"] + a["height"])
    return b["x"] - (a["x"] + a["width"])


def test_save_and_cancel_stand_a_fingers_width_apart(signed_in, practical_day, tina):
    first, _second = plan_series(practical_day, tina, utcnow().astimezone(LOCAL_TZ).date() + timedelta(days=10), 2)
    page = signed_in(tina, **ON_A_SMALL_PHONE)
    page.goto(f"/termine/{first.id}/bearbeiten")  # a session's form
    assert _apart(page.get_by_role("button", name="Speichern"), page.get_by_role("link", name="Abbrechen")) >= 8
    assert_no_horizontal_overflow(page)

    start_conversation(page, "/kurse/elektrischer-antriebsstrang/module/austausch-produkte-im-wandel",  # a post's form
                       "Spätschicht", "Wer hört auch um zehn auf?", send="Veröffentlichen")
    page.get_by_role("link", name="Bearbeiten").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beitrag bearbeiten")
    assert _apart(page.get_by_role("button", name="Speichern"), page.get_by_role("link", name="Abbrechen")) >= 8
