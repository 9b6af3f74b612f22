"""Generic error pages that reveal nothing about the internals."""

import inspect
import logging
from functools import cache

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from wtforms import HiddenField, PasswordField, TextAreaField
from wtforms.fields.core import UnboundField

from qualify.core.i18n import device_locale
from qualify.core.security import is_safe_redirect
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


# A form sent by someone whose sign-in ended in the meantime (the session cookie gone overnight, signed out in
# another tab): plain words for the persona, not "Ungültige Anfrage".
SIGNED_OUT = (_l("Ihre Anmeldung ist abgelaufen"),
              _l("Das Formular wurde nicht gesendet, weil Sie inzwischen abgemeldet sind."))
FORM_EXPIRED = _l("Das Formular ist abgelaufen oder ungültig.")
FORM_EXPIRED_RELOAD = _l("Das Formular ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu.")

# Flask-WTF's reasons (it gives no codes) that mean the session holding the token is gone or was replaced – not a
# form that never carried a token, nor a forged one.
SESSION_GONE = {"The CSRF session token is missing.", "The CSRF tokens do not match.", "The CSRF token has expired."}
# Forms a guest sends: expired there, no sign-in was lost.
GUEST_FORMS = {"accounts.login", "accounts.forgot_password", "accounts.reset_password", "home.set_language"}


def _csrf_error(error: CSRFError):
    typed = typed_texts()
    if not current_user.is_authenticated and error.description in SESSION_GONE \
            and request.endpoint not in GUEST_FORMS:
        return signed_out_page(400, typed)
    # With text to rescue, reloading first would lose it: the box says to copy it, then reload.
    html = render_template("errors/error.html", status=400, title=MESSAGES[400][0], typed=typed,
                           message=FORM_EXPIRED if typed else FORM_EXPIRED_RELOAD)
    return html, 400, {"Cache-Control": "no-store"}


def signed_out_page(status: int, typed: list[str]):
    """The page for a form sent after the sender's sign-in ended: what they typed, to copy, and a link to sign in
    again that leads back to the page the form was on."""
    title, message = SIGNED_OUT
    sign_in_url = url_for("accounts.login", next=_page_sent_from())
    html = render_template("errors/error.html", status=status, title=title, message=message, typed=typed,
                           sign_in_url=sign_in_url)
    return html, status, {"Cache-Control": "no-store"}


# What a refused form shows back: the text typed into its free-text fields, to copy, so that nothing written is
# lost. Never a password, a token or a hidden value.
SECRET_FIELDS = {"csrf_token", "password", "current", "confirm"}
SECRET_WORDS = ("password", "passwort", "token", "csrf", "secret")
# Text areas written straight into templates rather than declared in a form class.
TEMPLATE_TEXT_AREAS = {"comment"}
# One-line fields whose text is worth keeping too: the title of a new conversation goes with its first post.
TITLE_FIELDS = {"title"}
MIN_TYPED_LENGTH = 3  # a letter or two is quicker typed again than copied


def typed_texts() -> list[str]:
    """The free text typed into the form of this request, to show back to its sender.

    Only for a form sent from our own pages: a form on another site, posted here, would otherwise put its text on
    our page (a phisher's "Ihr Konto wird gesperrt, rufen Sie … an").
    """
    if not _sent_from_here():
        return []
    text_areas, concealed = _declared_fields()
    return [value for name, value in request.form.items(multi=True)
            if not _is_secret(name) and name not in concealed and _is_free_text(name, value, text_areas)]


def _is_secret(name: str) -> bool:
    return name in SECRET_FIELDS or any(word in name.lower() for word in SECRET_WORDS)


def _is_free_text(name: str, value: str, text_areas: set[str]) -> bool:
    # A line break can only come from a text area (a one-line input drops it); most replies on a phone are one
    # paragraph, though, so a text area's text counts without one.
    text = value.strip()
    return "\n" in text or (name in text_areas and len(text) >= MIN_TYPED_LENGTH)


@cache  # the forms are all declared once the app is created
def _declared_fields() -> tuple[frozenset[str], frozenset[str]]:
    """The names of the text areas, and of the hidden and password fields, that our forms declare.

    A name that is hidden or a password in any form is never shown back, even where another form uses it for
    a text area: a hidden field carries what the page put there (a fingerprint, a token), never what was typed.
    """
    text_areas, concealed = set(TEMPLATE_TEXT_AREAS) | TITLE_FIELDS, set()
    for form_class in _subclasses(FlaskForm):
        for name, field in inspect.getmembers(form_class, lambda member: isinstance(member, UnboundField)):
            if issubclass(field.field_class, TextAreaField):
                text_areas.add(name)
            elif issubclass(field.field_class, HiddenField | PasswordField):
                concealed.add(name)
    return frozenset(text_areas), frozenset(concealed)


def _subclasses(cls: type) -> list[type]:
    found = []
    for subclass in cls.__subclasses__():
        found += [subclass, *_subclasses(subclass)]
    return found


def _page_sent_from() -> str | None:
    """The path of our page the form was on (to return to after signing in again), if the browser tells it."""
    here = request.host_url.rstrip("/")
    referrer = request.headers.get("Referer", "")
    if referrer.startswith(here + "/") and is_safe_redirect(referrer[len(here):]):
        return referrer[len(here):]
    # No referrer: the address the form was sent to is the page itself, if it can be shown.
    if request.url_rule is not None and "GET" in request.url_rule.methods:
        return request.path
    return None


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
    # language of a signed-in person would all ask the database again. The device's language asks nothing.
    locale = device_locale()
    with force_locale(locale):
        title, message = (str(text) for text in MESSAGES[503])
    html = current_app.jinja_env.get_template("errors/unavailable.html").render(
        title=title, message=message, language=locale.split("_")[0])  # en_GB: lang="en"
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
