"""Configuration from environment variables, with safe defaults for a development machine."""

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("QUALIFY_INSTANCE_PATH", PROJECT_ROOT / "instance"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_or_create_secret_key(instance_path: Path) -> str:
    """Read the secret key from the instance folder, creating it once with 0600 permissions."""
    path = instance_path / "secret_key"
    if path.exists() and (existing := path.read_text().strip()):
        return existing
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.unlink(missing_ok=True)  # an empty file is no key: replace it
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database_url(instance_path: Path) -> str:
    """Return DATABASE_URL, normalised to the psycopg 3 driver, or the SQLite default."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'qualify.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings read once from the environment when the app is created."""

    def __init__(self) -> None:
        self.ENV_NAME = os.environ.get("QUALIFY_ENV", "development")
        self.DEBUG = _flag("FLASK_DEBUG")
        self.INSTANCE_PATH = INSTANCE_PATH
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or None
        self.SQLALCHEMY_DATABASE_URI = database_url(INSTANCE_PATH)
        self.SQLALCHEMY_ENGINE_OPTIONS = {}  # connections are checked when idle, see core.database
        self.SQLALCHEMY_TRACK_MODIFICATIONS = False

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", self.ENV_NAME == "production")
        self.SESSION_COOKIE_NAME = "qualify_session"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.WTF_CSRF_TIME_LIMIT = None  # shift workers leave forms open for hours; the session bounds it
        self.MAX_CONTENT_LENGTH = 16 * 1024 * 1024

        self.BABEL_DEFAULT_LOCALE = "de"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
        self.LANGUAGES = ("de", "en")

        self.MAIL_SENDER = os.environ.get("MAIL_SENDER", "Qualify <noreply@qualify.invalid>")
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS")
        # Without an SMTP server, mail goes to the log (console) or into files in this folder.
        self.MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", "")

        self.LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"))
        self.LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", "30"))
        self.LOGIN_THROTTLE_MINUTES = int(os.environ.get("LOGIN_THROTTLE_MINUTES", "15"))
        self.PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
        self.PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", str(2 * 24 * 3600)))
        self.COURSES_PATH = Path(os.environ.get("QUALIFY_COURSES_PATH", PROJECT_ROOT / "courses"))
        self.BASE_URL = os.environ.get("QUALIFY_BASE_URL", "http://127.0.0.1:5000")
        # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0: none).
        self.PROXY_FIX = int(os.environ.get("QUALIFY_PROXY_FIX", "0") or 0)
        # Adds /bench/hello, the ceiling of `make bench`; never set in production.
        self.BENCH = _flag("QUALIFY_BENCH")
        # Hours before a workshop session when the booked get a reminder (each sent once).
        self.WORKSHOP_REMINDER_HOURS = tuple(
            float(hours) for hours in os.environ.get("WORKSHOP_REMINDER_HOURS", "24,1").split(",") if hours.strip())


def finalise(config: dict) -> None:
    """Refuse unsafe production settings; fill in the generated development secret."""
    if config["ENV_NAME"] == "production":
        if config.get("DEBUG"):
            raise RuntimeError("Refusing to start: FLASK_DEBUG is on in production.")
        if not config.get("SECRET_KEY"):
            raise RuntimeError("Refusing to start: SECRET_KEY is not set in production.")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = load_or_create_secret_key(Path(config["INSTANCE_PATH"]))
