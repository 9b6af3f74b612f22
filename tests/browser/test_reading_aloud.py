"""What a screen reader is given on the pages of a quiz's result and of feedback sent without ratings."""


import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from qualify.accounts.roles import Role

FILES = {
    "course.md": "---\ntitle: Strom im Fahrzeug\nstatus: published\n---\n\nEin kurzer Kurs.\n",
    "01-lesen.md": "---\ntitle: Lesen\nkind: self-study\n---\n\nHochvolt-Leitungen sind orange.\n",
    "02-pruefen.md": "---\ntitle: Prüfen\nkind: self-study\n---\n\n```quiz\n"
                     "::Farbe::Welche Farbe haben HV-Leitungen? {=Orange ~Grün ~Blau}\n\n"
                     "::Spannung::Ab 60 V Gleichspannung gilt eine Spannung als gefährlich. {T}\n\n"
                     "::Einheit::Wie heißt die Einheit der elektrischen Spannung? {=Volt =V}\n```\n",
}


@pytest.fixture
def course(import_course):
    import_course(FILES)


def test_the_result_heads_each_question_and_says_its_verdict_in_words(page, make_user, sign_in, course,
                                                                      assert_accessible):
    sign_in(page, make_user(Role.LEARNER))
    page.goto("/kurse/strom")
    page.get_by_role("button", name="Einschreiben und loslegen").click()
    page.goto("/kurse/strom/module/pruefen")
    page.get_by_role("button", name="Quiz starten").click()
    page.get_by_label("Orange").check()
    page.once("dialog", lambda dialog: dialog.accept())  # two questions left open
    page.get_by_role("button", name="Abgeben und auswerten").click()

    expect(page.get_by_role("heading", level=2, name="Frage 1 Farbe")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Frage 3 Einheit")).to_be_visible()
    verdicts = page.locator(".verdict strong")
    expect(verdicts.first).to_have_text("✓ Richtig")  # seen with the sign …
    assert verdicts.first.evaluate("e => e.querySelector('[aria-hidden=true]').textContent") == "✓"  # … not read
    assert_accessible(page)


@pytest.mark.parametrize("language", ["de", "en"])
def test_feedback_sent_without_ratings_comes_back_on_a_page_with_a_heading(page, make_user, sign_in, course,
                                                                         assert_accessible, language):
    sign_in(page, make_user(Role.LEARNER, language=language))
    page.goto("/kurse/strom")
    page.locator(".learning-panel button[type=submit]").click()  # enrol
    page.goto("/kurse/strom/module/lesen")
    page.locator("form[action$='/erledigt'] button").click()  # read
    page.goto("/kurse/strom/module/lesen")
    page.locator("#feedback-heading ~ form button[type=submit]").click()  # nothing chosen

    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_attribute("id", "feedback-heading")
    heading_rule = {"runOnly": {"type": "rule", "values": ["page-has-heading-one"]}, "resultTypes": ["violations"]}
    assert Axe().run(page, options=heading_rule).response["violations"] == []
    assert_accessible(page)
