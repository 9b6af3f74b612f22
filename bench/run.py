"""`make bench`: serve the app under gunicorn on the seeded data and measure each page against hello-world.

Environment: SIZE=S|M|L (default M), DURATION seconds per endpoint and round (default 4), ROUNDS (3),
HELLO_DURATION seconds of each hello-world reading, taken before and after every page (DURATION / 2),
WARM_UP seconds per reading page before the rounds (1), CONNECTIONS (32), WORKERS (2),
QUALIFY_BENCH_DATABASE_URL (a PostgreSQL server URL: run there too),
BENCH_DATABASES=sqlite,postgresql to choose, ENDPOINTS=course,module to measure only some pages (hello always).
Writes bench/results.json and prints a table.
"""

import asyncio
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed  # noqa: E402
from bench.client import Connection, Response  # noqa: E402

ROOT = seed.ROOT
RESULTS = ROOT / "bench" / "results.json"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SIZE = os.environ.get("SIZE", "M").upper()
DURATION = float(os.environ.get("DURATION", "4"))
HELLO_DURATION = float(os.environ.get("HELLO_DURATION", str(DURATION / 2)))  # each reading around a page
ROUNDS = int(os.environ.get("ROUNDS", "3"))
WARM_UP = float(os.environ.get("WARM_UP", "1"))  # seconds per reading page before the rounds, not measured
CONNECTIONS = int(os.environ.get("CONNECTIONS", "32"))
WORKERS = int(os.environ.get("WORKERS", "2"))
THREADS = int(os.environ.get("THREADS", "1"))  # above 1: gthread workers (keep-alive, threads per worker)
NOISE_LIMIT = 0.15
# Targets from the issue, as a share of hello-world requests per second in the same run.
TARGETS = {"course": 0.25, "module": 0.25, "quiz_submit": 0.15, "booking": 0.15, "works_council": 0.20}
P99_LIMIT_MS = 200
QUALIFY = [sys.executable, "-c", "from qualify.cli import main; main()"]


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[bench {time.monotonic() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ users

@dataclass
class BenchUser:
    user_id: int
    email: str
    cookie: str = ""
    csrf: str = ""
    courses: list[tuple[str, list[str]]] = field(default_factory=list)  # (course slug, reading module slugs)
    quiz_page: int = 0  # an open attempt, shown again and again
    submits: list[tuple[int, dict]] = field(default_factory=list)  # open attempts with right answers
    quizzes_started: int = 0  # how many quiz modules refill_submits has opened for this user so far
    sessions: list[int] = field(default_factory=list)
    counter: int = 0

    def next(self, items: list):
        self.counter += 1
        return items[self.counter % len(items)]


def _cookie_of(response: Response, current: str) -> str:
    cookies = dict(part.split("=", 1) for part in current.split("; ") if "=" in part)
    for header in response.headers.get_all("set-cookie"):
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


async def sign_in(port: int, user: BenchUser) -> None:
    """Sign in through the real form, then fetch a page for the CSRF token; the cookie is frozen after that."""
    async with Connection("127.0.0.1", port) as connection:
        page = await connection.request("GET", "/anmelden")
        user.cookie = _cookie_of(page, "")
        token = CSRF_FIELD.search(page.text).group(1)
        body = urlencode({"email": user.email, "password": seed.PASSWORD, "csrf_token": token})
        response = await connection.request("POST", "/anmelden", body=body, cookie=user.cookie)
        if response.status != 302 or "/anmelden" in response.headers.get("location", ""):
            raise RuntimeError(f"login of {user.email} failed: {response.status}")
        user.cookie = _cookie_of(response, user.cookie)
        page = await connection.request("GET", "/lernen/", cookie=user.cookie)
        user.cookie = _cookie_of(page, user.cookie)
        user.csrf = CSRF_FIELD.search(page.text).group(1)


# ------------------------------------------------------------------------------------------------ data per user

class Prepared:
    """Reads what each bench user may open from the database, and opens quiz attempts, with the app's code."""

    def __init__(self, url: str):
        from qualify import create_app

        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-prepare"})

    def endpoint_url(self, endpoint: str) -> str | None:
        from flask import url_for

        if endpoint not in self.app.view_functions:
            return None
        with self.app.test_request_context():
            return url_for(endpoint)

    def booking_path(self) -> str | None:
        """Return the booking URL with {} for the session id, or None without the workshops feature."""
        from flask import url_for

        if "workshops.book" not in self.app.view_functions:
            return None
        with self.app.test_request_context():
            return url_for("workshops.book", session_id=987654321).replace("987654321", "{}")

    def fill(self, users: list[BenchUser]) -> None:
        from sqlalchemy import select

        from qualify.courses.models import Course, Module
        from qualify.extensions import db
        from qualify.learning.models import Enrolment

        with self.app.app_context():
            for user in users:
                rows = db.session.execute(
                    select(Course.slug, Module.slug).join(Enrolment, Enrolment.course_id == Course.id)
                    .join(Module, Module.course_id == Course.id)
                    .where(Enrolment.user_id == user.user_id, Module.position < seed.QUIZ_POSITION)
                    .order_by(Course.slug, Module.position)).all()
                by_course: dict[str, list[str]] = {}
                for course_slug, module_slug in rows:
                    by_course.setdefault(course_slug, []).append(module_slug)
                user.courses = list(by_course.items())
            user_sessions = self._session_ids()
            for index, user in enumerate(users):
                user.sessions = user_sessions[index::len(users)] or user_sessions
            page_modules = self._quiz_modules()[-len(users):]
            for user, module_id in zip(users, page_modules, strict=False):
                user.quiz_page = self.open_attempts(user, [module_id])[0][0]

    def _session_ids(self) -> list[int]:
        from sqlalchemy import select

        from qualify.extensions import db

        try:
            from qualify.workshops.models import WorkshopSession
        except ImportError:
            return []
        return list(db.session.scalars(select(WorkshopSession.id).order_by(WorkshopSession.id)))

    def _quiz_modules(self) -> list[int]:
        from sqlalchemy import select

        from qualify.courses.models import Module
        from qualify.extensions import db

        return list(db.session.scalars(select(Module.id).where(Module.position == seed.QUIZ_POSITION)
                                       .order_by(Module.id)))

    def open_attempts(self, user: BenchUser, module_ids: list[int]) -> list[tuple[int, dict]]:
        """Start an attempt at each module's quiz for the user; return (attempt id, right answers as a form)."""
        from qualify.accounts.models import User
        from qualify.courses.models import Module
        from qualify.extensions import db
        from qualify.learning import quiz

        opened = []
        with self.app.app_context():
            person = db.session.get(User, user.user_id)
            for module_id in module_ids:
                attempt = quiz.start_attempt(person, db.session.get(Module, module_id), now=datetime.now(UTC))
                db.session.flush()
                form = {}
                for question in quiz.attempt_questions(attempt):
                    right = max(range(len(question["answers"])),
                                key=lambda i, q=question: q["answers"][i].get("fraction", 0))
                    form[f"q-{question['key']}"] = quiz.option_id(attempt, question["key"], right)
                opened.append((attempt.id, form))
            db.session.commit()
        return opened

    def refill_submits(self, users: list[BenchUser], per_user: int) -> None:
        """Top up each user's open attempts to per_user, on quiz modules the user has not started here yet.

        Attempts left over from the last round are kept: opening attempts through the app takes a while, and
        a round used only about half of them.
        """
        with self.app.app_context():
            modules = self._quiz_modules()[: -len(users)] or self._quiz_modules()
        for index, user in enumerate(users):
            missing = min(per_user, len(modules)) - len(user.submits)
            if missing <= 0:
                continue
            first = index * 7 + user.quizzes_started
            chosen = [modules[(first + k) % len(modules)] for k in range(missing)]
            user.quizzes_started += missing
            user.submits = self.open_attempts(user, chosen) + user.submits


# ------------------------------------------------------------------------------------------------ endpoints

def endpoints(report_url: str | None, booking_path: str | None) -> dict:
    """Name → (method, function of the bench user giving (path, form) or None when it has nothing to do)."""
    table = {
        "hello": ("GET", lambda u: ("/bench/hello", None)),
        "catalogue": ("GET", lambda u: ("/kurse/", None)),
        "course": ("GET", lambda u: (f"/kurse/{u.next(u.courses)[0]}", None)),
        "module": ("GET", lambda u: _module_path(u)),
        "quiz_page": ("GET", lambda u: (f"/lernen/versuche/{u.quiz_page}", None)),
        "quiz_submit": ("POST", lambda u: _submit(u)),
        "booking": ("POST", lambda u: (booking_path.format(u.next(u.sessions)), {})
                    if booking_path and u.sessions else None),
        "dashboard": ("GET", lambda u: ("/lernen/", None)),
        # The works-council dashboard: measured once the reports feature has its view, a slot until then.
        "works_council": ("GET", lambda u: (report_url, None) if report_url else None),
    }
    chosen = os.environ.get("ENDPOINTS")
    if chosen:
        table = {name: entry for name, entry in table.items() if name == "hello" or name in chosen.split(",")}
    return table


def _module_path(user: BenchUser):
    slug, modules = user.next(user.courses)
    return f"/kurse/{slug}/module/{modules[user.counter % len(modules)]}", None


def _submit(user: BenchUser):
    if not user.submits:
        return None
    attempt_id, form = user.submits.pop()
    return f"/lernen/versuche/{attempt_id}/abgeben", form


@dataclass
class Sample:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    statuses: dict[int, int]


async def drive(port: int, users: list[BenchUser], method: str, make, seconds: float) -> Sample:
    """Run CONNECTIONS loops, each a bench user with its own connection, for `seconds`."""
    latencies, statuses, errors = [], {}, 0
    stop = time.perf_counter() + seconds

    async def loop(user: BenchUser):
        nonlocal errors
        connection = Connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                job = make(user)
                if job is None:
                    return
                path, form = job
                body = urlencode({**form, "csrf_token": user.csrf}) if form is not None else None
                started = time.perf_counter()
                try:
                    response = await connection.request(method, path, body=body, cookie=user.cookie)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    await connection.close()
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                expected = 302 if method == "POST" else 200
                if response.status != expected or "/anmelden" in response.headers.get("location", ""):
                    errors += 1
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(loop(users[i % len(users)]) for i in range(CONNECTIONS)))
    return Sample(len(latencies), time.perf_counter() - started, latencies, errors, statuses)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# ------------------------------------------------------------------------------------------------ one database

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    instance = seed.CACHE / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "QUALIFY_BENCH": "1", "SECRET_KEY": "bench-secret-key",
           "QUALIFY_INSTANCE_PATH": str(instance), "QUALIFY_ENV": "production", "SESSION_COOKIE_SECURE": "0",
           "QUALIFY_BASE_URL": f"http://127.0.0.1:{port}", "MAIL_SENDER": "bench@qualify.invalid"}
    env.pop("FLASK_DEBUG", None)
    server = subprocess.Popen([*QUALIFY, "serve", "--workers", str(WORKERS), "--threads", str(THREADS),
                               "--bind", f"127.0.0.1:{port}",
                               "--access-log", ""], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(seed.CACHE / "server.log", "ab"), start_new_session=True)  # noqa: SIM115
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
                if b"200" in probe.recv(64):
                    return server
        except OSError:
            time.sleep(0.2)
        if server.poll() is not None:
            break
    stop_server(server)
    raise RuntimeError(f"gunicorn did not come up; see {seed.CACHE / 'server.log'}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def bench_database(kind: str, url: str) -> dict:
    """Serve one database, sign in the bench users, run the interleaved rounds; return the results."""
    prepared = Prepared(url)
    organisations = seed.SIZES[SIZE].organisations
    learners = [BenchUser(user_id=n, email=f"person{n:06d}@bench.qualify.test")
                for n in range(organisations + 1, organisations + 1 + CONNECTIONS)]
    council = [BenchUser(user_id=n, email=f"person{n:06d}@bench.qualify.test") for n in range(1, organisations + 1)]
    prepared.fill(learners)
    log(f"{kind}: starting gunicorn")
    table = endpoints(prepared.endpoint_url("reports.participation"), prepared.booking_path())
    port = free_port()
    server = start_server(url, port)
    try:
        async def sign_in_all():
            for group in (learners, council):
                await asyncio.gather(*(sign_in(port, user) for user in group))
        asyncio.run(sign_in_all())
        log(f"{kind}: {len(learners) + len(council)} people signed in on port {port}")
        samples: dict[str, list[Sample]] = {name: [] for name in table}
        around: dict[str, list[tuple[float, float]]] = {name: [] for name in table}  # hello before, after
        # Fill each worker's caches first: a reading page is measured as it runs once a server has been up
        # for a second. Writing pages are measured from their first request (first bookings included).
        for name, (method, make) in table.items():
            users = council if name == "works_council" else learners
            if method == "GET" and make(users[0]) is not None:
                asyncio.run(drive(port, users, method, make, WARM_UP))
        log(f"{kind}: caches warmed")
        hello_method, hello_make = table["hello"]

        def hello_now() -> float:
            sample = asyncio.run(drive(port, learners, hello_method, hello_make, HELLO_DURATION))
            samples["hello"].append(sample)
            return sample.requests / sample.seconds

        # Each page is measured between two hello-world readings, and its ratio is taken against those two:
        # a machine that slows down during a round no longer shows as a slower page.
        for round_number in range(ROUNDS):
            if "quiz_submit" in table:
                prepared.refill_submits(learners, per_user=max(8, int(DURATION * 12)))
            before = hello_now()
            for name, (method, make) in table.items():
                users = council if name == "works_council" else learners
                if name == "hello" or (make(users[0]) is None and name != "quiz_submit"):
                    continue  # hello is measured around the others; a slot: the feature is not there yet
                samples[name].append(asyncio.run(drive(port, users, method, make, DURATION)))
                after = hello_now()
                around[name].append((before, after))
                before = after
            log(f"{kind}: round {round_number + 1}/{ROUNDS} done (hello {before:.0f}/s)")
    finally:
        stop_server(server)
    return summarise(samples, around)


def summarise(samples: dict[str, list["Sample"]], around: dict[str, list[tuple[float, float]]]) -> dict:
    """Pool each endpoint's rounds; its ratio is against the hello-world readings taken right around it."""
    hello_readings = [s.requests / s.seconds for s in samples["hello"]]
    hello_rps = sum(s.requests for s in samples["hello"]) / sum(s.seconds for s in samples["hello"])
    # How far hello-world moved while one page was measured: the ratios are only as good as this is small.
    drifts = {name: statistics.mean(abs(b - a) / ((a + b) / 2) for a, b in pairs)
              for name, pairs in around.items() if pairs}
    drift = max(drifts.values(), default=0.0)
    result = {"hello_rps_readings": [round(r, 1) for r in hello_readings],
              "hello_spread": round((max(hello_readings) - min(hello_readings)) / statistics.median(hello_readings), 3),
              "hello_drift_around_a_page": round(drift, 3), "noisy": drift > NOISE_LIMIT, "endpoints": {}}
    for name, runs in samples.items():
        if not runs:
            result["endpoints"][name] = {"status": "not measured: feature not built yet"}
            continue
        latencies = [lat for run in runs for lat in run.latencies]
        requests, seconds = sum(r.requests for r in runs), sum(r.seconds for r in runs)
        statuses: dict[str, int] = {}
        for run in runs:
            for status, n in run.statuses.items():
                statuses[str(status)] = statuses.get(str(status), 0) + n
        rps = requests / seconds if seconds else 0.0
        ceiling = statistics.mean((a + b) / 2 for a, b in around[name]) if around.get(name) else hello_rps
        result["endpoints"][name] = {
            "requests": requests, "rps": round(rps, 1), "p50_ms": round(1000 * percentile(latencies, 0.5), 1),
            "p99_ms": round(1000 * percentile(latencies, 0.99), 1), "errors": sum(r.errors for r in runs),
            "statuses": statuses, "hello_rps_around": round(ceiling, 1),
            "ratio_to_hello": round(rps / ceiling, 3) if ceiling else None}
    result["targets"] = check_targets(result["endpoints"])
    return result


def check_targets(measured: dict) -> dict:
    verdicts = {}
    for name, share in TARGETS.items():
        entry = measured.get(name, {})
        if "rps" not in entry:
            verdicts[name] = "not measured"
            continue
        verdicts[name] = {"target": f">= {share:.0%} of hello", "met": entry["ratio_to_hello"] >= share}
    pages = {n: e for n, e in measured.items() if "rps" in e and n != "hello"}
    verdicts["p99_le_200ms"] = {"met": all(e["p99_ms"] <= P99_LIMIT_MS for e in pages.values()),
                                "over": sorted(n for n, e in pages.items() if e["p99_ms"] > P99_LIMIT_MS)}
    verdicts["zero_errors"] = {"met": all(e["errors"] == 0 for e in measured.values() if "errors" in e),
                               "with_errors": sorted(n for n, e in measured.items() if e.get("errors"))}
    return verdicts


# ------------------------------------------------------------------------------------------------ once per run

def cold_start(url: str) -> dict:
    """Time `import qualify; create_app()` and `import flask, sqlalchemy` in fresh interpreters; and, as the
    floor no app on this stack can go under, the ORM and the Flask extensions every page needs, without our code.
    """
    timer = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
    codes = {"qualify": "import qualify; qualify.create_app()", "flask_sqlalchemy": "import flask, sqlalchemy",
             "stack": "import flask, sqlalchemy, sqlalchemy.orm, flask_sqlalchemy, flask_login, flask_wtf, "
                      "flask_babel, wtforms"}
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "cold", "QUALIFY_INSTANCE_PATH": str(seed.CACHE)}
    # As installed in production: with bytecode written once (a warm-up run), not compiled on every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    measured = {}
    for name, code in codes.items():
        runs = [float(subprocess.run([sys.executable, "-c", timer.format(code=code)], cwd=ROOT, env=env,
                                     capture_output=True, text=True, check=True).stdout) for _ in range(6)]
        measured[name] = round(statistics.median(runs[1:]) * 1000, 1)
    return {"qualify_create_app_ms": measured["qualify"], "flask_sqlalchemy_import_ms": measured["flask_sqlalchemy"],
            "ratio": round(measured["qualify"] / measured["flask_sqlalchemy"], 2),
            "stack_import_ms": measured["stack"],
            "stack_ratio": round(measured["stack"] / measured["flask_sqlalchemy"], 2)}


