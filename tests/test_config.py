"""Configuration: what production must be given, defaults for development, clear errors for wrong values."""

import logging
import re
import subprocess
import sys

import pytest

from qualify import create_app
from qualify.config import ConfigError
from qualify.core import errors

# Never connected to: creating the app opens no connection.
PRODUCTION = {"QUALIFY_ENV": "production", "SECRET_KEY": "ein-langes-geheimnis",
              "DATABASE_URL": "postgresql://qualify@db.internal:5432/qualify",
              "QUALIFY_BASE_URL": "https://qualify.example.org", "MAIL_SENDER": "Qualify <qualify@example.org>"}
SETTINGS = ("QUALIFY_ENV", "SECRET_KEY", "DATABASE_URL", "QUALIFY_BASE_URL", "MAIL_SENDER", "FLASK_DEBUG",
            "MAIL_PORT", "QUALIFY_PROXY_FIX", "LOGIN_THROTTLE_MINUTES", "WORKSHOP_REMINDER_HOURS",
            "QUALIFY_HOLIDAY_STATE")


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """Start from an environment without any of the settings; `environment(NAME=value, …)` sets some."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)

    def set_up(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return {"INSTANCE_PATH": str(tmp_path / "instance")}

    return set_up


@pytest.mark.parametrize("variable", ["DATABASE_URL", "QUALIFY_BASE_URL", "MAIL_SENDER"])
def test_production_refuses_to_start_without_a_variable_it_needs(environment, variable):
    config = environment(**{**PRODUCTION, variable: ""})
    with pytest.raises(ConfigError, match=f"{variable} is not set in production"):
        create_app(config)


def test_production_names_every_missing_variable_at_once(environment):
    config = environment(QUALIFY_ENV="production")
    with pytest.raises(ConfigError) as refused:
        create_app(config)
    assert all(name in str(refused.value) for name in ("SECRET_KEY", "DATABASE_URL", "QUALIFY_BASE_URL",
                                                        "MAIL_SENDER"))


def test_production_starts_with_all_it_needs(environment):
    app = create_app(environment(**PRODUCTION))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://qualify@db.internal:5432/qualify"
    assert app.config["BASE_URL"] == "https://qualify.example.org"
    assert app.config["MAIL_SENDER"] == "Qualify <qualify@example.org>"


def test_development_needs_none_of_them(environment, tmp_path):
    app = create_app(environment())
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'qualify.sqlite'}"
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["MAIL_SENDER"] == "Qualify <noreply@qualify.invalid>"


@pytest.mark.parametrize(("variable", "value"), [("MAIL_PORT", "abc"), ("QUALIFY_PROXY_FIX", "yes"),
                                                 ("QUALIFY_PROXY_FIX", "-1"), ("LOGIN_THROTTLE_MINUTES", "0"),
                                                 ("WORKSHOP_REMINDER_HOURS", "24,eine")])
def test_a_wrong_number_names_the_variable_and_its_value(environment, variable, value):
    config = environment(**{variable: value})
    with pytest.raises(ConfigError, match=re.escape(f"{variable} must be")) as refused:
        create_app(config)
    assert repr(value) in str(refused.value)


def test_numbers_are_read_and_an_empty_one_is_the_default(environment):
    app = create_app(environment(MAIL_PORT=" 587 ", QUALIFY_PROXY_FIX=""))
    assert app.config["MAIL_PORT"] == 587
    assert app.config["PROXY_FIX"] == 0


@pytest.mark.parametrize(("value", "state"), [(None, "BW"), ("", "BW"), ("by", "BY"), (" DE-NW ", "NW")])
def test_the_federal_state_of_the_holidays_is_baden_wuerttemberg_unless_another_is_named(environment, value, state):
    app = create_app(environment(**({} if value is None else {"QUALIFY_HOLIDAY_STATE": value})))
    assert app.config["HOLIDAY_STATE"] == state


def test_an_unknown_federal_state_names_the_variable_and_its_value(environment):
    with pytest.raises(ConfigError, match="QUALIFY_HOLIDAY_STATE must be a German federal state") as refused:
        create_app(environment(QUALIFY_HOLIDAY_STATE="Bayern"))
    assert "'Bayern'" in str(refused.value)


# --- logging ------------------------------------------------------------------------------------------------

def test_app_log_lines_carry_time_level_and_pid_once(tmp_path):
    # As under gunicorn: no logging set up before create_app(), which runs in every worker (here twice).
    code = ("import logging, qualify; qualify.create_app(); qualify.create_app(); "
            "logging.getLogger('qualify.core.mail').info('sent'); logging.getLogger('fontTools').info('noise')")
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'log.sqlite'}",
           "QUALIFY_INSTANCE_PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO \[\d+\] qualify\.core\.mail: sent\n",
                        done.stderr), done.stderr


def test_logging_set_up_before_is_left_alone(monkeypatch):
    # Under pytest the root logger has pytest's handlers: the app adds none, or each line would show twice.
    assert logging.root.handlers
    before = list(logging.root.handlers)
    errors.configure_logging()
    assert logging.root.handlers == before
