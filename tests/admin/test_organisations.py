"""Organisations and units on the administration pages and the command line: onboarding a company."""

import html
from datetime import date

import pytest
from sqlalchemy import select

from qualify.accounts import csv_import, organisations, services
from qualify.accounts.commands import users_cli
from qualify.accounts.models import Organisation, Unit, User
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.extensions import db
from qualify.reports.models import UnitHeadcount

BASE = "/verwaltung/organisationen"


@pytest.fixture
def firma():
    organisation = services.create_organisation("muster-gmbh", "Muster GmbH", ["Montage", "Logistik"])
    db.session.commit()
    return organisation


def new_organisation(**changes) -> dict:
    return {"name": "Karosseriewerk Nord GmbH", "slug": "", "small_group_threshold": "5", "units": "", **changes}


def organisation_named(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def unit_names(organisation: Organisation) -> list[str]:
    return list(db.session.scalars(select(Unit.name).where(Unit.organisation_id == organisation.id)
                                   .order_by(Unit.name)))


def audit_trail() -> list[tuple[str, dict]]:
    return [(event.action, event.details) for event in
            db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("organisation."))
                               .order_by(AuditEvent.id))]


def text(response) -> str:
    return html.unescape(response.text)


def test_an_admin_creates_an_organisation_with_three_units_and_the_csv_import_places_people_there(
        app, client, admin):
    typed = "Montage\r\nLogistik\n\n  Instandhaltung  \n"
    response = client.post(f"{BASE}/neu", data=new_organisation(units=typed))

    organisation = organisation_named("Karosseriewerk Nord GmbH")
    assert response.status_code == 302 and response.headers["Location"] == f"{BASE}/{organisation.id}"
    assert organisation.slug == "karosseriewerk-nord-gmbh" and organisation.small_group_threshold == 5
    assert unit_names(organisation) == ["Instandhaltung", "Logistik", "Montage"]

    plan = csv_import.plan_import("E-Mail;Name;Einheit\nlea@example.org;Lea Lang;Logistik\n", organisation)
    assert plan.ok, [problem.message for problem in plan.problems]
    with app.test_request_context(base_url=app.config["BASE_URL"]):  # invitations carry absolute links
        csv_import.apply_import(plan, actor=admin)
    db.session.commit()
    lea = db.session.scalar(select(User).where(User.email == "lea@example.org"))
    assert (lea.organisation_id, lea.unit.name) == (organisation.id, "Logistik")


def test_the_list_shows_each_organisation_with_its_units_and_how_many_people_are_in_them(
        client, admin, firma, make_organisation, make_user):
    make_organisation("Zulieferer AG", units=())
    montage = next(unit for unit in firma.units if unit.name == "Montage")
    make_user(organisation=firma, unit=montage)
    make_user(organisation=firma, unit=montage, active=False)  # deactivated accounts belong there too
    make_user(organisation=firma)

    page = text(client.get(f"{BASE}/"))

    assert "Muster GmbH" in page and "Zulieferer AG" in page
    assert "Logistik (0), Montage (2)" in page
    assert "<td>3</td>" in page  # everyone in Muster GmbH, with or without a unit
    assert 'class="table-scroll" tabindex="0" role="region"' in page and "<caption" in page
    assert f'href="{BASE}/" aria-current="page">Organisationen</a>' in client.get(f"{BASE}/").text  # in the menu


def test_a_slug_that_is_taken_is_named_and_what_was_typed_stays(client, admin, firma):
    response = client.post(f"{BASE}/neu", data=new_organisation(name="Muster-GmbH", units="Montage"))

    assert response.status_code == 200
    page = text(response)
    assert "Das Kürzel „muster-gmbh“ hat schon die Organisation „Muster GmbH“" in page
    assert 'id="slug-error"' in response.text and 'value="Muster-GmbH"' in response.text
    assert "\nMontage</textarea>" in response.text
    assert organisation_named("Muster-GmbH") is None

    chosen = client.post(f"{BASE}/neu", data=new_organisation(name="Muster-GmbH", slug="muster-sued"))
    assert chosen.status_code == 302 and organisation_named("Muster-GmbH").slug == "muster-sued"


