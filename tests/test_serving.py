"""Serving: /readyz follows the database and its migrations; ProxyFix when configured; `qualify serve`."""

import shlex
from datetime import timedelta
from types import SimpleNamespace

import pytest
from alembic.script import ScriptDirectory
from flask import request, url_for
from flask_migrate import stamp, upgrade
from sqlalchemy import text
from werkzeug.routing import Map
from werkzeug.test import EnvironBuilder

from qualify import config, create_app
from qualify.cli import cli
from qualify.core import serve
from qualify.core.routing import LazyBuildRule
from qualify.extensions import db

STOPPED_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/qualify?connect_timeout=2"
RUN_GUNICORN = serve.run_gunicorn  # the real one; `serving` replaces it


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
    assert response.json == {"status": "ready", "database": "ok", "schema": "current"}


def test_readyz_names_no_revision(fresh_app):
    # Whoever reaches the port (a misconfigured proxy, the monitoring) learns whether the server is ready, not
    # which release runs: the ids are on the server, `q db current`.
    upgrade()
    script = ScriptDirectory(fresh_app.extensions["migrate"].directory)
    answer = fresh_app.test_client().get("/readyz", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert "revision" not in answer.json and "head" not in answer.json
    assert script.get_current_head() not in answer.text


def test_readyz_is_503_behind_head_and_recovers_after_upgrade(fresh_app):
    script = ScriptDirectory(fresh_app.extensions["migrate"].directory)
    head = script.get_revision(script.get_current_head())
    upgrade()
    stamp(revision=head.down_revision)
    client = fresh_app.test_client()
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json == {"status": "not ready", "database": "ok", "schema": "older than this code"}
    stamp(revision="head")
    assert client.get("/readyz").status_code == 200


def test_readyz_stays_200_when_newer_code_migrated_the_database(fresh_app):
    # A rolling upgrade: `qualify db upgrade` ran from a server with the new release; this one, still on the old
    # code, keeps serving until its turn to restart instead of dropping out with all the others.
    upgrade()
    db.session.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed0001'"))
    db.session.commit()
    response = fresh_app.test_client().get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == {"status": "ready", "database": "ok", "schema": "newer than this code"}


def test_readyz_is_503_on_a_database_never_migrated_and_recovers_without_restart(tmp_path):
    # The same app, first on a database that cannot be opened, then once it exists and is migrated.
    folder = tmp_path / "later"
    app = make_app(tmp_path, f"sqlite:///{folder / 'qualify.sqlite'}")
    client = app.test_client()
    assert client.get("/readyz").status_code == 503
    folder.mkdir()
    never_migrated = client.get("/readyz")  # reachable now, but without any schema
    assert never_migrated.status_code == 503
    assert never_migrated.json == {"status": "not ready", "database": "ok", "schema": "not migrated"}
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


@pytest.mark.parametrize(("forwarded_for", "forwarded_proto", "client", "scheme"), [
    # Load balancer, then nginx, each appending: the address the balancer saw is second from the right.
    ("203.0.113.7, 10.0.0.2", "https, http", "203.0.113.7", "https"),
    # Whatever the client sent itself stands further left and is never used.
    ("198.51.100.66, 203.0.113.7, 10.0.0.2", "https, http", "203.0.113.7", "https"),
    # nginx overwriting with $remote_addr leaves one value: ignored, and everybody shares nginx's address.
    ("10.0.0.2", "http", "10.0.0.5", "http"),
])
def test_behind_two_proxies_each_must_append(tmp_path, forwarded_for, forwarded_proto, client, scheme):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'p.sqlite'}", PROXY_FIX=2)
    seen = []
    app.before_request(lambda: seen.append((request.remote_addr, request.scheme)))
    app.test_client().get("/healthz", headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": forwarded_proto},
                          environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert seen == [(client, scheme)]


def test_access_log_shows_the_trusted_client_and_keeps_each_field_one_token(tmp_path):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger, SafeAtoms

    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'log.sqlite'}", PROXY_FIX=1)
    headers = {"X-Forwarded-For": "198.51.100.66, 203.0.113.7", "User-Agent": 'Mozilla/5.0 "Tablet"'}
    environ = EnvironBuilder(path="/healthz", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.5"}).get_environ()
    environ["RAW_URI"] = "/healthz"
    app.wsgi_app(environ, lambda *_: None)  # ProxyFix rewrites REMOTE_ADDR in this environ, which gunicorn logs
    response = SimpleNamespace(status="200 OK", sent=16, headers=[])
    request_headers = SimpleNamespace(headers=[(name.upper(), value) for name, value in headers.items()])
    atoms = Logger(Config()).atoms(response, request_headers, environ, timedelta(milliseconds=3))
    fields = shlex.split(serve.ACCESS_LOG_FORMAT % SafeAtoms(atoms))
    assert fields[:2] == ["203.0.113.7", "198.51.100.66, 203.0.113.7"]
    assert fields[4:] == ["GET /healthz HTTP/1.1", "200", "16", "-", 'Mozilla/5.0 "Tablet"', "0.003000"]


def test_bench_route_exists_only_when_benchmarking(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    assert make_app(tmp_path, url).test_client().get("/bench/hello").status_code == 404
    assert make_app(tmp_path, url, BENCH=True).test_client().get("/bench/hello").text == "Hallo Welt"


def test_default_workers_keep_small_machines_at_two():
    assert serve.default_workers(1) == 2
    assert serve.default_workers(2) == 2
    assert serve.default_workers(4) == 9


@pytest.fixture
def serving(monkeypatch, tmp_path, runner):
    """`serving(NAME=value, …)` runs `qualify serve` in that environment, gunicorn left out; returns its options."""
    for name in ("QUALIFY_ENV", "SECRET_KEY", "DATABASE_URL", "QUALIFY_BASE_URL", "MAIL_SENDER", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "INSTANCE_PATH", tmp_path)  # a development key is made here, not in the checkout
    started = {}
    monkeypatch.setattr(serve, "run_gunicorn", lambda factory, options: started.update(options))

    def run(*arguments, **environment):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runner.invoke(cli, ["serve", *arguments]), started

    return run


PRODUCTION = {"QUALIFY_ENV": "production", "SECRET_KEY": "s", "DATABASE_URL": "postgresql://qualify@db/qualify",
              "QUALIFY_BASE_URL": "https://qualify.example.org", "MAIL_SENDER": "qualify@example.org"}


def test_serve_passes_its_options_to_gunicorn(serving):
    result, started = serving("--workers", "3", "--bind", "0.0.0.0:9000", "--threads", "4")
    assert result.exit_code == 0, result.output
    assert started["workers"] == 3 and started["bind"] == "0.0.0.0:9000"
    assert started["worker_class"] == "gthread"
    assert "x-forwarded-for" in started["access_log_format"]


def test_serve_warns_outside_production_that_sign_ins_stay_on_this_server(serving, tmp_path):
    result, started = serving()
    assert result.exit_code == 0 and started
    assert "QUALIFY_ENV is not 'production'" in result.stderr
    assert (tmp_path / "secret_key").exists(), "made once, before the workers could race to make one each"
    result, _ = serving(**PRODUCTION)
    assert result.exit_code == 0 and "Warning" not in result.stderr


def test_serve_in_production_refuses_to_start_without_what_it_needs(serving):
    result, started = serving(**{**PRODUCTION, "DATABASE_URL": "", "MAIL_SENDER": ""})
    assert result.exit_code == 1 and not started
    assert "DATABASE_URL, MAIL_SENDER are not set in production" in result.stderr
    assert "Traceback" not in result.output


def test_a_wrong_web_concurrency_is_named_with_its_value(serving):
    result, started = serving(WEB_CONCURRENCY="auto")
    assert result.exit_code != 0 and not started
    assert "WEB_CONCURRENCY must be a whole number" in result.stderr and "'auto'" in result.stderr
    assert serving(WEB_CONCURRENCY="7")[1]["workers"] == 7


def test_two_servers_on_one_host_share_no_gunicorn_control_socket(monkeypatch, serving):
    from gunicorn.app.base import BaseApplication

    _, started = serving()
    settings = {}
    monkeypatch.setattr(BaseApplication, "run", lambda application: settings.update(cfg=application.cfg))
    RUN_GUNICORN(lambda: None, started)
    cfg = settings["cfg"]
    assert cfg.workers == started["workers"] and cfg.access_log_format == serve.ACCESS_LOG_FORMAT
    if "control_socket_disable" in cfg.settings:  # gunicorn 25.1 and later
        assert cfg.control_socket_disable


def test_a_web_worker_starts_without_what_only_some_requests_need(tmp_path):
    # Cold start: migrations, calendar files, YAML, Markdown, PDF, e-mail checks and holidays load on first use.
    import subprocess
    import sys

    code = ("import sys, qualify; qualify.create_app(); "
            "print(sorted(m for m in ('alembic', 'flask_migrate', 'icalendar', 'yaml', 'markdown_it', 'fpdf', "
            "'email_validator', 'holidays') if m in sys.modules))")
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
