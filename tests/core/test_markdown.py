"""The shared Markdown renderer: extensions, link safety and behaviour on hostile input."""

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from qualify.core import markdown
from qualify.core.markdown import MarkdownTooLarge, render_count, render_markdown, render_plain

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def to_media(url: str) -> str:
    return f"/media/kurs-1/{url}"


# --- raw HTML is text, never markup ---------------------------------------------------------

@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<div>\n<script>alert(1)</script>\n</div>",
])
def test_raw_html_is_escaped(source):
    html = render_markdown(source)
    assert "<script" not in html and "<img" not in html and "<svg" not in html and "<div" not in html
    assert "&lt;" in html


# --- dangerous link schemes ---------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](java\tscript:alert(1))",
    "[x](<java\nscript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](data:image/png;base64,iVBORw0KGgo=)",
    "<javascript:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
])
def test_dangerous_urls_never_become_href_or_src(source):
    html = render_markdown(source).lower()
    assert "href=\"javascript" not in html
    assert "href=\"vbscript" not in html and "href=\"file" not in html and "href=\"data" not in html
    assert "src=\"javascript" not in html and "src=\"data:text" not in html
    assert "href=\"%6a" not in html and "href=\"java%09" not in html


def test_data_image_is_allowed_for_images():
    html = render_markdown("![Logo](data:image/png;base64,iVBORw0KGgo=)")
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="Logo"' in html


def test_link_title_cannot_break_out_of_attribute():
    html = render_markdown('[x](https://example.org "\\"><script>alert(1)</script>")')
    assert "<script" not in html
    assert 'title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_image_alt_text_cannot_break_out_of_attribute():
    html = render_markdown('![a"><script>alert(1)</script>](bild.png)')
    assert "<script" not in html
    assert 'alt="a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


@pytest.mark.parametrize("url", ["https://example.org/a", "mailto:info@example.org", "tel:+49711123456",
                                 "/kurse/1", "kapitel-2.md", "#abschnitt"])
def test_safe_urls_are_kept(url):
    assert f'href="{url}"' in render_markdown(f"[x]({url})")


def test_external_links_get_noopener_noreferrer():
    html = render_markdown("[IG Metall](https://www.igmetall.de) und [intern](/kurse)")
    assert '<a href="https://www.igmetall.de" rel="noopener noreferrer">' in html
    assert '<a href="/kurse">' in html


def test_a_protocol_relative_link_is_external_not_a_path_of_the_site():
    seen = []
    html = render_markdown("[Plan](//example.org/plan.pdf)", resolve_link=lambda url: seen.append(url) or url)
    assert '<a href="//example.org/plan.pdf" rel="noopener noreferrer">' in html  # marked as https:// links are
    assert seen == []  # nor taken for a file of the course


@pytest.mark.parametrize(("source", "dropped"), [
    ("[x](javascript:alert(1))", True), ("<vbscript:x>", True), ("[x](data:image/png;base64,AA)", True),
    ("![x](data:image/png;base64,AA)", False), ("![x](javascript:x)", True), ("[x](https://a.de)", False),
    ("[x](//a.de/x)", False), ("[x](medien/a.pdf)", False), ("[x](mailto:a@b.de)", False),
])
def test_links_names_the_links_and_images_rendering_drops(source, dropped):
    [link] = markdown.links(source)
    assert link.dropped is dropped
    assert (render_markdown(source).count("href=") + render_markdown(source).count("src=")
            == (0 if dropped else 1))  # as the renderer does


def test_links_are_found_on_their_lines_in_tables_and_lists_too():
    text = "Absatz\n\n| a | b |\n|---|---|\n| [x](javascript:1) | ![b](medien/b.png) |\n\n- eins\n- [y](a.md)\n"
    assert [(link.line, link.url) for link in markdown.links(text)] == [
        (4, "javascript:1"), (4, "medien/b.png"), (7, "a.md")]


# --- resolve_link ------------------------------------------------------------------------

def test_resolve_link_rewrites_relative_images_and_links():
    html = render_markdown("![Motor](medien/motor.png) [PDF](medien/skript.pdf)", resolve_link=to_media)
    assert 'src="/media/kurs-1/medien/motor.png"' in html
    assert 'href="/media/kurs-1/medien/skript.pdf"' in html


