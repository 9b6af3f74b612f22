"""The start page: what each role can do from here."""

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from qualify.accounts.forms import LANGUAGE_CHOICES
from qualify.core.database import readiness, without_transaction
from qualify.core.i18n import remember_choice, remember_language
from qualify.core.security import is_safe_redirect
from qualify.core.templating import navigation_for
from qualify.core.time import utcnow
from qualify.exchange.waiting import waiting_for_current_user
from qualify.extensions import db
from qualify.learning.services import is_open_to, my_learning
from qualify.workshops import queries

bp = Blueprint("home", __name__)


@bp.get("/")
@without_transaction
def index():
    """Show the start page of the signed-in person – where to continue, the next session – or the welcome page."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    now = utcnow()
    resume = next((p for p in my_learning(current_user) if p.next_module and not p.enrolment.completed_at
                   and not p.left and is_open_to(current_user, p.course)), None)
    next_booking = next((b for b in queries.bookings_of(current_user, now, past_days=0)
                         if b.status == "confirmed" and b.session.starts_at >= now and not b.session.is_cancelled),
                        None)
    # For the moderation's tile: what waits in the person's spaces (the navigation shows the same count).
    return render_template("home/index.html", navigation=navigation_for(current_user), resume=resume,
                           next_booking=next_booking, waiting=waiting_for_current_user(current_user),
                           # In the room, on a phone: today's sessions one tap from their attendance list.
                           led_today=queries.led_today(current_user, now))


@bp.post("/sprache")
def set_language():
    """Switch the language: a guest's is remembered on the device, a signed-in person's in their profile too
    (the same setting as under Profil, so that mails follow it)."""
    language = request.form.get("language", "de")
    back = request.form.get("next", "")  # the page it was chosen on, e.g. the sign-in page with its ?next=
    response = make_response(redirect(back if is_safe_redirect(back) else url_for("home.index")))
    if language in {choice.value for choice in LANGUAGE_CHOICES}:
        if not current_user.is_authenticated:
            remember_choice(response, language)  # the sign-in that follows takes it over
        elif current_user.language != language:
            current_user.language = language
            db.session.commit()
        remember_language(response, language)
    return response


@bp.get("/healthz")
def healthz():
    """Answer that the process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Answer whether this server can take traffic: database reachable and migrated far enough (see readiness)."""
    state = readiness()
    return state.as_dict(), (200 if state.ready else 503)
