"""Language and time zone: German first, English second."""

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime
from flask_login import current_user

from qualify.extensions import babel


def select_locale() -> str:
    """Use the profile's language, else a language cookie, else the browser's preference, else German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and scheduler: German unless force_locale says otherwise
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "de"


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector and add date filters."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["date_only"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
