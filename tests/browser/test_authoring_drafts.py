"""A trainer keeps a change to a published module as a draft, and throws it away, while learners read on."""

from playwright.sync_api import expect

from qualify.accounts.roles import Role

COURSE = {
    "course.md": "---\ntitle: Strom im Fahrzeug\nstatus: published\n---\n\nEin kurzer Kurs.\n",
    "01-lesen.md": "---\ntitle: Lesen\nkind: self-study\nminutes: 10\n---\n\nHochvolt-Leitungen sind orange.\n",
}


def test_a_draft_stays_with_the_editors_until_it_is_discarded(make_page, make_user, sign_in, import_course,
                                                                assert_accessible):
    import_course(COURSE)
    editor = make_page()
    sign_in(editor, make_user(Role.ADMIN))
    editor.goto("/autoren/strom/module/lesen")
    text = editor.get_by_label("Text der Datei")
    text.fill("---\ntitle: Lesen\nkind: self-study\nminutes: 10\n---\n\nNeu: Ladesäulen im Werk.\n")
    editor.get_by_role("button", name="Als Entwurf speichern").click()

    expect(editor.get_by_text("Als Entwurf gespeichert. Lernende sehen weiter Version 1.")).to_be_visible()
    expect(editor.get_by_role("heading", name="Entwurf", exact=True)).to_be_visible()
    assert text.input_value().endswith("Neu: Ladesäulen im Werk.\n")
    assert_accessible(editor)

    learner = make_page()
    sign_in(learner, make_user(Role.LEARNER))
    learner.goto("/kurse/strom/module/lesen")
    expect(learner.get_by_text("Hochvolt-Leitungen sind orange.")).to_be_visible()
    expect(learner.get_by_text("Ladesäulen")).to_have_count(0)

    editor.get_by_text("Entwurf verwerfen …").click()
    editor.get_by_role("button", name="Ja, Entwurf verwerfen").click()
    expect(editor.get_by_text("Der Entwurf ist verworfen.")).to_be_visible()
    assert text.input_value().endswith("Hochvolt-Leitungen sind orange.\n")
    expect(editor.get_by_role("heading", name="Entwurf", exact=True)).to_have_count(0)