def test_a_second_organisation_of_the_same_name_is_refused(client, admin, firma, make_organisation):
    response = client.post(f"{BASE}/neu", data=new_organisation(name="muster gmbh", slug="muster-zwei"))
    assert response.status_code == 200 and 'id="name-error"' in response.text
    assert "Eine Organisation „muster gmbh“ gibt es schon." in text(response)

    other = make_organisation("Zulieferer AG")
    renamed = client.post(f"{BASE}/{other.id}", data={"name": "Muster GmbH", "small_group_threshold": "5"})
    assert renamed.status_code == 200 and "Eine Organisation „Muster GmbH“ gibt es schon." in text(renamed)
    db.session.refresh(other)
    assert other.name == "Zulieferer AG"


def test_an_organisation_is_renamed_and_keeps_its_slug(client, admin, firma):
    response = client.post(f"{BASE}/{firma.id}", data={"name": "  Muster  Süd GmbH ", "small_group_threshold": "5"})
    assert response.status_code == 302
    db.session.refresh(firma)
    assert (firma.name, firma.slug) == ("Muster Süd GmbH", "muster-gmbh")  # scripts and imports still find it
    assert audit_trail() == [("organisation.rename", {"before": "Muster GmbH", "after": "Muster Süd GmbH"})]


def test_a_new_organisation_with_a_unit_twice_is_not_created(client, admin):
    response = client.post(f"{BASE}/neu", data=new_organisation(units="Montage\nLogistik\nmontage"))

    assert response.status_code == 200
    assert "„Montage“ steht mehr als einmal in der Liste." in text(response)
    assert "Montage\nLogistik\nmontage</textarea>" in response.text
    assert organisation_named("Karosseriewerk Nord GmbH") is None


def test_units_the_organisation_has_are_refused_by_name_and_nothing_is_added(client, admin, firma):
    typed = "Lackiererei\nmontage\nLogistik"
    response = client.post(f"{BASE}/{firma.id}/einheiten", data={"units": typed})

    assert response.status_code == 200
    assert "Die Einheiten „montage“, „Logistik“ gibt es bei Muster GmbH schon." in text(response)
    assert 'id="units-error"' in response.text and f"\n{typed}</textarea>" in response.text
    assert unit_names(firma) == ["Logistik", "Montage"]  # not even Lackiererei: all or nothing


def test_units_are_added_one_per_line(client, admin, firma):
    response = client.post(f"{BASE}/{firma.id}/einheiten", data={"units": "Lackiererei\nWerk Süd\n"})

    assert response.status_code == 302
    assert unit_names(firma) == ["Lackiererei", "Logistik", "Montage", "Werk Süd"]
    assert "2 Einheiten angelegt." in text(client.get(response.headers["Location"]))


def test_a_unit_is_renamed_but_not_to_the_name_of_another(client, admin, firma):
    montage = next(unit for unit in firma.units if unit.name == "Montage")

    refused = client.post(f"{BASE}/{firma.id}/einheiten/{montage.id}", data={"name": "logistik"})
    assert refused.status_code == 200
    assert "Die Einheit „Logistik“ gibt es bei Muster GmbH schon." in text(refused)
    assert 'value="logistik"' in refused.text

    renamed = client.post(f"{BASE}/{firma.id}/einheiten/{montage.id}", data={"name": "Montage Halle 2"})
    assert renamed.status_code == 302
    db.session.refresh(montage)
    assert montage.name == "Montage Halle 2"


