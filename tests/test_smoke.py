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
