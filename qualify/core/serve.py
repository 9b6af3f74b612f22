"""Serving in production: gunicorn workers behind a reverse proxy, and what the app trusts of that proxy."""

import os
from collections.abc import Callable

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from qualify.config import Config, ConfigError, env_int, finalise

# Combined log format plus X-Forwarded-For and the time taken in seconds. %(h)s is REMOTE_ADDR after ProxyFix
# rewrote it: the client address the app trusts (the proxy's own with QUALIFY_PROXY_FIX=0). X-Forwarded-For
# is the whole list as received, "client, proxy, …", quoted so that it stays one field.
# No user, no session, no cookie: an access log must not become a record of who read what.
ACCESS_LOG_FORMAT = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)s'


def default_workers(cores: int | None = None) -> int:
    """Return 2 × cores + 1 workers; 2 on a small machine (two cores or fewer) that runs the database too."""
    cores = cores or os.cpu_count() or 1
    return 2 if cores <= 2 else 2 * cores + 1


def init_app(app: Flask) -> None:
    """Trust the configured number of reverse proxies; add the bench's hello-world route when benchmarking."""
    proxies = app.config.get("PROXY_FIX", 0)
    if proxies:
        # Each proxy appends to X-Forwarded-For and sets the others; only the last `proxies` values count.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if app.config.get("BENCH"):
        app.add_url_rule("/bench/hello", "bench_hello", _hello)


def _hello():
    """Answer with a constant: the ceiling of the bench, through the same app and middleware."""
    return "Hallo Welt"


def run_gunicorn(factory: Callable[[], Flask], options: dict) -> None:
    """Run gunicorn with these settings; each worker makes its own app (no connection crosses a fork)."""
    from gunicorn.app.base import BaseApplication  # only the serving process needs gunicorn

    class QualifyApplication(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                if key in self.cfg.settings:  # control_socket_disable is new in gunicorn 25.1
                    self.cfg.set(key, value)

        def load(self):
            return factory()

    QualifyApplication().run()


def serve_command(factory: Callable[[], Flask]) -> click.Command:
    """Return the `qualify serve` command, which runs the app made by `factory` under gunicorn."""

    @click.command("serve")
    @click.option("--bind", "-b", default=lambda: os.environ.get("QUALIFY_BIND", "127.0.0.1:8000"),
                  show_default="127.0.0.1:8000 or QUALIFY_BIND",
                  help="Address:port or unix:/path to listen on.")
    @click.option("--workers", "-w", type=click.IntRange(min=1),
                  default=lambda: _from_environment(_workers_from_environment),
                  show_default="2 × cores + 1, 2 on two cores or fewer, or WEB_CONCURRENCY",
                  help="Worker processes.")
    @click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Threads per worker (more than 1 uses gthread workers, which keep connections alive).")
    @click.option("--timeout", type=click.IntRange(min=1), default=30, show_default=True,
                  help="Seconds before a silent worker is restarted.")
    @click.option("--access-log", default="-", show_default=True,
                  help="File for the access log, '-' for standard output, '' for none.")
    @click.option("--access-log-format", default=ACCESS_LOG_FORMAT, show_default=True,
                  help="gunicorn access-log format.")
    @click.option("--max-requests", type=click.IntRange(min=0), default=0, show_default=True,
                  help="Restart a worker after this many requests (0: never); jittered by 10 %.")
    def serve(bind, workers, threads, timeout, access_log, access_log_format, max_requests):
        """Serve the app under gunicorn (production); the scheduler runs separately: `qualify scheduler`."""
        config = _from_environment(check_configuration)
        if config["ENV_NAME"] != "production":
            # Development settings on a server: without SECRET_KEY each machine signs with a key of its own, and
            # behind a proxy that spreads requests over several servers people would be signed out at random.
            click.secho("Warning: QUALIFY_ENV is not 'production': development settings (no Secure cookies, no check "
                        "of the variables production needs; without SECRET_KEY a key of this machine's own in "
                        f"{config['INSTANCE_PATH']}/secret_key, so sign-ins do not carry over to other app "
                        "servers). Set QUALIFY_ENV=production on servers, see docs/operations.md.",
                        fg="yellow", err=True)
        options = {
            "bind": bind, "workers": workers, "threads": threads, "timeout": timeout,
            "worker_class": "gthread" if threads > 1 else "sync",
            "accesslog": access_log or None, "access_log_format": access_log_format,
            "errorlog": "-", "max_requests": max_requests, "max_requests_jitter": max_requests // 10,
            "proc_name": "qualify", "preload_app": False,
            # gunicorn ≥ 25.1 opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl): two
            # servers on one host shared it, and stopping one removed it for the other. Nothing here uses it.
            "control_socket_disable": True,
        }
        run_gunicorn(factory, options)

    return serve


def check_configuration() -> dict:
    """Check the environment once, before gunicorn starts, and return the finished settings.

    Every worker would otherwise fail to boot with the same traceback. In development this also creates
    instance/secret_key before the workers, which would race to create one each.
    """
    config = vars(Config())
    finalise(config)
    return config


def _workers_from_environment() -> int:
    return env_int("WEB_CONCURRENCY", default_workers(), minimum=1)


def _from_environment(read):
    # A wrong setting ends the command with its message, not a traceback.
    try:
        return read()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
