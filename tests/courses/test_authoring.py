"""Authoring in the browser: trainers edit the files of their own courses; the loader checks every save."""

import html
import io
import re
import zipfile

import pytest
from flask import url_for
from sqlalchemy import func, select

from qualify.accounts.roles import Role
from qualify.accounts.services import end_all_sessions
from qualify.core import markdown
from qualify.core.audit import AuditEvent
from qualify.courses import authoring, authoring_preview, module_versions, owners
from qualify.courses.authoring_media import SIGNATURES
from qualify.courses.commands import courses_cli
from qualify.courses.fields import COURSE_FIELDS, KIND_FIELDS, MODULE_FIELDS
from qualify.courses.models import Course, CourseFile, CourseOwner, Module, ModuleVersion
from qualify.extensions import db
from tests.conftest import CSRF_FIELD
from tests.courses.conftest import base_of, save

QUIZ_MODULE = """---
title: Erste Schritte
kind: self-study
minutes: 10
---

# Erste Schritte

Ein Text mit **Markdown**.

```quiz
::Frage::Was ist richtig? {
=A#Genau.
~B#Nein.
}
```
"""
BROKEN_QUIZ = QUIZ_MODULE.replace("~B#Nein.\n}", "~B#Nein.")  # the { on line 12 is never closed
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20)
EDITOR = re.compile(r'<textarea[^>]*class="source-editor"[^>]*>')


def request(client, method: str, url: str) -> int:
    """Send an empty form (with its CSRF token) or a GET; return the status."""
    return (client.post(url, data={}) if method == "POST" else client.get(url)).status_code


def logout(client):
    client.post("/abmelden", data={})



def versions_of(course, slug="start") -> list[ModuleVersion]:
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == slug))
    return list(db.session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == module.id)
                                   .order_by(ModuleVersion.number)))


def authoring_urls(app, course, **values) -> list[tuple[str, str]]:
    """Every (method, URL) of the blueprint for this course, built from its rules."""
    values = {"slug": course.slug, "module_slug": "start", "name": "fragen.gift", "number": 1, **values}
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("authoring.") and rule.endpoint not in ("authoring.index", "authoring.help"):
                url = url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})
                found += [(method, url) for method in sorted(rule.methods & {"GET", "POST"})]
    return found


def test_trainer_creates_a_draft_course_they_own(client, trainer, course):
    assert course.status == "draft" and course.title == "Neuer Kurs: Grundlagen"
    assert "title: 'Neuer Kurs: Grundlagen'\n" in course.source  # quoted: YAML would choke on the colon
    owner = select(CourseOwner.user_id).where(CourseOwner.course_id == course.id)
    assert db.session.scalar(owner) == trainer.id
    assert "Neuer Kurs: Grundlagen" in client.get("/autoren/").text


def test_trainer_saves_a_module_with_a_quiz_as_a_new_version(client, trainer, course):
    response = save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE, note="Quiz ergänzt")
    assert response.status_code == 302
    latest = versions_of(course)[-1]
    assert latest.number == 2 and latest.source == QUIZ_MODULE and latest.has_quiz
    assert latest.created_by_id == trainer.id and latest.note == "Quiz ergänzt"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "authoring.save")) == 1


def test_gift_error_is_shown_at_its_line_with_the_text_kept_and_fixing_it_saves_version_2(
        client, trainer, course):
    page = save(client, "/autoren/neuer-kurs/module/start", BROKEN_QUIZ)
    assert page.status_code == 200
    assert '<a href="#zeile-12" data-line="12">Zeile 12</a>: Die geschweifte Klammer' in page.text
    assert '<li id="zeile-12" class="has-problem">' in page.text
    assert "~B#Nein.\n```\n</textarea>" in page.text  # what the trainer typed, not the saved version
    assert len(versions_of(course)) == 1
    fixed = client.post("/autoren/neuer-kurs/module/start", data={"text": QUIZ_MODULE, "base": base_of(page)})
    assert fixed.status_code == 302
    assert [v.number for v in versions_of(course)] == [1, 2]


PREVIEW = {"X-Requested-With": "authoring.js"}


@pytest.mark.parametrize("extra", [150_000, 250_000])  # under and over what the editor's own limit was
def test_a_text_too_long_is_refused_with_one_message_at_its_line_counted_as_typed(client, trainer, course, extra):
    url = "/autoren/neuer-kurs/module/start"
    for page in (client.get(url), client.get("/autoren/neuer-kurs")):
        assert "maxlength" not in EDITOR.search(page.text).group()  # the browser would cut a longer text off
    typed = QUIZ_MODULE + "x" * extra + "\nDas Ende des Textes.\n"  # lines 1 to 16, then the long line 17
    sent = typed.replace("\n", "\r\n")  # as a browser sends a text area's line ends
    message = (f"Zeile 17</a>: Der Text ist zu lang ({len(typed):,} Zeichen). Erlaubt sind höchstens 100.000 "
               "Zeichen; in dieser Zeile wird die Grenze überschritten.").replace(",", ".")

    preview = client.post(f"{url}/vorschau", data={"text": sent}, headers=PREVIEW).text
    page = save(client, url, sent)

    assert message in preview and message in page.text  # the number the text area counts, in both
    assert 'id="text-error"' not in page.text  # where every problem of a save stands, not below the text area
    assert ('<div class="form-errors problems" role="alert" tabindex="-1" id="probleme">\n  '
            "<p>Nichts gespeichert: 1 Problem. Ihr Text ist erhalten.</p>") in page.text  # app.js puts the focus
    assert "Das Ende des Textes.\r\n</textarea>" in page.text
    assert len(versions_of(course)) == 1


