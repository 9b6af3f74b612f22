"""A double tap sends a form once: the second tap on the same button is not sent while the first is on its way."""

from playwright.sync_api import expect


def test_a_double_click_on_a_submit_button_sends_the_form_once(page, make_user, sign_in):
    sign_in(page, make_user(name="Doppel Klick"))
    page.goto("/profil")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_label("Angezeigter Name").fill("Doppel Klick Neu")

    page.get_by_role("button", name="Speichern").dblclick()

    expect(page.get_by_text("Gespeichert")).to_be_visible()
    assert len(posts) == 1, posts

