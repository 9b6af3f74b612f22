"""What every template can use: the navigation for the person's roles, dates, the language."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: tuple[str, ...] = ()  # empty: everybody signed in


# Items whose endpoint does not exist yet (a feature not installed) are left out.
NAVIGATION = (
    NavItem("home.index", _l("Start")),
    NavItem("courses.catalogue_page", _l("Kurse")),
    NavItem("learning.dashboard", _l("Mein Lernen")),
    NavItem("workshops.mine", _l("Meine Termine")),
    NavItem("exchange.spaces", _l("Austausch")),
    NavItem("authoring.index", _l("Kurse bearbeiten"), ("trainer", "admin")),
    NavItem("exchange.moderation_queue", _l("Moderation"), ("moderator",)),
    NavItem("reports.participation", _l("Beteiligung"), ("works_council", "coordinator")),
    NavItem("admin.users", _l("Verwaltung"), ("admin", "org_admin")),
)


# Counts beside a navigation entry – how much waits there for the person –, by endpoint: functions of the person
# that features register with nav_count, asked only for those who see the entry. Each costs its statement on every
# page of those people: keep them to one cheap count.
NAV_COUNTS: dict[str, Callable[[object], int]] = {}


def nav_count(endpoint: str):
    """Register a function of the signed-in person whose number shows beside the navigation entry `endpoint`."""
    def register(count: Callable[[object], int]):
        NAV_COUNTS[endpoint] = count
        return count
    return register


def navigation_for(user) -> tuple[NavItem, ...]:
    """Return the navigation entries this user may use."""
    if not user.is_authenticated:
        return ()
    roles = frozenset(user.roles)
    # The same for everyone with the same roles, and the app's endpoints do not change once it serves: worked out
    # once per role set and app instead of on every page.
    by_roles = current_app.extensions.setdefault("qualify.navigation", {})
    if roles not in by_roles:
        endpoints = current_app.view_functions
        by_roles[roles] = tuple(item for item in NAVIGATION
                                if item.endpoint in endpoints and (not item.roles or user.has_any_role(*item.roles)))
    return by_roles[roles]


class RenderedParts:
    """Parts of pages rendered once per worker and kept under a key of everything they show.

    The key must change whenever what the part shows changes (a row's `updated_at`, a count, the language),
    and is read from the database on each request: then no reader ever sees a stale part, whichever worker
    made the change. Bounded: when full, it starts afresh.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self._parts: dict[tuple, Markup] = {}

    def get(self, key: tuple, render: Callable[[], str]) -> Markup:
        """Return the part kept under `key`, rendering it with `render()` (a template of ours) if needed."""
        part = self._parts.get(key)
        if part is None:
            part = Markup(render())  # noqa: S704 (rendered by our templates, which escape like every page)
            if len(self._parts) >= self.limit:
                self._parts.clear()
            self._parts[key] = part
        return part


# The same for everyone with the same roles; a dozen links and labels every page would otherwise build.
_NAVIGATIONS = RenderedParts(limit=5_000)


def _counts_for(navigation: tuple[NavItem, ...]) -> tuple[tuple[str, int], ...]:
    counts = []
    for item in navigation:
        if (count := NAV_COUNTS.get(item.endpoint)) is None:
            continue
        try:
            number = count(current_user)
        except SQLAlchemyError:  # an error page after a failed statement: the navigation without its counts
            log.exception("the count beside %s could not be read", item.endpoint)
            continue
        if number:
            counts.append((item.endpoint, number))
    return tuple(counts)


def main_navigation() -> Markup:
    """Return the main navigation of the signed-in person as HTML."""
    endpoint = request.endpoint
    navigation = navigation_for(current_user)
    counts = _counts_for(navigation) if any(item.endpoint in NAV_COUNTS for item in navigation) else ()
    key = (frozenset(current_user.roles), str(get_locale() or "de"), endpoint, counts)
    return _NAVIGATIONS.get(key, lambda: current_app.jinja_env.get_template("_main_nav.html").render(
        navigation=navigation, current_endpoint=endpoint, counts=dict(counts)))


def page_language() -> str:
    """The language of the page, as its <html lang> says: "de", or "en" for en_GB."""
    locale = get_locale()
    return locale.language if locale else "de"


def content_lang(language: str | None) -> Markup:
    """Return ` lang="de"` for content written in another language than the page, else nothing.

    Courses are written in their own language (almost always German), whichever language the person reads the
    interface in: a title in German on an English page must say so, or screen readers speak it with an English
    voice (WCAG 3.1.2). A German page stays free of attributes that repeat its own language.
    Use as `<h1{{ content_lang(course.language) }}>`.
    """
    language = language or "de"
    return Markup("") if language == page_language() else Markup(' lang="%s"') % language


def page_to_return_to() -> str:
    """Where the language switch leads back to: this page – or, on the answer to a form that came back with an
    error (an address only the form's POST reaches), the page the form was sent from."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    sent_from = urlsplit(request.referrer or "")
    if sent_from.netloc == request.host and sent_from.path.startswith("/"):
        return sent_from.path + (f"?{sent_from.query}" if sent_from.query else "")
    return url_for("home.index")


def content_lang_attributes(language: str | None) -> dict[str, str]:
    """content_lang for what WTForms renders, such as a course's title as an option: `SelectChoice(course.id,
    course.title, render_kw=content_lang_attributes(course.language))`."""
    language = language or "de"
    return {} if language == page_language() else {"lang": language}


def in_language(text, language: str | None) -> Markup:
    """Return the text, in a span of its language if that differs from the page's: for content within a sentence
    of the interface, as in `_("Weiter mit: %(title)s", title=module.title|in_language(course.language))`."""
    attribute = content_lang(language)
    return Markup("<span{}>{}</span>").format(attribute, text) if attribute else escape(text)


def duration_words(minutes: int) -> str:
    """Say how long in words a learner reads at a glance: "45 Minuten", "1 Stunde", "4½ Stunden" (to the half hour
    from an hour on; "260 Minuten" made people count)."""
    if minutes < 60:
        return ngettext("%(num)d Minute", "%(num)d Minuten", minutes)
    halves = round(minutes / 30)
    whole, half = divmod(halves, 2)
    if not half:
        return ngettext("%(num)d Stunde", "%(num)d Stunden", whole)
    return ngettext("%(hours)s Stunde", "%(hours)s Stunden", 2, hours=f"{whole}½")


def _template_context() -> dict:
    return {
        "main_navigation": main_navigation,
        "current_language": page_language(),
        "current_endpoint": request.endpoint,
        "has_endpoint": lambda endpoint: endpoint in current_app.view_functions,
    }


# Links built by templates, per process. The URL map does not change while the process runs, so the same
# endpoint and values always give the same path under the same script root; a page builds ten to forty.
_BUILT_URLS: dict[tuple, str] = {}
_BUILT_URLS_LIMIT = 50_000


def template_url_for(endpoint: str, **values) -> str:
    """Build a URL like Flask's url_for, remembering relative links that depend only on their arguments."""
    if endpoint.startswith(".") or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)  # relative to the blueprint, external, anchored: build each time
    try:
        key = (request.script_root, endpoint, *sorted(values.items()))
        url = _BUILT_URLS.get(key)
    except TypeError:  # an unhashable value, such as a list of query arguments
        return url_for(endpoint, **values)
    if url is None:
        url = url_for(endpoint, **values)
        if len(_BUILT_URLS) >= _BUILT_URLS_LIMIT:
            _BUILT_URLS.clear()
        _BUILT_URLS[key] = url
    return url


def init_app(app: Flask) -> None:
    """Install the context processor and Jinja settings."""
    app.context_processor(_template_context)
    app.jinja_env.globals["url_for"] = template_url_for
    app.jinja_env.globals["content_lang"] = content_lang
    app.jinja_env.globals["content_lang_attributes"] = content_lang_attributes
    app.jinja_env.globals["page_to_return_to"] = page_to_return_to
    app.jinja_env.filters["in_language"] = in_language
    app.jinja_env.filters["duration"] = duration_words
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
