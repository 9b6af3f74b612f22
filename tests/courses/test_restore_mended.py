"""A removed module whose text no longer checks – a file it links to deleted since, the bank it draws from gone –
comes back through an editor holding its text and the problems by file and line; saving the mended text brings
it back as a new version, and a refused save keeps what was typed."""

import html
import io

import pytest
from sqlalchemy import select

from qualify.core.audit import AuditEvent
from qualify.core.time import utcnow
from qualify.courses.models import Module, ModuleDraft
from qualify.extensions import db
from qualify.learning.services import is_module_done, mark_read
from tests.conftest import CSRF_FIELD
from tests.courses.conftest import base_of, save
from tests.courses.test_authoring import PNG
from tests.courses.test_course_structure import COURSE_URL, add_module

EXTRA = f"{COURSE_URL}/module/extra"
WITH_IMAGE = "---\ntitle: Extra\nkind: self-study\nminutes: 5\n---\n\n# Extra\n\n![Plan](medien/plan.png)\n"
MENDED = WITH_IMAGE.replace("![Plan](medien/plan.png)", "Der Plan hängt in der Halle.")
DRAWING = "---\ntitle: Extra\nkind: self-study\nminutes: 5\nquestions: fragen/pool.gift\n---\n\n# Extra\n"


def extra() -> Module:
    db.session.expire_all()
    return db.session.scalar(select(Module).where(Module.slug == "extra"))


def remove_without_its_image(client, *, draft: str = "") -> Module:
    """Module 2 "extra" shows medien/plan.png (with a draft, if given); it was removed, then the image deleted."""
    client.post(f"{COURSE_URL}/medien", content_type="multipart/form-data",
                data={"file": (io.BytesIO(PNG), "plan.png")})
    add_module(client, 2, "extra", "Extra")
    assert save(client, EXTRA, WITH_IMAGE).status_code == 302
    if draft:
        sent = {"text": draft, "base": base_of(client.get(EXTRA)), "draft_base": ""}
        assert client.post(f"{EXTRA}/entwurf", data=sent).status_code == 302
    client.post(f"{EXTRA}/entfernen", data={})
    gone = client.post(f"{COURSE_URL}/medien/loeschen", data={"path": "medien/plan.png"}, follow_redirects=True)
    assert "„medien/plan.png“ ist gelöscht." in gone.text  # a removed module's links keep no file
    return extra()


@pytest.fixture
def removed_without_its_image(client, course):
    return remove_without_its_image(client)


def test_bringing_back_a_module_whose_image_is_gone_opens_its_text_with_the_problem(client,
                                                                                     removed_without_its_image):
    page = client.post(f"{EXTRA}/zurueckholen", data={})

    assert page.status_code == 200
    assert "Nichts gespeichert: 1 Problem." in page.text
    assert '<a href="#zeile-9" data-line="9">Zeile 9</a>: Der Link „medien/plan.png“ zeigt auf eine Datei' in page.text
    assert html.escape(WITH_IMAGE, quote=False) in page.text  # the text as it was removed, in the editor
    assert "kommt zurück als 02-extra.md" in page.text and "Speichern und zurückholen" in page.text
    assert f'action="{EXTRA}/zurueckholen/text"' in page.text
    assert extra().archived


def test_saving_the_mended_text_brings_the_module_back_as_a_new_version(client, removed_without_its_image,
                                                                         make_user):
    learner = make_user()
    mark_read(learner, removed_without_its_image, now=utcnow())
    db.session.commit()
    opened = client.post(f"{EXTRA}/zurueckholen", data={})

    back = client.post(f"{EXTRA}/zurueckholen/text", data={"text": MENDED, "base": base_of(opened),
                                                           "note": "Bild entfernt"}, follow_redirects=True)

    assert "„Extra“ ist wieder im Kurs." in back.text
    module = extra()
    assert not module.archived and module.position == 2
    assert module.current_version.source == MENDED and module.current_version.number == 3
    assert module.current_version.note == "Bild entfernt"
    assert [v.source for v in module.versions if v.number == 2] == [WITH_IMAGE]  # its history stays
    assert is_module_done(learner, module)