def test_an_over_long_value_is_refused_with_its_length_and_kept_never_cut_off(client, trainer, course):
    for url in ("/autoren/", "/autoren/neuer-kurs", "/autoren/neuer-kurs/module/start"):
        assert "maxlength" not in client.get(url).text, url  # a browser cuts a pasted text off without a word
    slug, summary = "a" * 81, "Ein Satz. " * 100 + "Das Ende."
    page = client.post("/autoren/", data={"slug": slug, "title": "T" * 201, "summary": summary})
    assert page.status_code == 200
    assert "Der Text ist zu lang (81 Zeichen). Erlaubt sind höchstens 80 Zeichen." in page.text
    assert "Der Text ist zu lang (201 Zeichen). Erlaubt sind höchstens 200 Zeichen." in page.text
    assert "Der Text ist zu lang (1.009 Zeichen). Erlaubt sind höchstens 1.000 Zeichen." in page.text
    assert f'value="{slug}"' in page.text and f"{summary}</textarea>" in page.text  # kept, whole
    assert db.session.scalar(select(func.count()).select_from(Course)) == 1  # only the fixture's

    note = "Tippfehler behoben. " * 15 + "Ende."
    refused = save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE, note=note)
    assert "Der Text ist zu lang (305 Zeichen). Erlaubt sind höchstens 300 Zeichen." in refused.text
    assert f'value="{note}"' in refused.text and len(versions_of(course)) == 1
    module = client.post("/autoren/neuer-kurs/module", data={"number": 2, "slug": "b" * 81, "title": "B",
                                                              "kind": "self-study"})
    assert "Der Text ist zu lang (81 Zeichen)." in module.text and f'value="{"b" * 81}"' in module.text


def test_a_textarea_with_windows_line_ends_saves_no_change(client, trainer, course):
    current = versions_of(course)[-1].source
    response = save(client, "/autoren/neuer-kurs/module/start", current.replace("\n", "\r\n"))
    assert response.status_code == 302 and len(versions_of(course)) == 1


@pytest.mark.parametrize("url", ["/autoren/neuer-kurs", "/autoren/neuer-kurs/module/start"])
def test_a_post_without_the_text_field_is_refused_not_an_error(client, trainer, course, url):
    # Not from our form (which always sends the field): saving refuses the empty text and keeps the file.
    response = client.post(url, data={"base": base_of(client.get(url))})
    assert response.status_code == 200 and len(versions_of(course)) == 1
    assert "Neuer Kurs: Grundlagen" in client.get("/autoren/neuer-kurs").text


def test_a_stale_editor_does_not_overwrite_a_newer_save(client, trainer, course):
    url = "/autoren/neuer-kurs/module/start"
    stale = base_of(client.get(url))
    save(client, url, QUIZ_MODULE)
    page = client.post(url, data={"text": QUIZ_MODULE + "\nMein Absatz.\n", "base": stale})
    assert "Diese Datei wurde inzwischen gespeichert" in page.text and "Mein Absatz." in page.text
    assert len(versions_of(course)) == 2


def test_publishing_shows_the_course_in_the_catalogue_and_keeps_the_rest_of_course_md(
        client, trainer, course, make_user, login):
    before = course.source
    assert client.post("/autoren/neuer-kurs/status", data={"status": "published"}).status_code == 302
    assert course.source == before.replace("status: draft", "status: published")
    logout(client)
    login(make_user(Role.LEARNER))
    assert "Neuer Kurs: Grundlagen" in client.get("/kurse/").text


def test_an_empty_course_cannot_be_published(client, trainer):
    # Published without modules, every enrolment would have been complete at once, with a certificate.
    client.post("/autoren/", data={"slug": "leer", "title": "Leerer Kurs", "summary": "Kurz."})
    page = client.post("/autoren/leer/status", data={"status": "published"}, follow_redirects=True)
    assert "Nicht veröffentlicht:" in page.text and "braucht mindestens ein Modul" in page.text
    assert "Nichts gespeichert" not in page.text  # a button was pressed, nothing was typed
    assert db.session.scalar(select(Course.status).where(Course.slug == "leer")) == "draft"


def test_status_is_set_in_the_front_matter_only():
    text = "\ufeff---\r\ntitle: Kurs # mit Kommentar\r\nstatus: draft\r\n---\r\n\r\nstatus: draft im Text\r\n"
    expected = text.replace("status: draft\r\n---", "status: published\r\n---")
    assert authoring.with_status(text, "published") == expected
    without = "---\ntitle: Kurs\n---\n\nText\n"
    assert authoring.with_status(without, "published") == "---\ntitle: Kurs\nstatus: published\n---\n\nText\n"


def test_status_is_set_on_its_own_line_after_a_line_separator():
    text = '---\ntitle: "Kurs\u2028mit Trenner"\nstatus: draft\n---\n\nText\n'
    assert authoring.with_status(text, "published") == text.replace("status: draft", "status: published")


def test_another_trainer_gets_404_on_every_authoring_url(app, client, course, make_user, login):
    stranger = make_user(Role.TRAINER)
    urls = authoring_urls(app, course, user_id=stranger.id)
    assert len(urls) >= 18
    logout(client)
    login(stranger)
    refused = {(method, url): request(client, method, url) for method, url in urls}
    assert set(refused.values()) <= {403, 404}, refused
    assert "Neuer Kurs: Grundlagen" not in client.get("/autoren/").text


