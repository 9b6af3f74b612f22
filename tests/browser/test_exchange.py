"""Journeys through the moderated exchange: pseudonymous posting, approval, a report, hiding, minutes."""

from datetime import time, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses.models import Module
from qualify.exchange import moderation, posting, spaces
from qualify.exchange.models import SpaceModerator
from qualify.extensions import db
from qualify.workshops import schedule
from qualify.workshops import services as workshops
from tests.browser.conftest import PHONE


def test_pseudonymous_post_is_approved_reported_and_hidden(make_page, make_user, sign_in, assert_accessible):
    moderator = make_user(Role.MODERATOR, name="Moderatorin Mia")
    writer = make_user(name="Kowalczyk Anneliese")
    replier = make_user(name="Bruno Brenner")

    mod = make_page()
    sign_in(mod, moderator)
    mod.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Austausch").click()
    assert_accessible(mod)
    mod.get_by_role("link", name="Raum eröffnen").click()
    mod.get_by_label("Thema").fill("Schichtarbeit und Familie")
    mod.get_by_label("Moderation").select_option("pre")
    assert_accessible(mod)
    mod.get_by_role("button", name="Eröffnen").click()
    expect(mod.get_by_role("heading", level=1)).to_have_text("Schichtarbeit und Familie")
    assert_accessible(mod)

    learner = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(learner, writer)
    learner.goto("/austausch/")
    learner.get_by_role("link", name="Schichtarbeit und Familie").click()
    learner.get_by_role("link", name="Neues Gespräch beginnen").click()
    learner.get_by_label("Titel").fill("Nachtschicht und Kita")
    learner.get_by_label("Ihr Beitrag").fill("Die Kita öffnet erst um sieben, die Schicht endet um sechs.")
    learner.get_by_label("Unter Pseudonym veröffentlichen").check()
    assert_accessible(learner)
    learner.get_by_role("button", name="Zur Freigabe senden").click()
    expect(learner.get_by_text("Wartet auf Freigabe – nur Sie und die Moderation sehen ihn.")).to_be_visible()
    assert_accessible(learner)

    mod.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Moderation").click()
    item = mod.locator("article").filter(has_text="Die Kita öffnet erst um sieben")
    expect(item).to_be_visible()
    expect(mod.locator("main")).not_to_contain_text("Kowalczyk")
    assert_accessible(mod)
    item.get_by_role("button", name="Freigeben").click()
    expect(mod.get_by_text("Nichts wartet auf Freigabe.")).to_be_visible()

    other = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(other, replier)
    other.goto("/austausch/")
    other.get_by_role("link", name="Schichtarbeit und Familie").click()
    other.get_by_role("link", name="Nachtschicht und Kita").click()
    expect(other.locator("main")).not_to_contain_text("Kowalczyk")
    assert_accessible(other)
    other.get_by_label("Ihr Beitrag").fill("Bei uns gibt es einen Betriebskindergarten.")
    other.get_by_label("Unter Pseudonym veröffentlichen").check()
    other.get_by_role("button", name="Antwort senden").click()
    other.locator("article").filter(has_text="Die Kita öffnet").get_by_role("link", name="Melden").click()
    assert_accessible(other)
    other.get_by_label("Grund").fill("Könnte eine bestimmte Kollegin erkennbar machen")
    other.get_by_role("button", name="Melden", exact=True).click()
    expect(other.locator(".flashes").get_by_text("Die Moderation sieht sich den Beitrag an.")).to_be_visible()
    # and beside the post it is about, where the focus is (for eyes: said once, from the live region)
    reported = other.locator("article").filter(has_text="Die Kita öffnet")
    expect(reported.locator(".flashes-here")).to_have_text("Danke. Die Moderation sieht sich den Beitrag an.")
    expect(reported).to_be_focused()

    mod.reload()
    report = mod.locator("article").filter(has_text="Könnte eine bestimmte Kollegin")
    expect(report).to_be_visible()
    expect(mod.locator("main")).not_to_contain_text("Brenner")  # who reported (and replied) stays unknown
    assert_accessible(mod)
    report.locator("summary").filter(has_text="Ausblenden").click()
    report.get_by_label("Grund").fill("Person erkennbar")
    assert_accessible(mod)
    report.get_by_role("button", name="Ausblenden").click()
    expect(mod.get_by_text("Keine offenen Meldungen.")).to_be_visible()

    other.reload()
    expect(other.get_by_text("Dieser Beitrag wurde von der Moderation ausgeblendet.")).to_be_visible()


