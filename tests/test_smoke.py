import pytest

from qualify.accounts.roles import Role


def test_welcome_page_is_german_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="de"' in response.text
    assert "Anmelden" in response.text


def test_admin_signs_in_and_sees_administration(client, make_user, login):
    from qualify.accounts.roles import Role

    login(make_user(Role.ADMIN))
    response = client.get("/")
    assert "Verwaltung" in response.text


def test_the_start_page_offers_each_area_of_the_person(client, make_user, login):
    from qualify.accounts.roles import Role

    login(make_user(Role.LEARNER))
    page = client.get("/").text
    cards = page[page.index('class="cards"'):]
    assert 'href="/kurse/"' in cards and 'href="/lernen/"' in cards
    assert "Ihre Rollen" not in page  # "Lernende" alone tells a learner nothing


def test_the_start_page_names_the_roles_of_someone_with_more_than_learning(client, make_user, login):
    login(make_user(Role.LEARNER, Role.TRAINER))
    page = client.get("/").text
    assert "Ihre Rollen" in page and "Trainer/in" in page


@pytest.mark.parametrize("url", [
    "/lernen/versuche/99999999999999999999999", "/termine/99999999999999999999999",
    "/austausch/faden/99999999999999999999999", "/kurse/?seite=99999999999999999999999",
])
def test_numbers_too_large_for_the_database_are_not_found_not_an_error(client, make_user, login, url):
    login(make_user(Role.LEARNER, Role.WORKS_COUNCIL))
    assert client.get(url).status_code in (200, 404)


def test_odd_query_values_are_ignored_not_an_error(client, make_user, make_organisation, login):
    from qualify.core.time import utcnow
    from qualify.exchange import posting, spaces
    from qualify.extensions import db

    person = make_user(Role.LEARNER, Role.WORKS_COUNCIL, organisation=make_organisation())
    space = spaces.create_space("Offener Raum", "", organisation_id=None, moderation="post", anonymous="allowed",
                                by=make_user(Role.ADMIN), now=utcnow())
    thread = posting.start_thread(space, person, "Frage", "Text", anonymous=False, now=utcnow())
    db.session.commit()
    login(person)
    assert client.get(f"/austausch/faden/{thread.id}?zitat=99999999999999999999999").status_code in (200, 404)
    assert client.get(f"/austausch/faden/{thread.id}?zitat=²").status_code == 200  # a digit, but not ASCII
    reply = client.post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Ja", "reply_to": "9" * 25})
    assert reply.status_code in (200, 302, 400)
    assert client.get("/termine/?von=0001-01-01&bis=9999-12-31").status_code == 200
    assert client.get("/berichte/beteiligung?kurs=²&bereich=²").status_code == 200
    assert client.get("/berichte/beteiligung?von=0000-01&bis=9999-12").status_code == 200
