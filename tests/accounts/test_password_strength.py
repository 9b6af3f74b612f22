"""Easily guessed passwords are refused wherever a password is set – the link from the mail, the profile, the CLI –
saying why: a common (German) word, the person's name or address, their organisation, a keyboard row."""

import re
import subprocess
import sys

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from qualify.accounts import tokens
from qualify.accounts.commands import users_cli
from qualify.accounts.models import User
from qualify.accounts.strength import check_password_strength
from qualify.extensions import db

PASSWORD = "richtig-gutes-passwort"
PASSPHRASE = "Tulpe Kompass Regenschirm Montag"
TOO_EASY = "Dieses Passwort ist zu leicht zu erraten"
HOW_TO = "Nehmen Sie zum Beispiel drei oder vier Wörter, die nichts miteinander zu tun haben."

# (password, why it is easily guessed) for Max Mustermann, max.mustermann@example.org
EASILY_GUESSED = [
    ("password123", "a common word and a sequence"),
    ("qwertzuiop12", "the top row of a German keyboard"),
    ("max.mustermann2026", "the address before the @, and a year"),
    ("maxmustermann12345", "the address before the @ without its dot"),
    ("Mustermann!Mustermann", "the surname"),
    ("Passwort2026!", "a common German word with a year and a sign"),
    ("Sommer2026!!", "a common German word with a year and signs"),
    ("Qualify2026!", "the platform's own name"),
]


def set_password_through_the_link(client, user, password: str):
    return client.post(f"/passwort-neu/{tokens.make_reset_token(user)}", data={"password": password,
                                                                             "confirm": password})


def change_password(client, new: str):
    return client.post("/profil/passwort", data={"current": PASSWORD, "password": new, "confirm": new})


def password_is(user, password: str) -> bool:
    db.session.refresh(user)
    return check_password_hash(user.password_hash, password)


@pytest.fixture
def max_mustermann(make_user):
    return make_user(email="max.mustermann@example.org", name="Max Mustermann")


@pytest.mark.parametrize(("password", "why"), EASILY_GUESSED)
def test_an_easily_guessed_password_is_refused_through_the_link_with_advice(client, max_mustermann, password, why):
    response = set_password_through_the_link(client, max_mustermann, password)

    assert response.status_code == 200, why
    assert TOO_EASY in response.text and HOW_TO in response.text
    assert 'aria-invalid="true"' in response.text
    assert password not in response.text
    assert password_is(max_mustermann, PASSWORD)


@pytest.mark.parametrize(("password", "why"), EASILY_GUESSED)
def test_an_easily_guessed_password_is_refused_when_changing_it(client, login, max_mustermann, password, why):
    login(max_mustermann)

    response = change_password(client, password)

    assert response.status_code == 200, why
    assert TOO_EASY in response.text
    assert password_is(max_mustermann, PASSWORD)


def test_an_invited_person_cannot_choose_their_name_either(client, make_user):
    invited = make_user(password=None, email="juergen.neu@example.org", name="Jürgen Neu")

    response = set_password_through_the_link(client, invited, "Jürgen-Neu-1970")

    assert response.status_code == 200 and TOO_EASY in response.text
    db.session.refresh(invited)
    assert invited.password_hash is None


def test_a_passphrase_of_unrelated_words_is_accepted(client, login, max_mustermann):
    login(max_mustermann)

    response = change_password(client, PASSPHRASE)

    assert response.status_code == 302
    assert password_is(max_mustermann, PASSPHRASE)


@pytest.mark.parametrize("password", [PASSWORD, "ein ganz neuer Satz 2026", "noch ein anderes Passwort",
                                      "lernen-demo-2026"])
def test_the_passwords_the_tests_and_the_demo_use_are_strong_enough(password):
    assert check_password_strength(password, email="person1@example.org", name="Person 1") is None


def test_without_a_person_only_the_password_itself_counts():
    assert check_password_strength("max.mustermann2026") is None
    assert TOO_EASY in check_password_strength("max.mustermann2026", email="max.mustermann@example.org")
    assert TOO_EASY in check_password_strength("Mustermann!Mustermann", name="Max Mustermann")


@pytest.mark.parametrize(("password", "email", "name"), [
    ("Admiral Kaffeetasse Mondlicht", "mira@example.org", "Mira Moderatorin"),
    ("Badminton Regal Wolke Anker", "ada.admin@example.org", "Ada Admin"),
])
def test_a_name_inside_another_word_of_a_passphrase_does_not_refuse_it(password, email, name):
    assert check_password_strength(password, email=email, name=name) is None


# Anna Arndt, anna.arndt@stahlwerk-duisburg.de, at Stahlwerk Duisburg GmbH in the unit Lackiererei.
ANNA = {"email": "anna.arndt@stahlwerk-duisburg.de", "name": "Anna Arndt",
        "workplace": ["Stahlwerk Duisburg GmbH", "Lackiererei"]}
