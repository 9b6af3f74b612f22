"""Anonymous feedback on formats: who may give it, giving it once, and showing it only in aggregate.

An answer stores the module, its kind and format, the answers and the month; never the person or the time.
That a person has answered is a separate keyed hash of person and module, so nobody can tell which answer is
theirs. Figures and comments are shown only from K answers on (see docs/reporting.md).
"""

import hashlib
import hmac
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from qualify.accounts.roles import Role
from qualify.core.database import in_german_order, run
from qualify.core.markdown import too_long
from qualify.core.time import to_local
from qualify.courses.models import KINDS, Course, CourseOwner, Module, ModuleVersion
from qualify.extensions import db
from qualify.learning.models import ModuleCompletion
from qualify.learning.services import is_module_done, known_done
from qualify.reports.feedback_models import FORMATS, FormatFeedback, FormatFeedbackGiven
from qualify.reports.models import ParticipationRollup, RollupMonth
from qualify.reports.suppression import complementary_suppression
from qualify.workshops.models import Booking, WorkshopSession

SCALE = range(1, 6)
COMMENT_MAX = 1000
_shuffle = random.SystemRandom().shuffle
FORMAT_LABELS = {"in-person": _l("vor Ort"), "online": _l("online"), "hybrid": _l("hybrid"),
                 "self-study": _l("Selbstlernen")}


class FeedbackRefused(ValueError):
    """Feedback that cannot be given; the message is for the learner."""


class FeedbackIncomplete(FeedbackRefused):
    """A rating missing or the comment longer than COMMENT_MAX: the answer comes back as sent, to complete or to
    shorten, each problem at its field (`problems`: field name → message)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass
class Summary:
    """The answers of one group (a module, or a kind and format), withheld entirely below K."""

    label: str
    k: int
    count: int | None = None  # None: fewer than K answers
    usefulness: float | None = None
    difficulty: float | None = None
    recommend_share: float | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.count is not None


def key_hash(user_id: int, module_id: int) -> str:
    """Return HMAC(SECRET_KEY, "user_id:module_id"): the mark that this person answered on this module."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{user_id}:{module_id}".encode(), hashlib.sha256).hexdigest()


@cache
def _can_give_statement():
    done = exists().where(ModuleCompletion.user_id == bindparam("user_id"),
                          ModuleCompletion.module_id == bindparam("module_id"))
    given = exists().where(FormatFeedbackGiven.key_hash == bindparam("key_hash"))
    return select(and_(done, ~given))


def can_give_feedback(user, module: Module) -> bool:
    """Only someone who has done the module may answer, and only once (one statement: on every module page)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if known_done(user, module.id) is False:  # the progress panel of the same page has just read it
        return False
    return bool(run(_can_give_statement(), user_id=user.id, module_id=module.id,
                    key_hash=key_hash(user.id, module.id)).scalar())


def kind_of(module: Module) -> str:
    """Return the kind of the module's current version."""
    return module.current_version.kind if module.current_version else "self-study"


def format_of(user, module: Module) -> str:
    """Return the format the person took the module in: the session attended last, or the kind's usual one."""
    kind = kind_of(module)
    if kind == "self-study":
        return "self-study"
    stmt = (select(WorkshopSession.format).join(Booking, Booking.session_id == WorkshopSession.id)
            .where(WorkshopSession.module_id == module.id, Booking.user_id == user.id,
                   Booking.attendance == "present")
            .order_by(WorkshopSession.starts_at.desc()).limit(1))
    attended = db.session.scalar(stmt)
    if attended in FORMATS:
        return attended
    return "online" if kind == "exchange" else "in-person"


def give_feedback(user, module: Module, *, usefulness: int, difficulty: int, would_recommend: bool,
                  comment: str | None, now: datetime) -> FormatFeedback:
    """Store one anonymous answer and the mark that this person answered, together; refuse a second one."""
    if not is_module_done(user, module):
        raise FeedbackRefused(_("Rückmeldungen sind erst nach Abschluss des Moduls möglich."))
    problems = {}
    if usefulness not in SCALE:
        problems["usefulness"] = _("Bitte wählen Sie aus, wie nützlich das Modul für Ihre Arbeit war (1 bis 5).")
    if difficulty not in SCALE:
        problems["difficulty"] = _("Bitte wählen Sie aus, wie schwierig das Modul war (1 bis 5).")
    # A line break one character, as the text area counts it (browsers send two).
    comment = (comment or "").replace("\r\n", "\n").strip() or None
    if comment and len(comment) > COMMENT_MAX:
        problems["comment"] = too_long(len(comment), COMMENT_MAX)
    if problems:
        raise FeedbackIncomplete(problems)
    local = to_local(now)
    answer = FormatFeedback(
        module_id=module.id, module_kind=kind_of(module),
        format=format_of(user, module), usefulness=usefulness, difficulty=difficulty,
        would_recommend=bool(would_recommend), comment=comment, month=date(local.year, local.month, 1))
    try:
        with db.session.begin_nested():
            db.session.add(FormatFeedbackGiven(key_hash=key_hash(user.id, module.id)))
            db.session.add(answer)
    except IntegrityError:
        raise FeedbackRefused(_("Sie haben zu diesem Modul bereits eine Rückmeldung gegeben.")) from None
    return answer


