"""The GIFT parser: every construct of Moodle's format, and errors that name their line."""

import textwrap

import pytest

from qualify.courses.gift import GAP_MARKER, count_by_kind, parse_gift


def parse(source: str, **kwargs):
    return parse_gift(textwrap.dedent(source).strip("\n"), **kwargs)


def only_question(source: str):
    result = parse(source)
    assert result.errors == []
    assert len(result.questions) == 1
    return result.questions[0]


def only_error(source: str, **kwargs):
    result = parse(source, **kwargs)
    assert result.questions == []
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- question kinds ---------------------------------------------------------------------

def test_single_choice_marks_equals_as_correct():
    question = only_question("Wer haftet? {=Der Arbeitgeber ~Die Kollegin ~Niemand}")
    assert question.kind == "single_choice"
    assert [(a.text, a.fraction) for a in question.answers] == [
        ("Der Arbeitgeber", 1.0), ("Die Kollegin", 0.0), ("Niemand", 0.0)]


def test_single_choice_allows_partial_credit_on_wrong_answers():
    question = only_question("Spannung? {=60 V ~%50%50 V ~12 V}")
    assert [a.fraction for a in question.answers] == [1.0, 0.5, 0.0]


def test_multiple_answers_keep_negative_weights():
    question = only_question("Was gehört zur PSA? {~%50%Helm ~%50%Handschuhe ~%-100%Krawatte}")
    assert question.kind == "multiple_choice"
    assert [(a.text, a.fraction) for a in question.answers] == [
        ("Helm", 0.5), ("Handschuhe", 0.5), ("Krawatte", -1.0)]


def test_multiple_answers_accept_thirds_that_sum_to_almost_100():
    question = only_question("Welche? {~%33.333%a ~%33.333%b ~%33.333%c ~%-100%d}")
    assert question.kind == "multiple_choice"


def test_weights_accept_a_decimal_comma():
    question = only_question("Welche? {~%12,5%a ~%87,5%b}")
    assert [a.fraction for a in question.answers] == [0.125, 0.875]


