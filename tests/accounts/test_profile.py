"""The personal profile: name and language, and what the form does with mistakes."""

import pytest

from qualify.accounts import tokens
from qualify.accounts.roles import Role
from qualify.extensions import db


def save_profile(client, **fields):
    return client.post("/profil", data=fields)


def test_the_profile_is_for_signed_in_people_only(client):
    response = client.get("/profil")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden")


def test_changing_name_and_language_switches_the_interface_to_english(client, login, make_user):
    user = make_user(name="Alter Name")
    login(user)
    assert 'lang="de"' in client.get("/").text

    response = save_profile(client, display_name="  Neuer Name ", language="en")

    assert response.status_code == 302 and response.headers["Location"] == "/profil"
    page = client.get("/profil").text
    assert '<html lang="en">' in page
    assert 'value="Neuer Name"' in page
    # The English translations are still empty; once they exist, also assert an English string here.
    assert '<html lang="en">' in client.get("/").text
    db.session.refresh(user)
    assert (user.display_name, user.language) == ("Neuer Name", "en")


def test_the_chosen_language_outlives_the_session(client, new_client, login, make_user):
    user = make_user()
    login(user)
    save_profile(client, display_name=user.display_name, language="en")
    client.post("/abmelden", data={})

    later = new_client()
    login(user, via=later)

    assert '<html lang="en">' in later.get("/").text


def test_signing_out_keeps_the_language_on_this_device(client, login, make_user):
    login(make_user(language="en"))
    client.get("/")
    page = client.post("/abmelden", data={}, follow_redirects=True).text
    assert '<html lang="en">' in page and "You have signed out." in page
    assert '<html lang="en">' in client.get("/anmelden").text  # and later, as a guest on the same device


def test_an_invitation_opens_in_the_invited_persons_language(client, make_user):
    invited = make_user(language="en", password=None)
    token = tokens.make_reset_token(invited)
    page = client.get(f"/passwort-neu/{token}").text
    assert '<html lang="en">' in page
    refused = client.post(f"/passwort-neu/{token}", data={"password": "kurz", "confirm": "kurz"}).text
    assert '<html lang="en">' in refused and "at least" in refused


def test_the_profile_language_wins_over_the_browser_and_the_guest_cookie(client, login, make_user):
    login(make_user(language="de"))
    client.set_cookie("lang", "en")

    response = client.get("/", headers={"Accept-Language": "en"})

    assert '<html lang="de">' in response.text


@pytest.mark.parametrize(("fields", "kept"), [
    ({"display_name": "", "language": "en"}, '<option selected value="en">'),
    ({"display_name": "N" * 201, "language": "en"}, 'value="' + "N" * 201 + '"'),
    ({"display_name": "Getippter Name", "language": "fr"}, 'value="Getippter Name"'),
])
def test_a_form_with_errors_keeps_what_was_typed_and_saves_nothing(client, login, make_user, fields, kept):
    user = make_user(name="Bisheriger Name")
    login(user)

    response = save_profile(client, **fields)

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    assert kept in response.text
    db.session.refresh(user)
    assert (user.display_name, user.language) == ("Bisheriger Name", "de")


def test_a_name_too_long_is_refused_with_its_length_not_cut_off_by_the_browser(client, login, make_user):
    # The field's maxlength let a browser cut a pasted longer name off at 200 and save it so, without a word.
    user = make_user(name="Bisheriger Name")
    login(user)
    assert "maxlength" not in client.get("/profil").text

    page = save_profile(client, display_name="Maria-Theresia " * 14, language="de").text

    assert "Der Text ist zu lang (209 Zeichen). Erlaubt sind höchstens 200 Zeichen." in page
    db.session.refresh(user)
    assert user.display_name == "Bisheriger Name"


def test_a_name_with_markup_is_shown_as_text(client, login, make_user):
    login(make_user())

    save_profile(client, display_name='<script>alert("x")</script>', language="de")

    page = client.get("/").text
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_a_name_stays_on_one_line_whatever_the_request_carries(client, login, make_user):
    # A text field cannot hold a line break, a forged request can: the name would start a made-up
    # paragraph in other people's mails ("Note from the administration: …").
    person = make_user()
    login(person)

    save_profile(client, display_name="Eve\r\n\nHINWEIS DER ADMINISTRATION:\u2028bitte\u202e hier klicken",
                 language="de")

    db.session.refresh(person)
    assert person.display_name == "Eve HINWEIS DER ADMINISTRATION: bitte hier klicken"


def test_the_profile_form_changes_nothing_but_name_and_language(client, login, make_user):
    user = make_user(email="ich@example.org")
    login(user)

    save_profile(client, display_name="Ich", language="de", email="chef@example.org", roles="admin",
                 active="0", password_hash="x", organisation_id="1")

    db.session.refresh(user)
    assert user.email == "ich@example.org"
    assert user.roles == {Role.LEARNER}
    assert user.active and user.password_hash != "x"


def test_the_profile_leads_to_the_mail_from_the_exchange(client, login, make_user):
    login(make_user())
    page = client.get("/profil").text
    assert "bei jedem neuen Beitrag eine E-Mail" in page
    assert 'href="/austausch/benachrichtigungen"' in page
