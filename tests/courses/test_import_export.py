"""`qualify courses import` and `export`: all or nothing, keyed by slug, versioned, a faithful round trip."""

from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import func, select

from qualify.courses import services
from qualify.courses.commands import courses_cli
from qualify.courses.loader import load_tree
from qualify.courses.models import Course, CourseFile, Module, ModuleVersion
from qualify.extensions import db
from tests.courses.trees import MODULE_MD, lines, page, write_course, write_tree

DEMO_COURSES = Path(__file__).resolve().parents[2] / "courses"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def run_import(runner, path: Path):
    db.session.remove()  # the command works in its own session, like a fresh process
    result = runner.invoke(courses_cli, ["import", str(path)])
    db.session.remove()
    return result


def run_export(runner, slug: str, folder: Path, *options: str):
    return runner.invoke(courses_cli, ["export", slug, str(folder), *options])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def database_state() -> dict:
    """Everything import writes, to compare before and after."""
    return {
        "courses": sorted((c.slug, c.title, c.source) for c in db.session.scalars(select(Course))),
        "modules": sorted((m.slug, m.position, m.archived) for m in db.session.scalars(select(Module))),
        "versions": sorted((v.module_id, v.number, v.source)
                           for v in db.session.scalars(select(ModuleVersion))),
        "files": sorted((f.path, f.sha256) for f in db.session.scalars(select(CourseFile))),
    }


def module(slug: str, course: str = "kurs") -> Module:
    return db.session.scalar(select(Module).join(Course).where(Course.slug == course, Module.slug == slug))


def course(slug: str = "kurs") -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def versions(slug: str) -> list[ModuleVersion]:
    return list(module(slug).versions)


# --- importing ------------------------------------------------------------------------------------

def test_import_creates_courses_modules_versions_and_files(runner):
    modules = sum(len(c.modules) for c in load_tree(DEMO_COURSES).courses)
    result = run_import(runner, DEMO_COURSES)
    assert result.exit_code == 0, result.output
    assert (f"Imported: 3 new, 0 updated, 0 unchanged course(s); {modules} new module version(s)."
            in result.stdout)
    assert count(Course) == 3 and count(Module) == modules and count(ModuleVersion) == modules
    hv = course("hochvolt-sicherheit")
    assert hv.title == "Hochvolt-Sicherheit: Sensibilisierung für Nicht-Elektriker"
    assert hv.status == "published" and hv.language == "de" and "Logistik" in hv.audience
    assert [m.slug for m in hv.modules] == ["warum-hochvolt", "hv-bauteile-erkennen", "wer-darf-was",
                                           "notfall-und-erste-hilfe", "praxistag-hv-schulungsfahrzeug"]
    workshop = module("praxistag-hv-schulungsfahrzeug", "hochvolt-sicherheit").current_version
    assert workshop.kind == "workshop" and workshop.settings["capacity"] == 10
    assert {f.path for f in hv.files} == {"fragen/hv-notfall.gift", "medien/hv-warnzeichen.svg"}


def test_second_import_reports_no_changes_and_adds_no_versions(runner):
    run_import(runner, DEMO_COURSES)
    before = database_state()
    result = run_import(runner, DEMO_COURSES)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "No changes: 3 course(s) already up to date."
    assert database_state() == before


def test_broken_course_means_nothing_is_imported_not_even_the_good_one(runner, tmp_path):
    write_course(tmp_path, slug="gut")
    write_course(tmp_path, {"01-start.md": page("title: Start", "minutes: zehn")}, slug="kaputt")
    result = run_import(runner, tmp_path)
    assert result.exit_code == 1
    assert "kaputt/01-start.md:3: „minutes“ muss eine ganze Zahl sein." in result.stderr
    assert "Nothing imported: 1 problem(s)." in result.stderr
    assert database_state() == {"courses": [], "modules": [], "versions": [], "files": []}