NAME_OR_ADDRESS = "Es besteht vor allem aus Ihrem Namen oder Ihrer E-Mail-Adresse."
WORKPLACE = "Es besteht vor allem aus dem Namen Ihrer Organisation oder Ihrer Einheit."
COMMON = ("Es besteht vor allem aus einem häufigen Wort, Namen oder Passwort – Ziffern und Zeichen daran machen es "
          "kaum sicherer.")


@pytest.mark.parametrize(("password", "why"), [
    ("passwort123", COMMON),
    ("Sommer2026!", COMMON),
    ("Werk1234567", COMMON),
    ("Mittwoch2026", COMMON),  # a weekday, and the months alike
    ("München2026!", COMMON),
    ("HalloSchatz1", COMMON),  # two common words
    ("Hallo123Hallo", COMMON),  # one, twice
    ("BVB09Dortmund", COMMON),
    ("qualify2026", "Es besteht vor allem aus dem Namen dieser Plattform."),
    ("AnnaArndt2026", NAME_OR_ADDRESS),
    ("anna.arndt!!", NAME_OR_ADDRESS),
    ("Arndt-1234567", NAME_OR_ADDRESS),
    ("Stahlwerk2026!", WORKPLACE),
    ("Duisburg-2026", WORKPLACE),
    ("Lackiererei1!", WORKPLACE),
    ("yxcvbnm,.-", "Es folgt einer Reihe der Tastatur wie „qwertz“ oder „asdf“."),  # a German keyboard's
    ("abcdefghijkl", "Es ist eine Folge wie „12345“ oder „abcde“."),
    ("xxxxxxxxxxxx", "Es wiederholt dieselben Zeichen oder Wörter."),
])
def test_an_easily_guessed_german_password_is_refused_saying_why(password, why):
    problem = check_password_strength(password, **ANNA)

    assert problem == f"Dieses Passwort ist zu leicht zu erraten: {why} {HOW_TO}"


@pytest.mark.parametrize("password", [
    PASSPHRASE,
    "Sommer Fahrrad Kompass Tulpe",  # a common word among unrelated ones
    "Stahlwerk Giraffe Nebel Tulpe",  # the organisation's name among them
    "Anna fährt gern Fahrrad im Regen",  # and the own name in a sentence
    "Lackiererei Mondlicht Kompass",
    "grüne Ampel tanzt leise",
    "Werkbank Giraffe Nebel",  # "Werk" inside another word
])
def test_a_passphrase_with_common_or_personal_words_among_others_is_accepted(password):
    assert check_password_strength(password, **ANNA) is None


def test_a_password_made_of_the_organisations_name_is_refused_through_the_link(client, make_user,
                                                                               make_organisation):
    anna = make_user(email="anna@example.org", name="Anna Arndt",
                     organisation=make_organisation("Stahlwerk Duisburg GmbH"))

    response = set_password_through_the_link(client, anna, "Stahlwerk2026!")

    assert response.status_code == 200 and WORKPLACE in response.text
    assert password_is(anna, PASSWORD)


def test_short_addresses_and_names_do_not_rule_out_every_password_containing_them():
    # "jo@…" is in "Joghurt": only four letters or more count as the address or the name.
    assert check_password_strength("Joghurt Kompass Regenschirm", email="jo@example.org", name="Jo Li") is None


def test_a_very_long_password_is_checked_too():
    # zxcvbn refuses to look at more than 72 characters: it sees the beginning, and no error reaches the form.
    assert check_password_strength(" ".join([PASSPHRASE] * 5)) is None
    assert TOO_EASY in check_password_strength("a" * 100)


def test_the_cli_refuses_an_easily_guessed_password(runner):
    result = runner.invoke(users_cli, ["create", "--email", "max.mustermann@example.org", "--name", "Max Mustermann",
                                       "--password", "max.mustermann2026"])

    assert result.exit_code != 0
    assert TOO_EASY in result.output
    assert db.session.scalar(select(User).where(User.email == "max.mustermann@example.org")) is None


def test_the_cli_accepts_a_passphrase_and_makes_strong_passwords_itself(runner):
    given = runner.invoke(users_cli, ["create", "--email", "a@example.org", "--name", "Anna", "--password", PASSPHRASE])
    generated = runner.invoke(users_cli, ["create", "--email", "b@example.org", "--name", "Ben"])

    assert given.exit_code == 0, given.output
    assert generated.exit_code == 0, generated.output
    assert re.search(r"password: \S{16}$", generated.output.strip())


def test_the_app_starts_without_loading_the_password_checker(tmp_path):
    # zxcvbn's word lists take longer to load than the app to start: they load with the first password checked.
    code = "import sys, qualify; qualify.create_app(); print('zxcvbn' in sys.modules)"
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'cold.sqlite'}",
           "QUALIFY_INSTANCE_PATH": str(tmp_path)}
    loaded = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"
