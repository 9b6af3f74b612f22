"""Grading on the server, one question kind at a time, on questions parsed from GIFT as courses store them."""

import unicodedata

import pytest

from qualify.courses.gift import parse_gift
from qualify.courses.services import serialise_question
from qualify.learning.grading import grade, percentage


def question(gift: str) -> dict:
    """Parse one GIFT question into the dict a module version stores.

    serialise_question is dataclasses.asdict plus the `*_html` fields rendered at import; the grader hands
    out those rendered feedbacks, so the tests grade the same shape the learner's attempt is graded on.
    """
    result = parse_gift(gift)
    assert result.ok, result.errors
    (parsed,) = result.questions
    return serialise_question(parsed, lambda url: url)


def score(gift_or_question, response) -> float:
    q = question(gift_or_question) if isinstance(gift_or_question, str) else gift_or_question
    return grade(q, response).score


# Single choice

SINGLE = (
    "Welche Spannungsklasse gilt ab 60 V DC? {=B (Hochvolt)#Genau, Klasse B. ~A (Niedervolt)#Das ist "
    "bis 60 V. ~%-50%C#Gibt es nicht.}"
)


def test_single_choice_right_answer_scores_full_with_its_feedback():
    result = grade(question(SINGLE), 0)
    assert result.score == 1.0 and result.correct
    assert result.feedback_html == ["Genau, Klasse B."]


def test_single_choice_wrong_answer_scores_zero_with_its_feedback():
    result = grade(question(SINGLE), 1)
    assert result.score == 0.0 and not result.correct
    assert result.feedback_html == ["Das ist bis 60 V."]


def test_single_choice_negative_fraction_is_floored_at_zero():
    assert question(SINGLE)["answers"][2]["fraction"] == -0.5
    assert score(SINGLE, 2) == 0.0


def test_single_choice_partial_fraction_counts_partly():
    assert score("Wie viele? {=%100%drei ~%50%zwei ~eins}", 1) == 0.5


def test_single_choice_index_out_of_range_scores_zero():
    assert score(SINGLE, 7) == 0.0
    assert score(SINGLE, -1) == 0.0


def test_missing_word_question_is_graded_like_a_choice():
    q = question("Der Himmel ist {~rot =blau#Richtig, blau.} am Mittag.")
    assert q["text_after"] == "am Mittag."
    assert score(q, 1) == 1.0
    assert grade(q, 1).feedback_html == ["Richtig, blau."]
    assert score(q, 0) == 0.0


# Multiple answers

MULTI = (
    "Was gehört zur persönlichen Schutzausrüstung? {~%50%Isolierhandschuhe#Ja. ~%50%Gesichtsschutz#Ja. "
    "~%-100%Metallring#Nein, ablegen! ~Kaffeebecher}"
)


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ([0, 1], 1.0),
        ([0], 0.5),
        ([1], 0.5),
        ([0, 2], 0.0),  # 50 % - 100 % is floored at 0 …
        ([0, 1, 2], 0.0),
        ([0, 1, 3], 1.0),  # … an unweighted wrong answer costs nothing
        ([0, 0, 1, 1], 1.0),  # a doubled form value counts once
        ([3], 0.0),
    ],
)
def test_multiple_answers_add_weights_and_negative_marks_floored_at_zero(chosen, expected):
    assert score(MULTI, chosen) == pytest.approx(expected)


def test_multiple_answers_are_capped_at_full_marks():
    q = question("Drei richtige? {~%33.4%a ~%33.4%b ~%33.4%c ~d}")
    assert score(q, [0, 1, 2]) == 1.0


def test_multiple_answers_give_the_feedback_of_each_chosen_answer():
    assert grade(question(MULTI), [2, 0]).feedback_html == ["Ja.", "Nein, ablegen!"]


# True / false

TRUE_STATEMENT = (
    "Nach einem Stromunfall muss man zum Arzt. {TRUE#Doch: Rhythmusstörungen kommen später.#Richtig, "
    "immer zum Arzt.}"
)
FALSE_STATEMENT = (
    "Orange Kabel sind harmlos. {FALSE#Nein, orange heißt Hochvolt.#Genau, orange heißt Gefahr.}"
)


