"""Drafts: a trainer works on a module of a published course while learners keep the version they see."""

import re

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.courses import authoring
from qualify.courses.models import Module, ModuleDraft, ModuleVersion
from qualify.extensions import db
from tests.courses.conftest import base_of

EDITOR = "/autoren/neuer-kurs/module/start"
DRAFT = EDITOR + "/entwurf"
DRAFT_BASE = re.compile(r'name="draft_base" type="hidden" value="([^"]*)"')
OVERWRITE = re.compile(r'name="overwrite" value="([^"]+)" formaction="([^"]+)"')
CHANGED = "---\ntitle: Start\nkind: self-study\n---\n\n# Start\n\nEin ganz neuer Abschnitt über Ladesäulen.\n"


@pytest.fixture
def published(client, course):
    assert client.post("/autoren/neuer-kurs/status", data={"status": "published"}).status_code == 302
    return course


def module_of(course) -> Module:
    return db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "start"))


def version_numbers(course) -> list[int]:
    return list(db.session.scalars(select(ModuleVersion.number).where(ModuleVersion.module_id == module_of(course).id)
                                   .order_by(ModuleVersion.number)))


def form_of(page, text: str) -> dict:
    """What the editor sends back: the typed text and the fingerprints the page showed."""
    return {"text": text, "base": base_of(page), "draft_base": DRAFT_BASE.search(page.text).group(1)}


def save_draft(client, text: str):
    return client.post(DRAFT, data=form_of(client.get(EDITOR), text))


def learner_sees(client, make_user, login, text: str) -> bool:
    client.post("/abmelden", data={})
    login(make_user(Role.LEARNER))
    return text in client.get("/kurse/neuer-kurs/module/start").text


def test_a_draft_keeps_learners_on_the_published_version_until_it_is_saved(
        app, client, trainer, published, make_user, login):
    assert "Als Entwurf speichern" in client.get(EDITOR).text

    response = save_draft(client, CHANGED)

    assert response.status_code == 302
    assert "Als Entwurf gespeichert. Lernende sehen weiter Version 1." in client.get(response.location).text
    assert version_numbers(published) == [1]
    editor = client.get(EDITOR).text
    assert "Ein ganz neuer Abschnitt über Ladesäulen.\n</textarea>" in editor
    assert "Der Editor zeigt einen Entwurf" in editor and trainer.display_name in editor
    assert "mit Entwurf" in client.get("/autoren/neuer-kurs").text
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))][-1] == "authoring.draft"

    publishing = client.post(EDITOR, data=form_of(client.get(EDITOR), CHANGED))

    assert publishing.status_code == 302 and version_numbers(published) == [1, 2]
    assert db.session.get(ModuleDraft, module_of(published).id) is None
    assert "mit Entwurf" not in client.get("/autoren/neuer-kurs").text
    assert learner_sees(client, make_user, login, "Ein ganz neuer Abschnitt über Ladesäulen.")


def test_learners_never_see_a_draft(client, trainer, published, make_user, login):
    save_draft(client, CHANGED)
    assert not learner_sees(client, make_user, login, "Ladesäulen")


def test_a_course_still_in_draft_needs_no_draft_of_its_modules(client, trainer, course):
    editor = client.get(EDITOR).text
    assert "Als Entwurf speichern" not in editor and 'name="draft_base"' not in editor


def test_discarding_a_draft_brings_back_the_published_text(client, trainer, published):
    published_text = module_of(published).current_version.source
    save_draft(client, CHANGED)

    response = client.post(DRAFT + "/verwerfen", data={})

    assert response.status_code == 302
    assert db.session.get(ModuleDraft, module_of(published).id) is None
    editor = client.get(EDITOR).text
    assert "Der Entwurf ist verworfen." in editor and "Ladesäulen" not in editor
    assert published_text.splitlines()[1] in editor
    assert version_numbers(published) == [1]
    assert client.post(DRAFT + "/verwerfen", data={}).status_code == 302  # sent twice: nothing left to do


