"""A long module read a piece at a time on a phone: the next visit offers to go on where the reader stopped."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MODULE = "/kurse/elektrischer-antriebsstrang/module/laden-ac-und-dc"


def test_a_module_read_part_of_the_way_offers_to_go_on_there(phone_page, make_user, sign_in, demo_courses,
                                                             assert_accessible):
    page = phone_page
    sign_in(page, make_user())
    page.goto(MODULE)
    offer = page.locator(".reading-resume")
    expect(offer).to_be_hidden()  # never read here before
    stopped_at = page.locator(".prose h2[id]").nth(2)
    title = stopped_at.inner_text()
    # Reading the section below that heading, the heading itself just gone off the top of the screen.
    stopped_at.evaluate("heading => window.scrollTo(0, heading.getBoundingClientRect().top + window.scrollY + 20)")
    page.wait_for_timeout(800)  # remembered half a second after scrolling stops

    page.goto("/")
    page.goto(MODULE)

    expect(offer).to_be_visible()
    expect(offer.get_by_role("link")).to_have_text(title)
    assert page.evaluate("window.scrollY") == 0  # an offer, not a jump
    assert_accessible(page)
    offer.get_by_role("link").tap()
    expect(stopped_at).to_be_in_viewport()
    expect(stopped_at).to_be_focused()  # the next Tab goes on from there


def test_a_module_read_from_the_top_offers_nothing(page, make_user, sign_in, demo_courses):
    sign_in(page, make_user())
    page.goto(MODULE)
    page.wait_for_timeout(800)
    page.goto(MODULE)
    expect(page.locator(".reading-resume")).to_be_hidden()


def test_signing_out_forgets_on_this_device_what_was_kept_for_the_person(page, make_user, sign_in, demo_courses):
    sign_in(page, make_user())
    page.goto(MODULE)
    page.evaluate("""() => { localStorage.setItem('qualify:reading:module-1', 'x');
                            localStorage.setItem('qualify-quiz-answers-7', '{}');
                            localStorage.setItem('something-else', 'kept'); }""")
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("button", name="Anmelden")).to_be_visible()
    assert page.evaluate("() => Object.keys(localStorage)") == ["something-else"]
