"""One rule for small groups wherever figures are shown: a figure of K people or more is shown, of K-1 withheld –
in the participation reports, the feedback figures and the trainers' item statistics alike."""

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

import qualify
from qualify.accounts import small_groups
from qualify.accounts.roles import Role
from qualify.extensions import db
from qualify.learning import statistics
from qualify.reports.feedback import summarise
from qualify.reports.suppression import primary_suppression
from tests.learning.conftest import make_course  # noqa: F401  (a fixture)
from tests.learning.helpers import module, module_of
from tests.learning.test_item_statistics import QUIZ, answer

K = 5
QUESTION = {"key": "farbe", "kind": "single_choice"}


def tally(answers: int) -> SimpleNamespace:
    """A question's counted first answers, all but one right, the wrong ones all "Rot"."""
    return SimpleNamespace(answers=answers, correct=answers - 1, wrong_answers={"Rot": 1})


@pytest.mark.parametrize(("people", "shown"), [(K - 1, False), (K, True)])
def test_a_report_cell_is_shown_from_k_people_on(people, shown):
    withheld = primary_suppression({("Montage",): people}, K, group_sizes={("Montage",): 20})
    assert (("Montage",) not in withheld) is shown


@pytest.mark.parametrize(("answers", "shown"), [(K - 1, False), (K, True)])
def test_feedback_is_shown_from_k_answers_on(answers, shown):
    given = [SimpleNamespace(usefulness=4, difficulty=2, would_recommend=True, comment="") for _ in range(answers)]
    summary = summarise("Hochvolt – Modul 1", given, K)
    assert summary.shown is shown and (summary.count == answers if shown else summary.count is None)


@pytest.mark.parametrize(("answers", "shown"), [(K - 1, False), (K, True)])
def test_an_items_figures_are_shown_from_k_answers_on_by_the_same_rule(answers, shown):
    item = statistics._statistic(None, QUESTION, tally(answers), K)

    assert item.shown is shown
    if shown:
        assert item.share_correct == (answers - 1) / answers
    else:
        assert item.share_correct is None and item.common_wrong_answer is None



@pytest.mark.parametrize(("agreed", "k"), [(7, 7), (3, 5)], ids=["K=7", "K=3, five the floor"])
@pytest.mark.parametrize("fewer", [True, False], ids=["K-1", "K"])
def test_an_items_figures_follow_the_k_organisations_agreed_on_never_below_five(
        make_organisation, make_course, make_user, agreed, k, fewer):  # noqa: F811  (the fixture)
    # K is the largest any organisation agreed on, as for the feedback: a course's learners come from them all.
    firma, other = make_organisation(), make_organisation()
    firma.small_group_threshold, other.small_group_threshold = agreed, 3
    db.session.commit()
    colours = module_of(make_course(module("farben", quiz=QUIZ)), "farben")
    answers = k - 1 if fewer else k
    for _ in range(answers):
        answer(make_user(Role.LEARNER, organisation=firma), colours, 0)

    statistics.count_answers()  # the first answers, counted in groups of K
    db.session.commit()

    [item] = statistics.item_statistics(colours.course)
    assert small_groups.results_k() == k
    if fewer:  # K-1 answers wait for the K-th: no figure, and nothing the next hand-in would move by one
        assert not item.shown and item.answers == 0 and item.share_correct is None
    else:
        assert item.shown and item.answers == k and item.share_correct == 1


def test_an_agreed_threshold_is_never_below_three():
    assert small_groups.threshold(1) == 3
    assert small_groups.threshold(None) == 3
    assert small_groups.threshold(7) == 7


@pytest.mark.parametrize(("agreed", "network", "results"), [((), 3, 5), ((3, 4), 4, 5), ((3, 8), 8, 8)],
                         ids=["none", "the largest, five for results", "the largest"])
def test_the_networks_k_is_the_largest_agreed_and_results_never_go_below_five(
        make_organisation, agreed, network, results):
    for value in agreed:
        make_organisation().small_group_threshold = value
    db.session.commit()

    assert small_groups.network_k() == network
    assert small_groups.results_k() == results


@pytest.mark.parametrize("feature", ["accounts", "courses", "learning"])
def test_features_below_the_reports_read_k_without_importing_them(feature):
    # Features import downwards only (core ← accounts ← courses ← learning ← … ← reports): K lives in accounts.
    # accounts.organisations keeps a unit that report figures count (reports.models): left out here.
    imported = set()
    for path in (Path(qualify.__file__).parent / feature).glob("*.py"):
        if feature == "accounts" and path.name == "organisations.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                imported.update((path.name, alias.name) for alias in node.names)
    assert not {(name, module) for name, module in imported if module.startswith("qualify.reports")}