def test_a_unit_with_people_cannot_be_removed(client, admin, firma, make_user):
    montage = next(unit for unit in firma.units if unit.name == "Montage")
    make_user(organisation=firma, unit=montage)
    make_user(organisation=firma, unit=montage, active=False)

    page = text(client.get(f"{BASE}/{firma.id}/einheiten/{montage.id}"))
    assert "Der Einheit „Montage“ gehören noch 2 Personen an." in page
    assert "Ja, Einheit entfernen" not in page

    response = client.post(f"{BASE}/{firma.id}/einheiten/{montage.id}/entfernen", data={})
    assert response.status_code == 302
    assert "gehören noch 2 Personen an" in text(client.get(response.headers["Location"]))
    assert db.session.get(Unit, montage.id) is not None
    assert [action for action, _details in audit_trail()] == []


def test_an_empty_unit_is_removed_after_asking_once_more(client, admin, firma):
    logistik = next(unit for unit in firma.units if unit.name == "Logistik")

    page = client.get(f"{BASE}/{firma.id}/einheiten/{logistik.id}").text
    assert '<details class="decision">' in page and "Ja, Einheit entfernen" in page

    response = client.post(f"{BASE}/{firma.id}/einheiten/{logistik.id}/entfernen", data={})
    assert response.status_code == 302
    assert unit_names(firma) == ["Montage"]
    assert audit_trail() == [("organisation.unit_removed", {"unit_id": logistik.id, "name": "Logistik"})]


def test_a_unit_that_report_figures_count_stays(client, admin, firma):
    logistik = next(unit for unit in firma.units if unit.name == "Logistik")
    db.session.add(UnitHeadcount(organisation_id=firma.id, unit_id=logistik.id, month=date(2026, 1, 1), people=7))
    db.session.commit()

    client.post(f"{BASE}/{firma.id}/einheiten/{logistik.id}/entfernen", data={})

    assert db.session.get(Unit, logistik.id) is not None
    assert "Berichtszahlen früherer Monate" in text(client.get(f"{BASE}/{firma.id}/einheiten/{logistik.id}"))


def test_a_unit_of_another_organisation_is_not_found_under_this_one(client, admin, firma, make_organisation):
    other = make_organisation("Zulieferer AG", units=("Lager",))
    lager = other.units[0]
    assert client.get(f"{BASE}/{firma.id}/einheiten/{lager.id}").status_code == 404
    assert client.post(f"{BASE}/{firma.id}/einheiten/{lager.id}/entfernen", data={}).status_code == 404
    assert db.session.get(Unit, lager.id) is not None


@pytest.mark.parametrize("threshold", ["2", "0", "-5"])
def test_a_threshold_below_3_is_refused_and_the_name_typed_stays(client, admin, firma, threshold):
    response = client.post(f"{BASE}/{firma.id}", data={"name": "Muster Neu GmbH", "small_group_threshold": threshold})

    assert response.status_code == 200
    assert "Die Mindestgruppengröße muss zwischen 3 und 999 liegen." in text(response)
    assert 'value="Muster Neu GmbH"' in response.text
    db.session.refresh(firma)
    assert (firma.name, firma.small_group_threshold) == ("Muster GmbH", 5)
    assert audit_trail() == []


def test_lowering_the_threshold_is_asked_once_more_and_saved_only_when_confirmed(client, admin, firma):
    asked = client.post(f"{BASE}/{firma.id}", data={"name": "Muster Neu GmbH", "small_group_threshold": "3"})

    assert "Noch nicht gespeichert: Mit 3 statt 5 zeigen die Berichte" in text(asked)
    assert 'name="lower_to" value="3"' in asked.text and 'value="Muster Neu GmbH"' in asked.text
    db.session.refresh(firma)
    assert (firma.name, firma.small_group_threshold) == ("Muster GmbH", 5) and audit_trail() == []

    client.post(f"{BASE}/{firma.id}", data={"name": "Muster Neu GmbH", "small_group_threshold": "3", "lower_to": "3"})
    db.session.refresh(firma)
    assert (firma.name, firma.small_group_threshold) == ("Muster Neu GmbH", 3)


def test_a_confirmation_of_another_value_asks_again_and_raising_needs_none(client, admin, firma):
    client.post(f"{BASE}/{firma.id}", data={"name": "Muster GmbH", "small_group_threshold": "3", "lower_to": "4"})
    db.session.refresh(firma)
    assert firma.small_group_threshold == 5

    client.post(f"{BASE}/{firma.id}", data={"name": "Muster GmbH", "small_group_threshold": "8"})
    db.session.refresh(firma)
    assert firma.small_group_threshold == 8