def test_the_owner_and_admins_reach_every_url_the_stranger_could_not(app, client, course, make_user, login):
    logout(client)
    login(make_user(Role.ADMIN))
    urls = authoring_urls(app, course, user_id=make_user(Role.TRAINER).id)
    statuses = {(method, url): request(client, method, url) for method, url in urls
                if "fragen/" not in url and "entfernen" not in url}
    assert not {status for status in statuses.values() if status in (403, 404)}, statuses


def test_a_module_of_another_course_is_not_found_under_my_course(client, trainer, course, make_user, login):
    client.post("/autoren/", data={"slug": "zweiter-kurs", "title": "Zweiter Kurs"})
    client.post("/autoren/zweiter-kurs/module", data={"number": 1, "slug": "nur-hier", "title": "Nur hier",
                                                       "kind": "workshop"})
    assert client.get("/autoren/zweiter-kurs/module/nur-hier").status_code == 200
    assert client.get("/autoren/neuer-kurs/module/nur-hier").status_code == 404


def test_learners_get_403_everywhere(app, client, course, make_user, login):
    urls = [("GET", "/autoren/"), ("POST", "/autoren/"), ("GET", "/autoren/hilfe")] + authoring_urls(
        app, course, user_id=1)
    logout(client)
    login(make_user(Role.LEARNER))
    statuses = {(method, url): request(client, method, url) for method, url in urls}
    assert set(statuses.values()) == {403}, statuses


def test_preview_renders_markdown_safely(client, trainer, course):
    text = ("---\ntitle: T\n---\n\n# Titel\n\n<script>alert(1)</script>\n\n"
            "[Klick](javascript:alert(1)) ![Bild](medien/a.png)\n")
    fragment = client.post("/autoren/neuer-kurs/module/start/vorschau", data={"text": text},
                           headers={"X-Requested-With": "authoring.js"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "<h1" in fragment.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment.text
    assert "<script>" not in fragment.text
    assert "<p>[Klick](javascript:alert(1))" in fragment.text and 'href="javascript' not in fragment.text
    assert ('<a href="#zeile-9" data-line="9">Zeile 9</a>: Der Link „javascript:alert(1)“ würde entfernt'
            in fragment.text)  # said, as a broken link is, not dropped without a word
    assert 'src="/kurse/neuer-kurs/dateien/medien/a.png"' in fragment.text
    page = client.post("/autoren/neuer-kurs/module/start/vorschau", data={"text": text})
    assert "So sieht Ihr Text aus" in page.text and "[Klick](javascript:alert(1))" in page.text  # text kept
    assert len(versions_of(course)) == 1


def test_preview_shows_the_quiz_with_the_answers_that_count_and_what_saving_would_refuse(client, trainer, course):
    fragment = client.post("/autoren/neuer-kurs/module/start/vorschau", data={"text": QUIZ_MODULE},
                           headers={"X-Requested-With": "authoring.js"}).text
    assert "Quiz: 1 Frage" in fragment and "✓ A" in fragment and "```quiz" not in fragment
    assert "So ließe sich" not in fragment

    broken = QUIZ_MODULE.replace("minutes: 10", "minutes: zehn").replace("=A#Genau.", "=A#Genau.\n~B {")
    fragment = client.post("/autoren/neuer-kurs/module/start/vorschau", data={"text": broken},
                           headers={"X-Requested-With": "authoring.js"}).text
    assert "So ließe sich der Text nicht speichern" in fragment
    assert 'data-line="4"' in fragment and "„minutes“ muss eine ganze Zahl sein." in fragment
    assert "Ein Text mit <strong>Markdown</strong>" in fragment  # still shown as far as it renders
    assert len(versions_of(course)) == 1  # a preview saves nothing

    assert save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE).status_code == 302
    assert "Quiz: 1 Frage" in client.get("/autoren/neuer-kurs/module/start").text  # the saved version's quiz too

    untitled = QUIZ_MODULE.replace("title: Erste Schritte\n", "")
    fragment = client.post("/autoren/neuer-kurs/module/start/vorschau", data={"text": untitled},
                           headers={"X-Requested-With": "authoring.js"})
    assert fragment.status_code == 200 and "Pflichtfeld „title“ fehlt" in fragment.text


def test_the_preview_and_the_saved_module_show_short_answers_as_written_with_their_wildcards(
        client, trainer, course):
    module = QUIZ_MODULE.replace("::Frage::Was ist richtig? {\n=A#Genau.\n~B#Nein.\n}",
                                 "::Speicher::Welches Bauteil speichert Energie? {=*batterie* =Akku_Pack}")
    fragment = client.post("/autoren/neuer-kurs/module/start/vorschau", data={"text": module},
                           headers={"X-Requested-With": "authoring.js"}).text
    assert "✓ *batterie*" in fragment and "✓ Akku_Pack" in fragment and "<em>batterie</em>" not in fragment

    assert save(client, "/autoren/neuer-kurs/module/start", module).status_code == 302
    assert "✓ *batterie*" in client.get("/autoren/neuer-kurs/module/start").text


def test_the_preview_writes_labels_in_the_language_of_the_course(client, trainer, course):
    english = course.source.replace("language: de", "language: en") + "\n::: hinweis\nRead this.\n:::\n"
    fragment = client.post("/autoren/neuer-kurs/vorschau", data={"text": english},
                           headers={"X-Requested-With": "authoring.js"}).text
    assert "<strong>Note</strong>" in fragment
    module = QUIZ_MODULE + "\n::: warnung\nVorsicht.\n:::\n"
    fragment = client.post("/autoren/neuer-kurs/module/start/vorschau", data={"text": module},
                           headers={"X-Requested-With": "authoring.js"}).text
    assert "<strong>Warnung</strong>" in fragment  # the course is German


def test_editor_pages_never_run_the_markdown_parser(app, client, trainer, course):
    save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE)
    client.post("/autoren/neuer-kurs/fragen", data={"name": "pool"})
    client.get("/autoren/hilfe")  # the guide: rendered once per process, then kept (see test_the_guide_…)
    before = markdown.render_count()
    for method, url in authoring_urls(app, course, name="pool.gift", number=2, user_id=trainer.id):
        if method == "GET":
            assert client.get(url).status_code == 200, url
    assert client.get("/autoren/").status_code == 200
    assert markdown.render_count() == before


