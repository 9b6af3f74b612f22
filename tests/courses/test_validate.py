"""`qualify courses validate`: every problem in a course tree named by file, line and a German message."""

import json
import os
from pathlib import Path
from urllib.parse import unquote

import pytest

from qualify.core.markdown import MAX_LENGTH
from qualify.courses.authoring_media import media_problem
from qualify.courses.commands import courses_cli
from qualify.courses.loader import load_tree
from tests.courses.trees import MODULE_MD, lines, only_problem, page, problems, write_course, write_tree

DEMO_COURSES = Path(__file__).resolve().parents[2] / "courses"
QUESTION_TYPES = {"single_choice", "multiple_choice", "true_false", "short_answer", "numerical", "matching",
                  "essay", "description"}
MODULE = "kurs/01-start.md"
BANK = "kurs/fragen/bank.gift"
# In a module written as page("title: Start", body=quiz_body(...)), GIFT line n is file line 6 + n.
QUIZ_OFFSET = 6
TEXT_LIST = "muss eine Liste von Texten sein, z. B. [Produktion, Logistik]."
NOT_UTF8 = "Die Datei ist nicht in UTF-8 gespeichert. Speichern Sie sie in Ihrem Editor als UTF-8."


def quiz_body(*gift: str) -> str:
    return lines("# Start", "", "```quiz", *gift, "```")


def validate(runner, path: Path, *options: str):
    return runner.invoke(courses_cli, ["validate", str(path), *options])


# --- front matter ---------------------------------------------------------------------------------

def test_a_published_course_without_modules_is_reported_at_its_status(tmp_path):
    write_tree(tmp_path, {"kurs/course.md": page("title: Kurs", "status: published", body="# Kurs\n")})
    assert only_problem(tmp_path) == (
        "kurs/course.md", 3, "Ein veröffentlichter Kurs braucht mindestens ein Modul. Legen Sie zuerst ein Modul "
        "an oder lassen Sie den Kurs im Entwurf (status: draft).")


def test_a_draft_course_may_have_no_modules_yet(tmp_path):
    write_tree(tmp_path, {"kurs/course.md": page("title: Kurs", "status: draft", body="# Kurs\n")})
    assert problems(tmp_path) == []


def test_front_matter_without_closing_line_is_reported(tmp_path):
    write_course(tmp_path, {"01-start.md": lines("---", "title: Start", "", "# Start")})
    assert only_problem(tmp_path) == (
        MODULE, 1, "Das Front Matter wird nicht geschlossen: Es fehlt die zweite Zeile ---.")


def test_file_without_front_matter_is_reported(tmp_path):
    write_course(tmp_path, {"course.md": lines("# Kurs", "", "Text.")})
    assert only_problem(tmp_path) == (
        "kurs/course.md", 1, "Die Datei beginnt nicht mit Front Matter (eine Zeile ---).")


def test_invalid_yaml_is_reported_on_the_line_of_the_error(tmp_path):
    front = ["title: Start", "minutes: 10", "summary: Austausch: Der Wandel"]
    write_course(tmp_path, {"01-start.md": page(*front)})
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (MODULE, 4)
    assert message.startswith("Ungültiges YAML im Front Matter: ")
    assert "Anführungszeichen" in message


def test_a_list_indented_unevenly_is_explained_in_words(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "audience:", "  - Produktion", " - Logistik")})
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (MODULE, 5)
    assert "Die Einrückung stimmt nicht" in message and "<block" not in message


def test_unclosed_quote_in_yaml_is_reported_where_the_quote_opens(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", 'summary: "Offen', "minutes: 10")})
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (MODULE, 3)
    assert "Anführungszeichen wird nicht geschlossen" in message


def test_tab_in_yaml_is_reported_on_its_line(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "audience:", "\t- Logistik")})
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (MODULE, 4)
    assert "Tabulator" in message


MISSING_COLON = ("Ungültiges YAML im Front Matter: In dieser Zeile fehlt der Doppelpunkt nach dem Namen des Feldes "
                 "(zum Beispiel minutes: 15).")


@pytest.mark.parametrize("front, line", [
    (["title Start", "minutes: 10"], 2),  # YAML stumbles over the colon of the next line
    (["title: Start", "minutes 10", "kind: self-study"], 3),
    (["title: Start", "kind: self-study", "minutes 10"], 4),  # over the end of the front matter
    (["title: Start", "summary: |", "  Eine Zeile", "  und noch eine", "minutes 10"], 6),
])
def test_a_field_without_its_colon_is_reported_on_its_own_line(tmp_path, front, line):
    write_course(tmp_path, {"01-start.md": page(*front)})
    assert only_problem(tmp_path) == (MODULE, line, MISSING_COLON)


@pytest.mark.parametrize("value", ["*Neu* im Werk", "@Home arbeiten", "`git` für alle"])
def test_a_value_starting_with_a_yaml_sign_is_explained_in_words(tmp_path, value):
    write_course(tmp_path, {"01-start.md": page(f"title: {value}", "minutes: 10")})
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (MODULE, 2)
    assert "Setzen Sie den Wert in Anführungszeichen" in message and "token" not in message


def test_front_matter_that_is_not_a_mapping_is_reported(tmp_path):
    write_course(tmp_path, {"01-start.md": page("- Start", "- Ende")})
    assert only_problem(tmp_path) == (
        MODULE, 2, "Das Front Matter muss aus Feldern der Form „name: wert“ bestehen.")


def test_field_given_twice_is_reported_on_the_second_line(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "minutes: 5", "minutes: 10")})
    assert only_problem(tmp_path) == (MODULE, 4, "Das Feld „minutes“ steht zweimal im Front Matter.")


# A body with a broken link (line 3 of the body) and a quiz block whose brace is not closed (line 6).
BROKEN_BODY = lines("# Start", "", "[Folien](medien/folien.pdf)", "", "```quiz", "Frage {", "```")
UNCLOSED_BRACE = "Die geschweifte Klammer { wird nicht geschlossen."
MISSING_FILE = "Der Link „medien/folien.pdf“ zeigt auf eine Datei, die es im Kurs nicht gibt."


@pytest.mark.parametrize(("module", "first", "body_line"), [
    (page("title: [Start", body=BROKEN_BODY), (2, "Ungültiges YAML im Front Matter: "), 4),
    (page("title: Start", "title: Ende", body=BROKEN_BODY), (3, "Das Feld „title“ steht zweimal"), 5),
    (page("- Start", body=BROKEN_BODY), (2, "Das Front Matter muss aus Feldern"), 4),
    (BROKEN_BODY, (1, "Die Datei beginnt nicht mit Front Matter"), 1),  # all of it is body
], ids=["yaml", "field-twice", "no-mapping", "no-front-matter"])
def test_a_module_whose_front_matter_does_not_read_has_its_body_checked_too(tmp_path, module, first, body_line):
    write_course(tmp_path, {"01-start.md": module})
    found = [(p.file, p.line, p.message) for p in problems(tmp_path)]
    assert [(file, line, message[:len(first[1])]) for file, line, message in found[:1]] == [(MODULE, *first)]
    assert found[1:] == [(MODULE, body_line + 2, MISSING_FILE), (MODULE, body_line + 5, UNCLOSED_BRACE)]


def test_a_module_whose_front_matter_is_not_closed_has_no_body_to_check(tmp_path):
    write_course(tmp_path, {"01-start.md": "---\ntitle: Start\n" + BROKEN_BODY})
    assert only_problem(tmp_path) == (
        MODULE, 1, "Das Front Matter wird nicht geschlossen: Es fehlt die zweite Zeile ---.")


