"""Generic error pages that reveal nothing about the internals."""

import logging

from flask import Flask, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from qualify.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Ungültige Anfrage"), _l("Die Anfrage konnte nicht verarbeitet werden.")),
    403: (_l("Kein Zugriff"), _l("Sie haben keine Berechtigung für diese Seite.")),
    404: (_l("Seite nicht gefunden"), _l("Diese Seite gibt es nicht (mehr).")),
    405: (_l("Nicht erlaubt"), _l("Diese Aktion ist hier nicht möglich.")),
    413: (_l("Datei zu groß"), _l("Die hochgeladene Datei ist zu groß.")),
    429: (_l("Zu viele Versuche"), _l("Bitte warten Sie einen Moment und versuchen Sie es erneut.")),
    500: (_l("Fehler"), _l("Etwas ist schiefgegangen. Bitte versuchen Sie es später erneut.")),
    503: (_l("Vorübergehend nicht erreichbar"),
          _l("Die Plattform ist gerade nicht erreichbar. Bitte versuchen Sie es in einer Minute erneut.")),
}


def error_page(status: int, message=None):
    """Render the generic page for a status code."""
    title, default_message = MESSAGES.get(status, MESSAGES[500])
    html = render_template("errors/error.html", status=status, title=title, message=message or default_message)
    return html, status


def _http_error(error: HTTPException):
    # Keep what the protocol needs (Allow on 405, Retry-After on 429 …); the page itself is ours.
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    html, status = error_page(error.code or 500)
    return html, status, headers


def _csrf_error(error: CSRFError):
    # A form sent after the session ended (signed out in another tab, a night away): the text typed into it
    # is shown to copy, so that nothing written is lost. Never a password.
    # Only what was typed into a text area, which holds several lines; a password field holds one.
    # And only for a form sent from our own pages: a form on another site, posted here, would otherwise put its
    # text on our page (a phisher's "Ihr Konto wird gesperrt, rufen Sie … an").
    typed = [value for name, value in request.form.items(multi=True)
             if "\n" in value.strip() and name not in SECRET_FIELDS] if _sent_from_here() else []
    html = render_template("errors/error.html", status=400, title=MESSAGES[400][0], typed=typed,
                           message=_l("Das Formular ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu."))
    return html, 400, {"Cache-Control": "no-store"}


SECRET_FIELDS = {"csrf_token", "password", "current", "confirm"}


def _sent_from_here() -> bool:
    """Whether the browser says the form came from one of our pages (Origin, else Referer)."""
    here = request.host_url.rstrip("/")
    origin = request.headers.get("Origin")
    if origin:
        return origin == here
    referrer = request.headers.get("Referer", "")
    return referrer == here or referrer.startswith(here + "/")


def _database_unavailable(error: Exception):
    log.error("Database unavailable: %s", error)
    db.session.rollback()
    # A page of its own, rendered without the context processors: the layout, the user loader and the
    # language of a signed-in person would all ask the database again. The page is German by design.
    with force_locale("de"):
        title, message = (str(text) for text in MESSAGES[503])
    html = current_app.jinja_env.get_template("errors/unavailable.html").render(title=title, message=message)
    return html, 503, {"Retry-After": "30"}


def _unexpected(error: Exception):
    log.exception("Unhandled error")
    db.session.rollback()
    return error_page(500)


LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


def configure_logging() -> None:
    """Write qualify.* records from INFO up to standard error with time, level and pid, once per process.

    Only where nobody set up logging before: under pytest, after an earlier create_app() in this process or an
    operator's own setup the root logger has a handler already, and a second one would double each line.
    Other libraries stay at WARNING (fontTools logs a dozen INFO lines per certificate it subsets); the
    development server's request lines (werkzeug) stay at INFO.
    """
    if logging.root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.root.addHandler(handler)
    logging.getLogger("qualify").setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    """Register the error handlers; give the app's log lines a handler (gunicorn gives them none)."""
    configure_logging()
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    for outage in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(outage, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)