def test_upload_rejects_a_file_whose_content_is_not_what_its_name_says(client, trainer, course):
    fake = client.post("/autoren/neuer-kurs/medien", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"GIF89a" + bytes(40)), "foto.png")})
    assert "passt nicht zur Endung .png" in fake.text
    script = client.post("/autoren/neuer-kurs/medien", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
                                        "bild.svg")})
    assert "Die SVG-Datei enthält ein nicht erlaubtes Element: script." in script.text
    assert db.session.scalar(select(func.count()).select_from(CourseFile)) == 0
    real = client.post("/autoren/neuer-kurs/medien", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(PNG), "Foto Halle.PNG")})
    assert real.status_code == 302
    stored = db.session.scalar(select(CourseFile))
    assert stored.path == "medien/foto_halle.png" and stored.content_type == "image/png"
    document = client.post("/autoren/neuer-kurs/medien", content_type="multipart/form-data", follow_redirects=True,
                           data={"file": (io.BytesIO(b"%PDF-1.4\n" + bytes(40)), "Checkliste.pdf")})
    assert "Verlinken mit [Titel des Dokuments](medien/checkliste.pdf)" in document.text  # a link, not an image


def test_a_file_of_the_same_name_is_replaced_only_when_asked(client, trainer, course):
    upload = "/autoren/neuer-kurs/medien"
    client.post(upload, content_type="multipart/form-data", data={"file": (io.BytesIO(PNG), "halle.png")})
    newer = PNG + b"\0"

    asked = client.post(upload, content_type="multipart/form-data", data={"file": (io.BytesIO(newer), "halle.png")})

    assert asked.status_code == 200 and "Eine Datei „medien/halle.png“ gibt es schon" in asked.text
    assert db.session.scalar(select(CourseFile)).data == PNG
    replaced = client.post(upload, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(newer), "halle.png"), "replace": "y"})
    assert replaced.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(CourseFile)).data == newer


@pytest.mark.parametrize("as_admin", [False, True])  # admins see the owners' forms too
def test_every_id_of_the_editor_pages_is_unique(client, course, make_user, login, as_admin):
    if as_admin:
        logout(client)
        login(make_user(Role.ADMIN))
    save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE)
    for url in ("/autoren/", "/autoren/neuer-kurs", "/autoren/neuer-kurs/module/start",
                "/autoren/neuer-kurs/module/start/versionen/1"):
        ids = re.findall(r' id="([^"]+)"', client.get(url).text)
        assert sorted({i for i in ids if ids.count(i) > 1}) == [], url  # the forms' CSRF fields once had one each


def test_the_file_list_shows_a_pdf_as_a_link_and_an_image_as_an_image(client, trainer, course):
    for data, name in [(PNG, "bild.png"), (b"%PDF-1.4\n" + bytes(40), "checkliste.pdf")]:
        client.post("/autoren/neuer-kurs/medien", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(data), name)})
    page = client.get("/autoren/neuer-kurs").text
    assert "<code>[Titel](medien/checkliste.pdf)</code>" in page
    assert "<code>![Beschreibung](medien/bild.png)</code>" in page
    assert "![Beschreibung](medien/checkliste.pdf)" not in page


def test_a_file_is_named_with_its_umlauts_spelled_out_and_deleted_only_when_no_text_uses_it(client, trainer,
                                                                                             course):
    client.post("/autoren/neuer-kurs/medien", content_type="multipart/form-data",
                data={"file": (io.BytesIO(PNG), "Öl Prüfung.png")})
    assert [f.path for f in db.session.scalars(select(CourseFile))] == ["medien/oel_pruefung.png"]
    used = QUIZ_MODULE.replace("Ein Text mit **Markdown**.", "![Ölwechsel](medien/oel_pruefung.png)")
    assert save(client, "/autoren/neuer-kurs/module/start", used).status_code == 302

    kept = client.post("/autoren/neuer-kurs/medien/loeschen", data={"path": "medien/oel_pruefung.png"},
                       follow_redirects=True)
    assert "„medien/oel_pruefung.png“ wird noch verwendet und bleibt: 01-start.md, Zeile 9" in kept.text
    assert "zeigt auf eine Datei, die es im Kurs nicht gibt" not in kept.text  # it is there: it is in use
    assert db.session.scalar(select(func.count()).select_from(CourseFile)) == 1

    assert save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE).status_code == 302
    gone = client.post("/autoren/neuer-kurs/medien/loeschen", data={"path": "medien/oel_pruefung.png"},
                       follow_redirects=True)
    assert "ist gelöscht" in gone.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CourseFile)) == 0
    assert client.get("/kurse/neuer-kurs/dateien/medien/oel_pruefung.png").status_code == 404