def test_a_course_md_whose_front_matter_does_not_read_has_its_links_checked_against_the_course(tmp_path):
    write_course(tmp_path, {"course.md": page("title: [Kurs", body=lines("![Plan](medien/plan.png)",
                                                                         "[Folien](medien/folien.pdf)")),
                            "medien/plan.png": b"\x89PNG\r\n\x1a\n" + bytes(24)})
    found = [(p.file, p.line, p.message[:33]) for p in problems(tmp_path)]
    assert found == [("kurs/course.md", 2, "Ungültiges YAML im Front Matter: "),
                     ("kurs/course.md", 5, MISSING_FILE[:33])]  # the image it has is found


def test_import_names_every_problem_of_a_module_whose_front_matter_does_not_read_and_imports_nothing(
        runner, tmp_path):
    from sqlalchemy import func, select

    from qualify.courses.models import Course
    from qualify.extensions import db

    write_course(tmp_path, {"01-start.md": page("title: [Start", body=BROKEN_BODY)})
    result = runner.invoke(courses_cli, ["import", str(tmp_path)])
    assert result.exit_code == 1
    assert [line.split(":")[:2] for line in result.stderr.splitlines()[:3]] == [
        ["kurs/01-start.md", "2"], ["kurs/01-start.md", "6"], ["kurs/01-start.md", "9"]]
    assert "Nothing imported: 3 problem(s)." in result.stderr
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


@pytest.mark.parametrize("name", ["course.md", "01-start.md"])
def test_missing_title_is_reported(tmp_path, name):
    write_course(tmp_path, {name: page("summary: Ohne Titel" if name == "course.md" else "minutes: 5")})
    assert only_problem(tmp_path) == (f"kurs/{name}", 1, "Pflichtfeld „title“ fehlt.")


def test_unknown_field_is_reported_on_its_line(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "farbe: blau")})
    assert only_problem(tmp_path) == (MODULE, 3, "Unbekanntes Feld „farbe“.")


def test_misspelt_field_gets_a_suggestion(tmp_path):
    write_course(tmp_path, {"course.md": page("title: Kurs", "sumary: Kurz")})
    assert only_problem(tmp_path) == (
        "kurs/course.md", 3, "Unbekanntes Feld „sumary“. Meinten Sie „summary“?")


@pytest.mark.parametrize(("name", "field", "message"), [
    ("01-start.md", "minutes: zehn", "„minutes“ muss eine ganze Zahl sein."),
    ("01-start.md", "minutes: 1.5", "„minutes“ muss eine ganze Zahl sein."),
    ("01-start.md", "attempts: true", "„attempts“ muss eine ganze Zahl sein."),
    ("01-start.md", "pass_percentage: 120", "„pass_percentage“ muss zwischen 0 und 100 liegen."),
    ("01-start.md", "shuffle: vielleicht", "„shuffle“ muss true oder false sein."),
    ("course.md", "audience: Produktion", f"„audience“ {TEXT_LIST}"),
    ("course.md", "tags: [Hochvolt, 3]", f"„tags“ {TEXT_LIST}"),
    ("course.md", "language: fr", "„language“ muss einer dieser Werte sein: de, en."),
    ("course.md", "status: fertig", "„status“ muss einer dieser Werte sein: draft, published."),
    ("course.md", "summary: [a, b]", "„summary“ muss ein Text sein."),
], ids=["int-word", "int-float", "int-bool", "int-range", "bool", "list-text", "list-items",
        "choice-language", "choice-status", "text"])
def test_invalid_value_is_reported_on_its_line(tmp_path, name, field, message):
    title = "title: Kurs" if name == "course.md" else "title: Start"
    write_course(tmp_path, {name: page(title, field)})
    assert only_problem(tmp_path) == (f"kurs/{name}", 3, message)


def test_unknown_kind_is_reported(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "kind: seminar")})
    assert only_problem(tmp_path) == (
        MODULE, 3, "„kind“ muss einer dieser Werte sein: self-study, exchange, workshop.")


def test_kind_given_as_a_list_is_reported(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "kind: [workshop]")})
    assert only_problem(tmp_path) == (
        MODULE, 3, "„kind“ muss einer dieser Werte sein: self-study, exchange, workshop.")


@pytest.mark.parametrize(("kind", "field", "owner"), [
    ("self-study", "capacity: 10", "workshop"),
    ("workshop", "moderation: pre", "exchange"),
    ("exchange", "format: online", "workshop"),
])
def test_field_of_another_kind_is_reported(tmp_path, kind, field, owner):
    write_course(tmp_path, {"01-start.md": page("title: Start", f"kind: {kind}", field)})
    name = field.split(":")[0]
    assert only_problem(tmp_path) == (MODULE, 4, f"Das Feld „{name}“ gilt nur für Module mit kind: {owner}.")


def test_kind_specific_fields_are_accepted_on_their_kind(tmp_path):
    write_course(tmp_path, {
        "01-start.md": page("title: Start", "kind: exchange", "moderation: post", "anonymous: forbidden"),
        "02-praxis.md": page("title: Praxis", "kind: workshop", "capacity: 12", "format: hybrid",
                             "duration_minutes: 90"),
    })
    assert problems(tmp_path) == []


# --- files and folders ----------------------------------------------------------------------------

def test_duplicate_module_number_is_reported(tmp_path):
    write_course(tmp_path, {"01-weiter.md": MODULE_MD})
    assert only_problem(tmp_path) == (
        "kurs/01-weiter.md", 1, "Die Nummer 01 ist schon an 01-start.md vergeben.")


def test_duplicate_module_slug_is_reported(tmp_path):
    write_course(tmp_path, {"02-start.md": MODULE_MD})
    assert only_problem(tmp_path) == (
        "kurs/02-start.md", 1, "Das Kürzel „start“ ist schon an 01-start.md vergeben.")


@pytest.mark.parametrize("name", ["1-weiter.md", "01_weiter.md", "01-Weiter.md", "weiter.md", "01-weiter.MD",
                                  "01-ä.md", "01-" + "x" * 81 + ".md"])
def test_badly_named_module_file_is_reported(tmp_path, name):
    write_course(tmp_path, {name: MODULE_MD})
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (f"kurs/{name}", 1)
    assert message.startswith("Modul-Dateien heißen NN-kuerzel.md")


@pytest.mark.parametrize(("name", "message"), [
    ("notizen.txt", "Unerwartete Datei „notizen.txt“: Module heißen NN-kuerzel.md, Bilder und Dateien "
                    "gehören nach medien/, Fragensammlungen nach fragen/."),
    ("bilder/foto.png", "Unerwarteter Ordner „bilder“: Bilder und Dateien gehören nach medien/, "
                        "Fragensammlungen nach fragen/."),
])
def test_stray_file_or_folder_in_a_course_is_reported(tmp_path, name, message):
    write_course(tmp_path, {name: b"x"})
    assert only_problem(tmp_path) == (f"kurs/{name.split('/')[0]}", 1, message)


def test_hidden_files_are_ignored(tmp_path):
    write_course(tmp_path, {".DS_Store": b"x", "medien/.gitkeep": b"", ".git/config": b"x"})
    assert problems(tmp_path) == []


def test_missing_course_md_is_reported(tmp_path):
    write_course(tmp_path, {"course.md": None})
    assert only_problem(tmp_path) == ("kurs/course.md", 1, "Die Datei course.md fehlt.")


@pytest.mark.parametrize("folder", ["Mein Kurs", "kurs_1", "ümlaut", "-kurs"])
def test_folder_name_that_is_no_slug_is_reported(tmp_path, folder):
    write_course(tmp_path, slug=folder)
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (folder, 1)
    assert message.startswith(f"Der Ordnername „{folder}“ taugt nicht als Kurskürzel")


