"""My learning, enrolment, marking modules done, quizzes, certificates and their public verification."""

from flask import Blueprint, abort, flash, g, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from qualify.accounts.small_groups import results_k
from qualify.core.database import without_transaction
from qualify.core.time import utcnow
from qualify.courses import catalogue
from qualify.courses.models import Course, Module
from qualify.courses.outline import outline_of
from qualify.extensions import db
from qualify.learning import certificates, quiz, services, statistics, withdrawal
from qualify.learning.models import Certificate, QuizAttempt
from qualify.learning.services import LearningError

bp = Blueprint("learning", __name__)
bp.add_app_template_filter(quiz.score_text, "score")


def _visible_course(slug: str) -> Course:
    course = catalogue.course_by_slug(slug)
    if course is None or not catalogue.can_view(current_user, course):
        abort(404)
    return course


def _visible_module(module_id: int) -> Module:
    module = db.get_or_404(Module, module_id)
    if module.archived or not catalogue.can_view(current_user, module.course):
        abort(404)
    return module


def _own_attempt(attempt_id: int, *, with_module: bool = False) -> QuizAttempt:
    # With its version, module and course in the same statement for pages and grading that read them all.
    attempt = quiz.attempt_with_module(attempt_id) if with_module else db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)  # someone else's attempt does not exist for you
    return attempt


def _module_url(module: Module) -> str:
    return url_for("courses.module", slug=module.course.slug, module_slug=module.slug)


@bp.get("/lernen/")
@login_required
@without_transaction
def dashboard():
    """Show enrolled courses with progress, where to continue, and certificates."""
    progress = services.my_learning(current_user)
    # A course taken back to draft stays listed with its progress, without links that would lead nowhere.
    closed = {p.course.id for p in progress if not services.is_open_to(current_user, p.course)}
    return render_template("learning/dashboard.html", closed=closed,
                           ongoing=[p for p in progress if not p.enrolment.completed_at],
                           completed=[p for p in progress if p.enrolment.completed_at])


@bp.post("/lernen/kurse/<slug>/einschreiben")
@login_required
def enrol(slug: str):
    """Enrol in a course and start with its first module."""
    course = _visible_course(slug)
    try:
        services.enrol(current_user, course, now=utcnow())
    except LearningError as error:
        flash(str(error), "error")
        return redirect(url_for("courses.course", slug=slug))
    db.session.commit()
    flash(_("Sie sind eingeschrieben. Viel Erfolg!"), "success")
    return redirect(url_for("learning.resume", slug=slug))


@bp.post("/lernen/kurse/<slug>/verlassen")
@login_required
def leave(slug: str):
    """Leave a course; what was done stays done."""
    course = _visible_course(slug)
    try:
        services.leave(current_user, course)
    except services.LearningError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("courses.course", slug=course.slug))
    db.session.commit()
    flash(_("Sie haben den Kurs verlassen."), "success")
    return redirect(url_for("learning.dashboard"))


@bp.get("/lernen/kurse/<slug>/weiter")
@login_required
def resume(slug: str):
    """Go to the first unfinished module of the course."""
    course = _visible_course(slug)
    module = services.resume_module(current_user, course)
    if module is None:
        return redirect(url_for("courses.course", slug=slug))
    return redirect(url_for("courses.module", slug=slug, module_slug=module.slug))


def _enrol_on_the_way(module: Module, now) -> bool:
    """Enrol in the module's course when someone starts it from a module page; True if that enrolled them now."""
    return services.enrol(current_user, module.course, now=now).enrolled_at == now


def _say_enrolled(module: Module) -> None:
    flash(_("Sie sind jetzt im Kurs „%(title)s“ eingeschrieben; Ihren Fortschritt finden Sie unter „Mein Lernen“.",
            title=module.course.title), "info")


@bp.post("/lernen/module/<int:module_id>/erledigt")
@login_required
def mark_done(module_id: int):
    """Mark a reading module as done and go on to the next unfinished one."""
    module = _visible_module(module_id)
    now = utcnow()
    try:
        enrolled_now = _enrol_on_the_way(module, now)
        services.mark_read(current_user, module, now=now)
    except LearningError as error:
        flash(str(error), "error")
        return redirect(_module_url(module))
    db.session.commit()
    if enrolled_now:
        _say_enrolled(module)
    flash(_("Modul erledigt."), "success")
    return redirect(url_for("learning.resume", slug=module.course.slug))


@bp.post("/lernen/module/<int:module_id>/quiz")
@login_required
def start_quiz(module_id: int):
    """Start (or resume) a quiz attempt."""
    module = _visible_module(module_id)
    now = utcnow()
    try:
        enrolled_now = _enrol_on_the_way(module, now)
        attempt = quiz.start_attempt(current_user, module, now=now)
    except LearningError as error:
        flash(str(error), "error")
        return redirect(_module_url(module))
    if enrolled_now:
        _say_enrolled(module)
    if not attempt.is_open:
        flash(_("Die Zeit für diesen Versuch war abgelaufen. Gewertet wurde, was bis dahin gespeichert war."),
              "info")
    attempt_id = attempt.id  # read before the commit expires it
    db.session.commit()
    return redirect(url_for("learning.attempt", attempt_id=attempt_id))


