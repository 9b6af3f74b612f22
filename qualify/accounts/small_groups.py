"""K: the smallest group a figure may describe – one rule for the participation reports, the feedback on formats
and the trainers' item statistics.

Each organisation agrees its K with its works council (Organisation.small_group_threshold), never below
MIN_THRESHOLD. Figures that mix organisations use the network's K, the largest any of them agreed. Figures drawn
from quiz answers – results, which no report shows at all – never go below MIN_RESULTS_GROUP, whatever was agreed
for participation. Here, beside the organisations, so that every feature that shows figures reads K from one place
without importing another feature (learning must not depend on reports).
"""

from sqlalchemy import func, select

from qualify.accounts.models import Organisation
from qualify.extensions import db

MIN_THRESHOLD = 3
MIN_RESULTS_GROUP = 5  # fewer people than this and a share of quiz answers would describe individuals


def threshold(agreed: int | None) -> int:
    """Return the smallest group that may be shown: the agreed value, never below MIN_THRESHOLD."""
    return max(agreed or 0, MIN_THRESHOLD)


def network_k() -> int:
    """Return K for figures that mix organisations: the largest value any organisation agreed, never below 3."""
    return threshold(db.session.scalar(select(func.max(Organisation.small_group_threshold))))


def results_k() -> int:
    """Return K for figures drawn from quiz answers (the item statistics): the network's K, never below
    MIN_RESULTS_GROUP – an organisation agreeing on three for participation figures does not lower it."""
    return max(MIN_RESULTS_GROUP, network_k())