def test_a_new_organisation_with_a_threshold_below_3_is_not_created(client, admin):
    response = client.post(f"{BASE}/neu", data=new_organisation(small_group_threshold="2"))
    assert response.status_code == 200 and 'id="small_group_threshold-error"' in response.text
    assert organisation_named("Karosseriewerk Nord GmbH") is None


def test_the_threshold_is_checked_whoever_calls(firma):
    with pytest.raises(services.AccountError, match="zwischen 3 und 999"):
        organisations.update_organisation(firma, name=firma.name, small_group_threshold=2)
    with pytest.raises(services.AccountError, match="zwischen 3 und 999"):
        organisations.add_organisation("Kleinbetrieb", small_group_threshold=1)


def test_the_form_says_the_threshold_is_agreed_with_the_works_council(client, admin):
    page = text(client.get(f"{BASE}/neu"))
    assert 'value="5"' in page and "Mit dem Betriebsrat vereinbart" in page
    assert 'aria-describedby="small_group_threshold-hint"' in page


def test_every_change_is_audited(client, admin):
    client.post(f"{BASE}/neu", data=new_organisation(units="Montage\nLogistik"))
    organisation = organisation_named("Karosseriewerk Nord GmbH")
    client.post(f"{BASE}/{organisation.id}", data={"name": "Karosseriewerk Nord", "small_group_threshold": "7"})
    client.post(f"{BASE}/{organisation.id}", data={"name": "Karosseriewerk Nord", "small_group_threshold": "7"})
    client.post(f"{BASE}/{organisation.id}/einheiten", data={"units": "Lager"})
    lager, montage = (db.session.scalar(select(Unit).where(Unit.organisation_id == organisation.id, Unit.name == name))
                      for name in ("Lager", "Montage"))
    client.post(f"{BASE}/{organisation.id}/einheiten/{montage.id}", data={"name": "Endmontage"})
    client.post(f"{BASE}/{organisation.id}/einheiten/{lager.id}/entfernen", data={})

    assert audit_trail() == [
        ("organisation.create", {"name": "Karosseriewerk Nord GmbH", "slug": "karosseriewerk-nord-gmbh",
                                 "small_group_threshold": 5, "units": ["Montage", "Logistik"]}),
        ("organisation.rename", {"before": "Karosseriewerk Nord GmbH", "after": "Karosseriewerk Nord"}),
        ("organisation.threshold", {"by": admin.display_name, "by_address": admin.email,
                                    "organisation_id": organisation.id, "before": 5, "after": 7}),
        ("organisation.units_added", {"units": ["Lager"]}),
        ("organisation.unit_renamed", {"unit_id": montage.id, "before": "Montage", "after": "Endmontage"}),
        ("organisation.unit_removed", {"unit_id": lager.id, "name": "Lager"}),
    ]  # saving unchanged settings a second time logged nothing
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("organisation."))).all()
    assert {(event.actor_id, event.target_type, event.target_id) for event in events} == {
        (admin.id, "Organisation", organisation.id)}

    log = text(client.get("/verwaltung/protokoll"))
    assert "Mindestgruppengröße für Berichte geändert" in log and "vorher: 5; nachher: 7" in log
    assert "Einheit umbenannt" in log and "Organisation angelegt" in log