def test_a_draft_saved_in_between_is_kept_unless_the_trainer_saves_over_it(client, trainer, published):
    other_tab = client.get(EDITOR)
    save_draft(client, CHANGED)  # a colleague, or another window

    refused = client.post(DRAFT, data=form_of(other_tab, CHANGED + "\nMein Absatz.\n"))

    assert refused.status_code == 200 and "Dieser Entwurf wurde inzwischen gespeichert" in refused.text
    assert "Mein Absatz.\n</textarea>" in refused.text  # the typed text is kept
    assert "Ladesäulen" in db.session.get(ModuleDraft, module_of(published).id).source
    fingerprint, action = OVERWRITE.search(refused.text).groups()
    assert action.endswith("/entwurf")  # saves over the draft, does not publish

    saved = client.post(DRAFT, data={**form_of(other_tab, CHANGED + "\nMein Absatz.\n"), "overwrite": fingerprint})

    assert saved.status_code == 302
    assert db.session.get(ModuleDraft, module_of(published).id).source.endswith("Mein Absatz.\n")
    assert version_numbers(published) == [1]


def test_the_same_draft_sent_twice_is_saved_once(client, trainer, published):
    data = form_of(client.get(EDITOR), CHANGED)
    assert client.post(DRAFT, data=data).status_code == 302
    assert client.post(DRAFT, data=data).status_code == 302
    drafts = [e for e in db.session.scalars(select(AuditEvent)) if e.action == "authoring.draft"]
    assert len(drafts) == 1


def test_a_draft_with_problems_is_kept_and_says_it_cannot_be_published_yet(client, trainer, published):
    broken = CHANGED + "\n```quiz\n::F::Richtig? {T\n```\n"

    response = save_draft(client, broken)

    assert response.status_code == 302
    assert "So ließe sich der Entwurf noch nicht veröffentlichen: 1 Problem." in client.get(EDITOR).text
    refused = client.post(EDITOR, data=form_of(client.get(EDITOR), broken))
    assert refused.status_code == 200 and "Nichts gespeichert" in refused.text
    assert version_numbers(published) == [1]
    assert db.session.get(ModuleDraft, module_of(published).id) is not None  # still there to mend


def test_a_draft_of_the_published_text_is_no_draft(client, trainer, published):
    save_draft(client, CHANGED)
    response = save_draft(client, module_of(published).current_version.source)
    assert "Ihr Text ist die veröffentlichte Fassung" in client.get(response.location).text
    assert db.session.get(ModuleDraft, module_of(published).id) is None


def test_publishing_a_draft_written_over_an_older_version_shows_what_came_in_between(client, trainer, published):
    save_draft(client, CHANGED)
    module = module_of(published)
    authoring.save_text(published, module.file_name, module.current_version.source + "\nVon nebenan.\n",
                        base=authoring.fingerprint(module.current_version.source), actor=trainer)
    db.session.commit()

    refused = client.post(EDITOR, data=form_of(client.get(EDITOR), CHANGED))

    assert refused.status_code == 200 and "Diese Datei wurde inzwischen gespeichert" in refused.text
    assert "Von nebenan." in refused.text  # what the other version changed
    assert version_numbers(published) == [1, 2]
    assert db.session.get(ModuleDraft, module.id) is not None


def test_publishing_from_an_older_tab_keeps_a_draft_saved_in_between_unless_the_trainer_publishes_over_it(
        client, trainer, published):
    save_draft(client, CHANGED)
    old_tab = client.get(EDITOR)  # shows the first draft
    save_draft(client, CHANGED + "\nVon der Kollegin.\n")  # a colleague, or another window, changes it

    refused = client.post(EDITOR, data=form_of(old_tab, CHANGED + "\nMein Absatz.\n"))

    assert refused.status_code == 200 and "Dieser Entwurf wurde inzwischen gespeichert" in refused.text
    assert "Von der Kollegin." in refused.text and "Mein Absatz.\n</textarea>" in refused.text
    assert version_numbers(published) == [1]
    assert "Von der Kollegin." in db.session.get(ModuleDraft, module_of(published).id).source
    overwrite = re.search(r'<button type="submit" class="button danger" name="overwrite" value="([^"]+)">',
                          refused.text)
    fingerprint = overwrite.group(1)  # no formaction of its own: publishes, as the button that was pressed

    saved = client.post(EDITOR, data={**form_of(old_tab, CHANGED + "\nMein Absatz.\n"), "overwrite": fingerprint})

    assert saved.status_code == 302 and version_numbers(published) == [1, 2]
    assert module_of(published).current_version.source.endswith("Mein Absatz.\n")
    assert db.session.get(ModuleDraft, module_of(published).id) is None


