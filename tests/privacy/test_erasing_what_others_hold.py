"""Erasing an account also drops what others hold about the person without pointing at the account: an
administrator's upload waiting for its confirmation, a reset link asked for and not sent yet, and the counters
kept under the address against password guessing and floods of reset mails."""

import html
import io
import re

import pytest
from sqlalchemy import select

from qualify.accounts import auth, csv_import, reset_requests
from qualify.accounts.models import LoginFailure, PendingImport
from qualify.accounts.reset_requests import ResetRequest
from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.privacy import services

HEADER = "E-Mail;Name;Personalnummer\n"


@pytest.fixture
def firma(make_organisation):
    return make_organisation("Muster GmbH")


@pytest.fixture
def anna(make_user, firma):
    person = make_user(email="anna@example.org", name="Anna Arndt", organisation=firma)
    person.personnel_number = "1001"
    db.session.commit()
    return person


@pytest.fixture
def office(make_user):
    return make_user(Role.ADMIN, email="office@example.org", name="Olaf Office")


def keep(content: str, organisation, uploaded_by) -> str:
    """Keep an upload as the preview does; return its key."""
    pending = csv_import.keep_upload(content.encode(), organisation, deactivate_missing=False,
                                     uploaded_by=uploaded_by, now=utcnow())
    db.session.commit()
    return pending.key


def kept_keys() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(PendingImport.key)))


def erase(person) -> None:
    services.erase_account(person, keep_posts=False, now=utcnow())
    db.session.commit()


def test_an_upload_naming_the_erased_person_by_address_goes_and_one_without_them_stays(anna, firma, office):
    keep(HEADER + "ANNA@example.org ;Anna Arndt;\nben@example.org;Ben Brandt;\n", firma, office)
    without = keep(HEADER + "ben@example.org;Ben Brandt;\n", firma, office)

    erase(anna)

    assert kept_keys() == {without}


def test_the_personnel_number_counts_in_an_upload_for_the_persons_organisation_only(anna, firma, office,
                                                                                     make_organisation):
    other = make_organisation("Beispiel AG")
    keep(HEADER + "anna.neu@example.org;Anna Arndt;1001\n", firma, office)
    longer_number = keep(HEADER + "carl@example.org;Carl Clausen;10010\n", firma, office)
    someone_elses_number = keep(HEADER + "dora@example.org;Dora Dietz;1001\n", other, office)

    erase(anna)

    assert kept_keys() == {longer_number, someone_elses_number}


def test_an_unreadable_upload_goes_as_it_might_name_the_person(anna, firma, office):
    keep(HEADER + 'anna@example.org;"Anna Arndt;\n', firma, office)  # a quote never closed

    erase(anna)

    assert kept_keys() == set()


def test_confirming_an_upload_dropped_by_an_erasure_asks_for_the_file_again(client, login, anna, firma, office):
    login(office)
    preview = client.post("/verwaltung/import", data={
        "organisation": firma.slug, "file": (io.BytesIO((HEADER + "anna@example.org;Anna A. Arndt;\n").encode()),
                                             "personen.csv")}, content_type="multipart/form-data",
        follow_redirects=True)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([^"]*)"', preview.text).group(1)
    action = re.search(r'<form method="post" action="(/verwaltung/import/[\w-]+)">', preview.text).group(1)

    erase(anna)
    response = client.post(action, data={"fingerprint": html.unescape(fingerprint)}, follow_redirects=True)

    assert "Diese Vorschau gibt es nicht mehr" in response.text
    assert "sobald ein Konto gelöscht wird, das darin steht. Bitte laden Sie die Datei erneut hoch." \
        in html.unescape(response.text)
    assert db.session.scalar(select(PendingImport.id)) is None
    assert "Anna" not in response.text


def test_a_reset_link_asked_for_and_not_sent_is_forgotten_in_whatever_case_it_was_typed(anna, make_user):
    ben = make_user(email="ben@example.org")
    reset_requests.ask_for_reset_link(" Anna@Example.org", utcnow())
    reset_requests.ask_for_reset_link("anna@example.org", utcnow())
    reset_requests.ask_for_reset_link("ben@example.org", utcnow())
    db.session.commit()

    erase(anna)

    assert list(db.session.scalars(select(ResetRequest.email))) == [ben.email]



def counters() -> list[tuple[str, str]]:
    """The throttle records kept, as (kind, hashed key)."""
    db.session.expire_all()
    return sorted(tuple(row) for row in db.session.execute(select(LoginFailure.kind, LoginFailure.key_hash)))


def test_the_counters_kept_under_the_address_go_with_the_account(app, anna, make_user):
    make_user(email="ben@example.org")
    with app.test_request_context():
        for address in (" Anna@Example.org", "ben@example.org"):
            auth.authenticate(address, "falsch", ip="192.0.2.1", now=utcnow())  # a failed sign-in each
            assert auth.count_reset_request(address, utcnow())  # and a reset mail asked for (kept a day)
    db.session.commit()

    erase(anna)

    # Ben's stay, and the network address's failures: they name nobody.
    hashed = {key: auth._sha256(key) for key in ("account:ben@example.org", "reset:ben@example.org",
                                                 "ip:192.0.2.1")}
    assert counters() == sorted([("login", hashed["account:ben@example.org"]), ("login", hashed["ip:192.0.2.1"]),
                                 ("login", hashed["ip:192.0.2.1"]), ("reset", hashed["reset:ben@example.org"])])