NON_ADMINS = sorted(set(Role) - {Role.ADMIN})


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_reach_organisations_and_units(client, make_user, login, firma, role):
    assert {Role.WORKS_COUNCIL, Role.COORDINATOR, Role.TRAINER, Role.ORG_ADMIN} <= set(NON_ADMINS)
    login(make_user(role, organisation=firma))  # the organisation's own administration included
    unit = firma.units[0]
    gets = [f"{BASE}/", f"{BASE}/neu", f"{BASE}/{firma.id}", f"{BASE}/{firma.id}/einheiten/{unit.id}"]
    posts = {f"{BASE}/neu": new_organisation(units="Montage"),
             f"{BASE}/{firma.id}": {"name": "Übernommen", "small_group_threshold": "3"},
             f"{BASE}/{firma.id}/einheiten": {"units": "Lager"},
             f"{BASE}/{firma.id}/einheiten/{unit.id}": {"name": "Umbenannt"},
             f"{BASE}/{firma.id}/einheiten/{unit.id}/entfernen": {}}

    assert [client.get(url).status_code for url in gets] == [403] * len(gets)
    assert [client.post(url, data=data).status_code for url, data in posts.items()] == [403] * len(posts)
    db.session.expire_all()
    assert db.session.scalar(select(Organisation.name).where(Organisation.id == firma.id)) == "Muster GmbH"
    assert unit_names(firma) == ["Logistik", "Montage"]
    assert organisation_named("Karosseriewerk Nord GmbH") is None and audit_trail() == []


def test_guests_are_sent_to_the_login(client, firma):
    response = client.get(f"{BASE}/")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_forms_without_a_csrf_token_change_nothing(client, admin, firma):
    response = client.post(f"{BASE}/{firma.id}/einheiten", data={"units": "Lager"}, csrf=False)
    assert response.status_code == 400
    assert unit_names(firma) == ["Logistik", "Montage"]


def test_the_list_costs_the_same_with_1_and_with_10_organisations(new_client, make_user, login, make_organisation,
                                                                  count_statements):
    client = new_client()  # each request in its own session, as in production: no lazy load stays hidden
    login(make_user(Role.ADMIN), via=client)
    make_organisation(units=("Montage", "Logistik", "Instandhaltung"))

    def cost() -> int:
        client.get(f"{BASE}/")  # warm up what is cached per process
        with count_statements() as counter:
            assert client.get(f"{BASE}/").status_code == 200
        return counter.count

    with_one = cost()
    for _n in range(9):
        organisation = make_organisation(units=("Montage", "Logistik", "Instandhaltung"))
        make_user(organisation=organisation, unit=organisation.units[0])
    assert cost() == with_one
    assert with_one <= 3  # the signed-in person, the organisations, their units


def test_the_command_line_creates_an_organisation_with_units_for_a_scripted_onboarding(runner):
    result = runner.invoke(users_cli, ["add-organisation", "Karosseriewerk Nord GmbH", "--unit", "Montage",
                                       "--unit", "Logistik", "--threshold", "6"])

    assert result.exit_code == 0, result.output
    assert "karosseriewerk-nord-gmbh" in result.output
    organisation = organisation_named("Karosseriewerk Nord GmbH")
    assert unit_names(organisation) == ["Logistik", "Montage"] and organisation.small_group_threshold == 6
    assert [action for action, _details in audit_trail()] == ["organisation.create"]

    more = runner.invoke(users_cli, ["add-units", "karosseriewerk-nord-gmbh", "Instandhaltung", "Lager"])
    assert more.exit_code == 0, more.output
    assert unit_names(organisation) == ["Instandhaltung", "Lager", "Logistik", "Montage"]


def test_the_command_line_refuses_what_the_page_refuses(runner, firma):
    same = runner.invoke(users_cli, ["add-organisation", "Muster GmbH"])
    assert same.exit_code == 1 and "Eine Organisation „Muster GmbH“ gibt es schon." in same.output
    taken = runner.invoke(users_cli, ["add-organisation", "Muster-GmbH"])
    assert taken.exit_code == 1 and "Das Kürzel „muster-gmbh“ hat schon die Organisation" in taken.output
    small = runner.invoke(users_cli, ["add-organisation", "Kleinbetrieb", "--threshold", "2"])
    assert small.exit_code == 1 and "zwischen 3 und 999" in small.output
    twice = runner.invoke(users_cli, ["add-units", firma.slug, "Lager", "Montage"])
    assert twice.exit_code == 1 and "„Montage“ gibt es bei Muster GmbH schon" in twice.output
    unknown = runner.invoke(users_cli, ["add-units", "gibt-es-nicht", "Lager"])
    assert unknown.exit_code == 2
    assert organisation_named("Kleinbetrieb") is None and unit_names(firma) == ["Logistik", "Montage"]