def markdown_worst_case(url: str) -> dict:
    """Render the hostile input once: 100,000 opening brackets, the longest text the renderer accepts."""
    from qualify import create_app
    from qualify.core.markdown import MAX_LENGTH, render_markdown

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "markdown"})
    with app.app_context():
        started = time.perf_counter()
        render_markdown("[" * MAX_LENGTH)
        return {"input": f'"[" * {MAX_LENGTH:,}', "seconds": round(time.perf_counter() - started, 3)}


def dashboard_database_time(url: str, requests: int = 20) -> dict:
    """Sum the time the works-council dashboard spends in the database per request (target: ≤ 5 ms)."""
    from sqlalchemy import event

    from qualify import create_app
    from qualify.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "dashboard", "WTF_CSRF_ENABLED": False})
    spent: list[float] = []

    def before(conn, *_args):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, *_args):
        spent.append(time.perf_counter() - conn.info.pop("bench_started"))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        client = app.test_client()
        client.post("/anmelden", data={"email": "person000001@bench.qualify.test", "password": seed.PASSWORD})
        with app.test_request_context():
            path = app.url_for("reports.participation") if "reports.participation" in app.view_functions else None
        if path is None:
            return {"status": "no reports feature"}
        client.get(path)  # warm the caches
        spent.clear()
        for _ in range(requests):
            assert client.get(path).status_code == 200
        total = sum(spent) / requests * 1000
    return {"requests": requests, "database_ms_per_request": round(total, 2), "target_ms": 5, "met": total <= 5}


