"""What every template can use: the navigation for the person's roles, dates, the language."""

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user


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


def _template_context() -> dict:
    return {
        "navigation": navigation_for(current_user),
        "current_language": str(get_locale() or "de"),
        "current_endpoint": request.endpoint,
        "has_endpoint": lambda endpoint: endpoint in current_app.view_functions,
    }


def init_app(app: Flask) -> None:
    """Install the context processor and Jinja settings."""
    app.context_processor(_template_context)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