DRAFTED = WITH_IMAGE + "\nEin Abschnitt, noch im Entwurf.\n"


def test_the_editor_of_a_removed_module_shows_its_draft_from_before_and_says_that_bringing_it_back_drops_it(
        client, course):
    remove_without_its_image(client, draft=DRAFTED)

    page = client.post(f"{EXTRA}/zurueckholen", data={})

    assert "Zu diesem Modul gibt es einen Entwurf von vor dem Entfernen" in page.text
    assert "„Speichern und zurückholen“ verwirft ihn" in page.text
    assert '<pre class="draft-text">' + html.escape(DRAFTED, quote=False) + "</pre>" in page.text  # to copy from
    assert html.escape(WITH_IMAGE, quote=False) + "</textarea>" in page.text  # the editor: the text as removed


def test_bringing_a_module_back_mended_drops_its_draft_from_before(client, course):
    remove_without_its_image(client, draft=DRAFTED)
    opened = client.post(f"{EXTRA}/zurueckholen", data={})

    back = client.post(f"{EXTRA}/zurueckholen/text", data={"text": MENDED, "base": base_of(opened)})

    assert back.status_code == 302 and db.session.get(ModuleDraft, extra().id) is None
    editor = client.get(EXTRA).text
    assert "Der Editor zeigt einen Entwurf" not in editor and "noch im Entwurf" not in editor
    assert html.escape(MENDED, quote=False) + "</textarea>" in editor
    last = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(2))
    assert list(last) == ["authoring.draft_discarded", "authoring.module_restored"]


def test_a_refused_mended_text_leaves_the_draft_from_before(client, course):
    remove_without_its_image(client, draft=DRAFTED)
    opened = client.post(f"{EXTRA}/zurueckholen", data={})

    again = client.post(f"{EXTRA}/zurueckholen/text", data={"text": WITH_IMAGE, "base": base_of(opened)})

    assert "Nichts gespeichert: 1 Problem." in again.text and "Zu diesem Modul gibt es einen Entwurf" in again.text
    assert db.session.get(ModuleDraft, extra().id).source == DRAFTED


def test_a_module_brought_back_as_it_was_keeps_its_draft_written_over_that_very_text(client, course):
    add_module(client, 2, "extra", "Extra")
    assert save(client, EXTRA, MENDED).status_code == 302
    sent = {"text": DRAFTED, "base": base_of(client.get(EXTRA)), "draft_base": ""}
    assert client.post(f"{EXTRA}/entwurf", data=sent).status_code == 302
    client.post(f"{EXTRA}/entfernen", data={})

    assert client.post(f"{EXTRA}/zurueckholen", data={}).status_code == 302

    assert "Der Editor zeigt einen Entwurf" in client.get(EXTRA).text
    assert db.session.get(ModuleDraft, extra().id).source == DRAFTED


def test_a_mended_text_that_still_does_not_check_is_kept_with_its_problems(client, removed_without_its_image):
    opened = client.post(f"{EXTRA}/zurueckholen", data={})
    typed = WITH_IMAGE.replace("# Extra\n", "# Extra neu\n")

    again = client.post(f"{EXTRA}/zurueckholen/text", data={"text": typed, "base": base_of(opened)})

    assert again.status_code == 200 and "Nichts gespeichert: 1 Problem." in again.text
    assert "# Extra neu" in again.text and "data-line=\"9\"" in again.text
    assert extra().archived and len(extra().versions) == 2