def test_moderator_publishes_minutes_that_participants_read_on_the_phone(
        make_page, make_user, sign_in, assert_accessible, demo_courses):  # noqa: F811
    course = demo_courses["digitale-fabrik"]
    module = db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                    Module.slug == "austausch-wandel-in-meinem-werk"))
    space = spaces.space_for_module(module)
    moderator = make_user(Role.MODERATOR, name="Moderatorin Mia")
    db.session.add(SpaceModerator(space_id=space.id, user_id=moderator.id))
    participant = make_user(name="Paula Teilnehmerin")
    plan = schedule.SessionPlan(start_time=time(14), end_time=time(15), capacity=10, trainers=[moderator])
    (session,) = schedule.create_sessions(module, plan, [(utcnow() + timedelta(days=3)).date()], by=moderator,
                                          now=utcnow())
    workshops.book(session, participant, now=utcnow())
    db.session.commit()

    mod = make_page()
    sign_in(mod, moderator)
    mod.goto(f"/austausch/termin/{session.id}/protokoll")
    assert_accessible(mod)
    mod.get_by_label("Besprochene Themen").fill("Erfahrungen mit dem neuen MES")
    mod.get_by_label("Ergebnisse").fill("- Schulung **vor** dem Start")
    mod.get_by_label("Offene Fragen").fill("Wer sieht die Maschinendaten?")
    mod.get_by_label("Nächste Schritte").fill("Betriebsrat einladen")
    mod.get_by_role("button", name="Entwurf speichern").click()
    expect(mod.get_by_role("heading", name="Vorschau")).to_be_visible()
    assert_accessible(mod)
    mod.get_by_role("button", name="Freigeben und im Raum veröffentlichen").click()
    expect(mod.get_by_role("heading", name="Protokolle")).to_be_visible()

    phone = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, participant)
    phone.goto(f"/austausch/raum/{space.id}")
    expect(phone.get_by_role("heading", name="Protokolle")).to_be_visible()
    expect(phone.locator(".minutes")).to_contain_text("Wer sieht die Maschinendaten?")
    # The module space's accessibility is checked in test_module_space_page_is_accessible (see there).
    phone.get_by_role("button", name="Ich bin einverstanden, genannt zu werden").click()
    expect(phone.get_by_text("Sie dürfen im Protokoll genannt werden.")).to_be_visible()
    phone.goto("/austausch/wer-sieht-was")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Wer sieht was?")
    assert_accessible(phone)


def test_module_space_page_is_accessible(page, make_user, sign_in, assert_accessible, demo_courses):  # noqa: F811
    course = demo_courses["digitale-fabrik"]
    module = db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                    Module.slug == "austausch-wandel-in-meinem-werk"))
    space = spaces.space_for_module(module)
    db.session.commit()
    sign_in(page, make_user())
    page.goto(f"/austausch/raum/{space.id}")
    expect(page.get_by_role("heading", name="Leitfragen")).to_be_visible()  # open while there are no threads
    assert_accessible(page)


def test_moderator_merges_a_duplicate_after_confirming_and_sees_where_a_thread_may_move(
        page, make_user, sign_in, assert_accessible):
    moderator = make_user(Role.MODERATOR, name="Moderatorin Mia")
    writer, other = make_user(name="Kowalczyk Anneliese"), make_user(name="Bruno Brenner")
    space = spaces.create_space("Schichtarbeit und Familie", "Wie klappt es?", organisation_id=None,
                                moderation="post", anonymous="allowed", by=moderator, now=utcnow())
    spaces.create_space("Nur mit Namen", "Hier schreiben alle unter ihrem Namen.", organisation_id=None,
                        moderation="post", anonymous="forbidden", by=moderator, now=utcnow())
    original = posting.start_thread(space, writer, "Schichtpläne", "Wer tauscht mit mir?", anonymous=True,
                                    now=utcnow())
    duplicate = posting.start_thread(space, other, "Schichtplan", "Doppelt gefragt", anonymous=False, now=utcnow())
    db.session.commit()

    sign_in(page, moderator)
    page.goto(f"/austausch/faden/{duplicate.id}")
    page.get_by_text("Moderation dieses Gesprächs").click()
    page.get_by_role("link", name="Zusammenführen …").click()
    page.get_by_label("Zusammenführen mit").select_option(label="Schichtpläne")
    page.get_by_label("Grund (freiwillig)").fill("Dieselbe Frage")
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("heading", name="Bitte bestätigen")).to_be_visible()
    expect(page.locator("main")).to_contain_text("„Schichtplan“ verschwindet aus der Liste des Raums")
    assert_accessible(page)
    page.get_by_role("button", name="Ja, zusammenführen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schichtpläne")
    expect(page.locator("main")).to_contain_text("Doppelt gefragt")

    # The thread was started under a pseudonym: the space where all write under their name is not offered.
    page.goto(f"/austausch/faden/{original.id}")
    page.get_by_text("Moderation dieses Gesprächs").click()
    page.get_by_role("link", name="Verschieben …").click()
    expect(page.get_by_role("heading", name="Nicht angeboten")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nur mit Namen")
    assert_accessible(page)


def test_the_moderation_log_reads_on_a_phone_without_scrolling_sideways(make_page, make_user, sign_in,
                                                                      assert_accessible):
    # It scrolled sideways in its own box, with what an entry concerns and why it was done off the screen.
    moderator = make_user(Role.MODERATOR, name="Moderatorin Mia")
    space = spaces.create_space("Schichtarbeit und Familie", "Wie klappt es?", organisation_id=None,
                                moderation="post", anonymous="allowed", by=moderator, now=utcnow())
    thread = posting.start_thread(space, make_user(), "Schichtpläne", "Wer tauscht mit mir?", anonymous=True,
                                  now=utcnow())
    moderation.hide(thread.posts[0], "Nennt eine Kollegin beim Namen", by=moderator, now=utcnow())
    db.session.commit()

    phone = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, moderator)
    phone.goto(f"/austausch/raum/{space.id}/protokoll")
    reason = phone.get_by_text("Nennt eine Kollegin beim Namen")
    expect(reason).to_be_visible()
    box = reason.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(phone.locator("tbody tr").first).to_contain_text("Grund: Nennt eine Kollegin beim Namen")
    assert_accessible(phone)
