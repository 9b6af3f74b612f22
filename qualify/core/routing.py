"""Views kept in a module of their own and registered on their feature's blueprint from a table of routes."""

from collections.abc import Iterable

from flask import Blueprint
from flask_login import login_required

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")


def add_signed_in_routes(blueprint: Blueprint, routes: Iterable[tuple]) -> None:
    """Register (rule, view, methods) rows; each view is named after its function and needs a signed-in person.

    The views check the object they are about themselves (who may moderate this space, lead this session).
    """
    for rule, view, methods in routes:
        blueprint.add_url_rule(rule, view.__name__, login_required(view), methods=list(methods))
