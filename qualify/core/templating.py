"""What every template can use: the navigation for the person's roles, dates, the language."""

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup


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
    NavItem("admin.users", _l("Verwaltung"), ("admin",)),
)


def navigation_for(user) -> list[NavItem]:
    """Return the navigation entries this user may use."""
    if not user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    return [item for item in NAVIGATION
            if item.endpoint in endpoints and (not item.roles or user.has_any_role(*item.roles))]


# The rendered main navigation per roles, language and page: the same for everyone with the same roles,
# and a dozen links and labels that every page would otherwise build again.
_NAVIGATION_HTML: dict[tuple, Markup] = {}


def main_navigation() -> Markup:
    """Return the main navigation of the signed-in person as HTML."""
    language, endpoint = str(get_locale() or "de"), request.endpoint
    key = (frozenset(current_user.roles), language, endpoint)
    html = _NAVIGATION_HTML.get(key)
    if html is None:
        template = current_app.jinja_env.get_template("_main_nav.html")
        html = Markup(template.render(navigation=navigation_for(current_user), current_endpoint=endpoint))  # noqa: S704
        if len(_NAVIGATION_HTML) >= 5_000:
            _NAVIGATION_HTML.clear()
        _NAVIGATION_HTML[key] = html
    return html


def _template_context() -> dict:
    return {
        "main_navigation": main_navigation,
        "current_language": str(get_locale() or "de"),
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
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
