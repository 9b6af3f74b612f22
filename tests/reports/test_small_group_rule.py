"""One rule for small groups wherever figures are shown: a figure of K people or more is shown, of K-1 withheld –
in the participation reports, the feedback figures and the trainers' item statistics alike."""

from types import SimpleNamespace

import pytest

from qualify.learning import statistics
from qualify.reports.feedback import summarise
from qualify.reports.suppression import primary_suppression

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


@pytest.mark.parametrize(("answers", "shown"), [(statistics.MIN_LEARNERS - 1, False),
                                                (statistics.MIN_LEARNERS, True)])
def test_an_items_figures_are_shown_from_k_answers_on_by_the_same_rule(answers, shown):
    item = statistics._statistic(None, QUESTION, tally(answers))

    assert item.shown is shown
    if shown:
        assert item.share_correct == (answers - 1) / answers
    else:
        assert item.share_correct is None and item.common_wrong_answer is None

