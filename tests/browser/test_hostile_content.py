"""Hostile course content stays inert in a real browser: no script runs on any page that shows it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses import services
from qualify.courses.loader import load_tree
from qualify.exchange import posting, spaces
from qualify.extensions import db

# Links the renderer drops (javascript:, data: on a link): the loader refuses a course file with them, naming
# the line, so course files cannot carry them any more; a post in the exchange still can (and drops them too).
HOSTILE_LINKS = """[a](javascript:alert("js")) [b](JaVaScRiPt:alert("js2")) [c](&#106;avascript:alert("entity"))
[d](data:text/html,<script>alert("data")</script>)
"""

HOSTILE_MODULE = """---
title: '"><script>alert("titel")</script>'
---

<script>alert("body")</script>
<img src=x onerror=alert("img")>
<svg onload=alert("svg")></svg>

```quiz
::<script>alert("q-title")</script>::Was ist <img src=x onerror=alert("q")>? {
=<script>alert("answer")</script>#<img src=x onerror=alert("feedback")>
~<svg onload=alert("answer-svg")></svg>
}
```
"""

HOSTILE_COURSE = """---
title: '"><img src=x onerror=alert("course")>'
summary: '<script>alert("summary")</script>'
tags: ['<svg onload=alert("tag")>']
status: published
---

<script>alert("overview")</script>
"""


@pytest.fixture
def hostile_course(tmp_path: Path):
    folder = tmp_path / "boese"
    folder.mkdir()
    (folder / "course.md").write_text(HOSTILE_COURSE)
    (folder / "01-falle.md").write_text(HOSTILE_MODULE)
    services.import_tree(load_tree(tmp_path))
    db.session.commit()


def test_hostile_course_content_never_runs_a_script(page, make_user, sign_in, hostile_course):
    dialogs = []

    def on_dialog(dialog):
        if dialog.type == "confirm" and dialog.message.endswith("Trotzdem abgeben?"):
            dialog.accept()  # the page's own question before handing in an incomplete quiz
        else:
            dialogs.append(dialog.message)
            dialog.dismiss()

    page.on("dialog", on_dialog)
    sign_in(page, make_user(Role.LEARNER))
    for path in ("/kurse/", "/kurse/?q=script", "/kurse/boese", "/kurse/boese/module/falle"):
        page.goto(path)
        for link in page.locator("main a").all():
            href = link.get_attribute("href") or ""
            assert not href.lower().strip().startswith(("javascript:", "data:")), href
    page.get_by_role("button", name="Quiz starten").click()
    page.get_by_role("button", name="Abgeben und auswerten").click()
    expect(page.locator(".result-outcome")).to_be_visible()  # handed in by the page's script, then shown
    assert dialogs == []
    assert "<script>" in page.content() or "&lt;script&gt;" in page.content()


def test_hostile_links_in_a_post_stay_inert(page, make_user, sign_in):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    author = make_user(Role.LEARNER)
    space = spaces.create_space("Offener Raum", "", organisation_id=None, moderation="post", anonymous="allowed",
                                by=make_user(Role.ADMIN), now=utcnow())
    thread = posting.start_thread(space, author, "Links", HOSTILE_LINKS, anonymous=False, now=utcnow())
    db.session.commit()
    sign_in(page, author)
    page.goto(f"/austausch/faden/{thread.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Links")
    links = page.locator("main a").all()
    assert not [link for link in links if (link.get_attribute("href") or "").lower().strip().startswith(
        ("javascript:", "data:"))]
    assert not [link for link in links if link.inner_text().strip() in ("a", "b", "c", "d")]  # no link at all
    assert dialogs == []


def test_hostile_markdown_in_the_authoring_preview_stays_inert(page, make_user, sign_in):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, make_user(Role.TRAINER))
    page.goto("/autoren/")
    page.get_by_label("Kürzel").fill("probe")
    page.get_by_label("Titel").fill("Probe")
    page.get_by_role("button", name="Kurs anlegen").click()
    page.get_by_label("Text der Datei").fill("---\ntitle: Probe\n---\n\n" + HOSTILE_LINKS
                                             + HOSTILE_MODULE.split("---\n", 2)[2])
    page.get_by_role("button", name="Vorschau").click()
    page.wait_for_timeout(300)
    for link in page.locator("#vorschau a").all():
        assert not (link.get_attribute("href") or "").lower().startswith(("javascript:", "data:"))
    assert dialogs == []