def test_resolve_link_is_not_called_for_absolute_or_fragment_urls():
    seen = []
    source = "[a](https://x.org) [b](#oben) [c](/kurse) [d](mailto:a@b.de) ![e](data:image/gif;base64,R)"
    render_markdown(source, resolve_link=lambda url: seen.append(url) or url)
    assert seen == []


# --- extensions --------------------------------------------------------------------------

def test_tables_render():
    html = render_markdown("| Schicht | Beginn |\n|---|---|\n| Früh | 6:00 |")
    assert "<table>" in html and "<th>Schicht</th>" in html and "<td>Früh</td>" in html


def test_column_alignment_is_a_class_of_the_stylesheet_not_a_style_the_policy_blocks():
    html = render_markdown("| Teil | Menge | Preis | Notiz |\n|:--|:-:|--:|---|\n| Akku | 2 | 400 | – |")
    assert '<th class="align-left">Teil</th>' in html and '<td class="align-center">2</td>' in html
    assert '<td class="align-right">400</td>' in html and "<td>–</td>" in html
    assert "style=" not in html  # style-src 'self' drops inline styles
    assert {"align-left", "align-center", "align-right"} <= set(re.findall(
        r"\.(align-[a-z]+)", (TEMPLATES.parent / "static/css/app.css").read_text(encoding="utf-8")))


def test_a_table_scrolls_in_its_own_box_that_the_keyboard_can_reach():
    html = render_markdown("| Schicht | Beginn |\n|---|---|\n| Früh | 6:00 |\n\nDanach.")
    assert html.startswith('<div class="table-scroll" tabindex="0" role="region" aria-label=')
    assert "</table>\n</div>\n<p>Danach.</p>" in html


def test_each_table_box_of_a_text_has_a_name_of_its_own():
    table = "| Schicht | Beginn |\n|---|---|\n| Früh | 6:00 |\n\n"
    html = render_markdown(table + "Dazwischen.\n\n" + table)
    assert 'aria-label="Tabelle 1, seitlich verschiebbar"' in html
    assert 'aria-label="Tabelle 2, seitlich verschiebbar"' in html
    assert 'aria-label="Tabelle 1, seitlich verschiebbar"' in render_markdown(table)  # counted per text


def test_a_table_box_is_named_after_the_heading_it_stands_under():
    table = "| Nr. | Modul |\n|---|---|\n| 1 | Akku |\n\n"
    html = render_markdown("## Der *Aufbau* des `Kurses`\n\nSechs Module:\n\n" + table)
    assert 'aria-label="Tabelle „Der Aufbau des Kurses“, seitlich verschiebbar"' in html
    assert 'aria-label="Table “Layout”, scrolls sideways"' in render_markdown("# Layout\n\n" + table, language="en")


def test_a_heading_in_a_table_name_stays_text():
    html = render_markdown('## Werte <b> & "Grenzen"\n\n| a |\n|---|\n| 1 |')
    assert 'aria-label="Tabelle „Werte &lt;b&gt; &amp; &quot;Grenzen&quot;“, seitlich verschiebbar"' in html


def test_tables_that_would_share_a_heading_name_are_numbered_instead():
    table = "| Schicht | Beginn |\n|---|---|\n| Früh | 6:00 |\n\n"
    html = render_markdown(table + "## Schichten\n\n" + table + "Dazwischen.\n\n" + table + "## Schichten\n\n"
                           + table)
    assert re.findall(r'aria-label="([^"]*)"', html) == [
        "Tabelle 1, seitlich verschiebbar", "Tabelle „Schichten“, seitlich verschiebbar",
        "Tabelle 3, seitlich verschiebbar", "Tabelle 4, seitlich verschiebbar"]


def test_strikethrough_renders():
    assert "<s>Verbrenner</s>" in render_markdown("~~Verbrenner~~")


def test_a_task_list_shows_each_state_as_a_sign_and_says_it_in_words():
    html = render_markdown("- [ ] Sicherheitsunterweisung\n- [x] Anmeldung\n- [X] Helm")
    assert "<input" not in html  # no checkbox that looks tappable and does nothing
    assert '<ul class="contains-task-list">' in html
    assert ('<li class="task-list-item task-open"><span class="task-mark" aria-hidden="true">\u2610</span> '
            '<span class="visually-hidden">nicht abgehakt: </span>Sicherheitsunterweisung</li>') in html
    assert ('<li class="task-list-item task-done"><span class="task-mark" aria-hidden="true">\u2611\ufe0e</span> '
            '<span class="visually-hidden">abgehakt: </span>Anmeldung</li>') in html
    assert html.count("task-done") == 2  # [X] as [x]