def test_empty_folder_is_reported(tmp_path):
    assert only_problem(tmp_path) == (".", 1, "Hier gibt es keinen Kurs: keinen Ordner mit einer course.md.")


def test_non_utf8_module_is_reported_on_the_line_of_the_first_bad_byte(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", body="# Start\n\nSchön\n").encode("latin-1")})
    assert only_problem(tmp_path) == (MODULE, 6, NOT_UTF8)


def test_non_utf8_bank_is_reported(tmp_path):
    write_course(tmp_path, {"fragen/bank.gift": "Frage {T}\n\nGr\xfc\xdfe {T}\n".encode("cp1252"),
                            "01-start.md": page("title: Start", "questions: fragen/bank.gift")})
    assert only_problem(tmp_path) == (BANK, 3, NOT_UTF8)


def test_byte_order_mark_and_windows_line_ends_are_accepted(tmp_path):
    write_course(tmp_path, {"01-start.md": ("\ufeff" + page("title: Start", "minutes: 5", body=quiz_body(
        "Frage {T}"))).replace("\n", "\r\n")})
    tree = load_tree(tmp_path)
    assert tree.problems == []
    assert tree.courses[0].modules[0].meta == {"title": "Start", "minutes": 5}


@pytest.mark.parametrize("character", ["\u2028", "\u2029", "\f", "\x1c", "\x85"],
                         ids=["line-separator", "paragraph-separator", "form-feed", "file-separator", "next-line"])
def test_lines_are_counted_as_editors_count_them_whatever_the_text_holds(tmp_path, character):
    # Only \n, \r\n and \r end a line; str.splitlines() ended one at each of these characters too.
    write_course(tmp_path, {"01-start.md": page("title: Start", body=lines(
        "# Start", f"Ein{character}Absatz", "", "Siehe [Plan](medien/fehlt.pdf)."))})
    assert only_problem(tmp_path) == (MODULE, 7, MISSING)


def test_a_yaml_error_after_a_line_separator_is_reported_on_its_line(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", 'summary: "Ein\u2028Satz"', "tags: [offen")})
    assert only_problem(tmp_path)[:2] == (MODULE, 4)


def test_text_longer_than_the_renderer_takes_is_reported_at_the_line_that_passes_the_limit(tmp_path):
    front_matter = page("title: Start")  # 21 characters, lines 1 to 3
    paragraphs = "Absatz.\n\n" * 10_000  # 90,000 characters, lines 4 to 20,003
    write_course(tmp_path, {"01-start.md": front_matter + paragraphs + "x" * 10_000})  # line 20,004
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (MODULE, 20_004)
    assert message == ("Der Text ist zu lang (100.021 Zeichen). Erlaubt sind höchstens 100.000 Zeichen; "
                       "in dieser Zeile wird die Grenze überschritten.")


def test_the_limit_counts_the_whole_file_and_a_line_end_as_one_character(tmp_path):
    exactly = page("title: Start") + "x" * (MAX_LENGTH - 21)
    write_course(tmp_path, {"01-start.md": exactly.replace("\n", "\r\n")})  # CR LF, as Windows editors write
    assert problems(tmp_path) == []
    write_course(tmp_path, {"01-start.md": exactly + "y"})
    assert only_problem(tmp_path)[2].startswith("Der Text ist zu lang (100.001 Zeichen).")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symbolic_link_in_medien_is_refused(tmp_path):
    secret = write_tree(tmp_path, {"geheim/passwort.txt": "geheim"}) / "geheim" / "passwort.txt"
    root = write_course(tmp_path / "baum")
    (root / "kurs" / "medien").mkdir()
    (root / "kurs" / "medien" / "bild.png").symlink_to(secret)
    assert only_problem(root) == (
        "kurs/medien/bild.png", 1,
        "Verknüpfungen (Symlinks) sind nicht erlaubt: Legen Sie die Datei selbst ab.")
    assert load_tree(root).courses[0].files == {}


# --- media: checked as the browser's upload checks them ------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
BAD_NAME = "Dateinamen: a–z, 0–9, - und _, Endung .png, .jpg, .gif, .webp, .svg oder .pdf."


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bild.svg", SVG.replace(b"<rect", b"<script>alert(1)</script><rect"),
     "Die SVG-Datei enthält ein nicht erlaubtes Element: script."),
    ("page.html", b"<html><body>Hallo</body></html>", BAD_NAME),
    ("fake.png", b"Das ist Text.\n",
     "Der Inhalt der Datei passt nicht zur Endung .png. Speichern Sie die Datei im richtigen Format."),
    ("Foto.PNG", b"\x89PNG\r\n\x1a\n", BAD_NAME),
    ("gross.png", b"\x89PNG\r\n\x1a\n" + bytes(5 * 1024 * 1024), "Die Datei ist größer als 5 MB."),
    ("bilder/plan.svg", SVG, BAD_NAME),
], ids=["svg-with-script", "html", "text-as-png", "capitals", "over-5-mb", "subfolder"])
def test_a_media_file_the_upload_would_refuse_is_reported(tmp_path, name, content, message):
    write_course(tmp_path, {f"medien/{name}": content})
    assert only_problem(tmp_path) == (f"kurs/medien/{name}", 1, message)


def test_validate_names_a_refused_media_file_and_imports_nothing(runner, tmp_path):
    write_course(tmp_path, {"medien/bild.svg": SVG.replace(b"<rect", b'<rect onclick="alert(1)"'),
                            "medien/plan.pdf": b"%PDF-1.4\n"})
    result = validate(runner, tmp_path)
    assert result.exit_code == 1
    assert "kurs/medien/bild.svg:1: Die SVG-Datei enthält ein nicht erlaubtes Attribut: onclick." in result.output
    assert "plan.pdf" not in result.output


# --- SVG: parsed and held against an allow-list, so no spelling of a script gets through ----------------

