"""The people list filtered by unit: a unit's people at a glance, and ticked together to move them (after a
reorganisation, say); an organisation's administration is offered its own organisation's units only."""

import html
import re

import pytest

from qualify.accounts.roles import Role


@pytest.fixture
def firma(make_organisation):
    return make_organisation("Muster GmbH", units=("Montage", "Logistik"))


@pytest.fixture
def zulieferer(make_organisation):
    return make_organisation("Zulieferer AG", units=("Lager",))


def unit_of(organisation, name: str):
    return next(unit for unit in organisation.units if unit.name == name)


@pytest.fixture
def people(make_user, firma, zulieferer):
    return {"anna": make_user(name="Anna Montage", organisation=firma, unit=unit_of(firma, "Montage")),
            "bert": make_user(name="Bert Montage", organisation=firma, unit=unit_of(firma, "Montage")),
            "lena": make_user(name="Lena Logistik", organisation=firma, unit=unit_of(firma, "Logistik")),
            "lisa": make_user(name="Lisa Lager", organisation=zulieferer, unit=zulieferer.units[0])}


def unit_options(page: str) -> list[str]:
    select = re.search(r'<select id="einheit" name="einheit">(.*?)</select>', page, re.S).group(1)
    return [html.unescape(text) for text in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def names_listed(page: str) -> set[str]:
    return set(re.findall(r'<a href="/verwaltung/personen/\d+">([^<]+)</a>', page))


def test_the_administration_lists_the_people_of_one_unit(client, admin, firma, zulieferer, people):
    page = client.get("/verwaltung/").text
    assert unit_options(page) == ["alle", "Muster GmbH · Logistik", "Muster GmbH · Montage", "Zulieferer AG · Lager"]

    montage = unit_of(firma, "Montage")
    page = client.get(f"/verwaltung/?einheit={montage.id}").text
    assert names_listed(page) == {"Anna Montage", "Bert Montage"}
    assert f'<option value="{montage.id}" selected>Muster GmbH · Montage</option>' in page
    # Ticked there, they move together; the move leads back to this list.
    assert html.unescape(f'name="back" value="/verwaltung/?einheit={montage.id}"') in html.unescape(page)
    for person in (people["anna"], people["bert"]):
        assert f'name="people" value="{person.id}"' in page


def test_with_an_organisation_chosen_only_its_units_are_offered(client, admin, firma, people):
    page = client.get(f"/verwaltung/?organisation={firma.id}").text
    assert unit_options(page) == ["alle", "Logistik", "Montage"]
    logistik = unit_of(firma, "Logistik")
    page = client.get(f"/verwaltung/?organisation={firma.id}&einheit={logistik.id}&status=active").text
    assert names_listed(page) == {"Lena Logistik"}


def test_the_pages_of_a_unit_keep_the_unit(client, admin, firma, make_user):
    montage = unit_of(firma, "Montage")
    for n in range(51):
        make_user(name=f"Person {n:02d}", organisation=firma, unit=montage)
    page = html.unescape(client.get(f"/verwaltung/?einheit={montage.id}").text)
    assert f"einheit={montage.id}" in re.search(r'<a href="([^"]*seite=2[^"]*)"', page).group(1)


def test_an_organisations_administration_is_offered_and_shown_its_own_units_only(
        client, login, make_user, firma, zulieferer, people):
    login(make_user(Role.ORG_ADMIN, name="Hanna Personal", organisation=firma))
    page = client.get("/verwaltung/").text
    assert unit_options(page) == ["alle", "Logistik", "Montage"]
    assert "Zulieferer" not in page and "Lager" not in page

    # Another organisation's unit, typed into the address: not a filter here, and nobody of theirs shown.
    page = client.get(f"/verwaltung/?einheit={zulieferer.units[0].id}").text
    assert "Lisa Lager" not in page and "Lager" not in unit_options(page)
    assert {"Anna Montage", "Lena Logistik"} <= names_listed(page)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ORG_ADMIN])
def test_the_unit_filter_costs_the_same_with_few_and_many_units_and_people(
        app, client, login, make_user, make_organisation, count_statements, role):
    firma = make_organisation("Muster GmbH", units=("Montage",))
    login(make_user(role, organisation=firma))
    montage = firma.units[0]
    url = f"/verwaltung/?einheit={montage.id}"

    def cost() -> int:
        with app.app_context(), count_statements() as counter:  # the request's own session, as in production
            assert client.get(url).status_code == 200
        return counter.count

    make_user(organisation=firma, unit=montage)
    few = cost()
    for n in range(12):
        other = make_organisation(units=("Montage", "Lager", "Logistik"))
        make_user(Role.LEARNER, Role.TRAINER, organisation=firma, unit=montage)
        make_user(organisation=other, unit=other.units[n % 3])
    assert cost() == few
    # the signed-in person; organisations and units; the count; the page; its people's roles
    assert few <= 5