def print_table(results: dict) -> None:
    for kind, data in results["databases"].items():
        print(f"\n{kind} – size {results['size']['name']}, {CONNECTIONS} connections, {WORKERS} gunicorn workers, "
              f"{ROUNDS} rounds × {DURATION:g} s")
        print(f"{'endpoint':<15}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'hello':>8}{'× hello':>9}")
        for name, entry in data["endpoints"].items():
            if "rps" not in entry:
                print(f"{name:<15}  {entry['status']}")
                continue
            print(f"{name:<15}{entry['rps']:>9.1f}{entry['p50_ms']:>9.1f}{entry['p99_ms']:>9.1f}"
                  f"{entry['errors']:>8}{entry['hello_rps_around']:>8.0f}{entry['ratio_to_hello']:>9.2f}")
        print(f"hello-world readings {min(data['hello_rps_readings']):.0f}–{max(data['hello_rps_readings']):.0f} "
              f"req/s; around one page it moved by {data['hello_drift_around_a_page']:.0%} at most")
        if data["noisy"]:
            print(f"WARNING: noisy run – hello-world moved by more than {NOISE_LIMIT:.0%} while a page was "
                  f"measured; the ratios are not to be trusted")
        for target, verdict in data["targets"].items():
            print(f"  target {target}: {verdict}")
    cold = results["cold_start"]
    print(f"\ncold start: import qualify + create_app() {cold['qualify_create_app_ms']} ms vs import flask, "
          f"sqlalchemy {cold['flask_sqlalchemy_import_ms']} ms (× {cold['ratio']}); the ORM and Flask extensions "
          f"alone {cold['stack_import_ms']} ms (× {cold['stack_ratio']})")
    print(f"markdown worst case ({results['markdown_worst_case']['input']}): "
          f"{results['markdown_worst_case']['seconds']} s")
    dashboard = results["dashboard_database_time"]
    if "database_ms_per_request" in dashboard:
        print(f"works-council dashboard: {dashboard['database_ms_per_request']} ms in the database per request "
              f"(target ≤ {dashboard['target_ms']} ms)")
    print(f"load average before/after: {results['load_average']['before']} / {results['load_average']['after']}")