def summarise(label: str, answers: list[FormatFeedback], k: int) -> Summary:
    """Aggregate answers; below K nothing but the label (shown as "< K")."""
    if len(answers) < k:
        return Summary(label, k)
    comments = [a.comment for a in answers if a.comment]
    _shuffle(comments)
    n = len(answers)
    return Summary(label, k, count=n, usefulness=sum(a.usefulness for a in answers) / n,
                   difficulty=sum(a.difficulty for a in answers) / n,
                   recommend_share=sum(a.would_recommend for a in answers) / n, comments=comments)


def _answers_by(key, stmt) -> dict:
    grouped = defaultdict(list)
    for answer in db.session.scalars(stmt):
        grouped[key(answer)].append(answer)
    return grouped


def feedback_summary(modules: Iterable[Module], k: int) -> list[tuple[Module, Summary]]:
    """Return each module with the summary of its answers."""
    modules = list(modules)
    grouped = _answers_by(lambda a: a.module_id,
                          select(FormatFeedback).where(FormatFeedback.module_id.in_([m.id for m in modules])))
    return [(module, summarise(_module_label(module), grouped.get(module.id, []), k)) for module in modules]


def network_summary(k: int) -> list[tuple[tuple[str, str], Summary]]:
    """Return the summary per module kind and format over the whole network, of the modules whose own answers
    are shown (K or more): a withheld module's answers would otherwise be the network's figures minus those of
    the modules beside it, which their trainers see."""
    shown = (select(FormatFeedback.module_id).group_by(FormatFeedback.module_id)
             .having(func.count(FormatFeedback.id) >= k))
    grouped = _answers_by(lambda a: (a.module_kind, a.format),
                          select(FormatFeedback).where(FormatFeedback.module_id.in_(shown)))
    return [(key, summarise(" · ".join(key), grouped[key], k)) for key in sorted(grouped)]


def completions_by_kind(k: int) -> tuple[date | None, dict[str, int | None]]:
    """Return the last counted month and, per module kind, how many people finished a module of it then, over
    the whole network; None where withheld.

    Read from the monthly figures, frozen once counted: counted live, the figure moved with every single
    completion, and watching it told when someone passed. Withheld below K, and protected as the report protects
    the kinds of a group (bounded): the network's completions of all kinds – which the coordination's report
    adds up to, or nearly – minus the kinds shown must not tell how many finished a withheld kind.
    """
    month = db.session.scalar(select(func.max(RollupMonth.month)))
    if month is None:
        return None, {}
    rollup = ParticipationRollup
    # Organisations and their units split people up, so the cells of one kind add up to distinct people; the
    # kind None is every kind, each person once.
    stmt = (select(rollup.module_kind, func.sum(rollup.people))
            .where(rollup.month == month, rollup.metric == "modules_completed", rollup.course_id.is_(None))
            .group_by(rollup.module_kind))
    counted = {kind: int(n) for kind, n in db.session.execute(stmt)}
    values = {(kind,): counted.get(kind, 0) for kind in KINDS}
    hidden = complementary_suppression(values, {key for key, n in values.items() if n < k}, k, additive_axes=(),
                                       bounded={0: {(): counted.get(None, 0)}})
    return month, {kind: None if (kind,) in hidden else values[(kind,)] for kind in KINDS}


def editable_modules(user) -> list[Module]:
    """Return the modules of the courses the person may edit: all for admins, owned ones for trainers."""
    # With each module's course and version title, which label it: one statement, however many modules.
    stmt = (select(Module).join(Course, Course.id == Module.course_id)
            .options(contains_eager(Module.course).defer(Course.source),
                     joinedload(Module.current_version).load_only(ModuleVersion.id, ModuleVersion.title))
            .order_by(in_german_order(Course.title), Course.id, Module.position))
    if user.has_role(Role.ADMIN):
        return list(db.session.scalars(stmt))
    if not user.has_role(Role.TRAINER):
        return []
    stmt = stmt.join(CourseOwner, CourseOwner.course_id == Course.id).where(CourseOwner.user_id == user.id)
    return list(db.session.scalars(stmt))


def _module_label(module: Module) -> str:
    title = module.current_version.title if module.current_version else module.slug
    return f"{module.course.title} – {title}"
