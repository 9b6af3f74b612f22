"""Configuration from environment variables, with safe defaults for a development machine."""

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("QUALIFY_INSTANCE_PATH", PROJECT_ROOT / "instance"))


class ConfigError(RuntimeError):
    """A setting the app refuses to start with; the message names the variable."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole number from the environment; unset or empty gives the default.

    A wrong value stops the start with the variable and the value named, not with int()'s bare ValueError.
    """
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ConfigError(f"Refusing to start: {name} must be a whole number of at least {minimum}, "
                          f"not {value!r}.")
    return number


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


def database_url() -> str | None:
    """Return DATABASE_URL, normalised to the psycopg 3 driver; None when unset (see finalise)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return None
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
        self.SQLALCHEMY_DATABASE_URI = database_url()
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

        self.MAIL_SENDER = os.environ.get("MAIL_SENDER", "").strip() or None
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = env_int("MAIL_PORT", 25, minimum=1)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS")
        # Without an SMTP server, mail goes to the log (console) or into files in this folder.
        self.MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", "")

        self.LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, minimum=1)
        self.LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 30, minimum=1)
        self.LOGIN_THROTTLE_MINUTES = env_int("LOGIN_THROTTLE_MINUTES", 15, minimum=1)
        self.PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
        self.PASSWORD_RESET_MAX_AGE = env_int("PASSWORD_RESET_MAX_AGE", 2 * 24 * 3600, minimum=1)
        self.COURSES_PATH = Path(os.environ.get("QUALIFY_COURSES_PATH", PROJECT_ROOT / "courses"))
        self.BASE_URL = os.environ.get("QUALIFY_BASE_URL", "").strip() or None
        # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0: none).
        self.PROXY_FIX = env_int("QUALIFY_PROXY_FIX", 0)
        # Adds /bench/hello, the ceiling of `make bench`; never set in production.
        self.BENCH = _flag("QUALIFY_BENCH")
        # Hours before a workshop session when the booked get a reminder (each sent once).
        self.WORKSHOP_REMINDER_HOURS = _hours("WORKSHOP_REMINDER_HOURS", "24,1")
        # The federal state whose public holidays are no working days (the moderators' reminder): the network's
        # offices are in Baden-Württemberg.
        self.HOLIDAY_STATE = _state("QUALIFY_HOLIDAY_STATE", "BW")


def _hours(name: str, default: str) -> tuple[float, ...]:
    value = os.environ.get(name, default)
    try:
        return tuple(float(hours) for hours in value.split(",") if hours.strip())
    except ValueError:
        raise ConfigError(f"Refusing to start: {name} must be hours separated by commas, not {value!r}.") from None


# The German federal states by their ISO 3166-2 codes, as the holidays package names them (not imported here: the
# app's cold start is measured, and only the scheduler needs it).
FEDERAL_STATES = ("BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH")


def _state(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip().upper().removeprefix("DE-") or default
    if value not in FEDERAL_STATES:
        raise ConfigError(f"Refusing to start: {name} must be a German federal state ({', '.join(FEDERAL_STATES)}), "
                          f"not {os.environ.get(name)!r}.")
    return value


# What production must be given, by config key and environment variable; development gets defaults instead.
REQUIRED_IN_PRODUCTION = {
    "SECRET_KEY": "SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI": "DATABASE_URL",  # else a SQLite file on each app server, silently
    "BASE_URL": "QUALIFY_BASE_URL",  # else mails link to http://127.0.0.1:5000
    "MAIL_SENDER": "MAIL_SENDER",  # else mail comes from an address that does not exist
}


def finalise(config: dict) -> None:
    """Refuse unsafe or incomplete production settings; fill in the development defaults."""
    if config["ENV_NAME"] == "production":
        if config.get("DEBUG"):
            raise ConfigError("Refusing to start: FLASK_DEBUG is on in production.")
        missing = [variable for key, variable in REQUIRED_IN_PRODUCTION.items() if not config.get(key)]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise ConfigError(f"Refusing to start: {', '.join(missing)} {verb} not set in production.")
    instance_path = Path(config["INSTANCE_PATH"])
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'qualify.sqlite'}"
    config["BASE_URL"] = config.get("BASE_URL") or "http://127.0.0.1:5000"
    config["MAIL_SENDER"] = config.get("MAIL_SENDER") or "Qualify <noreply@qualify.invalid>"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = load_or_create_secret_key(instance_path)
