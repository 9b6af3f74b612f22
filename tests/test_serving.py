"""Serving: /readyz follows the database and its migrations; ProxyFix when configured; `qualify serve`."""

import pytest
from alembic.script import ScriptDirectory
from flask import request, url_for
from flask_migrate import stamp, upgrade
from werkzeug.routing import Map

from qualify import create_app
from qualify.cli import cli
from qualify.core import serve
from qualify.core.routing import LazyBuildRule
from qualify.extensions import db

STOPPED_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/qualify?connect_timeout=2"


def make_app(tmp_path, url: str, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                       "INSTANCE_PATH": str(tmp_path), **config})


@pytest.fixture
def fresh_app(tmp_path):
    """An app on a database of its own, empty until a test migrates it."""
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'ready.sqlite'}")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_healthz_answers_without_a_database(tmp_path):
    app = make_app(tmp_path, STOPPED_POSTGRES)
    assert app.test_client().get("/healthz").json == {"status": "ok"}


def test_readyz_is_503_when_the_database_is_down(tmp_path):
    app = make_app(tmp_path, STOPPED_POSTGRES)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.is_json
    assert response.json["database"] == "unreachable"


def test_readyz_is_200_at_head(fresh_app):
    upgrade()
    response = fresh_app.test_client().get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["revision"] == response.json["head"]


def test_readyz_is_503_behind_head_and_recovers_after_upgrade(fresh_app):
    script = ScriptDirectory(fresh_app.extensions["migrate"].directory)
    head = script.get_revision(script.get_current_head())
    upgrade()
    stamp(revision=head.down_revision)
    client = fresh_app.test_client()
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json["database"] == "ok" and behind.json["revision"] == head.down_revision
    stamp(revision="head")
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_on_a_database_never_migrated_and_recovers_without_restart(tmp_path):
    # The same app, first on a database that cannot be opened, then once it exists and is migrated.
    folder = tmp_path / "later"
    app = make_app(tmp_path, f"sqlite:///{folder / 'qualify.sqlite'}")
    client = app.test_client()
    assert client.get("/readyz").status_code == 503
    folder.mkdir()
    assert client.get("/readyz").status_code == 503  # reachable now, but without any schema
    with app.app_context():
        upgrade()
        assert client.get("/readyz").status_code == 200
        db.engine.dispose()


def test_proxy_fix_is_off_by_default_and_trusts_the_configured_proxies(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    seen = []

    for proxies, expected in ((0, ("127.0.0.1", "http")), (1, ("203.0.113.7", "https"))):
        app = make_app(tmp_path, url, PROXY_FIX=proxies)
        app.before_request(lambda: seen.append((request.remote_addr, request.scheme)))
        app.test_client().get("/healthz", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert seen.pop() == expected


def test_bench_route_exists_only_when_benchmarking(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    assert make_app(tmp_path, url).test_client().get("/bench/hello").status_code == 404
    assert make_app(tmp_path, url, BENCH=True).test_client().get("/bench/hello").text == "Hallo Welt"


def test_default_workers_keep_small_machines_at_two():
    assert serve.default_workers(1) == 2
    assert serve.default_workers(2) == 2
    assert serve.default_workers(4) == 9


def test_serve_passes_its_options_to_gunicorn(monkeypatch, runner):
    started = {}
    monkeypatch.setattr(serve, "run_gunicorn", lambda factory, options: started.update(options))
    result = runner.invoke(cli, ["serve", "--workers", "3", "--bind", "0.0.0.0:9000", "--threads", "4"])
    assert result.exit_code == 0, result.output
    assert started["workers"] == 3 and started["bind"] == "0.0.0.0:9000"
    assert started["worker_class"] == "gthread"
    assert "x-forwarded-for" in started["access_log_format"]


def test_a_web_worker_starts_without_what_only_some_requests_need(tmp_path):
    # Cold start: migrations, calendar files, YAML, Markdown, PDF and e-mail checks load on first use.
    import subprocess
    import sys

    code = ("import sys, qualify; qualify.create_app(); "
            "print(sorted(m for m in ('alembic', 'flask_migrate', 'icalendar', 'yaml', 'markdown_it', 'fpdf', "
            "'email_validator') if m in sys.modules))")
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'cold.sqlite'}",
           "QUALIFY_INSTANCE_PATH": str(tmp_path)}
    loaded = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_links_are_built_by_rules_compiled_on_first_use(app):
    # Cold start: werkzeug would compile two builder functions for each of the ~120 routes at create_app().
    assert all(isinstance(rule, LazyBuildRule) for rule in app.url_map.iter_rules())
    urls = Map([LazyBuildRule("/termine/<int:session_id>", endpoint="session")]).bind("localhost")
    (rule,) = urls.map.iter_rules()
    assert rule._build_unknown.__name__ == "build_on_first_use"
    assert urls.build("session", {"session_id": 7}) == "/termine/7"
    assert urls.build("session", {"session_id": 7, "tab": "x y"}) == "/termine/7?tab=x+y"
    assert rule._build_unknown.__name__ != "build_on_first_use"  # compiled once, then werkzeug's own
    assert urls.match("/termine/9") == ("session", {"session_id": 9})
    with app.test_request_context():
        assert url_for("workshops.session", session_id=7) == "/termine/7"


def test_migrations_load_on_demand_and_the_command_line_has_them(fresh_app, runner):
    assert fresh_app.extensions["migrate"].directory.endswith("migrations")
    upgrade()  # loads Flask-Migrate into the app on first use
    assert type(fresh_app.extensions["migrate"]).__name__ == "_MigrateConfig"
    assert "db" in cli.commands
