"""The works council's access log: in what role someone looked at people's data, and its pages. Changes of the
works council's members: tests/reports/test_works_council_role_log.py."""

import html

from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.extensions import db
from tests.reports.conftest import entries

# -- in what role someone looked at a person's data ---------------------------------------------------------

def test_a_look_by_the_organisations_administration_is_labelled_as_hers_not_the_networks(
        client, council, make_user, login, new_client, firm):
    person = make_user(name="Lena Lernende", organisation=firm)
    login(make_user(Role.ORG_ADMIN, Role.LEARNER, name="Hanna Personal", organisation=firm))
    network = new_client()
    login(make_user(Role.ADMIN, name="Ada Admin"), via=network)

    assert client.get(f"/verwaltung/personen/{person.id}").status_code == 200
    assert network.get(f"/verwaltung/personen/{person.id}").status_code == 200

    assert entries(council)[:2] == [("Ada Admin", "Personendaten angesehen (Administration)"),
                                    ("Hanna Personal", "Personendaten angesehen (Verwaltung der Organisation)")]


def test_an_administrator_who_also_administers_an_organisation_looks_as_the_networks_administration(
        client, council, make_user, login, firm):
    person = make_user(name="Lena Lernende", organisation=firm)
    login(make_user(Role.ADMIN, Role.ORG_ADMIN, name="Ada Admin", organisation=firm))

    client.get(f"/verwaltung/personen/{person.id}")

    assert entries(council)[0] == ("Ada Admin", "Personendaten angesehen (Administration)")


def test_a_look_recorded_before_the_role_was_kept_keeps_its_label(council, make_user, firm):
    person = make_user(name="Lena Lernende", organisation=firm)
    audit.record("personal_data.view", actor=make_user(Role.ORG_ADMIN, name="Hanna Personal", organisation=firm),
                 target=person, organisation_id=firm.id)
    db.session.commit()

    assert entries(council)[0] == ("Hanna Personal", "Personendaten angesehen (Administration)")


def test_the_administrations_log_names_the_role_the_look_was_made_in(client, make_user, login, firm):
    hr = make_user(Role.ORG_ADMIN, Role.LEARNER, name="Hanna Personal", organisation=firm)
    person = make_user(name="Lena Lernende", organisation=firm)
    login(hr)
    client.get(f"/verwaltung/personen/{person.id}")

    log = client.get("/verwaltung/protokoll", query_string={"aktion": "personal_data.view"}).text

    assert "in der Rolle: Verwaltung der Organisation" in html.unescape(log)


# -- its pages -------------------------------------------------------------------------------------------------

def looks_at_reports(n: int, *, by, firm) -> None:
    for _ in range(n):
        audit.record("reports.view", actor=by, report="participation", organisation_id=firm.id, filters={})
    db.session.commit()


def test_older_entries_are_offered_only_when_there_are_some(council, make_user, firm):
    coordinator = make_user(Role.COORDINATOR, name="Kora Koordination")
    looks_at_reports(49, by=coordinator, firm=firm)  # and the grant of Bea's role: exactly one page

    full = council.get("/berichte/protokoll").text
    assert len(entries(council)) == 50 and "Ältere" not in full and "Neuere" not in full

    looks_at_reports(1, by=coordinator, firm=firm)
    first = council.get("/berichte/protokoll").text
    assert len(entries(council)) == 50 and 'rel="next"' in first and "Neuere" not in first
    second = council.get("/berichte/protokoll", query_string={"seite": 2}).text
    assert entries(council, seite=2) == [("System", "Rolle „Betriebsrat“ gegeben: Bea Betriebsrat")]
    assert "Ältere" not in second and 'rel="prev"' in second
    assert "<title>Zugriffsprotokoll – Seite 2" in second


def test_a_page_beyond_the_last_leads_back_to_the_newest_entries(council):
    page = council.get("/berichte/protokoll", query_string={"seite": 3}).text

    assert "Keine Einträge auf dieser Seite." in page and 'href="/berichte/protokoll">Zu den neuesten' in page
    assert "Noch keine Zugriffe." not in page