def test_an_erased_persons_unit_counts_nobody_and_can_be_removed(client, admin, firma, make_user):
    montage = next(unit for unit in firma.units if unit.name == "Montage")
    leaver = make_user(name="Lea Leaving", organisation=firma, unit=montage)
    client.post(f"/verwaltung/personen/{leaver.id}/loeschen", data={"posts": "keep", "reason": "Austritt",
                                                                    "confirm": "y"})

    page = text(client.get(f"{BASE}/{firma.id}/einheiten/{montage.id}"))
    assert "Zu dieser Einheit gehören 0 Personen." in page and "Ja, Einheit entfernen" in page
    listed = text(client.get(f"{BASE}/"))
    assert "Logistik (0), Montage (0)" in listed and "<td>0</td>" in listed
    assert "<dd>0</dd>" in text(client.get(f"{BASE}/{firma.id}"))  # nobody without a unit either

    response = client.post(f"{BASE}/{firma.id}/einheiten/{montage.id}/entfernen", data={})

    assert response.status_code == 302 and unit_names(firma) == ["Logistik"]
    stand_in = db.session.scalar(select(User).where(User.display_name == "ehemaliges Mitglied"))
    assert (stand_in.organisation_id, stand_in.unit_id) == (firma.id, None)  # still counted in the organisation


def test_a_new_organisation_form_says_every_problem_at_once_and_keeps_what_was_typed(client, admin, firma):
    response = client.post(f"{BASE}/neu", data=new_organisation(name="Muster GmbH", slug="Muster GmbH",
                                                                small_group_threshold="2",
                                                                units="Montage\nmontage"))

    assert response.status_code == 200
    page = text(response)
    for error in ("Eine Organisation „Muster GmbH“ gibt es schon.", "Nur a–z, 0–9 und Bindestriche",
                  "Die Mindestgruppengröße muss zwischen 3 und 999 liegen.",
                  "„Montage“ steht mehr als einmal in der Liste."):
        assert error in page, error
    for field in ("name", "slug", "small_group_threshold", "units"):
        assert f'id="{field}-error"' in response.text, field
    assert 'value="Muster GmbH"' in response.text and 'value="2"' in response.text
    assert "\nMontage\nmontage</textarea>" in response.text
    assert [action for action, _details in audit_trail()] == []


def test_a_name_taken_from_which_no_new_slug_is_made_is_said_once(client, admin, firma):
    page = text(client.post(f"{BASE}/neu", data=new_organisation(name="Muster GmbH")))
    assert "Eine Organisation „Muster GmbH“ gibt es schon." in page
    assert "Das Kürzel" not in page  # the slug made from that name is taken too: choosing another would not help


def test_an_organisations_settings_say_every_problem_at_once(client, admin, firma, make_organisation):
    other = make_organisation("Zulieferer AG")
    response = client.post(f"{BASE}/{other.id}", data={"name": "Muster GmbH", "small_group_threshold": "2"})

    page = text(response)
    assert "Eine Organisation „Muster GmbH“ gibt es schon." in page
    assert "Die Mindestgruppengröße muss zwischen 3 und 999 liegen." in page
    db.session.refresh(other)
    assert (other.name, other.small_group_threshold) == ("Zulieferer AG", 5)


def test_the_command_line_names_every_problem_of_a_new_organisation(runner, firma):
    refused = runner.invoke(users_cli, ["add-organisation", "Muster GmbH", "--slug", "muster-neu", "--threshold",
                                        "2", "--unit", "Lager", "--unit", "lager"])
    assert refused.exit_code == 1
    assert "gibt es schon" in refused.output and "zwischen 3 und 999" in refused.output
    assert "mehr als einmal" in refused.output