@pytest.mark.parametrize(
    ("gift", "response", "expected", "feedback"),
    [
        (TRUE_STATEMENT, True, 1.0, "Richtig, immer zum Arzt."),
        (TRUE_STATEMENT, False, 0.0, "Doch: Rhythmusstörungen kommen später."),
        (FALSE_STATEMENT, False, 1.0, "Genau, orange heißt Gefahr."),
        (FALSE_STATEMENT, True, 0.0, "Nein, orange heißt Hochvolt."),
    ],
)
def test_true_false_both_ways_with_their_feedback(gift, response, expected, feedback):
    result = grade(question(gift), response)
    assert result.score == expected
    assert result.feedback_html == [feedback]


# Short answer

SHORT = "Wie heißt die Lernform mit Praxis? {=Übung#Genau. =%50%Training#Fast. =Hochvolt Praxistag}"


@pytest.mark.parametrize("typed", ["Übung", "übung", "ÜBUNG", "  Übung  ", "\tübung\n"])
def test_short_answer_ignores_case_and_surrounding_blanks(typed):
    assert score(SHORT, typed) == 1.0


def test_short_answer_normalises_blanks_inside():
    assert score(SHORT, "hochvolt    praxistag") == 1.0
    assert score(SHORT, "hochvoltpraxistag") == 0.0


def test_short_answer_matches_composed_and_decomposed_umlauts_both_ways():
    composed, decomposed = unicodedata.normalize("NFC", "Übung"), unicodedata.normalize("NFD", "Übung")
    assert composed != decomposed
    assert score(SHORT, decomposed) == 1.0
    assert score(f"Lernform? {{={decomposed}}}", composed) == 1.0


def test_short_answer_casefolds_sharp_s():
    assert score("Wo? {=Straße}", "STRASSE") == 1.0


def test_short_answer_gives_partial_credit_and_its_feedback():
    result = grade(question(SHORT), "training")
    assert result.score == 0.5 and not result.correct
    assert result.feedback_html == ["Fast."]


def test_short_answer_does_not_accept_umlauts_spelled_out_or_other_words():
    assert score(SHORT, "Uebung") == 0.0
    assert score(SHORT, "Übungen") == 0.0


def test_short_answer_star_stands_for_any_text_as_in_moodle():
    q = "Was speichert die Energie? {=*batterie* =%50%akku*}"
    assert score(q, "Die Hochvolt-Batterie") == 1.0
    assert score(q, "batterie") == 1.0
    assert score(q, "Akkumulator") == 0.5
    assert score(q, "Tank") == 0.0
    assert score("Was? {=a.c}", "abc") == 0.0  # only the star is special


# Numerical


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3.14", 1.0),
        ("3,14", 1.0),
        (" 3,13 ", 1.0),
        ("3.15", 1.0),
        ("3.16", 0.0),
        ("3.12", 0.0),
    ],
)
def test_numerical_accepts_the_tolerance_and_a_decimal_comma(typed, expected):
    assert score("Pi auf zwei Stellen? {#3.14:0.01}", typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"), [("3", 1.0), ("4", 1.0), ("3,5", 1.0), ("4.01", 0.0), ("2,99", 0.0)]
)
def test_numerical_accepts_a_range(typed, expected):
    assert score("Zwischen drei und vier? {#3..4}", typed) == expected


def test_numerical_range_with_negative_numbers():
    assert score("Temperatur? {#-3..-1}", "-2") == 1.0
    assert score("Temperatur? {#-3..-1}", "2") == 0.0


def test_numerical_with_several_answers_gives_the_best_credit_and_its_feedback():
    q = question("Pi? {#=%100%3.14:0.005#Genau. =%50%3.1:0.1#Ungefähr. =%0%0#Null ist falsch.}")
    assert grade(q, "3,14").score == 1.0 and grade(q, "3,14").feedback_html == ["Genau."]
    assert grade(q, "3.05").score == 0.5 and grade(q, "3.05").feedback_html == ["Ungefähr."]
    assert grade(q, "0").score == 0.0 and grade(q, "0").feedback_html == ["Null ist falsch."]
    assert grade(q, "7").score == 0.0 and grade(q, "7").feedback_html == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1.000", 1.0), ("1000", 1.0), ("1 000", 1.0), ("1.000 V", 1.0), ("1000V", 1.0), ("1.000,0", 1.0),
     ("1,000.0", 1.0), ("1,000", 1.0), ("1,0", 0.0), ("1.0", 0.0), ("−1.000", 0.0)],
)
def test_numerical_reads_thousands_and_ignores_a_unit(typed, expected):
    assert score("Ab wie viel Volt Gleichspannung? {#1000}", typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [("0.125", 1.0), ("0,125", 1.0), ("-0.125", 0.0), (",125", 1.0),
                                                 ("3.125", 0.0), ("125", 0.0)])
