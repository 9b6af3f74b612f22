"""A checklist in a module on a phone: each item's state drawn as a sign and said in words, nothing that looks
tappable and does nothing; copied, the list reads as it looks."""

from playwright.sync_api import expect

from tests.browser.selection import copied_text

MODULE = "/kurse/digitale-fabrik/module/lernwerkstatt-weiterbildungsplan"


def test_a_checklist_shows_and_says_each_state_and_copies_as_it_looks(phone_page, make_user, sign_in, demo_courses,
                                                                       assert_accessible):
    page = phone_page
    sign_in(page, make_user())
    page.goto(MODULE)

    checklist = page.locator("ul.contains-task-list")
    items = checklist.get_by_role("listitem")
    expect(items).to_have_count(4)
    expect(checklist.get_by_role("checkbox")).to_have_count(0)
    first = items.first
    expect(first.locator(".task-mark")).to_be_visible()
    expect(first.locator(".task-mark")).to_have_text("☐")
    expect(first).to_have_text("☐ nicht abgehakt: Ihre Antwort auf die Reflexionsfrage aus Modul 3 (nur für Sie)")
    # The sign stands where the bullet would, the item's text lined up under itself.
    mark, text_left = first.locator(".task-mark").bounding_box(), checklist.bounding_box()["x"]
    assert mark["x"] + mark["width"] <= first.bounding_box()["x"] + 1 and mark["x"] >= text_left
    assert_accessible(page)

    copied = copied_text(checklist)
    assert "☐ Ihre Antwort auf die Reflexionsfrage" in copied and "abgehakt" not in copied