def test_restore_makes_a_new_version_with_the_old_source(client, trainer, course):
    first = versions_of(course)[0].source
    save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE)
    response = client.post("/autoren/neuer-kurs/module/start/versionen/1/wiederherstellen", data={})
    assert response.status_code == 302
    versions = versions_of(course)
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[0].source == first and versions[1].source == QUIZ_MODULE and versions[2].source == first
    assert versions[2].created_by_id == trainer.id
    assert "Wiederhergestellt aus Version 1" in client.get("/autoren/neuer-kurs/module/start/versionen").text
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "authoring.restore")) == 1


def test_diff_marks_added_and_removed_lines_and_escapes_them(client, trainer, course):
    old = versions_of(course)[0].source
    save(client, "/autoren/neuer-kurs/module/start", old.replace("## Lernziele", "<b>Ziele</b> & mehr"))
    page = client.get("/autoren/neuer-kurs/module/start/versionen/2")
    assert ('<span class="diff-del"><span class="visually-hidden">entfernt: </span>'
            "-## Lernziele</span>") in page.text
    assert ('<span class="diff-add"><span class="visually-hidden">hinzugefügt: </span>'
            "+&lt;b&gt;Ziele&lt;/b&gt; &amp; mehr</span>") in page.text
    history = client.get("/autoren/neuer-kurs/module/start/versionen").text
    assert "Person" in history and "Version 2" in history


def test_zip_export_imports_again_with_no_changes(client, runner, trainer, course, tmp_path):
    save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE)
    client.post("/autoren/neuer-kurs/medien", content_type="multipart/form-data",
                data={"file": (io.BytesIO(PNG), "bild.png")})
    client.post("/autoren/neuer-kurs/fragen", content_type="multipart/form-data",
                data={"file": (io.BytesIO(b"::F::Richtig? {T}\r\n"), "pool.gift")})
    response = client.get("/autoren/neuer-kurs/export.zip")
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == ["neuer-kurs/01-start.md", "neuer-kurs/course.md",
                                              "neuer-kurs/fragen/pool.gift", "neuer-kurs/medien/bild.png"]
        archive.extractall(tmp_path)
    result = runner.invoke(courses_cli, ["import", str(tmp_path)])
    assert "No changes" in result.output, result.output


def test_a_bank_error_is_shown_at_its_line_and_a_fixed_bank_gives_drawing_modules_a_version(
        client, trainer, course):
    client.post("/autoren/neuer-kurs/fragen", data={"name": "pool"})
    drawing = QUIZ_MODULE.replace("minutes: 10", "minutes: 10\nquestions: fragen/pool.gift")
    save(client, "/autoren/neuer-kurs/module/start", drawing)
    page = save(client, "/autoren/neuer-kurs/fragen/pool.gift", "// Pool\n\n::F::Richtig? {T\n")
    assert '<a href="#zeile-3" data-line="3">Zeile 3</a>' in page.text
    save(client, "/autoren/neuer-kurs/fragen/pool.gift", "// Pool\n\n::F::Richtig? {T}\n", note="Frage 1")
    latest = versions_of(course)[-1]
    assert latest.number == 3 and latest.note == "Frage 1"


@pytest.mark.parametrize(("filename", "bank"), [
    ("bom_crlf.gift", "bom-crlf.gift"), ("Mein Pool.GIFT", "mein-pool.gift"),
    ("Prüfung Öl.txt", "pruefung-oel.gift"), ("pool", "pool.gift")])
def test_a_bank_uploaded_without_a_name_is_named_after_its_file(client, trainer, course, filename, bank):
    response = client.post("/autoren/neuer-kurs/fragen", content_type="multipart/form-data", data={
        "name": "", "file": (io.BytesIO(b"\xef\xbb\xbf::F::Richtig? {T}\r\n"), filename)})
    assert response.status_code == 302 and response.location.endswith(f"/fragen/{bank}")
    assert [f.path for f in db.session.scalars(select(CourseFile))] == [f"fragen/{bank}"]


def test_a_bank_file_whose_name_gives_no_name_is_named_in_the_message(client, trainer, course):
    page = client.post("/autoren/neuer-kurs/fragen", content_type="multipart/form-data", data={
        "name": "", "file": (io.BytesIO(b"::F::Richtig? {T}\n"), "日本.gift")})
    assert "Aus dem Dateinamen „日本.gift“ lässt sich kein Name für die Fragensammlung machen." in page.text
    nothing = client.post("/autoren/neuer-kurs/fragen", data={"name": ""})
    assert "Wählen Sie eine GIFT-Datei aus, oder geben Sie einen Namen ein" in nothing.text
    assert db.session.scalar(select(func.count()).select_from(CourseFile)) == 0


def test_admin_assigns_a_co_owner_who_can_then_edit(client, course, make_user, login):
    colleague = make_user(Role.TRAINER, email="kollegin@example.org")
    learner = make_user(Role.LEARNER, email="lernend@example.org")
    logout(client)
    login(make_user(Role.ADMIN))
    refused = client.post("/autoren/neuer-kurs/besitzer", data={"email": learner.email})
    assert "keine aktive Person mit der Rolle Trainer/in" in refused.text
    added = client.post("/autoren/neuer-kurs/besitzer", data={"email": "Kollegin@Example.org"})
    assert added.status_code == 302
    logout(client)
    login(colleague)
    assert client.get("/autoren/neuer-kurs").status_code == 200
    assert save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE).status_code == 302
    assert versions_of(course)[-1].created_by_id == colleague.id
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "authoring.owner_added")) == 1


