"""Language and time zone: German first, English second."""

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup
from sqlalchemy import inspect as sa_inspect

from qualify.extensions import babel

# The locale that writes dates, times and numbers for each language a person can choose. English readers here
# work in Germany: British English writes "30 Nov 2026, 14:00", American English "Nov 30, 2026, 2:00 PM".
# The translations are found under the language ("en_GB" falls back to "en").
LOCALES = {"de": "de", "en": "en_GB"}


LANGUAGE_COOKIE = "lang"  # the language of the device, for pages shown to nobody signed in
# The language a guest just chose (on the sign-in page, say): signing in within the hour makes it theirs. The
# device's own cookie cannot tell: it also follows the language of whoever signed in on it last.
CHOSEN_COOKIE = "lang_chosen"
CHOSEN_FOR_SECONDS = 3600


def locale_for(language: str | None) -> str:
    """The locale for a person's language setting (None or unknown: German)."""
    return LOCALES.get(language or "de", "de")


def select_locale() -> str:
    """Use the profile's language, else a language cookie, else the browser's preference, else German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and scheduler: German unless force_locale says otherwise
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return locale_for(current_user.language)
    return device_locale()


def device_locale() -> str:
    """The language this device asked for (the cookie, else the browser), without asking the database who is
    signed in: the cookie follows the signed-in person's setting (see remember_language)."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return locale_for(chosen)
    return locale_for(request.accept_languages.best_match(languages))


def remember_language(response, language: str):
    """Keep the language on this device, for pages shown to nobody signed in (after signing out, say)."""
    if language in current_app.config["LANGUAGES"] and request.cookies.get(LANGUAGE_COOKIE) != language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def remember_choice(response, language: str):
    """Keep a guest's choice of language for the sign-in that may follow (see chosen_before_sign_in)."""
    response.set_cookie(CHOSEN_COOKIE, language, max_age=CHOSEN_FOR_SECONDS, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def chosen_before_sign_in() -> str | None:
    """The language chosen on this device shortly before signing in, if any."""
    chosen = request.cookies.get(CHOSEN_COOKIE)
    return chosen if chosen in current_app.config["LANGUAGES"] else None


def _remember_the_signed_in_language(response):
    # Only where the page already read who is signed in (Flask-Login keeps them in g), and only their language
    # as read then: asking here would cost a query – pages that never need to know who it is (the health checks),
    # and pages that committed, after which the person's row would be read again.
    state = sa_inspect(g.get("_login_user"), raiseerr=False)  # None: nobody signed in (not a mapped object)
    language = state.dict.get("language") if state is not None else None
    if language:
        remember_language(response, language)
    return response


# The catalogue of each language, loaded once per process like Flask-Babel's own cache. Templates call _()
# a hundred times per page; Flask-Babel's lookup per call (domain, locale, identifier) costs about 15 µs.
_CATALOGUES: dict = {}


def _catalogue():
    locale = get_locale()  # honours force_locale, so mails in another language stay right
    catalogue = _CATALOGUES.get(locale)
    if catalogue is None:
        catalogue = get_translations()
        if locale is not None:
            _CATALOGUES[locale] = catalogue
    return catalogue


def _formatted(eval_ctx, text: str, variables: dict) -> str:
    if eval_ctx.autoescape:  # HTML templates: the variables are escaped, the translation is trusted
        text = Markup(text)  # noqa: S704 (translations are ours, reviewed like templates)
    # As in Jinja's newstyle gettext, the text is always a format string ("%%" is a percent sign).
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_gettext(eval_ctx, string: str, /, **variables) -> str:
    return _formatted(eval_ctx, _catalogue().ugettext(string), variables)


@pass_eval_context
def _template_pgettext(eval_ctx, context: str, string: str, /, **variables) -> str:
    """A word whose English depends on where it stands ("Von": from a date, by a person)."""
    return _formatted(eval_ctx, _catalogue().upgettext(context, string), variables)


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    return _formatted(eval_ctx, _catalogue().ungettext(singular, plural, num), variables)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector and add date filters."""
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_the_signed_in_language)
    app.jinja_env.install_gettext_callables(gettext=_template_gettext, ngettext=_template_ngettext, newstyle=True,
                                            pgettext=_template_pgettext)
    # Jinja's newstyle wrappers (and the `_` alias) go through three context calls per string; ours through
    # one, which halves what a page with fifty strings spends on translating them. Same results.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext,
                                 pgettext=_template_pgettext)
    app.jinja_env.filters["datetime"] = localised_datetime
    app.jinja_env.filters["date_only"] = localised_date
    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["quoted"] = lambda texts: quoted(*texts)  # a list: {{ names|quoted }}
    app.jinja_env.filters["percent"] = percent


def percent(value) -> str:
    """A share in per cent (70 → "70 %" in German, "70%" in English), rounded to whole per cent."""
    return format_percent(value / 100)


# Quotation marks as each language writes them: „so“ in German, “so” in English.
_QUOTES = {"de": ("„", "“"), "en": ("“", "”")}


def quoted(*texts: str) -> str:
    """Each text in the quotation marks of the reader's language, separated by commas."""
    opening, closing = _QUOTES.get(get_locale().language if get_locale() else "de", _QUOTES["de"])
    return ", ".join(f"{opening}{text}{closing}" for text in texts)


# Short dates in digits read differently on either side of the Atlantic (12/01/2027: 12 January or 1 December),
# so in English the month is spelled: "12 Jan 2027, 14:00". German short dates stay as they are (12.01.27).
_SPELLED_SHORT = {"en": ("d MMM y", "d MMM y, HH:mm")}


def _pattern(fmt: str, kind: int) -> str:
    if fmt == "short":
        locale = get_locale()
        spelled = _SPELLED_SHORT.get(locale.language) if locale is not None else None
        if spelled:
            return spelled[kind]
    return fmt


def localised_datetime(value, fmt: str = "medium") -> str:
    return format_datetime(value, _pattern(fmt, 1)) if value else ""


def localised_date(value, fmt: str = "medium") -> str:
    return format_date(value, _pattern(fmt, 0)) if value else ""


def _number(value) -> str:
    """Write a number in the reader's language: "120", "3,6" in German; text that is no number stays as it is."""
    try:
        return format_decimal(float(value))
    except (TypeError, ValueError):
        return "" if value is None else str(value)