def test_broken_tree_leaves_imported_courses_as_they_were(runner, tmp_path):
    write_course(tmp_path, slug="gut")
    run_import(runner, tmp_path)
    before = database_state()
    write_course(tmp_path, {"course.md": page("title: Neuer Titel"), "01-start.md": page("title: Anders"),
                            "medien/bild.png": PNG}, slug="gut")
    broken = page("title: Start", body="```quiz\nFrage {~a}\n```\n")
    write_course(tmp_path, {"01-start.md": broken}, slug="kaputt")
    result = run_import(runner, tmp_path)
    assert result.exit_code == 1
    assert database_state() == before


def test_import_refuses_a_tree_with_problems_without_touching_the_session(tmp_path):
    write_course(tmp_path, slug="gut")
    write_course(tmp_path, {"course.md": None}, slug="kaputt")
    tree = load_tree(tmp_path)
    try:
        services.import_tree(tree)
    except services.ImportRefused as refused:
        assert [str(p) for p in refused.problems] == ["kaputt/course.md:1: Die Datei course.md fehlt."]
    else:
        raise AssertionError("import_tree accepted a tree with problems")
    assert not db.session.new and not db.session.dirty


def test_course_is_kept_by_slug_so_a_new_title_updates_it(runner, tmp_path):
    write_course(tmp_path)
    run_import(runner, tmp_path)
    first_id = course().id
    write_course(tmp_path, {"course.md": page("title: Kurs mit neuem Titel", "status: published")})
    result = run_import(runner, tmp_path)
    assert "Imported: 0 new, 1 updated, 0 unchanged course(s); 0 new module version(s)." in result.stdout
    assert count(Course) == 1
    assert (course().id, course().title, course().status) == (first_id, "Kurs mit neuem Titel", "published")


def test_edited_module_text_creates_version_2_and_keeps_version_1(runner, tmp_path):
    write_course(tmp_path)
    run_import(runner, tmp_path)
    write_course(tmp_path, {"01-start.md": page("title: Start", body="# Start\n\nNeuer Text.\n")})
    result = run_import(runner, tmp_path)
    assert "1 new module version(s)" in result.stdout
    first, second = versions("start")
    assert (first.number, second.number) == (1, 2)
    assert first.source == MODULE_MD and "<p>Text.</p>" in first.body_html
    assert "Neuer Text." in second.source and "<p>Neuer Text.</p>" in second.body_html
    assert module("start").current_version_id == second.id


def test_edited_bank_creates_new_versions_of_the_modules_drawing_from_it(runner, tmp_path):
    write_course(tmp_path, {
        "fragen/bank.gift": lines("Eins {T}", "", "Zwei {F}"),
        "01-start.md": page("title: Start", "questions: fragen/bank.gift", "draw: 1"),
        "02-mehr.md": page("title: Mehr", "questions: fragen/bank.gift"),
        "03-ohne.md": page("title: Ohne"),
    })
    run_import(runner, tmp_path)
    write_tree(tmp_path, {"kurs/fragen/bank.gift": lines("Eins {T}", "", "Zwei {F}", "", "Drei {T}")})
    result = run_import(runner, tmp_path)
    assert "2 new module version(s)" in result.stdout
    assert [len(versions(slug)) for slug in ("start", "mehr", "ohne")] == [2, 2, 1]
    assert [q["text"] for q in module("start").current_version.questions] == ["Eins", "Zwei", "Drei"]
    assert len(versions("start")[0].questions) == 2


def test_removed_module_file_archives_the_module_and_keeps_its_versions(runner, tmp_path):
    write_course(tmp_path, {"02-weiter.md": page("title: Weiter")})
    run_import(runner, tmp_path)
    (tmp_path / "kurs" / "02-weiter.md").unlink()
    result = run_import(runner, tmp_path)
    assert "Imported: 0 new, 1 updated" in result.stdout
    assert "kurs: module weiter removed (its progress is kept)" in result.stdout
    weiter = module("weiter")
    assert weiter.archived and weiter.current_version.title == "Weiter"
    assert [m.slug for m in course().active_modules] == ["start"]


