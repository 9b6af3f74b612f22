"""Journey on a phone: everything fits the screen and the navigation can be reached and tapped."""

from playwright.sync_api import expect


def assert_no_horizontal_overflow(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]}px wide on a {widths[1]}px screen"


def test_learner_on_a_phone(phone_page, make_user, sign_in, assert_accessible, screenshot):
    page = phone_page
    page.goto("/")
    assert_no_horizontal_overflow(page)
    screenshot(page, "welcome-phone")
    page.get_by_role("link", name="Anmelden").tap()
    expect(page.get_by_label("E-Mail-Adresse")).to_be_visible()
    assert_no_horizontal_overflow(page)

    sign_in(page, make_user(name="Lena Lernende"))
    assert_no_horizontal_overflow(page)
    assert_accessible(page)
    screenshot(page, "start-phone")
    width = page.viewport_size["width"]
    header = page.get_by_role("banner")
    targets = [*header.get_by_role("link").all(), header.get_by_role("button", name="Abmelden")]
    assert len(targets) >= 3
    for target in targets:
        expect(target).to_be_in_viewport()
        box = target.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{target} sticks out of the screen"
        assert box["height"] >= 44, f"{target} is too small to tap ({box['height']}px)"

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Profil").tap()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_horizontal_overflow(page)


def test_a_course_with_a_table_fits_a_phone_and_its_table_scrolls_by_itself(
    phone_page, make_user, sign_in, assert_accessible, demo_courses
):
    page = phone_page
    sign_in(page, make_user())
    page.goto("/kurse/digitale-fabrik")
    box = page.get_by_role("region", name="Tabelle, seitlich verschiebbar").first
    expect(box.get_by_role("table")).to_be_visible()
    assert_no_horizontal_overflow(page)
    assert_accessible(page)
    box.focus()  # reachable without a mouse
    page.keyboard.press("ArrowRight")