def test_admin_adds_a_second_and_third_co_owner(client, course, make_user, login):
    # People loaded by address were all "equal" once (compared by their missing session token), so the
    # second colleague counted as an owner already.
    first, second = make_user(Role.TRAINER), make_user(Role.TRAINER)
    logout(client)
    login(make_user(Role.ADMIN))
    for colleague in (first, second):
        added = client.post("/autoren/neuer-kurs/besitzer", data={"email": colleague.email}, follow_redirects=True)
        assert "bearbeitet diesen Kurs schon" not in added.text
    assert {first.id, second.id} <= {owner.id for owner in owners.course_owners(course)}


def test_trainers_cannot_add_co_owners(client, trainer, course, make_user):
    colleague = make_user(Role.TRAINER)
    assert client.post("/autoren/neuer-kurs/besitzer", data={"email": colleague.email}).status_code == 403


def test_editor_pages_cost_the_same_few_statements_however_big_the_course(
        client, demo_courses, make_user, login, count_statements):
    login(make_user(Role.ADMIN))
    # The course and module editors read the modules' drafts in one statement (courses/drafts.py).
    for url, budget in [("/autoren/", 4), ("/autoren/hochvolt-sicherheit", 8),
                        ("/autoren/hochvolt-sicherheit/module/warum-hochvolt", 7),
                        ("/autoren/hochvolt-sicherheit/module/warum-hochvolt/versionen", 7),
                        ("/autoren/hochvolt-sicherheit/fragen/hv-notfall.gift", 5)]:
        client.get(url)  # warm up
        with count_statements() as counter:
            assert client.get(url).status_code == 200
        assert counter.count <= budget, (url, counter.statements)



def test_a_refused_form_of_the_course_page_costs_the_same_statements_however_many_modules(
        client, trainer, course, count_statements):
    taken = {"number": 9, "slug": "start", "title": "Noch einmal", "kind": "self-study"}

    def refused_page() -> int:
        sent = {**taken, "csrf_token": client.csrf_token()}
        with count_statements() as counter:
            page = client.post("/autoren/neuer-kurs/module", data=sent)
        assert "Dieses Kürzel ist in diesem Kurs schon vergeben." in page.text and 'value="Noch einmal"' in page.text
        return counter.count

    few = refused_page()
    for number in (2, 3, 4):
        client.post("/autoren/neuer-kurs/module", data={"number": number, "slug": f"m{number}", "title": "M",
                                                         "kind": "self-study"})
    assert refused_page() == few  # the page reads the course again after the rollback, modules and all at once


def test_an_invalid_form_of_the_course_page_costs_no_more_statements_than_the_page(client, trainer, course,
                                                                                   count_statements):
    client.get("/autoren/neuer-kurs")  # warm up
    with count_statements() as shown:
        client.get("/autoren/neuer-kurs")
    sent = {"number": "", "slug": "Kein Kürzel", "title": "Neu", "kind": "self-study",
            "csrf_token": client.csrf_token()}

    with count_statements() as invalid:
        page = client.post("/autoren/neuer-kurs/module", data=sent)

    assert page.status_code == 200 and 'value="Neu"' in page.text and 'aria-invalid="true"' in page.text
    assert invalid.count == shown.count, invalid.statements  # nothing rolled back: the course is not read again

# --- where the quiz stands, and the guide to the format ---------------------------------------------------------

def test_the_preview_says_where_a_quiz_block_stood_and_that_learners_see_the_quiz_at_the_end(client, trainer,
                                                                                           course):
    text = QUIZ_MODULE.replace("```quiz", "## Test\n\n```quiz") + "\nZum Schluss.\n"
    fragment = client.post("/autoren/neuer-kurs/module/start/vorschau", data={"text": text}, headers=PREVIEW).text
    note = ('<p class="flash">Hier steht ein Quiz-Block. Lernende sehen alle Fragen des Moduls zusammen als ein Quiz '
            "am Ende des Moduls, nach dem ganzen Text.</p>")
    assert fragment.index('<h2 id="test">Test</h2>') < fragment.index(note) < fragment.index("Zum Schluss.")
    assert "Alle Quiz-Blöcke eines Moduls sind ein Quiz" in fragment  # above the quiz, in the saved view too
    assert save(client, "/autoren/neuer-kurs/module/start", text).status_code == 302
    assert "Hier steht ein Quiz-Block" not in versions_of(course)[-1].body_html  # for the trainer only
    box = client.get("/autoren/neuer-kurs/module/start").text
    assert "Lernende sehen es am Ende des Moduls, nach dem ganzen Text." in box


def test_the_guide_to_the_course_format_is_a_click_away_in_every_editor(client, trainer, course):
    client.post("/autoren/neuer-kurs/fragen", data={"name": "pool"})
    for url in ("/autoren/", "/autoren/neuer-kurs", "/autoren/neuer-kurs/module/start",
                "/autoren/neuer-kurs/fragen/pool.gift"):
        assert 'href="/autoren/hilfe"' in client.get(url).text, url
    guide = client.get("/autoren/hilfe")
    assert guide.status_code == 200 and "<h1 id=\"kurse-schreiben\">Kurse schreiben</h1>" in guide.text
    for shown in ("Mehrfachauswahl mit Gewichten", "Zuordnung", "Lückentext", "Reflexion (Freitext)",
                  "<code>attempts</code>", "<code>pass_percentage</code>", "<code>shuffle</code>",
                  "<code>time_limit_minutes</code>", "<code>keep_answer_order</code>", "Aufgabenliste", "Fußnote",
                  "::: warnung Eigener Titel", "<code>:-:</code> mittig", "am Ende des Moduls"):
        assert shown in guide.text, shown
    assert "Writing courses</h1>" not in guide.text  # German pages, the German part