def test_restored_module_file_brings_the_module_back_without_a_new_version(runner, tmp_path):
    write_course(tmp_path, {"02-weiter.md": page("title: Weiter")})
    run_import(runner, tmp_path)
    weiter = tmp_path / "kurs" / "02-weiter.md"
    text = weiter.read_bytes()
    weiter.unlink()
    run_import(runner, tmp_path)
    weiter.write_bytes(text)
    result = run_import(runner, tmp_path)
    assert "Imported: 0 new, 1 updated, 0 unchanged course(s); 0 new module version(s)." in result.stdout
    assert "kurs: module weiter restored" in result.stdout
    assert not module("weiter").archived and len(versions("weiter")) == 1


def test_renumbered_module_moves_without_a_new_version(runner, tmp_path):
    write_course(tmp_path, {"02-weiter.md": page("title: Weiter")})
    run_import(runner, tmp_path)
    (tmp_path / "kurs" / "02-weiter.md").rename(tmp_path / "kurs" / "00-weiter.md")
    result = run_import(runner, tmp_path)
    assert "1 updated" in result.stdout
    assert [m.slug for m in course().modules] == ["weiter", "start"]
    assert len(versions("weiter")) == 1


def test_media_are_stored_with_their_content_types(runner, tmp_path):
    write_course(tmp_path, {"medien/bild.png": PNG, "medien/grafik.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
                            "medien/foto.jpg": b"\xff\xd8\xff", "medien/plan.pdf": b"%PDF-1.4",
                            "fragen/bank.gift": "Frage {T}\n"})
    run_import(runner, tmp_path)
    stored = {f.path: (f.content_type, f.data) for f in course().files}
    assert stored == {
        "medien/bild.png": ("image/png", PNG),
        "medien/grafik.svg": ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        "medien/foto.jpg": ("image/jpeg", b"\xff\xd8\xff"),
        "medien/plan.pdf": ("application/pdf", b"%PDF-1.4"),
        "fragen/bank.gift": ("text/plain; charset=utf-8", b"Frage {T}\n"),
    }
    assert services.content_type_of("medien/FOTO.JPG") == "image/jpeg"
    assert services.content_type_of("medien/daten.bin") == "application/octet-stream"


def test_changed_and_removed_media_are_updated(runner, tmp_path):
    write_course(tmp_path, {"medien/a.png": PNG, "medien/b.png": PNG})
    run_import(runner, tmp_path)
    (tmp_path / "kurs" / "medien" / "b.png").unlink()
    write_tree(tmp_path, {"kurs/medien/a.png": PNG + b"neu"})
    result = run_import(runner, tmp_path)
    assert "1 updated" in result.stdout
    assert {f.path: f.data for f in course().files} == {"medien/a.png": PNG + b"neu"}


def test_rendered_html_is_stored_at_import(runner, tmp_path):
    write_course(tmp_path, {
        "course.md": page("title: Kurs", body="# Überblick\n\nDas ist **wichtig**.\n"),
        "01-start.md": page("title: Start", body=lines(
            "# Start", "", "::: hinweis", "Achtung", ":::", "",
            "```quiz", "Ist *das* so? {T#Nein.#Ja, **genau**.}", "```")),
    })
    run_import(runner, tmp_path)
    assert '<h1 id="ueberblick">Überblick</h1>' in course().overview_html
    assert "<strong>wichtig</strong>" in course().overview_html
    version = module("start").current_version
    assert '<div class="callout callout-hinweis" role="note">' in version.body_html
    assert "```" not in version.body_html and "{T" not in version.body_html  # the quiz is not text
    question = version.questions[0]
    assert question["text_html"] == "Ist <em>das</em> so?"
    assert question["feedback_right_html"] == "Ja, <strong>genau</strong>."