def svg(body: str, *, head: str = "") -> bytes:
    return (head + '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'viewBox="0 0 10 10">' + body + "</svg>").encode()


def svg_problem(content: bytes) -> str | None:
    return media_problem("bild.svg", content)


def refused_element(name: str) -> str:
    return f"Die SVG-Datei enthält ein nicht erlaubtes Element: {name}."


def refused_link(attribute: str, value: str) -> str:
    return (f"Die SVG-Datei enthält einen nicht erlaubten Verweis: {attribute}=„{value}“. Erlaubt sind nur "
            "Verweise innerhalb der Datei (#…) und eingebettete Bilder (data:image/…).")


def refused_css(found: str) -> str:
    return f"Die SVG-Datei enthält nicht erlaubtes CSS: {found}."


INKSCAPE_SVG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg width="210mm" height="297mm" viewBox="0 0 210 297" version="1.1" id="svg5"
   inkscape:version="1.2.2 (b0a8486541, 2022-12-01)" sodipodi:docname="plan.svg"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink" xmlns="http://www.w3.org/2000/svg"
   xmlns:svg="http://www.w3.org/2000/svg" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview id="namedview7" pagecolor="#ffffff" bordercolor="#666666" inkscape:zoom="0.7"
     inkscape:current-layer="layer1"><inkscape:page x="0" y="0" width="210" height="297" id="page1"/>
  </sodipodi:namedview>
  <defs id="defs2">
    <linearGradient inkscape:collect="always" id="grad1">
      <stop style="stop-color:#f28c00;stop-opacity:1" offset="0" id="stop1"/>
      <stop style="stop-color:#f28c00;stop-opacity:0" offset="1" id="stop2"/>
    </linearGradient>
    <linearGradient inkscape:collect="always" xlink:href="#grad1" id="grad2" x1="10" y1="10" x2="90" y2="90"
       gradientUnits="userSpaceOnUse"/>
    <filter id="shadow"><feGaussianBlur stdDeviation="2"/><feOffset dx="1" dy="1" result="o"/>
      <feMerge><feMergeNode in="o"/><feMergeNode in="SourceGraphic"/></feMerge></filter>
  </defs>
  <metadata id="metadata5">
    <rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format>
      <dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/><dc:title>Plan</dc:title></cc:Work></rdf:RDF>
  </metadata>
  <g inkscape:label="Ebene 1" inkscape:groupmode="layer" id="layer1">
    <rect style="fill:url(#grad2);stroke:#000000;stroke-width:0.5;filter:url( '#shadow' )" id="rect1"
       width="80" height="40" x="10" y="10" sodipodi:nodetypes="cccc"/>
    <path id="a" d="M 10,60 H 90" style="fill:none;stroke:#333333"/>
    <use href="#a" y="10"/><use xlink:href="#a" y="20"/>
    <text xml:space="preserve" x="10" y="100"><tspan sodipodi:role="line" x="10" y="100">Grüße</tspan></text>
    <image width="4" height="4" x="0" y="0" xlink:href="data:image/png;base64,
iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
"/>
  </g>
</svg>
""".encode()


@pytest.mark.parametrize("content", [
    INKSCAPE_SVG,
    svg('<style>.box { fill: url("#g"); stroke: #333; } .t { font-family: Arial, sans-serif; }</style>'
        '<defs><radialGradient id="g"><stop offset="0" stop-color="red"/></radialGradient>'
        '<clipPath id="c"><circle r="5"/></clipPath><marker id="m"><path d="M0,0 L1,1"/></marker></defs>'
        '<a href="#teil"><rect class="box" clip-path="url(#c)" marker-end="url(#m)"/></a>'
        '<symbol id="s"><ellipse rx="1" ry="2"/></symbol><use href="#s"/>'),
    svg("<title>Plan</title><desc>Zeichnung mit „javascript:“ im Text und onload als Wort</desc>"),
    "\ufeff<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'><![CDATA[<script>]]></svg>".encode(),
], ids=["inkscape", "style-gradients-links", "words-in-text", "bom-cdata"])
def test_an_ordinary_drawing_is_accepted(content):
    assert svg_problem(content) is None


@pytest.mark.parametrize("path", sorted(DEMO_COURSES.glob("*/medien/*.svg")), ids=lambda path: path.name)
def test_the_drawings_of_the_demo_courses_are_accepted(path):
    assert svg_problem(path.read_bytes()) is None


@pytest.mark.parametrize(("content", "message"), [
    (svg('<a xlink:href="javascript&#58;alert(document.domain)"><rect width="9" height="9"/></a>'),
     refused_link("xlink:href", "javascript:alert(document.domain)")),
    (svg('<a href="#x"><set attributeName="href" to="javascript&#x3a;alert(1)"/></a>'), refused_element("set")),
    (svg('<a><animate attributeName="href" values="javascript:alert(1)" begin="0s"/><rect/></a>'),
     refused_element("animate")),
    (svg('<animateTransform attributeName="transform" type="rotate"/>'), refused_element("animateTransform")),
    (svg('<animateMotion path="M0,0"/>'), refused_element("animateMotion")),
    (svg('<discard begin="0s"/>'), refused_element("discard")),
    (svg('<handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert(1)</handler>'),
     refused_element("handler")),
    (svg('<ev:handler xmlns:ev="http://www.w3.org/2001/xml-events">alert(1)</ev:handler>'),
     refused_element("ev:handler")),
    (svg('<ev:listener xmlns:ev="http://www.w3.org/2001/xml-events" event="click" handler="#h"/>'),
     refused_element("ev:listener")),
    (svg("<script>alert(1)</script>"), refused_element("script")),
    (svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'), refused_element("h:script")),
    (svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">Hallo</div></foreignObject>'),
     refused_element("foreignObject")),
    (svg('<g xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://example.org"/></g>'), refused_element('g xmlns="http://www.w3.org/1999/xhtml"')),
    (svg('<embed src="x"/>'), refused_element("embed")),
    (svg('<object data="x"/>'), refused_element("object")),
    (svg('<inkscape:script xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"/>'),
     refused_element("inkscape:script")),
    (svg('<a href="jav&#x09;ascript:alert(1)"><rect/></a>'), refused_link("href", "jav ascript:alert(1)")),
    (svg('<a href=" &#x6A;avascript:alert(1)"><rect/></a>'), refused_link("href", "javascript:alert(1)")),
    (svg('<a href="https://example.org"><rect/></a>'), refused_link("href", "https://example.org")),
    (svg('<use href="andere.svg#a"/>'), refused_link("href", "andere.svg#a")),
    (svg('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'),
     refused_link("href", "data:image/svg+xml;base64,PHN2Zz4=")),
    (svg('<use href="data:image/png;base64,iVBO"/>'), refused_link("href", "data:image/png;base64,iVBO")),
    (svg('<rect fill="url(https://example.org/x.svg#a)"/>'),
     refused_link("fill", "url(https://example.org/x.svg#a)")),
    (svg('<rect style="fill: u\\72l( javascript&#58;alert(1) )"/>'), refused_css("javascript:")),
    (svg('<rect style="background: URL(\'https://example.org/x.png\')"/>'),
     refused_css("url('https://example.org/x.png')")),
    (svg('<rect style="width: expression(alert(1))"/>'), refused_css("expression(")),
    (svg('<style>@\\69mport "https://example.org/a.css";</style>'), refused_css("@import")),
    (svg("<style><![CDATA[ .a { fill: url(//example.org/p) } ]]></style>"), refused_css("url(//example.org/p)")),
], ids=["xlink-href-entity", "set", "animate", "animate-transform", "animate-motion", "discard", "handler",
        "ev-handler", "ev-listener", "script", "xhtml-script", "foreign-object", "xhtml-namespace", "embed",
        "object", "editor-namespace-script", "tab-split-scheme", "entity-and-space", "external-link",
        "other-file", "svg-in-image", "data-url-outside-image", "external-paint", "css-escaped-url",
        "css-external-url", "css-expression", "css-import", "css-in-cdata"])
def test_a_svg_that_could_run_or_load_something_is_refused_and_says_what(content, message):
    assert svg_problem(content) == message


@pytest.mark.parametrize(("attribute", "name"), [
    ('onload="alert(1)"', "onload"),
    ('\n  ONLOAD\t=\n"alert(1)"', "ONLOAD"),
    ("onMouseOver = 'alert(1)'", "onMouseOver"),
    ('x:onclick="alert(1)" xmlns:x="urn:x"', "x:onclick"),
    ('ev:event="click" xmlns:ev="http://www.w3.org/2001/xml-events"', "ev:event"),
    ('xml:base="javascript:alert(1)//"', "xml:base"),
], ids=["onload", "odd-spacing-and-case", "mixed-case", "other-namespace", "xml-events", "xml-base"])
def test_event_attributes_are_refused_however_written(attribute, name):
    assert svg_problem(svg(f"<rect {attribute}/>")) == f"Die SVG-Datei enthält ein nicht erlaubtes Attribut: {name}."


def test_the_plain_doctype_editors_write_is_accepted_but_not_one_that_declares_something():
    head = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    assert svg_problem(svg("<rect/>", head=head)) is None
    for declaring in ('<!DOCTYPE svg [<!ATTLIST rect onload CDATA "alert(1)">]>', "<!DOCTYPE svg [<!-- -->]>"):
        assert svg_problem(svg("<rect/>", head=declaring)) is not None  # (the content sniffing refuses these)
    assert svg_problem(svg("<rect/>", head="<!DOCTYPE svg [ ]>")) == (
        "Die SVG-Datei enthält eine nicht erlaubte Anweisung: <!DOCTYPE [ … ].")


@pytest.mark.parametrize(("head", "found"), [
    # Slips past the content sniffing: the first "<svg " stands in an entity's value.
    ('<!DOCTYPE svg [<!ENTITY a "><svg ">' + "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};">' for i in range(1, 9))
     + ']>', "<!ENTITY"),
    ('<!-- <!ENTITY x "y"> -->', "<!ENTITY"),
    ('<?xml-stylesheet type="text/xsl" href="https://example.org/x.xsl"?>', "<?xml-stylesheet"),
], ids=["entities", "entity", "stylesheet"])
def test_declarations_and_style_sheet_instructions_are_refused_unparsed(head, found):
    assert svg_problem(svg("<rect/>", head=head)) == f"Die SVG-Datei enthält eine nicht erlaubte Anweisung: {found}."


@pytest.mark.parametrize(("content", "line"), [
    (svg("<rect>"), 1),
    (b'<svg xmlns="http://www.w3.org/2000/svg">\n<text>A & B</text>\n</svg>', 2),
    (b'<svg xmlns="http://www.w3.org/2000/svg">\n\n<x:rect/></svg>', 3),
], ids=["unclosed", "bare-ampersand", "unbound-prefix"])
def test_a_svg_that_is_not_xml_is_refused_with_its_line(content, line):
    assert svg_problem(content) == (f"Die SVG-Datei ist kein gültiges XML (Fehler in Zeile {line}). Speichern Sie sie "
                                    "erneut als SVG.")


def test_an_encoding_the_file_claims_does_not_change_how_it_is_read():
    # Checked as UTF-8 (the only encoding allowed); expat must not read the bytes as something else.
    for claimed in ("ISO-8859-1", "UTF-16", "x-unbekannt"):
        assert svg_problem(svg("<text>Grüße</text>", head=f'<?xml version="1.0" encoding="{claimed}"?>')) is None
    latin = svg("<text>Grüße</text>", head='<?xml version="1.0" encoding="ISO-8859-1"?>').decode().encode("latin-1")
    assert svg_problem(latin) == "SVG-Dateien müssen in UTF-8 gespeichert sein."


# --- links ----------------------------------------------------------------------------------------

MISSING = "Der Link „medien/fehlt.pdf“ zeigt auf eine Datei, die es im Kurs nicht gibt."


def test_link_to_missing_media_is_reported_on_its_line(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", body=lines(
        "# Start", "", "Siehe [Plan](medien/fehlt.pdf).", ""))})
    assert only_problem(tmp_path) == (MODULE, 6, MISSING)


@pytest.mark.parametrize(("body", "line"), [
    (["Ein Absatz,", "der weitergeht", "und [hier](medien/fehlt.pdf) verlinkt."], 8),
    (["Ein Absatz,  ", "mit hartem Umbruch\\", "und [hier](medien/fehlt.pdf)."], 8),
    (["- eins", "- zwei", "  und [hier](medien/fehlt.pdf)"], 8),
    (["| a | b |", "|---|---|", "| 1 | 2 |", "| 3 | [hier](medien/fehlt.pdf) |"], 9),
    (["::: hinweis", "Text", "[hier](medien/fehlt.pdf)", ":::"], 8),
    (["> Zitat", "> [hier](medien/fehlt.pdf)"], 7),
    (["```quiz", "Frage {T}", "```", "", "Danach [hier](medien/fehlt.pdf)."], 10),
    (["![Ein Bild", "über zwei Zeilen](medien/fehlt.pdf)"], 6),
], ids=["paragraph", "hard-break", "list", "table", "callout", "quote", "after-quiz", "image"])
def test_link_line_is_the_file_line_in_any_block(tmp_path, body, line):
    write_course(tmp_path, {"01-start.md": page("title: Start", body=lines("# Start", "", *body))})
    assert only_problem(tmp_path) == (MODULE, line, MISSING)


def test_link_in_course_overview_is_checked(tmp_path):
    write_course(tmp_path, {"course.md": page("title: Kurs", body=lines("", "![Bild](medien/fehlt.pdf)"))})
    assert only_problem(tmp_path) == ("kurs/course.md", 5, MISSING)


def test_link_in_a_question_is_checked(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", body=quiz_body(
        "// Bild", "Was zeigt", "![Bild](medien/fehlt.pdf)? {T}"))})
    assert only_problem(tmp_path) == (MODULE, QUIZ_OFFSET + 3, MISSING)


def test_two_questions_alike_but_for_their_answers_are_reported(tmp_path):
    # They would share one set of answers: ticking "Gelb" in the second unticked "Orange" in the first.
    write_course(tmp_path, {"01-start.md": page("title: Start", body=quiz_body(
        "::Farbe::Welche Farbe passt? {=Orange ~Rot}", "", "::Farbe::Welche Farbe passt? {=Gelb ~Blau}"))})
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (MODULE, QUIZ_OFFSET + 3)
    assert f"denselben Titel und Text wie die in Zeile {QUIZ_OFFSET + 1}" in message


@pytest.mark.parametrize("url", ["../anderer-kurs/medien/bild.png", "medien/../../geheim.txt",
                                 "medien/..%2F..%2Fgeheim.txt"])
def test_link_leaving_the_course_folder_is_reported(tmp_path, url):
    write_course(tmp_path, {"01-start.md": page("title: Start", body=f"[x]({url})\n")})
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (MODULE, 4)
    assert message == (f"Der Link „{unquote(url)}“ verlässt den Kursordner: "
                       "Verweisen Sie nur auf Dateien im Kurs.")


@pytest.mark.parametrize("url", ["fragen/bank.gift", "notizen.txt"])
def test_link_to_a_file_the_course_does_not_publish_is_reported(tmp_path, url):
    write_course(tmp_path, {"fragen/bank.gift": "Frage {T}\n", "notizen.txt": "x",
                            "01-start.md": page("title: Start", body=f"[x]({url})\n")})
    assert any(p.file == MODULE and p.line == 4 and f"„{url}“" in p.message for p in problems(tmp_path))


@pytest.mark.parametrize(("written", "named"), [
    ("[Klick](javascript:alert(1))", "Der Link „javascript:alert(1)“ würde entfernt"),
    ("[Klick](JaVa&#115;cript:alert(1))", "Der Link „JaVascript:alert(1)“ würde entfernt"),
    ("<vbscript:msgbox(1)>", "Der Link „vbscript:msgbox(1)“ würde entfernt"),
    ("[Datei](file:///etc/passwd)", "Der Link „file:///etc/passwd“ würde entfernt"),
    ("[Seite](data:image/png;base64,iVBORw0KGgo=)", "Der Link „data:image/png;base64,iVBORw0KGgo=“ würde entfernt"),
    ("![Bild](javascript:x)", "Das Bild „javascript:x“ würde nicht angezeigt"),
    ("[Klick][ziel]\n\n[ziel]: javascript:alert(1)", "Der Link „javascript:alert(1)“ würde entfernt"),
])
def test_a_link_the_renderer_would_drop_is_reported_at_its_line(tmp_path, written, named):
    # The renderer leaves such a link out; saved without a word, the trainer would never learn why it is not there.
    write_course(tmp_path, {"01-start.md": page("title: Start", body=lines("# Start", "", written))})
    file, line, message = only_problem(tmp_path)
    assert (file, line) == (MODULE, 6) and message.startswith(named)
    assert message.endswith("und Links auf Dateien des Kurses.") or "(data:image/png, jpeg, gif, webp)" in message


def test_a_link_the_renderer_would_drop_in_a_question_is_reported_too(tmp_path):
    quiz = lines("```quiz", "Was stimmt? {=A#Siehe [hier](javascript:alert(1)). ~B}", "```")
    write_course(tmp_path, {"01-start.md": page("title: Start", body=lines("# Start", "", quiz))})
    assert only_problem(tmp_path)[:2] == (MODULE, 7)


# Each case: a question over several lines, and the line (1-based within them) its dropped link stands on.
LINKS_IN_QUESTIONS = [
    (("Was stimmt? {", "=A#Richtig.", "~B#Siehe [hier](javascript:alert(1)).", "}"), 3),
    (("Was stimmt? {", "=A#Richtig,", "siehe [hier](javascript:alert(1)).", "~B", "}"), 3),
    (("Was stimmt? {", "=[A](javascript:alert(1))", "~B", "}"), 2),
    (("Was stimmt? {", "=A", "~B", "####Mehr [hier](javascript:alert(1))", "}"), 4),
    (("Stimmt das? {T", "#Falsch, siehe [hier](javascript:alert(1))", "#Richtig.}"), 2),
    (("Stimmt das? {F", "#Falsch.", "#Richtig, siehe [hier](javascript:alert(1))}"), 3),
    (("Ordnen Sie zu. {", "=a -> eins", "=b -> [zwei](javascript:alert(1))", "}"), 3),
    (("Wie viel? {#", "=3:0.1#Siehe [hier](javascript:alert(1))", "}"), 2),
    (("::Titel::", "Siehe [hier](javascript:alert(1))? {T}"), 2),
    (("Siehe erst dies,", "dann [das](javascript:alert(1))? {T}"), 2),
]


@pytest.mark.parametrize(("gift", "line"), LINKS_IN_QUESTIONS,
                         ids=["feedback", "feedback-second-line", "answer", "general-feedback", "true-false-wrong",
                              "true-false-right", "matching", "numerical", "text-after-title", "text-second-line"])
def test_a_link_dropped_in_a_question_is_reported_at_the_line_it_stands_on(tmp_path, gift, line):
    quiz = lines("```quiz", *gift, "```")
    write_course(tmp_path, {"01-start.md": page("title: Start", body=lines("# Start", "", quiz)),
                            "fragen/bank.gift": lines("// Fragen", "", *gift)})
    found = {(problem.file, problem.line) for problem in problems(tmp_path)}
    assert found == {(MODULE, 6 + line), (BANK, 2 + line)}


def test_a_protocol_relative_link_leads_to_another_site_not_to_a_file_of_the_course(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", body="[Anderswo](//example.org/plan.pdf)\n")})
    assert problems(tmp_path) == []


def test_problems_are_listed_in_the_order_of_their_lines(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "minutes: zehn", body=lines(
        "# Start", "", "[Plan](medien/fehlt.pdf)", "", "```quiz", "Was? {=A ~B", "```",
        "", "[Noch einer](medien/auch-nicht.pdf)"))})
    assert [problem.line for problem in problems(tmp_path)] == [3, 7, 10, 13]  # fields, links, quiz: read apart


@pytest.mark.parametrize("written, meant", [
    ("./medien/plan.pdf", "medien/plan.pdf"),  # as some editors complete a path
    ("medien/Plan.PDF", "medien/plan.pdf"),  # shown as it should on a computer that ignores capitals
    ("./02-weiter.md", "02-weiter.md"),
])
def test_a_link_written_slightly_off_names_the_file_it_meant(tmp_path, written, meant):
    write_course(tmp_path, {"medien/plan.pdf": b"%PDF-1.4", "02-weiter.md": page("title: Weiter"),
                            "01-start.md": page("title: Start", body=f"[Plan]({written})\n")})
    assert only_problem(tmp_path) == (
        MODULE, 4, f"Der Link „{written}“ zeigt auf eine Datei, die es im Kurs nicht gibt. Meinten Sie „{meant}“?")


def test_links_to_media_modules_and_the_overview_are_accepted(tmp_path):
    write_course(tmp_path, {
        "medien/plan_2.pdf": b"%PDF-1.4",
        "medien/bild.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "02-weiter.md": page("title: Weiter", body=lines(
            "[Start](01-start.md#teil) [Kurs](course.md) [Plan](<medien/plan%5F2.pdf>)",
            "![Bild](medien/bild.svg?v=2) [oben](#oben) [Web](https://example.org)",
            "[Mail](mailto:a@example.org)")),
    })
    assert problems(tmp_path) == []


# --- question banks -------------------------------------------------------------------------------

def test_draw_without_a_bank_is_reported_at_its_line(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "minutes: 5", "draw: 2", body=quiz_body(
        "::A::Eins? {T}", "", "::B::Zwei? {F}", "", "::C::Drei? {T}"))})
    assert only_problem(tmp_path) == (
        MODULE, 4, "draw zieht Fragen aus einer Fragensammlung: Nennen Sie sie mit questions: fragen/name.gift. "
        "Die Fragen der quiz-Blöcke stellt jeder Versuch alle.")


def test_missing_question_bank_is_reported(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "minutes: 5",
                                                "questions: fragen/fehlt.gift")})
    assert only_problem(tmp_path) == (MODULE, 4, "Die Fragensammlung „fragen/fehlt.gift“ gibt es nicht.")


def test_draw_larger_than_the_bank_is_reported(tmp_path):
    write_course(tmp_path, {
        "fragen/bank.gift": lines("Eins {T}", "", "Zwei {F}", "", "Zur Einleitung."),
        "01-start.md": page("title: Start", "questions: fragen/bank.gift", "draw: 3"),
    })
    assert only_problem(tmp_path) == (MODULE, 4, "draw: 3 ist mehr, als die Fragensammlung hat (2 Fragen).")


def test_a_bank_of_one_question_is_named_in_the_singular(tmp_path):
    write_course(tmp_path, {
        "fragen/bank.gift": lines("Eins {T}"),
        "01-start.md": page("title: Start", "questions: fragen/bank.gift", "draw: 2"),
    })
    assert only_problem(tmp_path)[2] == "draw: 2 ist mehr, als die Fragensammlung hat (1 Frage)."


def test_bank_no_module_uses_is_still_checked(tmp_path):
    write_course(tmp_path, {"fragen/bank.gift": lines("Frage {", "~a", "~b", "}")})
    assert only_problem(tmp_path)[:2] == (BANK, 1)


@pytest.mark.parametrize(("name", "example"), [
    ("Sicherheit HV.gift", "sicherheit-hv.gift"), ("sicherheit_hv.gift", "sicherheit-hv.gift"),
    ("Prüfung Öl.GIFT", "pruefung-oel.gift"), ("notizen.txt", "notizen.gift"), ("alt/bank.gift", "alt-bank.gift")])
def test_a_bank_whose_name_is_no_slug_is_named_with_the_names_allowed_and_one_that_would_do(tmp_path, name,
                                                                                            example):
    write_course(tmp_path, {f"fragen/{name}": lines("Eins {T}")})
    assert only_problem(tmp_path) == (
        f"kurs/fragen/{name}", 1, f"Name der Fragensammlung „{name}“: erlaubt sind nur Kleinbuchstaben a–z, "
        f"Ziffern und Bindestriche (höchstens 61 Zeichen) mit der Endung .gift, z. B. „{example}“.")


def test_a_misnamed_bank_is_still_read_and_its_other_problems_said_at_once(tmp_path):
    write_course(tmp_path, {
        "fragen/Sicherheit HV.gift": lines("Eins {T}", "", "Zwei {"),
        "01-start.md": page("title: Start", "questions: fragen/Sicherheit HV.gift", "draw: 1"),
    })
    assert [(p.file, p.line, p.message[:40]) for p in problems(tmp_path)] == [
        ("kurs/fragen/Sicherheit HV.gift", 1, "Name der Fragensammlung „Sicherheit HV.g"),
        ("kurs/fragen/Sicherheit HV.gift", 3, "Die geschweifte Klammer { wird nicht ges"),
    ]  # the module draws from it as it is named: no "there is no such bank" on top


def test_a_module_naming_a_bank_with_spaces_is_told_the_names_allowed_at_its_line(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "minutes: 5",
                                                "questions: fragen/sicherheit hv.gift")})
    assert only_problem(tmp_path) == (
        MODULE, 4, "Name der Fragensammlung „sicherheit hv.gift“: erlaubt sind nur Kleinbuchstaben a–z, Ziffern "
        "und Bindestriche (höchstens 61 Zeichen) mit der Endung .gift, z. B. „sicherheit-hv.gift“.")


# --- GIFT -----------------------------------------------------------------------------------------
# Each case: the GIFT lines, the line (1-based within them) that the error is on, and the message.

GIFT_ERRORS = {
    "unclosed-brace": (["::F1:: Wie viel", "ist 1+1? {", "=2", "~3"], 2,
                       "Die geschweifte Klammer { wird nicht geschlossen."),
    "stray-closing-brace": (["Eine Frage", "ohne Block } hier"], 2,
                            "Unerwartete schließende Klammer } ohne öffnende {."),
    "second-block": (["Frage {=a ~b}", "und noch {=c ~d}"], 2,
                     "Eine Frage darf nur einen Antwortblock {…} haben. Trennen Sie Fragen durch eine "
                     "Leerzeile."),
    "no-text": (["// nur ein Kommentar", "{=a ~b}"], 2, "Die Frage hat keinen Text."),
    "unclosed-title": (["// Titel", "::Titel Frage {=a ~b}"], 2,
                       "Der Titel beginnt mit ::, wird aber nicht mit :: abgeschlossen."),
    "unknown-format": (["::T::", "[latex] Frage {=a ~b}"], 2,
                       "Unbekanntes Textformat [latex]. Erlaubt sind [moodle], [markdown], [plain] und "
                       "[html]."),
    "answer-without-marker": (["Frage {", "Antwort ohne Zeichen", "}"], 2,
                              "Antworten beginnen mit = (richtig) oder ~ (falsch); für Wahr/Falsch "
                              "schreiben Sie {T} oder {F}."),
    "weights-not-100": (["Welche", "Frage? {", "~%50%a", "~%30%b", "~c", "}"], 2,
                        "Die positiven Gewichtungen ergeben zusammen 80 % statt 100 %."),
    "empty-answer": (["Frage {", "=a", "~", "}"], 3, "Die Antwort ist leer."),
    "weight-out-of-range": (["Frage {", "=a", "~%150%b", "}"], 3,
                            "Die Gewichtung 150 % liegt außerhalb von -100 % bis 100 %."),
    "matching-with-tilde": (["Ordnen Sie zu {", "=a -> 1", "~b -> 2", "}"], 3,
                            "In einer Zuordnungsfrage beginnt jedes Paar mit =; ~ ist hier nicht erlaubt."),
    "matching-without-arrow": (["Ordnen Sie zu {", "=a -> 1", "=b 2", "}"], 3,
                               "Der Zuordnung „b 2“ fehlt das -> zwischen linker und rechter Seite."),
    "matching-without-right-side": (["Ordnen Sie zu {", "=a -> 1", "=b ->", "}"], 3,
                                    "Der Zuordnung „b“ fehlt die rechte Seite."),
    "numerical-with-tilde": (["Wie viel {#", "=3", "~4", "}"], 3,
                             "In einer numerischen Frage beginnen Antworten mit =; ~ ist hier nicht "
                             "erlaubt."),
    "invalid-number": (["Wie viel {#", "=drei", "}"], 2,
                       "Ungültige numerische Antwort „drei“. Erlaubt sind zum Beispiel 3.5, 3.5:0.1 "
                       "(mit Toleranz) oder 3..4 (Bereich)."),
    "no-correct-answer": (["Welche", "Frage? {", "~a", "~b", "}"], 2,
                          "Die Frage hat keine richtige Antwort: Markieren Sie eine mit = oder geben Sie "
                          "eine positive Gewichtung wie ~%50% an."),
    "matching-one-pair": (["Ordnen", "Sie zu {", "=a -> 1", "= -> 2", "}"], 2,
                          "Eine Zuordnungsfrage braucht mindestens zwei Paare."),
}


def gift_error(case: str) -> tuple[list[str], int, str]:
    return GIFT_ERRORS[case]


@pytest.mark.parametrize("case", GIFT_ERRORS)
def test_gift_error_in_quiz_block_is_reported_on_its_file_line(tmp_path, case):
    gift, line, message = gift_error(case)
    write_course(tmp_path, {"01-start.md": page("title: Start", body=quiz_body("Vorher {T}", "", *gift))})
    assert only_problem(tmp_path) == (MODULE, QUIZ_OFFSET + 2 + line, message)


@pytest.mark.parametrize("case", GIFT_ERRORS)
def test_gift_error_in_bank_file_is_reported_on_its_line(tmp_path, case):
    gift, line, message = gift_error(case)
    write_course(tmp_path, {"fragen/bank.gift": lines("Vorher {T}", "", *gift),
                            "01-start.md": page("title: Start", "questions: fragen/bank.gift")})
    assert only_problem(tmp_path) == (BANK, 2 + line, message)


# Files as editors on Windows and Macs save them: a byte order mark, CR LF or CR line ends.
SAVED_AS = {"lf": ("", "\n"), "bom-crlf": ("\ufeff", "\r\n"), "bom-cr": ("\ufeff", "\r"), "crlf": ("", "\r\n")}


def saved_as(text: str, form: str) -> str:
    bom, line_end = SAVED_AS[form]
    return bom + text.replace("\n", line_end)


@pytest.mark.parametrize("form", SAVED_AS)
def test_comments_byte_order_mark_and_line_ends_leave_bank_error_lines_as_the_editor_shows_them(tmp_path, form):
    bank = lines("// Fragen zum Hochvolt-Bordnetz", "// Stand: 2026", "", "// leicht", "Vorher {T}", "",
                 "// Eine Frage mit leerer Antwort:", "Frage {", "// richtig ist a", "=a", "~", "}")
    write_course(tmp_path, {"fragen/bank.gift": saved_as(bank, form),
                            "01-start.md": saved_as(page("title: Start", "questions: fragen/bank.gift"), form),
                            "course.md": saved_as(page("title: Kurs", body="# Kurs\n"), form)})
    assert only_problem(tmp_path) == (BANK, 11, "Die Antwort ist leer.")


@pytest.mark.parametrize("form", SAVED_AS)
def test_comments_byte_order_mark_and_line_ends_leave_quiz_block_error_lines_as_the_editor_shows_them(tmp_path,
                                                                                                     form):
    module = page("title: Start", body=quiz_body("// Kommentar", "// noch einer", "", "Frage {", "// a", "=a", "~",
                                                 "}"))
    write_course(tmp_path, {"01-start.md": saved_as(module, form)})
    assert only_problem(tmp_path) == (MODULE, QUIZ_OFFSET + 7, "Die Antwort ist leer.")


def test_two_banks_copied_into_one_keep_the_comments_and_category_after_the_second_byte_order_mark(tmp_path):
    first = "\ufeff" + lines("// Teil 1", "Erste {T}", "")
    second = "\ufeff" + lines("// Teil 2", "$CATEGORY: Laden", "", "Zweite {F}", "", "Dritte {=a", "")
    write_course(tmp_path, {"fragen/bank.gift": first + second,
                            "01-start.md": page("title: Start", "questions: fragen/bank.gift")})
    tree = load_tree(tmp_path)
    assert [str(problem) for problem in tree.problems] == [
        f"{BANK}:9: Die geschweifte Klammer {{ wird nicht geschlossen."]
    questions = tree.courses[0].modules[0].bank_questions
    assert [(question.text, question.category) for question in questions] == [("Erste", None), ("Zweite", "Laden")]


def test_question_without_correct_answer_is_reported(tmp_path):
    gift, line, message = gift_error("no-correct-answer")
    write_course(tmp_path, {"01-start.md": page("title: Start", body=quiz_body(*gift))})
    assert only_problem(tmp_path) == (MODULE, QUIZ_OFFSET + line, message)


def test_matching_question_with_one_pair_is_reported(tmp_path):
    gift, line, message = gift_error("matching-one-pair")
    write_course(tmp_path, {"01-start.md": page("title: Start", body=quiz_body(*gift))})
    assert only_problem(tmp_path) == (MODULE, QUIZ_OFFSET + line, message)


def test_unclosed_quiz_block_is_reported_where_it_opens(tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start",
                                                body=lines("# Start", "", "```quiz", "Frage {T}"))})
    assert only_problem(tmp_path) == (MODULE, 6, "Der Quiz-Block wird nicht geschlossen.")


def test_problems_in_several_files_are_all_reported(tmp_path):
    write_course(tmp_path, {"course.md": page("title: Kurs", "farbe: rot"),
                            "01-start.md": page("title: Start", "minutes: zehn"),
                            "fragen/bank.gift": "Frage {~a}\n"})
    assert sorted((p.file, p.line) for p in problems(tmp_path)) == [
        ("kurs/01-start.md", 3), ("kurs/course.md", 3), ("kurs/fragen/bank.gift", 1)]


@pytest.mark.parametrize(("course_md", "said"), [
    (page("title: [Kurs"), ("kurs/course.md", 2)),
    ("title: Kurs\n", ("kurs/course.md", 1)),
    ("Kurs".encode("utf-16"), ("kurs/course.md", 1)),
    (None, ("kurs/course.md", 1)),
])
def test_a_course_md_that_does_not_read_hides_no_problem_of_the_other_files(tmp_path, course_md, said):
    write_course(tmp_path, {
        "course.md": course_md,
        "01-start.md": page("title: Start", "minutes: zehn", body=quiz_body("Frage {=a ~b")),
        "02-mehr.md": page("titl: Mehr"),
        "fragen/bank.gift": "Frage {~a}\n",
        "medien/bild.png": b"GIF89a",
    })
    found = [(p.file, p.line) for p in problems(tmp_path)]
    assert found == [said, ("kurs/medien/bild.png", 1), ("kurs/fragen/bank.gift", 1), ("kurs/01-start.md", 3),
                     (MODULE, 8), ("kurs/02-mehr.md", 1), ("kurs/02-mehr.md", 2)]
    assert load_tree(tmp_path).courses == []  # nothing that could be imported


# --- the command ----------------------------------------------------------------------------------

def test_validate_json_describes_the_demo_courses(runner):
    result = validate(runner, DEMO_COURSES, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["errors"] == []
    assert {course["slug"] for course in summary["courses"]} == {
        "hochvolt-sicherheit", "elektrischer-antriebsstrang", "digitale-fabrik"}
    for course in summary["courses"]:
        assert set(course) == {"slug", "title", "modules"} and course["title"]
        for module in course["modules"]:
            assert set(module) == {"slug", "kind", "title", "questions"}
            assert module["kind"] in ("self-study", "exchange", "workshop")
            assert set(module["questions"]) <= QUESTION_TYPES
            assert all(isinstance(n, int) and n > 0 for n in module["questions"].values())


def test_validate_json_counts_quiz_blocks_and_the_whole_bank(runner, tmp_path):
    write_course(tmp_path, {
        "fragen/bank.gift": lines("Eins {=a ~b}", "", "Zwei {=a ~b}", "", "Drei {T}"),
        "01-start.md": page("title: Start", "questions: fragen/bank.gift", "draw: 2",
                            body=quiz_body("Was denken Sie? {}", "", "Zur Einleitung.")),
        "02-forum.md": page("title: Forum", "kind: exchange", "moderation: pre", "anonymous: allowed"),
    })
    result = validate(runner, tmp_path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"courses": [{"slug": "kurs", "title": "Kurs", "modules": [
        {"slug": "start", "kind": "self-study", "title": "Start",
         "questions": {"single_choice": 2, "true_false": 1, "essay": 1, "description": 1}},
        {"slug": "forum", "kind": "exchange", "title": "Forum", "questions": {}},
    ]}], "errors": []}


def test_validate_json_lists_errors_and_exits_1(runner, tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "farbe: blau")})
    result = validate(runner, tmp_path, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"] == [
        {"file": "kurs/01-start.md", "line": 3, "message": "Unbekanntes Feld „farbe“."}]


def test_validate_names_file_and_line_and_exits_1(runner, tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "farbe: blau")})
    result = validate(runner, tmp_path)
    assert result.exit_code == 1
    assert "kurs/01-start.md:3: Unbekanntes Feld „farbe“." in result.stderr
    assert "1 problem(s)" in result.stdout


def test_validate_demo_courses_exits_0(runner):
    result = validate(runner, DEMO_COURSES)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(" module(s), 0 problem(s).")


def test_validate_one_course_folder_names_files_inside_it(runner, tmp_path):
    write_course(tmp_path, {"01-start.md": page("title: Start", "farbe: blau")})
    result = validate(runner, tmp_path / "kurs")
    assert result.exit_code == 1
    assert "01-start.md:3: Unbekanntes Feld „farbe“." in result.stderr.splitlines()


# --- the demo content -----------------------------------------------------------------------------

def test_demo_courses_have_no_problems():
    tree = load_tree(DEMO_COURSES)
    assert [str(problem) for problem in tree.problems] == []
    assert len(tree.courses) == 3


def test_demo_courses_show_every_kind_of_module_and_most_question_types():
    tree = load_tree(DEMO_COURSES)
    modules = [module for course in tree.courses for module in course.modules]
    assert {module.kind for module in modules} == {"self-study", "exchange", "workshop"}
    types = {question.kind for module in modules for question in module.questions}
    assert types >= QUESTION_TYPES - {"essay"} and len(types) >= 7
    assert any(module.meta.get("questions") and module.meta.get("draw") for module in modules)


def test_validate_and_import_name_every_problem_when_course_md_is_broken(runner, tmp_path):
    write_course(tmp_path, {"course.md": page("title: [Kurs"),
                            "01-start.md": page("title: Start", "farbe: blau"),
                            "fragen/Sicherheit HV.gift": lines("Eins {T}")})
    for command in ("validate", "import"):
        result = runner.invoke(courses_cli, [command, str(tmp_path)])
        assert result.exit_code == 1
        said = result.stderr.splitlines()
        assert said[0].startswith("kurs/course.md:2: Ungültiges YAML im Front Matter"), command
        assert said[1].startswith("kurs/fragen/Sicherheit HV.gift:1: Name der Fragensammlung"), command
        assert said[2] == "kurs/01-start.md:3: Unbekanntes Feld „farbe“.", command
    assert "3 problem(s)" in result.stderr  # import: "Nothing imported: 3 problem(s)."
