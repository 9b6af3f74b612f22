"""A learner looks at what is stored about them, downloads it, and deletes the account."""

import json
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.extensions import db


def test_learner_downloads_their_data_and_deletes_the_account(page, make_user, sign_in, assert_accessible,
                                                               password):
    learner = make_user(Role.LEARNER, name="Mehmet Yılmaz")
    email = learner.email
    sign_in(page, learner)
    page.get_by_role("link", name="Meine Daten").click()
    expect(page.get_by_role("heading", name="Meine Daten", level=1)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Alle Daten als Datei herunterladen (JSON, für Fachleute)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["users"][0]["display_name"] == "Mehmet Yılmaz"

    page.get_by_role("link", name="Konto löschen …").click()
    assert_accessible(page)
    page.get_by_label("Ihr Passwort zur Bestätigung").fill(password)
    page.get_by_label("Ich möchte mein Konto und meine Daten endgültig löschen").check()
    page.get_by_role("button", name="Konto endgültig löschen").click()
    expect(page.get_by_text("Ihr Konto und Ihre Daten sind gelöscht.")).to_be_visible()
    assert_accessible(page)
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == email)) is None
