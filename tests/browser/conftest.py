"""Browser fixtures: the test app served on a free local port, one headless Chromium, a fresh page per test.

Every test in tests/browser/ is marked `browser` automatically. Without Chromium (or Playwright) the tests are
skipped with the reason; with QUALIFY_REQUIRE_BROWSER=1 they fail instead.
"""

import hashlib
import inspect
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import got_request_exception
from werkzeug.serving import WSGIRequestHandler, make_server

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None

REQUIRE_BROWSER = os.environ.get("QUALIFY_REQUIRE_BROWSER") == "1"
BROWSER_DIR = Path(__file__).parent
# No internet on CI: nothing in the browser may try to phone home or wait for it.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 5_000  # a local page that takes longer is a failure, not something to wait 30 s for
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}


def chromium_path() -> str | None:
    """Return the Chromium to drive: QUALIFY_CHROMIUM if set, else Debian's (`chromium` on the PATH)."""
    chosen = os.environ.get("QUALIFY_CHROMIUM")
    candidates = [chosen] if chosen else [shutil.which("chromium"), "/usr/bin/chromium"]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


@pytest.hookimpl(tryfirst=True)  # before `-m "not browser"` deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"QUALIFY_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


# --- the server -------------------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # one line per request would bury the failures
        pass


@dataclass
class LiveServer:
    """The session's app served over HTTP; `errors` collects exceptions raised while handling requests."""

    url: str
    errors: list[str] = field(default_factory=list)

    def __call__(self, path: str = "/") -> str:
        """Return the absolute URL of a path, e.g. live_server("/anmelden")."""
        return self.url + path


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the session's `app` on 127.0.0.1 and a free port from a background thread, for the session."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}")

    def record(sender, exception, **extra):
        live.errors.append(f"{type(exception).__name__}: {exception}")

    got_request_exception.connect(record, app, weak=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                              name="qualify-live-server")
    thread.start()
    yield live
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    got_request_exception.disconnect(record, app)


# --- the browser ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Debian's, never a downloaded one)."""
    if sync_playwright is None:
        _unavailable("Playwright is not installed: pip install -e '.[dev]'")
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium not found: apt-get install chromium (or set QUALIFY_CHROMIUM)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _is_problem(page, message) -> bool:
    # An error status of the page itself (a 403 or 404 the test asks for) is for the test to judge; one of a
    # stylesheet, script or image, or a CSP violation, is a fault.
    if message.type != "error":
        return False
    failed_load = message.text.startswith("Failed to load resource")
    return not (failed_load and message.location.get("url") == page.url)


@pytest.fixture
def make_page(browser, live_server):
    """Open pages in fresh browser contexts (own cookies): make_page(viewport=PHONE, locale="en-GB").

    Relative URLs resolve against the live server (`page.goto("/anmelden")`). German and Berlin time unless
    told otherwise. When the test ends, any console error, uncaught script error or server exception fails it.
    """
    contexts, problems = [], []
    errors_before = len(live_server.errors)

    def make(*, viewport: dict = DESKTOP, locale: str = "de-DE", **options):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=locale,
                                      timezone_id="Europe/Berlin", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _is_problem(page, message) and problems.append(
            f"console error on {page.url}: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()
    problems.extend(f"server: {error}" for error in live_server.errors[errors_before:])
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(make_page):
    """A desktop-sized page in a fresh context, signed in as nobody."""
    return make_page()


@pytest.fixture
def phone_page(make_page):
    """A phone-sized page (390×844, touch) in a fresh context."""
    return make_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


# --- helpers for journeys ---------------------------------------------------------------------------------


@pytest.fixture
def password(make_user) -> str:
    """The password `make_user` gives everybody (tests/conftest.py's PASSWORD)."""
    return inspect.signature(make_user).parameters["password"].default


@pytest.fixture
def sign_in(password):
    """Sign in through the login form as a person made with `make_user`: sign_in(page, user[, password])."""

    def sign_in(page, user, password: str = password) -> None:
        page.goto("/anmelden")
        page.get_by_label("E-Mail-Adresse").fill(user.email)
        page.get_by_label("Passwort", exact=True).fill(password)
        page.get_by_role("button", name="Anmelden").click()
        expect(page.locator("form.logout")).to_have_count(1)  # signed in (on a phone "Abmelden" is in the menu)

    return sign_in


@pytest.fixture
def signed_in(make_page, make_user, sign_in):
    """Open a fresh page signed in as `user`, a new learner unless given: signed_in(trainer, viewport=PHONE).
    The page's other options are make_page's."""

    def open_signed_in(user=None, **page_options):
        page = make_page(**page_options)
        sign_in(page, user if user is not None else make_user())
        return page

    return open_signed_in


@pytest.fixture(scope="session")
def screenshot():
    """Save a full-page picture for people to look at, not to compare: screenshot(page, "start-phone").

    Into QUALIFY_SHOTS_DIR, by default /tmp/qualify-shots/.
    """
    folder = Path(os.environ.get("QUALIFY_SHOTS_DIR", "/tmp/qualify-shots"))
    folder.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
        return path

    return save


def _describe(violation: dict) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"


# The page's markup without what changes on every load (CSRF tokens): recognises a page axe already passed.
_MARKUP_JS = """() => {
  const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll('input[name=csrf_token]').forEach(input => input.removeAttribute('value'));
  return [window.innerWidth, copy.outerHTML].join(' ');
}"""


@pytest.fixture(scope="session")
def assert_accessible():
    """Run axe (WCAG 2.1 A/AA) on the current page; fail listing every serious or critical violation.

    axe is injected through Playwright's evaluate, which the page's CSP (script-src 'self') does not block.
    Markup that already passed at the same width (a login page seen by six journeys) is not checked again.
    """
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    passed: set[str] = set()

    def check(page) -> None:
        page.wait_for_load_state()
        markup = hashlib.sha256(page.evaluate(_MARKUP_JS).encode()).hexdigest()
        if markup in passed:
            return
        results = axe.run(page, options=options).response
        failing = [v for v in results["violations"] if v["impact"] in AXE_FAILING_IMPACTS]
        assert not failing, f"axe on {page.url}:\n" + "\n".join(_describe(v) for v in failing)
        passed.add(markup)

    return check


@pytest.fixture
def import_course(tmp_path):
    """Write a course's files into a folder of their own and import it: import_course({"course.md": …, …})."""

    def write(files: dict[str, str], slug: str = "strom") -> None:
        from qualify.courses import services
        from qualify.courses.loader import load_tree
        from qualify.extensions import db

        folder = tmp_path / slug
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
        services.import_tree(load_tree(tmp_path))
        db.session.commit()

    return write



@pytest.fixture
def practical_day(demo_courses):
    """The practical day of the demo high-voltage course: a workshop module."""
    from sqlalchemy import select

    from qualify.courses.models import Module
    from qualify.extensions import db

    course = demo_courses["hochvolt-sicherheit"]
    return db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                  Module.slug == "praxistag-hv-schulungsfahrzeug"))


@pytest.fixture
def tina(practical_day, make_user):
    """Trainerin Tina, who owns the practical day's course."""
    from qualify.accounts.roles import Role
    from qualify.courses.models import CourseOwner
    from qualify.extensions import db

    trainer = make_user(Role.TRAINER, name="Trainerin Tina")
    db.session.add(CourseOwner(course_id=practical_day.course_id, user_id=trainer.id))
    db.session.commit()
    return trainer