def test_english_readers_get_the_english_guide_whose_examples_work_in_every_course(client, make_user, login):
    login(make_user(Role.TRAINER, language="en"))
    guide = client.get("/autoren/hilfe").text
    assert '<h1 id="writing-courses">Writing courses</h1>' in guide and "Kurse schreiben</h1>" not in guide
    assert "Multiple answers with weights" in guide and "<code>time_limit_minutes</code>" in guide
    assert "::: note" in guide and "::: warning" in guide
    examples = set(re.findall(r"::: ([A-Za-z]+)", guide))
    assert examples and {name.lower() for name in examples} <= set(markdown.CALLOUTS)  # each works as shown
    assert "fragen/" in guide and "medien/" in guide  # the folder names of English courses too


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_help_page_starts_at_the_guide_s_heading_without_the_file_s_notes_about_the_page(
        client, make_user, login, language):
    login(make_user(Role.TRAINER, language=language))
    page = client.get("/autoren/hilfe").text
    assert re.search(r'<div class="prose guide">\s*<h1 id="(kurse-schreiben|writing-courses)">', page)
    for note in ("English below", "Diese Anleitung steht auch in Qualify selbst", "also in Qualify itself",
                 "<code>/autoren/hilfe</code>"):
        assert note not in page, note  # they tell readers of the file where this page is, and point past it
    read_alone = authoring_preview.GUIDE.read_text(encoding="utf-8")
    assert read_alone.index("English below") < read_alone.index("# Kurse schreiben")  # the file still says so


def test_the_examples_on_the_help_page_wrap_in_a_box_of_their_own_class(client, trainer):
    # A <pre> that scrolls sideways is a box the keyboard cannot reach (axe: scrollable-region-focusable): in
    # the guide the examples wrap (`.guide pre` in the stylesheet) – on a wide screen none has to: 80 characters.
    page = client.get("/autoren/hilfe").text
    assert '<div class="prose guide">' in page and "<pre>" in page
    examples = re.findall(r"<pre><code>(.*?)</code></pre>",
                          authoring_preview.guide("de") + authoring_preview.guide("en"), re.S)
    assert examples and max(len(line) for code in examples for line in html.unescape(code).split("\n")) <= 80


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_guide_names_every_field_and_media_ending_the_loader_takes(app, language):
    with app.test_request_context():
        guide = str(authoring_preview.guide(language))
    fields = {*COURSE_FIELDS, *MODULE_FIELDS, *(name for kind in KIND_FIELDS.values() for name in kind)}
    endings = {f".{ending}" for ending in SIGNATURES}
    assert [name for name in sorted(fields | endings) if f"<code>{name}</code>" not in guide] == []
    assert "<code>--clean</code>" in guide  # the export's way into a folder with files the course no longer has


def test_the_guide_is_rendered_once_and_then_kept(client, trainer):
    authoring_preview.guide.cache_clear()
    before = markdown.render_count()
    for _ in range(3):
        assert client.get("/autoren/hilfe").status_code == 200
    assert markdown.render_count() == before + 1


def test_no_course_can_take_the_guide_s_address(client, trainer):
    page = client.post("/autoren/", data={"slug": "hilfe", "title": "Hilfe", "summary": ""})
    assert "Dieses Kürzel ist schon vergeben." in page.text
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


# --- what saving says -------------------------------------------------------------------------------------------

def test_typing_the_status_into_course_md_says_that_it_published_or_took_back_the_course(client, trainer, course):
    published = save(client, "/autoren/neuer-kurs", course.source.replace("status: draft", "status: published"))
    assert "Der Kurs ist jetzt veröffentlicht: Lernende sehen ihn im Katalog." in client.get(published.location).text
    draft = save(client, "/autoren/neuer-kurs", course.source.replace("status: published", "status: draft"))
    assert "Der Kurs ist wieder ein Entwurf: Lernende sehen ihn nicht mehr." in client.get(draft.location).text
    statuses = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "authoring.status")
                                  .order_by(AuditEvent.id))
    assert [event.details["status"] for event in statuses] == ["published", "draft"]


def test_one_new_version_is_named_in_the_singular(client, trainer, course):
    saved = save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE)
    assert "Gespeichert. Neue Version: Erste Schritte (2)." in client.get(saved.location).text


def test_restoring_an_old_version_asks_once_more(client, trainer, course):
    save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE)
    page = client.get("/autoren/neuer-kurs/module/start/versionen/1").text
    action = page.index('action="/autoren/neuer-kurs/module/start/versionen/1/wiederherstellen"')
    assert page.rfind('<details class="decision">', 0, action) > page.rfind("</details>", 0, action)
    assert '<summary class="button">Diese Version wiederherstellen …' in page
    assert "Ja, Version 1 wiederherstellen" in page


def test_a_broken_bank_upload_names_the_line_as_the_editor_does(client, trainer, course):
    page = client.post("/autoren/neuer-kurs/fragen", content_type="multipart/form-data", data={
        "name": "", "file": (io.BytesIO(b"// Pool\n\n::F::Richtig? {T\n"), "broken.gift")})
    assert "Zeile 3: Die geschweifte Klammer" in page.text
    assert "fragen/broken.gift:3" not in page.text
    errors = page.text[page.text.index('<div class="form-errors"'):]  # listed where the focus goes, on a phone too
    assert "Zeile 3: Die geschweifte Klammer" in errors[:errors.index("</div>")]
    assert 'action="/autoren/neuer-kurs/fragen#fragen"' in page.text