def test_labels_in_the_stored_html_follow_the_language_of_the_course(runner, tmp_path):
    table = lines("| Schicht | Beginn |", "|---|---|", "| Früh | 6:00 |")
    write_course(tmp_path, {
        "course.md": page("title: Kurs", "language: en", body=lines("::: note", "Read this.", ":::")),
        "01-start.md": page("title: Start", body=lines("::: warnung", "Careful.", ":::", "", table,
                                                       "```quiz", "Ja? {T#::: hinweis\nNo.\n:::#Yes.}", "```")),
    })
    run_import(runner, tmp_path)
    assert "<strong>Note</strong>" in course().overview_html
    version = module("start").current_version
    assert "<strong>Warning</strong>" in version.body_html
    assert 'aria-label="Table 1, scrolls sideways"' in version.body_html
    assert "<strong>Note</strong>" in version.questions[0]["feedback_wrong_html"]

    german = page("title: Kurs", "language: de", body=lines("::: note", "Lies.", ":::"))
    write_tree(tmp_path, {"kurs/course.md": german})
    run_import(runner, tmp_path)
    version = module("start").current_version
    assert version.number == 1  # the module's text is as it was: no new version, only its labels follow
    assert "<strong>Warnung</strong>" in version.body_html and "Tabelle 1, seitlich verschiebbar" in version.body_html
    assert "<strong>Hinweis</strong>" in version.questions[0]["feedback_wrong_html"]