def test_the_mended_text_sent_twice_brings_the_module_back_once(client, removed_without_its_image):
    sent = {"text": MENDED, "base": base_of(client.post(f"{EXTRA}/zurueckholen", data={}))}

    assert client.post(f"{EXTRA}/zurueckholen/text", data=sent).status_code == 302
    second = client.post(f"{EXTRA}/zurueckholen/text", data=sent, follow_redirects=True)

    assert "„Extra“ ist wieder im Kurs." in second.text and "nicht entfernt" not in second.text
    assert not extra().archived and len(extra().versions) == 3


def test_a_module_brought_back_otherwise_meanwhile_keeps_the_typed_text(client, removed_without_its_image):
    sent = {"text": MENDED, "base": base_of(client.post(f"{EXTRA}/zurueckholen", data={}))}
    assert client.post(f"{EXTRA}/zurueckholen/text", data=sent).status_code == 302  # in another tab

    other = client.post(f"{EXTRA}/zurueckholen/text", data={**sent, "text": MENDED + "\nNoch ein Satz.\n"})

    assert other.status_code == 200 and "Dieses Modul ist nicht entfernt." in other.text
    assert "Noch ein Satz." in other.text


def test_the_mended_text_is_previewed_as_bringing_it_back_would_check_it(client, removed_without_its_image):
    client.post(f"{EXTRA}/zurueckholen", data={})

    still = client.post(f"{EXTRA}/zurueckholen/vorschau", data={"text": WITH_IMAGE + "\nMehr.\n"},
                        headers={"X-Requested-With": "authoring.js"})
    mended = client.post(f"{EXTRA}/zurueckholen/vorschau", data={"text": MENDED},
                         headers={"X-Requested-With": "authoring.js"})

    assert "So ließe sich der Text nicht speichern: 1 Problem." in still.text and 'data-line="9"' in still.text
    assert mended.status_code == 200 and "Der Plan hängt in der Halle." in mended.text
    assert "So ließe sich der Text nicht speichern" not in mended.text
    assert extra().archived


def test_a_module_whose_bank_was_deleted_comes_back_without_it(client, course):
    client.post(f"{COURSE_URL}/fragen", data={"name": "pool"})
    add_module(client, 2, "extra", "Extra")
    assert save(client, EXTRA, DRAWING).status_code == 302
    client.post(f"{EXTRA}/entfernen", data={})
    gone = client.post(f"{COURSE_URL}/fragen/pool.gift/loeschen", data={}, follow_redirects=True)
    assert "„fragen/pool.gift“ ist gelöscht." in gone.text

    opened = client.post(f"{EXTRA}/zurueckholen", data={})
    assert '<a href="#zeile-5" data-line="5">Zeile 5</a>' in opened.text
    mended = DRAWING.replace("questions: fragen/pool.gift\n", "")
    back = client.post(f"{EXTRA}/zurueckholen/text", data={"text": mended, "base": base_of(opened)})

    assert back.status_code == 302
    assert not extra().archived and extra().current_version.source == mended


def test_a_removed_module_is_mended_only_by_editors_of_its_course(client, removed_without_its_image, new_client,
                                                                 login, make_user):
    from qualify.accounts.roles import Role

    other = new_client()
    login(make_user(Role.TRAINER), via=other)
    assert other.post(f"{EXTRA}/zurueckholen", data={}).status_code == 404
    assert other.post(f"{EXTRA}/zurueckholen/text", data={"text": MENDED, "base": ""}).status_code == 404
    assert extra().archived


def test_a_preview_of_the_mended_text_sent_signed_out_leads_back_to_the_course_page(app, client,
                                                                                    removed_without_its_image):
    opened = client.post(f"{EXTRA}/zurueckholen", data={})
    token = CSRF_FIELD.search(opened.text).group(1)

    fragment = app.test_client().post(f"{EXTRA}/zurueckholen/vorschau", csrf=False, data={
        "csrf_token": token, "text": MENDED}, headers={"X-Requested-With": "authoring.js"})

    assert "Ihre Anmeldung ist abgelaufen" in fragment.text
    assert f'href="/anmelden?next={COURSE_URL}"' in fragment.text  # where "Zurückholen" opens the editor again

