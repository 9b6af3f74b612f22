"""Journeys: each role signs in with the keyboard and finds its navigation; wrong passwords; the skip link."""

import re

import pytest
from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.core.templating import NAVIGATION

EVERYBODY = {"Start", "Kurse", "Mein Lernen", "Meine Termine", "Austausch"}

# The roles of the demo accounts, and the navigation each must see (nothing else) once every feature exists.
JOURNEYS = {
    "learner": ({Role.LEARNER}, EVERYBODY),
    "trainer": ({Role.TRAINER, Role.LEARNER}, EVERYBODY | {"Kurse bearbeiten"}),
    "moderator": ({Role.MODERATOR, Role.LEARNER}, EVERYBODY | {"Moderation"}),
    "works_council": ({Role.WORKS_COUNCIL, Role.LEARNER}, EVERYBODY | {"Beteiligung"}),
    "coordinator": ({Role.COORDINATOR}, EVERYBODY | {"Beteiligung"}),
    "admin": ({Role.ADMIN}, EVERYBODY | {"Kurse bearbeiten", "Verwaltung"}),
}


def expected_navigation(app, visible: set[str]) -> list[str]:
    """Return the entries of `visible` in the navigation's order, leaving out features not installed yet."""
    labels = [str(item.label) for item in NAVIGATION if item.endpoint in app.view_functions]
    assert visible <= {str(item.label) for item in NAVIGATION}, "a label the navigation does not know"
    return [label for label in labels if label in visible] + ["Profil"]


@pytest.mark.parametrize("role", JOURNEYS)
def test_person_signs_in_with_the_keyboard_and_sees_their_navigation(
        role, app, page, make_user, password, assert_accessible, screenshot):
    roles, visible = JOURNEYS[role]
    user = make_user(*roles)

    page.goto("/")
    expect(page).to_have_title(re.compile("^Willkommen"))
    assert_accessible(page)
    if role == "learner":
        screenshot(page, "welcome-desktop")

    page.get_by_role("link", name="Anmelden").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/anmelden$"))
    expect(page.get_by_label("E-Mail-Adresse")).to_be_focused()
    assert_accessible(page)
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Passwort", exact=True)).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Guten Tag, {user.display_name}")
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    expect(navigation.get_by_role("link")).to_have_text(expected_navigation(app, visible))
    expect(navigation.get_by_role("link", name="Start")).to_have_attribute("aria-current", "page")
    # The roles are named to those with more than learning; a learner's start page leaves them out.
    expect(page.locator(".tags li")).to_have_text([] if set(roles) == {Role.LEARNER}
                                                  else [role.label for role in sorted(roles)])
    assert_accessible(page)
    if role in {"learner", "admin"}:
        screenshot(page, f"start-desktop-{role}")


def test_wrong_password_shows_the_error_and_keeps_the_email(page, make_user, assert_accessible):
    user = make_user()

    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort", exact=True).fill("falsches-passwort")
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_have_text("E-Mail-Adresse oder Passwort ist falsch.")
    expect(page.get_by_label("E-Mail-Adresse")).to_have_value(user.email)
    expect(page.get_by_label("Passwort", exact=True)).to_have_value("")
    expect(page.get_by_label("Passwort", exact=True)).to_be_focused()
    expect(page.get_by_role("button", name="Abmelden")).to_have_count(0)
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, make_user, sign_in):
    skip_link = page.get_by_role("link", name="Zum Inhalt springen")

    def check_skip_link():
        page.keyboard.press("Tab")
        expect(skip_link).to_be_focused()
        expect(skip_link).to_be_in_viewport()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()

    page.goto("/")
    check_skip_link()
    page.keyboard.press("Tab")
    expect(page.locator("main").get_by_role("link", name="Anmelden")).to_be_focused()

    sign_in(page, make_user())
    check_skip_link()
