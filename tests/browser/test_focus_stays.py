"""Status messages said where the person acted, without taking the focus away from there (WCAG 4.1.3)."""

from playwright.sync_api import expect

from qualify.accounts.roles import Role


def test_copying_the_calendar_address_says_so_and_leaves_the_focus_on_the_button(page, make_user, sign_in):
    sign_in(page, make_user(Role.LEARNER))
    page.goto("/termine/meine")
    page.get_by_role("button", name="Adresse erzeugen").click()

    copy = page.get_by_role("button", name="Adresse kopieren")
    copy.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Adresse kopiert.")
    expect(copy).to_be_focused()  # not the field, whose long address a screen reader would read over the message