# --- a save in between ------------------------------------------------------------------------------------------

OVERWRITE = re.compile(r'name="overwrite" value="([^"]+)"')


def test_after_a_save_in_another_tab_the_editor_shows_what_it_changed_and_saves_over_it_when_asked(
        client, trainer, course):
    url = "/autoren/neuer-kurs/module/start"
    stale = base_of(client.get(url))
    save(client, url, QUIZ_MODULE)  # the other tab
    mine = versions_of(course)[0].source + "\nMein Absatz.\n"

    page = client.post(url, data={"text": mine, "base": stale})

    assert "Diese Datei wurde inzwischen gespeichert" in page.text and "Mein Absatz.\n</textarea>" in page.text
    assert "Was inzwischen gespeichert wurde" in page.text  # against the text this tab had opened
    assert ('<span class="diff-add"><span class="visually-hidden">hinzugefügt: </span>'
            "+::Frage::Was ist richtig? {</span>") in page.text
    assert '<summary class="button danger">Meinen Text trotzdem speichern …</summary>' in page.text
    assert client.post(url, data={"text": mine, "base": stale}).status_code == 200  # Speichern alone: refused
    assert len(versions_of(course)) == 2

    saved = client.post(url, data={"text": mine, "base": stale, "overwrite": OVERWRITE.search(page.text).group(1)})

    assert saved.status_code == 302
    assert [v.number for v in versions_of(course)] == [1, 2, 3] and versions_of(course)[-1].source == mine


def test_saving_over_a_version_is_refused_again_when_yet_another_came_in_between(client, trainer, course):
    url = "/autoren/neuer-kurs/module/start"
    stale = base_of(client.get(url))
    save(client, url, QUIZ_MODULE)
    page = client.post(url, data={"text": "---\ntitle: Meins\n---\n", "base": stale})
    save(client, url, QUIZ_MODULE + "\nNoch ein Tab.\n")
    again = client.post(url, data={"text": "---\ntitle: Meins\n---\n", "base": stale,
                                   "overwrite": OVERWRITE.search(page.text).group(1)})
    assert again.status_code == 200 and "Diese Datei wurde inzwischen gespeichert" in again.text
    assert versions_of(course)[-1].source.endswith("Noch ein Tab.\n")


def test_course_md_keeps_no_history_so_the_conflict_compares_the_saved_text_with_the_typed_one(client, trainer,
                                                                                              course):
    url = "/autoren/neuer-kurs"
    opened = course.source
    stale = base_of(client.get(url))
    save(client, url, opened + "\nVon Kollegin.\n")
    page = client.post(url, data={"text": opened.replace("Kurz.", "Kürzer."), "base": stale})
    assert "Gespeicherte Fassung und Ihr Text" in page.text
    assert '<span class="visually-hidden">entfernt: </span>-Von Kollegin.</span>' in page.text
    assert OVERWRITE.search(page.text)


# --- signed out, and notes in the reader's language -------------------------------------------------------------

def test_a_preview_sent_after_signing_out_elsewhere_says_to_sign_in_again(app, client, trainer, course):
    url = "/autoren/neuer-kurs/module/start"
    token = CSRF_FIELD.search(client.get(url).text).group(1)
    cookies_gone = app.test_client()  # signed out in another tab: the session, and its token, are gone

    fragment = cookies_gone.post(f"{url}/vorschau", csrf=False, headers=PREVIEW,
                                 data={"csrf_token": token, "text": QUIZ_MODULE})

    assert fragment.status_code == 200 and "<html" not in fragment.text  # authoring.js shows it in the pane
    assert "Ihre Anmeldung ist abgelaufen" in fragment.text and "erneut" not in fragment.text
    assert "Kopieren Sie den Text, melden Sie sich wieder an und fügen Sie ihn dort wieder ein." in fragment.text
    assert 'href="/anmelden?next=/autoren/neuer-kurs/module/start"' in fragment.text
    assert "no-store" in fragment.headers["Cache-Control"]


def test_a_preview_after_the_session_ended_on_the_server_says_so_too(client, trainer, course):
    end_all_sessions(trainer)
    db.session.commit()
    fragment = client.post("/autoren/neuer-kurs/module/start/vorschau", data={"text": QUIZ_MODULE},
                           headers=PREVIEW)
    assert fragment.status_code == 200 and "Ihre Anmeldung ist abgelaufen" in fragment.text


def test_notes_qualify_writes_are_in_the_reader_s_language_old_ones_too(client, course, make_user, login):
    module = db.session.scalar(select(Module).where(Module.slug == "start"))
    assert module.current_version.note == module_versions.NEW_MODULE_NOTE  # a code, not German
    logout(client)
    english = make_user(Role.ADMIN, language="en")
    login(english)
    save(client, "/autoren/neuer-kurs/module/start", QUIZ_MODULE)
    client.post("/autoren/neuer-kurs/module/start/versionen/1/wiederherstellen", data={})
    versions_of(course)[1].note = "Wiederhergestellt aus Version 7"  # stored in German before there were codes
    db.session.commit()
    history = client.get("/autoren/neuer-kurs/module/start/versionen").text
    assert "New module" in history and "Restored from version 1" in history and "Restored from version 7" in history
    assert "Neues Modul" not in history and "Wiederhergestellt" not in history
    assert "Restored from version 1" in client.get("/autoren/neuer-kurs/module/start/versionen/3").text
