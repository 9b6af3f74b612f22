"""Moving several people to another unit in one step (after a reorganisation): ticked on the people list, asked
once more with how many move from where, one log entry per person as their own page writes it; an organisation's
administration only its own people, to its own units."""

import html
import re

import pytest
from sqlalchemy import select

from qualify.accounts.models import Unit, User
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.extensions import db

MOVE = "/verwaltung/personen/verschieben"


@pytest.fixture
def firma(make_organisation):
    return make_organisation("Muster GmbH", units=("Montage", "Logistik", "Instandhaltung"))


def unit_of(organisation, name: str) -> Unit:
    return next(unit for unit in organisation.units if unit.name == name)


@pytest.fixture
def crew(firma, make_user):
    """Three people of Montage and one without a unit, all of Muster GmbH."""
    montage = unit_of(firma, "Montage")
    return [make_user(name="Anna Arm", organisation=firma, unit=montage),
            make_user(name="Bert Band", organisation=firma, unit=montage),
            make_user(name="Cem Clip", organisation=firma, unit=montage),
            make_user(name="Dora Dach", organisation=firma)]


def text(page: str) -> str:
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", html.unescape(page))
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def confirmation_of(page: str) -> str:
    return html.unescape(re.search(r'name="confirmed" value="([^"]*)"', page).group(1))


def move(client, people, unit_value: str, *, confirm: bool = True, back: str = "/verwaltung/?q=a"):
    """Tick the people on the list, choose the unit, and (confirm) say yes to the question."""
    ids = [str(person.id) for person in people]
    chosen = client.post(MOVE, data={"people": ids, "back": back})
    assert chosen.status_code == 200
    form = {"people": ids, "offered": ids, "unit": unit_value, "back": back}
    asked = client.post(MOVE, data=form)
    if not confirm or 'name="confirmed"' not in asked.text:
        return asked
    return client.post(MOVE, data={**form, "confirmed": confirmation_of(asked.text)})