def test_relative_links_are_rewritten_to_course_urls(runner, tmp_path):
    write_course(tmp_path, {
        "course.md": page("title: Kurs", body="![Plan](medien/plan.svg) [Los](01-start.md)\n"),
        "medien/plan.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "medien/uebersicht.pdf": b"%PDF-1.4",
        "01-start.md": page("title: Start", body=lines(
            "![Plan](medien/plan.svg) [Weiter](02-weiter.md) [Teil](02-weiter.md#teil) [Kurs](course.md)",
            "[PDF](medien/uebersicht.pdf) [oben](#oben) [Web](https://example.org)", "",
            "```quiz", "Was zeigt ![Plan](medien/plan.svg)? {=[Weiter](02-weiter.md) ~Nichts}", "```")),
        "02-weiter.md": page("title: Weiter"),
    })
    result = run_import(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert '<img src="/kurse/kurs/dateien/medien/plan.svg" alt="Plan"' in course().overview_html
    assert 'href="/kurse/kurs/module/start"' in course().overview_html
    html = module("start").current_version.body_html
    assert '<img src="/kurse/kurs/dateien/medien/plan.svg" alt="Plan"' in html
    assert 'href="/kurse/kurs/module/weiter"' in html
    assert 'href="/kurse/kurs/module/weiter#teil"' in html
    assert 'href="/kurse/kurs"' in html
    assert 'href="/kurse/kurs/dateien/medien/uebersicht.pdf"' in html
    assert 'href="#oben"' in html and 'href="https://example.org" rel="noopener noreferrer"' in html
    question = module("start").current_version.questions[0]
    assert 'src="/kurse/kurs/dateien/medien/plan.svg"' in question["text_html"]
    assert question["answers"][0]["text_html"] == '<a href="/kurse/kurs/module/weiter">Weiter</a>'


def test_module_page_html_needs_no_rendering_after_import(runner, tmp_path):
    write_course(tmp_path)
    run_import(runner, tmp_path)
    assert module("start").current_version.body_html == "<p>Text.</p>\n"


def test_a_first_heading_repeating_the_title_is_not_shown_twice(runner, tmp_path):
    write_course(tmp_path, {"01-start.md": "---\ntitle: Start\n---\n\n# Start\n\n# Noch eine\n\nText.\n"})
    run_import(runner, tmp_path)
    html = module("start").current_version.body_html
    assert '<h1 id="start">' not in html and '<h1 id="noch-eine">Noch eine</h1>' in html


# --- exporting ------------------------------------------------------------------------------------

def course_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_export_round_trip_of_the_demo_courses_is_byte_identical(runner, tmp_path):
    run_import(runner, DEMO_COURSES)
    slugs = sorted(c.slug for c in db.session.scalars(select(Course)))
    for slug in slugs:
        result = run_export(runner, slug, tmp_path)
        assert result.exit_code == 0, result.output
    for slug in slugs:
        assert course_files(tmp_path / slug) == course_files(DEMO_COURSES / slug)
    validated = runner.invoke(courses_cli, ["validate", str(tmp_path)])
    assert validated.exit_code == 0, validated.output
    assert validated.stdout.strip().endswith(" module(s), 0 problem(s).")
    reimport = run_import(runner, tmp_path)
    assert reimport.stdout.strip() == "No changes: 3 course(s) already up to date."


def test_export_keeps_windows_line_ends_and_byte_order_mark(runner, tmp_path):
    module_text = ("\ufeff" + page("title: Start", body="# Start\n\nText.\n")).replace("\n", "\r\n")
    write_course(tmp_path / "ein", {"01-start.md": module_text})
    run_import(runner, tmp_path / "ein")
    run_export(runner, "kurs", tmp_path / "aus")
    assert course_files(tmp_path / "aus" / "kurs") == course_files(tmp_path / "ein" / "kurs")
    assert run_import(runner, tmp_path / "aus").stdout.startswith("No changes")


def test_export_leaves_out_archived_modules(runner, tmp_path):
    write_course(tmp_path / "ein", {"02-weiter.md": page("title: Weiter")})
    run_import(runner, tmp_path / "ein")
    (tmp_path / "ein" / "kurs" / "02-weiter.md").unlink()
    run_import(runner, tmp_path / "ein")
    run_export(runner, "kurs", tmp_path / "aus")
    assert sorted(course_files(tmp_path / "aus" / "kurs")) == ["01-start.md", "course.md"]


def test_export_into_an_older_export_refuses_to_leave_removed_modules_behind(runner, tmp_path):
    # Otherwise the next import of that folder would quietly bring the removed module back.
    write_course(tmp_path / "ein", {"02-weiter.md": page("title: Weiter")})
    run_import(runner, tmp_path / "ein")
    run_export(runner, "kurs", tmp_path / "aus")
    (tmp_path / "ein" / "kurs" / "02-weiter.md").unlink()
    run_import(runner, tmp_path / "ein")

    refused = run_export(runner, "kurs", tmp_path / "aus")
    assert refused.exit_code == 1 and "02-weiter.md" in refused.output and "--clean" in refused.output
    assert (tmp_path / "aus" / "kurs" / "02-weiter.md").exists()
    cleaned = run_export(runner, "kurs", tmp_path / "aus", "--clean")
    assert cleaned.exit_code == 0 and "deleted 1" in cleaned.output
    assert sorted(course_files(tmp_path / "aus" / "kurs")) == ["01-start.md", "course.md"]


def test_an_import_that_changes_the_status_says_so(runner, tmp_path):
    write_course(tmp_path, {"course.md": page("title: Kurs", "status: published")})
    run_import(runner, tmp_path)
    write_course(tmp_path, {"course.md": page("title: Kurs", "status: draft")})
    assert "kurs: status published -> draft" in run_import(runner, tmp_path).stdout


def test_export_of_unknown_course_fails(runner, tmp_path):
    result = run_export(runner, "gibt-es-nicht", tmp_path)
    assert result.exit_code == 1
    assert "No course 'gibt-es-nicht'." in result.output
    assert list(tmp_path.iterdir()) == []


# --- hostile content ------------------------------------------------------------------------------

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "math", "form", "base", "meta",
                  "link"}