def test_publishing_from_a_tab_opened_before_any_draft_does_not_drop_it(client, trainer, published):
    old_tab = client.get(EDITOR)
    save_draft(client, CHANGED)

    refused = client.post(EDITOR, data=form_of(old_tab, CHANGED + "\nAnders.\n"))

    assert refused.status_code == 200 and "Dieser Entwurf wurde inzwischen gespeichert" in refused.text
    assert version_numbers(published) == [1]
    assert db.session.get(ModuleDraft, module_of(published).id) is not None


def test_publishing_the_draft_as_it_was_saved_in_between_is_no_conflict(client, trainer, published):
    old_tab = client.get(EDITOR)
    save_draft(client, CHANGED)
    assert client.post(EDITOR, data=form_of(old_tab, CHANGED)).status_code == 302
    assert version_numbers(published) == [1, 2]


def test_a_draft_published_in_between_is_not_brought_back_unseen(client, trainer, published):
    save_draft(client, CHANGED)
    old_tab = client.get(EDITOR)  # shows the draft
    client.post(EDITOR, data=form_of(client.get(EDITOR), CHANGED + "\nVeröffentlicht.\n"))  # published elsewhere
    assert version_numbers(published) == [1, 2]

    refused = client.post(DRAFT, data=form_of(old_tab, CHANGED + "\nMein Absatz.\n"))

    assert refused.status_code == 200
    assert "Dieser Entwurf wurde inzwischen veröffentlicht oder verworfen" in refused.text
    assert "Veröffentlicht." in refused.text  # what the published text holds against the typed one
    assert db.session.get(ModuleDraft, module_of(published).id) is None
    fingerprint, action = OVERWRITE.search(refused.text).groups()
    assert action.endswith("/entwurf")

    kept = client.post(DRAFT, data={**form_of(old_tab, CHANGED + "\nMein Absatz.\n"), "overwrite": fingerprint})

    assert kept.status_code == 302
    draft = db.session.get(ModuleDraft, module_of(published).id)
    assert draft.source.endswith("Mein Absatz.\n")
    # Written over the version it was shown against: publishing it asks nothing more.
    assert draft.base == authoring.fingerprint(module_of(published).current_version.source)
    assert client.post(EDITOR, data=form_of(client.get(EDITOR), draft.source)).status_code == 302
    assert version_numbers(published) == [1, 2, 3]


def test_a_draft_discarded_in_between_is_not_brought_back_unseen(client, trainer, published):
    save_draft(client, CHANGED)
    old_tab = client.get(EDITOR)
    client.post(DRAFT + "/verwerfen", data={})

    refused = client.post(DRAFT, data=form_of(old_tab, CHANGED + "\nMein Absatz.\n"))

    assert "Dieser Entwurf wurde inzwischen veröffentlicht oder verworfen" in refused.text
    assert db.session.get(ModuleDraft, module_of(published).id) is None


def test_the_draft_notice_says_when_to_the_minute(client, trainer, published):
    save_draft(client, CHANGED)
    notice = re.search(r"gespeichert am ([^ ]+ [^ ]+) von", client.get(EDITOR).text).group(1)
    assert re.fullmatch(r"\d\d\.\d\d\.\d\d, \d\d:\d\d", notice)


def test_the_editor_of_a_module_with_a_draft_costs_what_it_costs_without_one(client, trainer, published,
                                                                              count_statements):
    client.get(EDITOR)  # warm up
    with count_statements() as without_draft:
        client.get(EDITOR)
    save_draft(client, CHANGED)
    client.get(EDITOR)
    with count_statements() as with_draft:
        assert trainer.display_name in client.get(EDITOR).text  # who saved it, read with the draft
    assert with_draft.count == without_draft.count, "\n".join(s[:150] for s in with_draft.statements)