def main() -> None:
    started = time.monotonic()
    load_before = [round(x, 2) for x in os.getloadavg()]
    chosen = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    databases = {}
    sqlite_url = seed.sqlite_copy(SIZE, seed.CACHE / f"run-{SIZE}.sqlite")
    if "sqlite" in chosen:
        databases["sqlite"] = bench_database("sqlite", sqlite_url)
        (seed.CACHE / "partial.json").write_text(json.dumps(databases, indent=2))  # in case PostgreSQL fails
    server_url = os.environ.get("QUALIFY_BENCH_DATABASE_URL")
    if server_url and "postgresql" in chosen:
        databases["postgresql"] = bench_database(
            "postgresql", seed.postgres_copy(SIZE, server_url, f"qualify_bench_run_{SIZE.lower()}"))
    elif "postgresql" in chosen:
        log("PostgreSQL skipped: set QUALIFY_BENCH_DATABASE_URL=postgresql://user@host:5432/postgres")
    log("timing the cold start, the Markdown worst case and the dashboard's database time")
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "size": seed.describe(SIZE), "settings": {"connections": CONNECTIONS, "workers": WORKERS,
                                                  "rounds": ROUNDS, "duration_s": DURATION, "warm_up_s": WARM_UP,
                                                  "hello_duration_s": HELLO_DURATION},
        "databases": databases, "cold_start": cold_start(sqlite_url), "markdown_worst_case":
            markdown_worst_case(sqlite_url), "dashboard_database_time": dashboard_database_time(sqlite_url),
        "load_average": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]},
    }
    for copy in seed.CACHE.glob(f"run-{SIZE}.sqlite*"):  # the run's writable copy; the seed stays cached
        copy.unlink()
    results["seconds"] = round(time.monotonic() - started, 1)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\nwritten to {RESULTS.relative_to(ROOT)} in {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