class _Markup(HTMLParser):
    """Collect every tag and attribute that a browser would build from a piece of HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def executable_markup(html: str) -> list[str]:
    """Return the tags, event handlers and script URLs in html that could run code."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    found = [f"<{tag}>" for tag in parser.tags if tag in DANGEROUS_TAGS]
    found += [f"{name}=" for name, _value in parser.attributes
              if name.startswith("on") or name in {"style", "srcdoc"}]
    found += [value for name, value in parser.attributes
              if name in {"href", "src", "action", "formaction", "xlink:href"}
              and value.replace(" ", "").lower().startswith(("javascript:", "vbscript:", "data:text"))]
    return found


def stored_html() -> list[str]:
    """Every HTML string that import stored for pages to show as is."""
    html = [c.overview_html for c in db.session.scalars(select(Course))]
    for version in db.session.scalars(select(ModuleVersion)):
        html.append(version.body_html)
        for question in version.questions:
            html += [value for key, value in question.items() if key.endswith("_html")]
            html += [value for answer in question["answers"]
                     for key, value in answer.items() if key.endswith("_html")]
    return html


HOSTILE_GIFT = lines(
    "::<script>alert(1)</script>::Welche <script>alert(2)</script> Antwort? {",
    "=<script>alert(3)</script>#<img src\\=x onerror\\=alert(4)>",
    "~[klick](javascript:alert(5))#<svg onload\\=alert(6)>",
    "####<iframe src\\=javascript:alert(7)></iframe>",
    "}", "",
    "[html]<b onmouseover=alert(8)>fett</b> {T#<script>alert(9)</script>#ok}", "",
    "[markdown]Ordnen Sie zu {=<script>a</script> -> <img src\\=x onerror\\=alert(10)> "
    "=b -> [c](JaVaScRiPt:alert(11))}",
)
HOSTILE_LINKS = ["[x](javascript:alert('kurs'))", "[Link](javascript:alert(15))",
                 "[noch einer](java&#115;cript:alert(16))", "![Bild](javascript:x)",
                 "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxNyk8L3NjcmlwdD4=)",
                 "[klick](javascript:alert(5))", "[c](JaVaScRiPt:alert(11))"]


def write_hostile_course(root: Path, *, with_links: bool) -> Path:
    """A course of raw HTML, scripts and event handlers in text and GIFT; with or without links the renderer
    drops (which the loader refuses)."""
    files = {
        "course.md": page("title: Kurs", body=lines("<script>alert('kurs')</script>", "",
                                                    "[x](javascript:alert('kurs'))")),
        "01-start.md": page("title: Start", body=lines(
            "# Start <script>alert(12)</script>", "",
            "<script>alert(13)</script>", "",
            '<img src="x" onerror="alert(14)">', "",
            "Ein [Link](javascript:alert(15)) und [noch einer](java&#115;cript:alert(16))",
            "und ![Bild](javascript:x).",
            "", "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxNyk8L3NjcmlwdD4=)", "",
            "<a href=\"javascript:alert(18)\">a</a> <iframe src=\"https://example.org\"></iframe>", "",
            "```quiz", *HOSTILE_GIFT.splitlines(), "```", "",
            "| Links | Mitte | Rechts |", "|:--|:-:|--:|", "| a | b | c |")),  # aligned: never a style
    }
    if not with_links:
        files = {name: _without(text, HOSTILE_LINKS) for name, text in files.items()}
    return write_course(root, files)


def _without(text: str, snippets: list[str]) -> str:
    for snippet in snippets:
        text = text.replace(snippet, "Text")
    return text


def test_import_refuses_every_link_the_renderer_would_drop_with_its_line(runner, tmp_path):
    result = run_import(runner, write_hostile_course(tmp_path, with_links=True))
    assert result.exit_code == 1
    places = [line.split(": ", 1)[0] for line in result.output.splitlines() if line.startswith("kurs/")]
    assert places == ["kurs/course.md:6", "kurs/01-start.md:10", "kurs/01-start.md:10", "kurs/01-start.md:11",
                      "kurs/01-start.md:13", "kurs/01-start.md:20", "kurs/01-start.md:26"], result.output
    assert count(Course) == 0


