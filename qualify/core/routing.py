"""Routes: views registered from a table of routes, and URL rules that compile their link builders on first use."""

from collections.abc import Iterable

from flask import Blueprint, request
from flask_login import login_required
from werkzeug.routing import IntegerConverter, Rule

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")


def add_signed_in_routes(blueprint: Blueprint, routes: Iterable[tuple]) -> None:
    """Register (rule, view, methods) rows; each view is named after its function and needs a signed-in person.

    The views check the object they are about themselves (who may moderate this space, lead this session).
    """
    for rule, view, methods in routes:
        blueprint.add_url_rule(rule, view.__name__, login_required(view), methods=list(methods))


class LazyBuildRule(Rule):
    """A werkzeug Rule whose two URL builders are compiled on first use.

    Werkzeug writes and compiles two Python functions per rule as the rule is added (one third of
    `create_app()` with our 120 routes), though a process builds links to only some of them: a CLI command or
    the scheduler to none, a worker to those its pages link to. Matching requests is unchanged.
    """

    def _compile_builder(self, append_unknown: bool = True):
        compile_builder = super()._compile_builder
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: Rule, **values):
            # Two threads may both get here first; both compile the same function, and either result is right.
            builder = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(**values)

        return build_on_first_use


# The largest id a database takes as a parameter (BIGINT; SQLite refuses larger Python ints with an error).
MAX_ID = 2**63 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in our routes: a number that fits a database id, so /kurse/99999999999999999999 is a 404.

    Werkzeug's own accepts any length, and the database refused the number with an error page (500).
    """

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_argument(value: str | None) -> int | None:
    """A query string's id (?zitat=12) as a number the database takes, else None."""
    return int(value) if value and value.isascii() and value.isdecimal() and int(value) <= MAX_ID else None


MAX_PAGE = 100_000


def page_number() -> int:
    """Read ?seite= (1 and up), bounded so that no offset can overflow the database's integers."""
    return min(max(request.args.get("seite", 1, type=int), 1), MAX_PAGE)