def moves_logged() -> list[tuple[int, dict]]:
    return [(event.target_id, event.details) for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.update").order_by(AuditEvent.id))]


def units_of(people) -> list[str | None]:
    db.session.expire_all()
    return [db.session.get(User, person.id).unit.name if db.session.get(User, person.id).unit else None
            for person in people]


def test_the_list_offers_a_labelled_checkbox_for_each_person(client, admin, crew):
    page = client.get("/verwaltung/").text
    assert f'action="{MOVE}"' in page
    assert (f'<label class="check"><input type="checkbox" name="people" value="{crew[0].id}"><span '
            'class="visually-hidden">Anna Arm auswählen</span></label>') in page
    assert "Ausgewählte in andere Einheit verschieben …" in page


def test_three_people_move_after_the_page_says_how_many_from_where(client, admin, firma, crew):
    logistik = unit_of(firma, "Logistik")
    asked = move(client, crew, f"unit:{logistik.id}", confirm=False)
    page = text(asked.text)
    assert "Noch nicht verschoben: 4 Personen wechseln nach Muster GmbH · Logistik:" in page
    assert "3 aus „Montage“" in page and "1 bisher ohne Einheit" in page
    assert "Ja, 4 Personen verschieben" in page
    assert units_of(crew) == ["Montage", "Montage", "Montage", None]  # asked only

    done = client.post(MOVE, data={"people": [str(p.id) for p in crew], "offered": [str(p.id) for p in crew],
                                   "unit": f"unit:{logistik.id}", "back": "/verwaltung/?q=a",
                                   "confirmed": confirmation_of(asked.text)})

    assert done.status_code == 302 and done.headers["Location"] == "/verwaltung/?q=a"
    assert units_of(crew) == ["Logistik"] * 4
    montage = unit_of(firma, "Montage")
    assert moves_logged() == [
        (crew[0].id, {"fields": ["unit"], "unit_before": montage.id, "unit_after": logistik.id}),
        (crew[1].id, {"fields": ["unit"], "unit_before": montage.id, "unit_after": logistik.id}),
        (crew[2].id, {"fields": ["unit"], "unit_before": montage.id, "unit_after": logistik.id}),
        (crew[3].id, {"fields": ["unit"], "unit_before": None, "unit_after": logistik.id})]
    assert all(actor == admin.id for actor in db.session.scalars(
        select(AuditEvent.actor_id).where(AuditEvent.action == "user.update")))
    assert "4 Personen sind jetzt in Muster GmbH · Logistik." in text(client.get("/verwaltung/?q=a").text)


def test_unticking_someone_on_the_way_leaves_them_where_they_are(client, admin, firma, crew):
    ids = [str(person.id) for person in crew]
    logistik = unit_of(firma, "Logistik")
    form = {"people": ids[:2], "offered": ids, "unit": f"unit:{logistik.id}"}
    asked = client.post(MOVE, data=form)
    assert "Ja, 2 Personen verschieben" in text(asked.text)
    assert f'name="offered" value="{crew[3].id}"' in asked.text  # still offered, to tick again

    client.post(MOVE, data={**form, "confirmed": confirmation_of(asked.text)})
    assert units_of(crew) == ["Logistik", "Logistik", "Montage", None]


def test_a_confirmation_for_another_unit_asks_again(client, admin, firma, crew):
    ids = [str(person.id) for person in crew]
    asked = client.post(MOVE, data={"people": ids, "offered": ids, "unit": f"unit:{unit_of(firma, 'Logistik').id}"})
    instandhaltung = unit_of(firma, "Instandhaltung")

    again = client.post(MOVE, data={"people": ids, "offered": ids, "unit": f"unit:{instandhaltung.id}",
                                    "confirmed": confirmation_of(asked.text)})

    assert "wechseln nach Muster GmbH · Instandhaltung" in text(again.text)
    assert units_of(crew) == ["Montage", "Montage", "Montage", None] and moves_logged() == []


def test_who_is_there_already_stays_unlogged_and_a_double_click_moves_nobody_twice(client, admin, firma, crew):
    montage = unit_of(firma, "Montage")
    asked = move(client, crew, f"unit:{montage.id}", confirm=False)
    assert "Noch nicht verschoben: 1 Person wechselt nach Muster GmbH · Montage:" in text(asked.text)
    assert "3 ausgewählte Personen sind schon dort und bleiben." in text(asked.text)
    form = {"people": [str(p.id) for p in crew], "offered": [str(p.id) for p in crew], "unit": f"unit:{montage.id}",
            "confirmed": confirmation_of(asked.text)}

    client.post(MOVE, data=form)
    second = client.post(MOVE, data=form, follow_redirects=True)

    assert "Alle Ausgewählten sind bereits in Muster GmbH · Montage." in text(second.text)
    assert [target for target, _details in moves_logged()] == [crew[3].id]


def test_people_can_be_taken_out_of_every_unit_of_their_organisation(client, admin, firma, crew):
    move(client, crew[:2], f"org:{firma.id}")
    assert units_of(crew[:2]) == [None, None]


def test_nobody_ticked_is_said_on_the_list(client, admin, crew):
    response = client.post(MOVE, data={"back": "/verwaltung/?status=active"}, follow_redirects=True)
    assert "Bitte wählen Sie mindestens eine Person aus." in text(response.text)


def test_a_unit_must_be_chosen_and_someone_ticked(client, admin, crew):
    ids = [str(person.id) for person in crew]
    page = text(client.post(MOVE, data={"people": ids, "offered": ids, "unit": ""}).text)
    assert "Bitte wählen Sie die neue Einheit." in page
    page = text(client.post(MOVE, data={"offered": ids, "unit": f"org:{crew[0].organisation_id}"}).text)
    assert "Bitte wählen Sie mindestens eine Person aus." in page


def test_people_of_another_organisation_are_named_and_nobody_moves(client, admin, firma, crew, make_organisation,
                                                                   make_user):
    other = make_organisation("Zulieferer AG", units=("Lager",))
    lisa = make_user(name="Lisa Lager", organisation=other, unit=other.units[0])
    ids = [str(crew[0].id), str(lisa.id)]

    page = text(client.post(MOVE, data={"people": ids, "offered": ids,
                                        "unit": f"unit:{unit_of(firma, 'Logistik').id}"}).text)

    assert "Diese Personen gehören nicht zu Muster GmbH; bitte nehmen Sie sie aus der Auswahl: Lisa Lager." in page
    assert "Ja," not in page and units_of([crew[0], lisa]) == ["Montage", "Lager"]


def test_a_return_address_beyond_the_administration_is_not_followed(client, admin, firma, crew):
    response = move(client, crew[:1], f"unit:{unit_of(firma, 'Logistik').id}", back="https://example.com/")
    assert response.headers["Location"] == "/verwaltung/"


def test_the_list_costs_the_same_statements_with_its_checkboxes_for_few_and_many(app, client, admin, firma,
                                                                                  make_user, count_statements):
    def cost() -> int:
        with app.app_context(), count_statements() as counter:
            assert 'name="people"' in client.get("/verwaltung/").text
        return counter.count

    make_user(organisation=firma, unit=firma.units[0])
    few = cost()
    for n in range(15):
        make_user(Role.LEARNER, Role.TRAINER, organisation=firma, unit=firma.units[n % 3])
    assert cost() == few


class TestOrganisationAdministration:
    @pytest.fixture
    def hr(self, make_user, login, firma):
        user = make_user(Role.ORG_ADMIN, name="Hanna Personal", organisation=firma, unit=unit_of(firma, "Montage"))
        login(user)
        return user

    def test_moves_its_own_people_within_its_organisation(self, client, hr, firma, crew):
        move(client, crew[:3], f"unit:{unit_of(firma, 'Instandhaltung').id}")
        assert units_of(crew[:3]) == ["Instandhaltung"] * 3
        assert len(moves_logged()) == 3

    def test_people_and_units_of_another_organisation_are_not_found(self, client, hr, firma, crew,
                                                                    make_organisation, make_user):
        other = make_organisation("Zulieferer AG", units=("Lager",))
        lisa = make_user(name="Lisa Lager", organisation=other, unit=other.units[0])
        mine = [str(crew[0].id)]

        assert client.post(MOVE, data={"people": [str(lisa.id)]}).status_code == 404
        assert client.post(MOVE, data={"people": mine + [str(lisa.id)]}).status_code == 404
        assert client.post(MOVE, data={"people": mine, "offered": mine,
                                       "unit": f"unit:{other.units[0].id}"}).status_code == 404
        assert client.post(MOVE, data={"people": mine, "offered": mine, "unit": f"org:{other.id}"}).status_code == 404
        assert units_of([crew[0], lisa]) == ["Montage", "Lager"] and moves_logged() == []

    def test_an_account_only_the_administration_changes_is_not_offered_and_refused(self, client, hr, firma,
                                                                                   make_user):
        council = make_user(Role.WORKS_COUNCIL, name="Rita Rat", organisation=firma, unit=unit_of(firma, "Montage"))
        assert f'name="people" value="{council.id}"' not in client.get("/verwaltung/").text

        ids = [str(council.id)]
        page = text(client.post(MOVE, data={"people": ids, "offered": ids,
                                            "unit": f"unit:{unit_of(firma, 'Logistik').id}"}).text)
        assert "Diese Personen verschiebt nur die Administration" in page and "Rita Rat" in page
        assert units_of([council]) == ["Montage"]