def test_import_stores_no_executable_markup(runner, tmp_path):
    result = run_import(runner, write_hostile_course(tmp_path, with_links=False))
    assert result.exit_code == 0, result.output
    html = stored_html()
    assert len(html) > 10
    assert [(snippet, executable_markup(snippet)) for snippet in html if executable_markup(snippet)] == []
    body = module("start").current_version.body_html
    assert "&lt;script&gt;alert(13)&lt;/script&gt;" in body  # shown as text, not dropped silently
    answers = module("start").current_version.questions[0]["answers"]
    assert answers[0]["text_html"] == "&lt;script&gt;alert(3)&lt;/script&gt;"


def test_rerender_makes_the_stored_html_anew_from_the_sources_and_keeps_the_versions(runner):
    run_import(runner, DEMO_COURSES)
    versions = db.session.scalar(select(func.count()).select_from(ModuleVersion))
    module = db.session.scalars(select(Module).order_by(Module.id)).first()
    fresh_html = module.current_version.body_html
    module.current_version.body_html = "<p>rendered by an older version of Qualify</p>"
    db.session.commit()

    result = runner.invoke(courses_cli, ["rerender"])
    assert result.exit_code == 0, result.output
    assert "1 text(s) rendered anew" in result.output
    db.session.expire_all()
    assert db.session.get(Module, module.id).current_version.body_html == fresh_html
    assert db.session.scalar(select(func.count()).select_from(ModuleVersion)) == versions
    assert "0 text(s)" in runner.invoke(courses_cli, ["rerender"]).output


def test_rerender_gives_a_stored_table_the_name_of_its_heading(runner, tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", body=lines(
        "# Start", "", "## Schichten", "", "| Schicht | Beginn |", "|---|---|", "| Früh | 6:00 |"))})
    run_import(runner, tmp_path)
    version = module("start").current_version
    assert 'aria-label="Tabelle „Schichten“, seitlich verschiebbar"' in version.body_html
    version.body_html = version.body_html.replace("Tabelle „Schichten“", "Tabelle 1")  # as stored before
    db.session.commit()

    assert "1 text(s) rendered anew" in runner.invoke(courses_cli, ["rerender"]).output
    db.session.expire_all()
    assert "Tabelle „Schichten“, seitlich verschiebbar" in module("start").current_version.body_html


def test_rerender_names_a_course_the_loader_now_refuses_and_renders_the_others(runner, tmp_path):
    write_course(tmp_path, {"medien/video.png": PNG}, slug="alt")
    write_course(tmp_path, slug="neu")
    run_import(runner, tmp_path)
    legacy = db.session.scalar(select(CourseFile).where(CourseFile.path == "medien/video.png"))
    legacy.path = "medien/Video.MP4"  # as an import before media were checked could have stored it
    module("start", course="neu").current_version.body_html = "<p>older</p>"
    db.session.commit()

    result = runner.invoke(courses_cli, ["rerender"])
    assert result.exit_code == 1
    assert "1 text(s) rendered anew" in result.output
    assert "course alt no longer reads cleanly: medien/Video.MP4:1: Dateinamen:" in result.output
    db.session.expire_all()
    assert module("start", course="neu").current_version.body_html == "<p>Text.</p>\n"


def test_titles_from_course_files_stay_on_one_line_without_direction_tricks(runner, tmp_path):
    # A course title goes into other people's mails (a mandatory course): no made-up second line.
    write_course(tmp_path, {"course.md": page('title: "Kurs\\u2028Hinweis der Verwaltung\\u202e"'),
                            "01-start.md": page('title: "Start\\nZweite Zeile"')})
    run_import(runner, tmp_path)
    assert course().title == "Kurs Hinweis der Verwaltung"
    assert module("start").current_version.title == "Start Zweite Zeile"