def test_a_task_list_says_its_states_in_the_course_s_language():
    html = render_markdown("- [ ] Safety briefing\n- [x] Sign-up", language="en")
    assert '<span class="visually-hidden">not ticked: </span>Safety briefing' in html
    assert '<span class="visually-hidden">ticked: </span>Sign-up' in html


def test_a_numbered_task_list_and_a_loose_one_keep_their_markup():
    numbered = render_markdown("1. [x] Erst\n2. [ ] Dann")
    assert '<ol class="contains-task-list">' in numbered and numbered.count("task-list-item") == 2
    loose = render_markdown("- [ ] Erst\n\n  mit einem zweiten Absatz\n\n- [x] Dann [mehr](02-akku.md)",
                            resolve_link=to_media)
    assert ('<p><span class="task-mark" aria-hidden="true">\u2610</span> <span class="visually-hidden">nicht '
            'abgehakt: </span>Erst</p>') in loose
    assert '<a href="/media/kurs-1/02-akku.md">mehr</a>' in loose  # a link of a task stays a link, in no label


@pytest.mark.parametrize("source", ["- \\[x] geschützt", "- [x]", "- [y] anders", "Text [x] mitten",
                                    "- [x](x.md) Link"])
def test_only_a_list_item_starting_with_a_box_and_a_space_is_a_task(source):
    assert "task-list-item" not in render_markdown(source)


def test_a_task_s_text_is_escaped_like_any_other():
    html = render_markdown("- [x] <script>alert(1)</script> <img src=x onerror=alert(1)>")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "task-done" in html


def test_footnotes_render_with_back_links():
    html = render_markdown("Hochvolt[^1] ist gefährlich.\n\n[^1]: Über 60 V Gleichspannung.")
    assert 'href="#fn1"' in html and 'id="fn1"' in html and "Über 60 V" in html


def test_the_link_back_from_a_footnote_says_where_it_leads_in_the_course_s_language():
    text = "Hochvolt[^1] ist gefährlich.\n\n[^1]: Über 60 V Gleichspannung."
    assert 'href="#fnref1" class="footnote-backref" aria-label="Zurück zum Text (Fußnote 1)"' in render_markdown(text)
    assert 'aria-label="Back to the text (footnote 1)"' in render_markdown(text, language="en")


def test_heading_anchors_spell_out_umlauts():
    html = render_markdown("# Übersicht: Größe & Maße\n\n## Übersicht: Größe & Maße")
    assert '<h1 id="uebersicht-groesse-masse">' in html
    assert '<h2 id="uebersicht-groesse-masse-1">' in html


def test_a_heading_never_takes_an_id_of_the_page_around_it():
    html = render_markdown("## Inhalt\n\n## Inhalt\n\n## Module\n\n## Vorschau\n\n## Zeile 3\n\n## Frage 2")
    assert '<h2 id="inhalt-1">' in html and '<h2 id="inhalt-2">' in html  # not the skip link's target
    assert '<h2 id="module-1">' in html and '<h2 id="vorschau-1">' in html
    assert '<h2 id="zeile-3-1">' in html and '<h2 id="frage-2-1">' in html
    assert 'id="inhalt"' not in html


def test_every_fixed_id_of_the_pages_that_show_rendered_text_is_reserved():
    pages = ["base.html", "authoring/*.html", "courses/course.html", "courses/_course_body.html",
             "courses/module.html", "learning/_*_panel.html", "learning/attempt.html", "learning/_question.html",
             "workshops/_module_sessions.html"]
    fixed = {found for pattern in pages for path in TEMPLATES.glob(pattern)
             for found in re.findall(r'\bid="([a-z0-9-]+)"', path.read_text(encoding="utf-8"))}
    assert "inhalt" in fixed and "vorschau" in fixed
    assert fixed <= markdown.RESERVED_IDS, fixed - markdown.RESERVED_IDS