def test_a_decimal_with_three_places_after_a_zero_is_never_a_thousands_group(typed, expected):
    assert score("Wie viel Ohm? {#0.125:0.0001}", typed) == expected


@pytest.mark.parametrize("typed", ["3.125", "3,125", "3,125 mm"])
def test_three_places_after_one_separator_count_in_either_reading(typed):
    # "3.125" is 3125 to a German and three and a bit to an English reader: whichever the answer is, it counts.
    assert score("Wie viel Millimeter? {#3.125:0.0001}", typed) == 1.0
    assert score("Wie viel Millimeter? {#3125}", typed) == 1.0
    assert score("Wie viel Millimeter? {#31.25}", typed) == 0.0


@pytest.mark.parametrize(
    "typed", ["drei", "3,1,4", "3.1.4", "1e3", "nan", "inf", "--3", "3.", ",", "", "   ", "V 1000", "3 1/2"]
)
def test_numerical_garbage_scores_zero(typed):
    assert score("Wie viel? {#=1000:1000 =%100%3}", typed) == 0.0


# Matching

MATCHING = (
    "Ordnen Sie zu. {=Isolierhandschuhe -> Schutz vor Durchströmung =Gesichtsschutz -> Schutz vor Lichtbogen "
    "=Absperrung -> Schutz Unbeteiligter = -> Schutz vor Lärm}"
)


def test_matching_all_right_scores_full():
    response = {0: "Schutz vor Durchströmung", 1: "Schutz vor Lichtbogen", 2: "Schutz Unbeteiligter"}
    assert score(MATCHING, response) == 1.0


def test_matching_partly_right_scores_the_share_of_right_pairs():
    response = {0: "Schutz vor Durchströmung", 1: "Schutz Unbeteiligter", 2: "Schutz vor Lichtbogen"}
    assert score(MATCHING, response) == pytest.approx(1 / 3)


def test_matching_keeps_what_was_chosen_for_the_persons_own_record():
    # The data export shows the person their answer; it said "–" for matching questions.
    result = grade(question(MATCHING), {0: "Schutz vor Durchströmung", 2: "Schutz vor Lärm"})
    assert result.chosen == "Isolierhandschuhe → Schutz vor Durchströmung; Absperrung → Schutz vor Lärm"


def test_matching_distractor_is_never_right_and_is_not_a_pair_to_match():
    response = {0: "Schutz vor Lärm", 1: "Schutz vor Lärm", 2: "Schutz vor Lärm"}
    assert score(MATCHING, response) == 0.0
    # three pairs to match: two right of three, the distractor does not count as a fourth pair
    assert score(MATCHING, {0: "Schutz vor Durchströmung", 1: "Schutz vor Lichtbogen"}) == pytest.approx(
        2 / 3
    )


# Empty submissions


@pytest.mark.parametrize(
    ("gift", "empty"),
    [
        (SINGLE, None),
        (MULTI, []),
        (MULTI, None),
        (TRUE_STATEMENT, None),
        (SHORT, ""),
        (SHORT, "   "),
        (SHORT, None),
        ("Zahl? {#0}", ""),
        ("Zahl? {#0}", None),
        (MATCHING, {}),
        (MATCHING, None),
        (MATCHING, {0: None, 1: ""}),
    ],
)
def test_empty_submission_scores_zero(gift, empty):
    result = grade(question(gift), empty)
    assert result.score == 0.0
    assert result.feedback_html == []


def test_short_answer_with_only_blanks_does_not_match_an_answer_of_blanks():
    assert score("Leer? {=Übung =%50%x}", " ") == 0.0


# Not graded, and the total


def test_essay_and_description_are_not_graded():
    assert grade(question("Was nehmen Sie mit? {}"), "Viel.") is None
    assert grade(question("Lesen Sie den Text und beantworten Sie die Fragen."), None) is None


def test_percentage_is_taken_over_graded_questions_only():
    graded = [grade(question(SINGLE), 0), grade(question(MULTI), [0]), grade(question(SHORT), "falsch")]
    ungraded = [grade(question("Was denken Sie? {}"), "egal")]
    assert ungraded == [None]
    assert percentage([r for r in graded + ungraded if r is not None]) == 50.0


def test_percentage_without_graded_questions_is_full():
    assert percentage([]) == 100.0