@pytest.mark.parametrize("marker, correct", [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false_markers(marker, correct):
    question = only_question(f"Akkus dürfen nass werden.{{{marker}}}")
    assert question.kind == "true_false"
    assert question.correct is correct
    assert question.answers == []


def test_true_false_feedback_is_wrong_then_right():
    question = only_question("Hochvolt ist ab 60 V DC.{T#Leider falsch.#Genau!}")
    assert question.feedback_wrong == "Leider falsch."
    assert question.feedback_right == "Genau!"


def test_short_answer_accepts_several_answers_with_partial_credit():
    question = only_question("Landeshauptstadt? {=Stuttgart =%50%Stuttgard#Fast richtig geschrieben.}")
    assert question.kind == "short_answer"
    assert [(a.text, a.fraction, a.feedback) for a in question.answers] == [
        ("Stuttgart", 1.0, ""), ("Stuttgard", 0.5, "Fast richtig geschrieben.")]


def test_matching_reads_pairs():
    question = only_question("""
        Ordnen Sie zu. {
        =Akku -> speichert Energie
        =Inverter -> wandelt Gleich- in Wechselstrom
        =E-Motor -> treibt an
        }
    """)
    assert question.kind == "matching"
    assert [(a.left, a.right) for a in question.answers] == [
        ("Akku", "speichert Energie"), ("Inverter", "wandelt Gleich- in Wechselstrom"),
        ("E-Motor", "treibt an")]


def test_matching_allows_repeated_right_sides_and_distractors():
    question = only_question("Zuordnen {=Kupfer -> Metall =Eisen -> Metall = -> Kunststoff}")
    assert [(a.left, a.right) for a in question.answers] == [
        ("Kupfer", "Metall"), ("Eisen", "Metall"), ("", "Kunststoff")]


def test_missing_word_with_choices_is_single_choice_with_both_halves():
    question = only_question("Moodle kostet {~viel Geld =nichts ~wenig} zum Herunterladen.")
    assert question.kind == "single_choice"
    assert question.text_before == "Moodle kostet"
    assert question.text_after == "zum Herunterladen."
    assert question.text == f"Moodle kostet {GAP_MARKER} zum Herunterladen."
    assert question.has_gap


def test_missing_word_with_only_equals_is_short_answer():
    question = only_question("Die Abkürzung {=BEV} steht für Battery Electric Vehicle.")
    assert question.kind == "short_answer"
    assert question.has_gap


def test_answer_block_at_the_end_is_not_a_gap():
    question = only_question("Wie heißt das? {=BEV}   ")
    assert not question.has_gap
    assert question.text == question.text_before == "Wie heißt das?"


def test_numerical_with_tolerance():
    answer = only_question("Wie viel Volt? {#3.5:0.1}").answers[0]
    assert (answer.value, answer.tolerance, answer.fraction) == (3.5, 0.1, 1.0)
    assert (answer.low, answer.high) == (3.4, 3.6)


def test_numerical_bounds_are_exact_decimals():
    answer = only_question("Pi? {#3.14:0.01}").answers[0]
    assert (answer.low, answer.high) == (3.13, 3.15)


def test_numerical_range():
    answer = only_question("Zwischen? {#3..4}").answers[0]
    assert (answer.low, answer.high, answer.value, answer.tolerance) == (3.0, 4.0, 3.5, 0.5)


def test_numerical_exact_value_and_decimal_comma():
    answers = only_question("Wert? {#=-2,5 =%50%-2}").answers
    assert [(a.value, a.tolerance, a.fraction) for a in answers] == [(-2.5, 0.0, 1.0), (-2.0, 0.0, 0.5)]


def test_numerical_with_several_weighted_answers_and_feedback():
    question = only_question("Pi auf zwei Stellen? {#=%100%3.14:0.01#Genau. =%50%3.1:0.1#Ungefähr.}")
    assert question.kind == "numerical"
    assert [(a.value, a.tolerance, a.fraction, a.feedback) for a in question.answers] == [
        (3.14, 0.01, 1.0, "Genau."), (3.1, 0.1, 0.5, "Ungefähr.")]


def test_essay_has_empty_answer_block():
    question = only_question("Beschreiben Sie Ihren Arbeitsplatz in fünf Jahren.{}")
    assert question.kind == "essay"
    assert question.answers == []


def test_description_has_no_answer_block():
    question = only_question("::Einleitung::Die folgenden Fragen betreffen die Hochvolt-Sicherheit.")
    assert question.kind == "description"
    assert question.title == "Einleitung"


# --- shared syntax ----------------------------------------------------------------------

def test_title_is_read_and_removed_from_text():
    question = only_question("::Frage 1 – PSA::Was schützt die Augen?{=Schutzbrille ~Mütze}")
    assert question.title == "Frage 1 – PSA"
    assert question.text == "Was schützt die Augen?"


def test_question_without_title_has_none():
    assert only_question("Frage?{T}").title is None


def test_per_answer_feedback():
    question = only_question("Farbe? {=Orange#Richtig, HV-Leitungen sind orange. ~Blau#Nein.}")
    assert [a.feedback for a in question.answers] == ["Richtig, HV-Leitungen sind orange.", "Nein."]


def test_general_feedback_after_four_hashes():
    question = only_question("Farbe? {=Orange ~Blau ####HV-Leitungen sind immer orange.}")
    assert question.general_feedback == "HV-Leitungen sind immer orange."
    assert [a.text for a in question.answers] == ["Orange", "Blau"]


def test_general_feedback_on_true_false_and_essay():
    assert only_question("A?{T#falsch#richtig####Allgemein}").general_feedback == "Allgemein"
    assert only_question("B?{####Musterlösung}").general_feedback == "Musterlösung"


def test_category_comes_from_the_last_category_line():
    result = parse("""
        $CATEGORY: Elektromobilität
        A?{T}

        $CATEGORY: $course$/Arbeitsschutz
        B?{F}
    """)
    assert [q.category for q in result.questions] == ["Elektromobilität", "$course$/Arbeitsschutz"]


def test_question_before_any_category_has_none():
    assert only_question("A?{T}").category is None


def test_comment_lines_are_ignored_even_inside_a_question():
    question = only_question("""
        // Fragen zum Akku
        Was speichert Energie? {
        // nur eine richtige Antwort
        =Akku
        ~Kabel
        }
    """)
    assert question.text == "Was speichert Energie?"
    assert [a.text for a in question.answers] == ["Akku", "Kabel"]


def test_double_slash_inside_a_line_is_text():
    question = only_question("Siehe https://example.org/hv {=ja ~nein}")
    assert question.text == "Siehe https://example.org/hv"


def test_escaped_braces_are_literal_text():
    question = only_question(r"Was bedeutet \{x\} in einer Formel? {=Platzhalter ~Menge}")
    assert question.text == "Was bedeutet {x} in einer Formel?"


def test_escaped_special_characters_are_literal_in_answers():
    question = only_question(r"Welche Zeichen? {=a \= b \~ c \# d \: e ~nichts}")
    assert question.answers[0].text == "a = b ~ c # d : e"


def test_escaped_colons_do_not_end_the_title():
    assert only_question(r"::Uhrzeit 10\:30::Wann?{=morgens ~abends}").title == "Uhrzeit 10:30"


def test_backslash_n_is_a_newline():
    assert only_question(r"Zeile eins\nZeile zwei").text == "Zeile eins\nZeile zwei"


def test_other_backslashes_stay_for_markdown():
    assert only_question(r"[markdown]Sternchen \* bleibt").text == r"Sternchen \* bleibt"


@pytest.mark.parametrize("marker", ["markdown", "plain", "html", "moodle"])
def test_text_format_marker_is_read(marker):
    question = only_question(f"::T::[{marker}]Frage **fett**?{{T}}")
    assert question.text_format == marker
    assert question.text == "Frage **fett**?"


def test_text_format_defaults_to_moodle_which_counts_as_markdown():
    question = only_question("Frage?{T}")
    assert question.text_format == "moodle"
    assert question.is_markdown


def test_markdown_link_at_the_start_is_not_a_format_marker():
    assert only_question("[hier](https://example.org) klicken").text == "[hier](https://example.org) klicken"


def test_multi_line_question_keeps_its_line_breaks():
    question = only_question("""
        [markdown]Die fünf Sicherheitsregeln:
        1. Freischalten
        2. Gegen Wiedereinschalten sichern
        Was kommt als Drittes? {
            =Spannungsfreiheit feststellen
            ~Kaffee holen
        }
    """)
    assert question.text.splitlines() == [
        "Die fünf Sicherheitsregeln:", "1. Freischalten",
        "2. Gegen Wiedereinschalten sichern", "Was kommt als Drittes?"]
    assert question.line == 1


def test_blank_lines_separate_questions():
    result = parse("A?{T}\n\n\n\nB?{F}\n   \nC?{T}")
    assert [q.text for q in result.questions] == ["A?", "B?", "C?"]
    assert [q.line for q in result.questions] == [1, 5, 7]


def test_windows_line_endings_and_bom():
    result = parse_gift("\ufeff::A::Frage eins?{T}\r\n\r\n::B::Frage\r\nzwei?{F}\r\n")
    assert result.errors == []
    assert [(q.title, q.text, q.line) for q in result.questions] == [
        ("A", "Frage eins?", 1), ("B", "Frage\nzwei?", 3)]


def test_first_line_offsets_question_and_error_lines():
    result = parse_gift("A?{T}\n\nB?{=x ~y", first_line=40)
    assert result.questions[0].line == 40
    assert result.errors[0].line == 42


def test_key_is_stable_and_depends_on_category_title_and_text():
    first = only_question("::T::Frage?{=a ~b}")
    assert first.key == only_question("::T::Frage?{=a ~b ~c}").key
    assert first.key != only_question("::T::Andere Frage?{=a ~b}").key
    assert first.key != parse("$CATEGORY: X\n::T::Frage?{=a ~b}").questions[0].key


def test_count_by_kind_lists_only_present_kinds():
    result = parse("A?{T}\n\nB?{F}\n\nC?{=x ~y}\n\nD?{}")
    assert count_by_kind(result.questions) == {"single_choice": 1, "true_false": 2, "essay": 1}


# --- errors -----------------------------------------------------------------------------

def test_bad_question_is_skipped_and_the_next_one_parsed():
    result = parse("A?{=x ~y\n\nB?{T}")
    assert [q.text for q in result.questions] == ["B?"]
    assert [e.line for e in result.errors] == [1]


def test_unclosed_brace_names_its_line():
    error = only_error("Erste Zeile\nZweite {=a\n~b")
    assert error.line == 2
    assert "nicht geschlossen" in error.message


def test_unexpected_closing_brace_names_its_line():
    error = only_error("Text\nmit } Klammer {=a ~b}")
    assert error.line == 2
    assert "}" in error.message


def test_closing_brace_after_the_block_is_unexpected():
    assert only_error("A {=a ~b}\nweiter }").line == 2


def test_second_answer_block_is_refused():
    error = only_error("A {=a ~b}\nB {=c ~d}")
    assert error.line == 2
    assert "Leerzeile" in error.message


def test_empty_question_is_an_error():
    error = only_error("// Kommentar\n::Nur ein Titel::")
    assert error.line == 2
    assert "keinen Text" in error.message


def test_answer_block_without_text_is_an_empty_question():
    assert "keinen Text" in only_error("{=a ~b}").message


def test_choice_without_correct_answer():
    error = only_error("Frage\n{~a ~b ~c}")
    assert error.line == 2
    assert "keine richtige Antwort" in error.message


def test_multiple_answer_weights_must_sum_to_100():
    error = only_error("Welche? {\n~%50%a\n~%30%b\n~%-100%c\n}")
    assert error.line == 1
    assert "80 %" in error.message


def test_weight_out_of_range_names_the_answer_line():
    error = only_error("Welche? {\n~%50%a\n~%150%b\n}")
    assert error.line == 3
    assert "150" in error.message


def test_matching_needs_two_pairs():
    error = only_error("Zuordnen\n{=a -> b}")
    assert error.line == 2
    assert "zwei Paare" in error.message


def test_matching_distractors_do_not_count_as_pairs():
    assert "zwei Paare" in only_error("Zuordnen {=a -> b = -> c}").message


def test_matching_answer_without_arrow():
    error = only_error("Zuordnen {\n=a -> b\n=c -> d\n=e f\n}")
    assert error.line == 4
    assert "->" in error.message and "e f" in error.message


def test_matching_refuses_tilde():
    error = only_error("Zuordnen {\n=a -> b\n=c -> d\n~e -> f\n}")
    assert error.line == 4
    assert "~" in error.message


def test_invalid_numerical_answer():
    error = only_error("Zahl?\n{#abc}")
    assert error.line == 2
    assert "abc" in error.message


@pytest.mark.parametrize("block", ["{#4..3}", "{#3:-1}", "{#=3 =%50%x}", "{#}", "{#1e999}"])
def test_invalid_numerical_forms(block):
    assert "numerische Antwort" in only_error(f"Zahl? {block}").message


def test_numerical_refuses_tilde():
    error = only_error("Zahl? {#\n=3\n~4\n}")
    assert error.line == 3
    assert "~" in error.message


def test_text_before_the_first_answer_marker_is_refused():
    error = only_error("Frage {Berlin}")
    assert "= (richtig) oder ~ (falsch)" in error.message


def test_true_false_mixed_with_choices_is_refused():
    assert "= (richtig) oder ~ (falsch)" in only_error("Frage {T ~vielleicht}").message


def test_unknown_text_format_marker():
    error = only_error("::T::\n[rtf]Frage?{T}")
    assert error.line == 2
    assert "[rtf]" in error.message


def test_unclosed_title():
    assert "::" in only_error("::Titel ohne Ende Frage{T}").message


def test_empty_answer_is_refused():
    assert "leer" in only_error("Frage {=a ~ }").message


def test_error_str_names_the_line():
    assert str(only_error("A {=a ~b")).startswith("Zeile 1: ")


# --- a realistic bank -------------------------------------------------------------------

GERMAN_BANK = r"""
// Fragenpool: Hochvolt-Sensibilisierung (Stufe 1S)
$CATEGORY: $course$/Hochvolt/Grundlagen

::Einführung::[markdown]Die folgenden Fragen prüfen Ihr Wissen zur **Hochvolt-Sicherheit**.

::HV-Grenze::[markdown]Ab welcher Gleichspannung spricht man im Fahrzeug von *Hochvolt*?{
    =60 V#Richtig: ab 60 V DC (bzw. 30 V AC).
    ~24 V#Das ist ein typisches Lkw-Bordnetz.
    ~%25%120 V#Zu hoch angesetzt.
    ####Siehe Kapitel 2, Abschnitt „Spannungsgrenzen“.
}

::Leitungsfarbe::Hochvoltleitungen sind immer orange.{TRUE#Doch, die Farbe ist genormt.#Richtig.}

::PSA::Welche Ausrüstung gehört zur Arbeit an HV-Systemen? {
    ~%50%Isolierende Handschuhe
    ~%50%Gesichtsschutz
    ~%-100%Metallene Armbanduhr#Metall am Körper ist gefährlich!
}

::Abkürzung::Wofür steht „BEV“? {=Battery Electric Vehicle =%50%Batterieelektrisches Fahrzeug}

$CATEGORY: $course$/Hochvolt/Praxis

::Regeln::Nach dem Freischalten ist die Anlage gegen {~Diebstahl =Wiedereinschalten ~Regen} zu sichern.

::Bauteile::Ordnen Sie die Bauteile ihrer Aufgabe zu. {
    =Traktionsbatterie -> speichert die Energie
    =Inverter -> wandelt Gleich- in Wechselstrom
    =Ladegerät -> lädt die Batterie
    = -> kühlt den Innenraum
}

::Restspannung::Wie viele Sekunden warten Sie mindestens? {#=%100%5:0 =%50%3..4#Etwas zu kurz.}

::Erfahrung::[plain]Beschreiben Sie eine Situation, in der Sie \{unsicher\} waren.{}

::Kaputt::Diese Frage ist unvollständig {=a ~b
"""


def test_realistic_german_bank_mixes_all_kinds():
    result = parse_gift(GERMAN_BANK.lstrip("\n"), first_line=10)
    assert [(e.line, "nicht geschlossen" in e.message) for e in result.errors] == [(47, True)]
    assert count_by_kind(result.questions) == {
        "single_choice": 2, "multiple_choice": 1, "true_false": 1, "short_answer": 1,
        "numerical": 1, "matching": 1, "essay": 1, "description": 1}
    by_title = {q.title: q for q in result.questions}
    assert by_title["HV-Grenze"].line == 15
    assert by_title["HV-Grenze"].general_feedback.startswith("Siehe Kapitel 2")
    assert by_title["Leitungsfarbe"].correct is True
    assert by_title["Regeln"].category == "$course$/Hochvolt/Praxis"
    assert by_title["Regeln"].text == f"Nach dem Freischalten ist die Anlage gegen {GAP_MARKER} zu sichern."
    assert by_title["Restspannung"].answers[1].low == 3.0
    assert by_title["Erfahrung"].text == "Beschreiben Sie eine Situation, in der Sie {unsicher} waren."
    assert by_title["Erfahrung"].text_format == "plain"
    assert len({q.key for q in result.questions}) == len(result.questions)