@bp.get("/lernen/versuche/<int:attempt_id>")
@login_required
@without_transaction
def attempt(attempt_id: int):
    """Show an open attempt as a form, or a submitted one with its results."""
    attempt = _own_attempt(attempt_id, with_module=True)
    template = "learning/attempt.html" if attempt.is_open else "learning/result.html"
    now = utcnow()
    return render_template(template, attempt=attempt, module=attempt.module, course=attempt.module.course, now=now,
                           questions=quiz.attempt_questions(attempt), ordered_options=quiz.ordered_options,
                           matching_options=quiz.matching_options, given_answer=quiz.given_answer,
                           given_choices=quiz.given_choices, choice_kinds=quiz.CHOICE_KINDS,
                           course_done=_course_done(attempt),
                           reflections=quiz.reflections_of(current_user, attempt.module),
                           settings=quiz.settings_for(attempt.module, attempt.version),
                           accepts_answers=quiz.accepts_answers(attempt, now),
                           results={r["key"]: r for r in attempt.results or []})


def _course_done(attempt: QuizAttempt) -> services.EnrolmentState | None:
    """The person's completed course, when this passed attempt belongs to it: its result page hands over the
    certificate rather than leaving the learner to find it (one statement, only for a passed attempt)."""
    if not attempt.passed:
        return None
    state = services.enrolment_state(current_user, attempt.module.course)
    return state if state and state.completed_at and state.certificate_code else None


@bp.post("/lernen/versuche/<int:attempt_id>/speichern")
@login_required
def save_attempt(attempt_id: int):
    """Keep the answers given so far (called on every change by the page script, or by the button)."""
    attempt = _own_attempt(attempt_id)
    saved = quiz.save_answers(attempt, request.form.to_dict(flat=False), now=utcnow())
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(saved=saved), (200 if saved else 409)
    if saved:
        flash(_("Ihre Antworten sind gespeichert."), "success")
    else:
        flash(_("Dieser Versuch nimmt keine Antworten mehr an."), "error")
    return redirect(url_for("learning.attempt", attempt_id=attempt.id))


@bp.post("/lernen/versuche/<int:attempt_id>/abgeben")
@login_required
def submit_attempt(attempt_id: int):
    """Save the last answers and hand the attempt in for grading (exactly once)."""
    attempt = _own_attempt(attempt_id, with_module=True)
    try:
        quiz.submit_attempt(attempt, current_user, now=utcnow(), form=request.form.to_dict(flat=False))
    except LearningError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("learning.attempt", attempt_id=attempt_id))
    db.session.commit()
    return redirect(url_for("learning.attempt", attempt_id=attempt_id))  # attempt.id would reload the row


@bp.get("/lernen/zertifikate/<code>.pdf")
@login_required
def certificate_pdf(code: str):
    """Download one's own certificate as a PDF."""
    certificate = services.certificate_by_code(code)
    if certificate is None or certificate.user_id != current_user.id:
        abort(404)
    response = make_response(certificates.render_pdf(certificate))
    response.headers["Content-Type"] = "application/pdf"
    # Opened where the phone or browser can show it (a download ends up unseen in a folder), saved by its name.
    name = _("zertifikat-%(code)s.pdf", code=certificate.code)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get("/verify/")
def verify_form():
    """Let whoever holds a printed certificate type its code."""
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("learning.verify", code=services.normalise_code(code)[:40]))
    return render_template("learning/verify.html", certificate=None, withdrawn=None, code=None)


@bp.get("/verify/<code>")
def verify(code: str):
    """Confirm a certificate publicly: name, course and date only; a withdrawn one as void (never why)."""
    certificate: Certificate | None = services.certificate_by_code(code)
    withdrawn = None if certificate else withdrawal.withdrawn_by_code(code)
    page = render_template("learning/verify.html", certificate=certificate, withdrawn=withdrawn, code=code)
    return page, (200 if certificate else 410 if withdrawn else 404)


@bp.app_context_processor
def learning_panels():
    """Let course and module pages show enrolment, progress and quiz actions without importing learning."""
    return {"learning_course_panel": course_panel, "learning_module_panel": module_panel,
            "learning_course_marks": course_marks}


def course_panel(course: Course) -> dict:
    state = _enrolment_state(course)
    # "mandatory": the state of a mandatory course the person is not enrolled in (they left it), for its note.
    return {"enrolment": state if state and state.enrolled else None, "total": len(outline_of(course)),
            "mandatory": state if state and not state.enrolled and state.mandatory else None}


def _enrolment_state(course: Course):
    """The person's enrolment state, read once per request (the panel and the module list both show it)."""
    states = g.setdefault("learning_enrolment_states", {})
    if course.id not in states:
        states[course.id] = services.enrolment_state(current_user, course)
    return states[course.id]


def course_marks(course: Course, body: Markup) -> Markup:
    """The course page's module list (kept rendered for every reader, see courses.views.course) with the modules
    this person has done marked at their slot."""
    state = _enrolment_state(course)
    if state is None or not state.enrolled or not state.done_ids:
        return body
    mark = Markup(' <span class="module-done"><span aria-hidden="true">✓</span> {}</span>').format(_("erledigt"))
    for module_id in state.done_ids:
        body = body.replace(Markup("<!--erledigt:{}-->").format(module_id), mark)
    return body


def module_panel(module: Module, version) -> dict:
    done, attempts = quiz.module_progress(current_user, module)
    return {"done": done, "attempts": attempts,
            "open_attempt": next((a for a in attempts if a.is_open), None),
            "settings": quiz.settings_for(module, version) if version.questions else None,
            "question_count": quiz.question_count(version) if version.questions else 0}


@bp.get("/lernen/kurse/<slug>/auswertung")
@login_required
def item_statistics(slug: str):
    """Show trainers how each question of their course fares, over all learners and from K on."""
    course = _visible_course(slug)
    if not catalogue.can_edit(current_user, course):
        abort(404)
    minimum = results_k()
    return render_template("learning/statistics.html", course=course,
                           statistics=statistics.item_statistics(course, minimum), minimum=minimum)