def test_a_reserved_id_and_a_heading_that_looks_like_its_numbered_form_stay_apart():
    html = render_markdown("## Inhalt\n\n## Inhalt 1")
    assert '<h2 id="inhalt-1">Inhalt</h2>' in html and '<h2 id="inhalt-1-1">Inhalt 1</h2>' in html


def test_hinweis_callout_renders_as_labelled_note():
    html = render_markdown("::: hinweis\nPausen *einhalten*.\n:::")
    assert '<div class="callout callout-hinweis" role="note">' in html
    assert "Hinweis" in html and "<em>einhalten</em>" in html


def test_warnung_callout_takes_an_escaped_custom_title():
    html = render_markdown("::: warnung Hochvolt <b>!</b>\nNur mit Schulung.\n:::")
    assert '<div class="callout callout-warnung" role="note">' in html
    assert "Hochvolt &lt;b&gt;!&lt;/b&gt;" in html


def test_labels_are_in_the_language_of_the_course():
    table = "| Schicht | Beginn |\n|---|---|\n| Früh | 6:00 |\n\n"
    english = render_markdown("::: hinweis\nA\n:::\n\n::: warnung\nB\n:::\n\n" + table, language="en")
    assert "<strong>Note</strong>" in english and "<strong>Warning</strong>" in english
    assert 'aria-label="Table 1, scrolls sideways"' in english
    assert "Hinweis" not in english and "Warnung" not in english and "Tabelle" not in english
    german = render_markdown("::: hinweis\nA\n:::\n\n" + table)
    assert "<strong>Hinweis</strong>" in german and 'aria-label="Tabelle 1, seitlich verschiebbar"' in german


def test_note_and_warning_are_the_english_names_of_the_boxes():
    html = render_markdown("::: note\nA\n:::\n\n::: Warning Careful\nB\n:::", language="en")
    assert '<div class="callout callout-hinweis" role="note">\n<p class="callout-title"><strong>Note</strong>' in html
    assert '<div class="callout callout-warnung" role="note">' in html and "<strong>Careful</strong>" in html
    assert ":::" not in html
    assert "<strong>Hinweis</strong>" in render_markdown("::: note\nA\n:::")  # in a German course: German


def test_render_plain_escapes_and_keeps_line_breaks():
    assert render_plain("<b>Zeile 1</b>\r\nZeile 2") == "&lt;b&gt;Zeile 1&lt;/b&gt;<br>\nZeile 2"


# --- limits and hooks --------------------------------------------------------------------

def test_a_one_megabyte_document_is_refused_in_german():
    with pytest.raises(MarkdownTooLarge, match=r"zu lang \(1\.000\.000 Zeichen\)"):
        render_markdown("a" * 1_000_000)


def test_an_english_reader_reads_the_numbers_the_english_way(app):
    with app.test_request_context(), force_locale("en"), pytest.raises(MarkdownTooLarge) as refused:
        render_markdown("a" * 1_000_000)
    assert "(1,000,000 characters)" in str(refused.value)


def test_document_of_exactly_the_limit_is_accepted():
    assert render_markdown("a" * markdown.MAX_LENGTH).startswith("<p>")


@pytest.mark.parametrize("source", [
    ">" * 10_000 + " tief",
    "\n".join(">" * depth + " x" for depth in range(1, 1_000)),
    "- " * 10_000 + "x",
    "\n".join("  " * depth + "- x" for depth in range(900)),
    "[" * 20_000,
    "[" * markdown.MAX_LENGTH,
    "*a " * (markdown.MAX_LENGTH // 3),
])
def test_hostile_input_gets_a_clear_error_or_renders_without_crashing(source):
    # Its cost is measured in `make bench`, not here: timed tests only measure the machine's load.
    try:
        html = render_markdown(source)
    except MarkdownTooLarge:
        return
    assert "<script" not in html


def test_every_render_goes_through_one_parse_function(monkeypatch):
    calls = []
    original = markdown._parse
    monkeypatch.setattr(markdown, "_parse", lambda text, env: calls.append(text) or original(text, env))
    before = render_count()
    render_markdown("*a*")
    assert calls == ["*a*"]
    assert render_count() == before + 1


def test_parser_is_built_once():
    assert markdown._markdown() is markdown._markdown()
