"""The start page: what each role can do from here."""

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from qualify.accounts.forms import LANGUAGE_CHOICES
from qualify.core.database import readiness

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Show the start page of the signed-in person, or the welcome page."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    return render_template("home/index.html")


@bp.post("/sprache")
def set_language():
    """Remember the language chosen by a guest (signed-in people set it in their profile)."""
    language = request.form.get("language", "de")
    response = make_response(redirect(url_for("home.index")))
    if language in dict(LANGUAGE_CHOICES):
        response.set_cookie("lang", language, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return response


@bp.get("/healthz")
def healthz():
    """Answer that the process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Answer whether this server can take traffic: database reachable and migrated to the code's head."""
    state = readiness()
    return state.as_dict(), (200 if state.ready else 503)
