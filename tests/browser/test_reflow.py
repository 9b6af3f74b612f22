"""WCAG 1.4.10 Reflow: at 320 CSS pixels every page of every role reads without scrolling sideways.

Wide tables scroll inside their own box; that box does not count. Run on the demo: courses, sessions, spaces,
and the demo workforce's history behind the works council's and the trainer's figures.
"""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from qualify.accounts.models import User
from qualify.core.time import utcnow
from qualify.demo import DEMO_ACCOUNTS, give_demo_roles_their_work, load_demo_accounts, load_demo_history
from qualify.extensions import db
from qualify.workshops.models import Booking, WorkshopSession

NARROWEST = {"width": 320, "height": 640}
COURSE, MODULE = "hochvolt-sicherheit", "warum-hochvolt"
PAGES = {
    "lernende": ["/", "/kurse/", f"/kurse/{COURSE}", f"/kurse/{COURSE}/module/{MODULE}", "/lernen/", "/termine/",
                 "/termine/meine", f"/termine/kurs/{COURSE}", "/austausch/", "/austausch/wer-sieht-was",
                 "/meine-daten/", "/meine-daten/export", "/meine-daten/loeschen", "/profil"],
    "trainer": ["/autoren/", f"/autoren/{COURSE}", f"/autoren/{COURSE}/module/{MODULE}",
                f"/autoren/{COURSE}/module/{MODULE}/versionen", f"/lernen/kurse/{COURSE}/auswertung"],
    "moderation": ["/austausch/moderation", "/meine-daten/export"],
    "betriebsrat": ["/berichte/beteiligung", "/berichte/protokoll", "/berichte/beteiligung/druck"],
    "admin": ["/verwaltung/", "/verwaltung/import", "/verwaltung/personen/neu", "/verwaltung/pflichtkurse",
              "/verwaltung/zertifikate/", "/verwaltung/protokoll", "/meine-daten/aufbewahrung",
              "/berichte/rueckmeldungen"],
}


@pytest.fixture
def demo(demo_courses):
    load_demo_accounts()
    give_demo_roles_their_work()
    load_demo_history(utcnow())
    db.session.commit()


def _pages_of_a_session_led_by(email: str) -> list[str]:
    """A trainer's participant list and attendance page of one of their demo sessions, with people booked."""
    led = db.session.scalar(select(WorkshopSession.id).join(WorkshopSession.trainers).where(User.email == email)
                            .join(Booking, Booking.session_id == WorkshopSession.id).limit(1))
    return [f"/termine/{led}/teilnehmende", f"/termine/{led}/anwesenheit"] if led else []


@pytest.mark.parametrize("role", PAGES)
def test_every_page_of_a_role_reflows_at_320_pixels(demo, make_page, role):
    email, password = next((a[0], a[-1]) for a in DEMO_ACCOUNTS if a[0].startswith(role + "@"))
    page = make_page(viewport=NARROWEST)
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator("form.logout")).to_have_count(1)
    too_wide = []
    led = _pages_of_a_session_led_by(email)
    assert led or role != "trainer", "the demo trainer leads no session with bookings"
    for path in PAGES[role] + led:
        assert page.goto(path).status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROWEST["width"]:
            too_wide.append(f"{path}: {width}px")
    assert not too_wide, f"wider than {NARROWEST['width']}px: {too_wide}"
