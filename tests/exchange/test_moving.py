"""Moving a thread: nobody who wrote in it loses it, and the refusal never tells whom a pseudonym belongs to."""

import html
import re

import pytest

from qualify.core.time import utcnow
from qualify.exchange import errors, moderation_threads, posting, spaces
from qualify.exchange.models import ExchangeLogEntry, ExchangeThread
from qualify.extensions import db


def start(space, user, title="Schichtmodell", body="Wie ist es bei euch?", anonymous=False):
    thread = posting.start_thread(space, user, title, body, anonymous=anonymous, now=utcnow())
    db.session.commit()
    return thread


def error_of(page: str, field: str) -> str:
    """The message shown beside the field of the form (none: "")."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1).strip()) if found else ""


@pytest.fixture
def scene(make_space, make_organisation, make_user):
    """A network-wide space, a space of each of two organisations, one moderator of all three, and a
    pseudonymous thread by a member of each organisation in the network-wide space."""
    home, other = make_organisation("Zulieferer Nord"), make_organisation("Zulieferer Süd")
    network = make_space(moderation="post")
    mod = spaces.moderators_of(network)[0]
    internal = make_space(moderation="post", by=mod, title="Nur Nord", organisation_id=home.id)
    elsewhere = make_space(moderation="post", by=mod, title="Nur Süd", organisation_id=other.id)
    by_home = start(network, make_user(organisation=home), title="Sorgen Nord", anonymous=True)
    by_other = start(network, make_user(organisation=other), title="Sorgen Süd", anonymous=True)
    return {"mod": mod, "network": network, "internal": internal, "elsewhere": elsewhere, "home": home,
            "threads": (by_home, by_other)}


def test_whether_a_pseudonymous_thread_may_move_does_not_depend_on_whose_it_is(scene, client_for):
    # Moving each thread into a space of one organisation and seeing which were refused told a moderator which
    # organisation each pseudonym works for.
    browser = client_for(scene["mod"])
    for target in (scene["internal"], scene["elsewhere"]):
        answers = []
        for thread in scene["threads"]:
            response = browser.post(f"/austausch/faden/{thread.id}/verschieben", data={"target": target.id})
            answers.append(error_of(response.text, "target"))
        assert answers[0] == answers[1]
        assert "unter Pseudonym geschrieben" in answers[0]
        assert not re.search(r"\d", answers[0]) and "Person" not in answers[0]  # no count, nobody
    db.session.expire_all()
    assert {thread.space_id for thread in scene["threads"]} == {scene["network"].id}


def test_a_waiting_pseudonymous_thread_is_refused_the_same_way(make_space, make_organisation, make_user):
    home = make_organisation()
    source = make_space(moderation="pre")
    mod = spaces.moderators_of(source)[0]
    internal = make_space(moderation="pre", by=mod, title="Nur intern", organisation_id=home.id)
    thread = start(source, make_user(organisation=home), anonymous=True)  # waiting for approval
    with pytest.raises(errors.ExchangeError, match="unter Pseudonym geschrieben") as refused:
        moderation_threads.move(thread, internal, by=mod, now=utcnow())
    assert not re.search(r"\d", str(refused.value))


def test_a_pseudonymous_thread_moves_where_everybody_who_could_read_it_still_can(scene, make_user):
    mod, network, internal = scene["mod"], scene["network"], scene["internal"]
    also_internal = spaces.create_space("Nord intern 2", "", organisation_id=scene["home"].id, moderation="post",
                                        anonymous="allowed", by=mod, now=utcnow())
    thread = start(internal, make_user(organisation=scene["home"]), anonymous=True)
    moderation_threads.move(thread, also_internal, by=mod, now=utcnow())  # the same organisation
    moderation_threads.move(thread, network, by=mod, now=utcnow())  # everybody
    db.session.commit()
    assert db.session.get(ExchangeThread, thread.id).space_id == network.id
    with pytest.raises(errors.ExchangeError, match="unter Pseudonym geschrieben"):
        moderation_threads.move(thread, internal, by=mod, now=utcnow())  # not back: others may have come in


def test_a_thread_written_under_names_keeps_the_rule_that_counts_who_could_not_follow(
        scene, make_user, client_for):
    thread = start(scene["network"], make_user(organisation=scene["home"]), title="Unter Namen")
    posting.reply(thread, make_user(organisation=scene["home"]), "Bei uns auch", anonymous=False, now=utcnow())
    db.session.commit()
    moderation_threads.move(thread, scene["internal"], by=scene["mod"], now=utcnow())
    db.session.commit()
    assert thread.space_id == scene["internal"].id
    assert len(db.session.scalars(db.select(ExchangeLogEntry).where(ExchangeLogEntry.action == "move")).all()) == 2


def test_a_space_includes_another_by_their_rules_alone(exchange_module, space, make_space, make_organisation):
    home, other = make_organisation(), make_organisation()
    network = make_space()
    mod = spaces.moderators_of(network)[0]
    internal = make_space(by=mod, organisation_id=home.id, title="Nord")
    also_internal = make_space(by=mod, organisation_id=home.id, title="Nord 2")
    elsewhere = make_space(by=mod, organisation_id=other.id, title="Süd")
    module_space = space  # of a published course: open to everybody signed in
    includes = spaces.audience_includes
    assert includes(network, internal) and includes(network, module_space) and includes(module_space, network)
    assert includes(also_internal, internal) and includes(internal, also_internal)
    assert not includes(internal, network) and not includes(internal, elsewhere)
    assert not includes(internal, module_space)

    exchange_module.course.status = "draft"  # now only its editors may enter the module's space
    assert spaces.audience(module_space) == ("course editors", exchange_module.course_id)
    assert includes(network, module_space) and not includes(module_space, network)
    exchange_module.archived = True  # nobody may any more
    assert includes(internal, module_space) and not includes(module_space, internal)
    db.session.rollback()


def test_a_refused_move_shows_the_form_again_with_the_space_chosen_and_the_reason_kept(scene, client_for):
    # It went back to the thread: the moderator chose the space and wrote the reason all over again.
    thread, internal = scene["threads"][0], scene["internal"]
    reason = "Gehört eher in den Raum von Nord, dort wird gerade über Schichtmodelle gesprochen."
    response = client_for(scene["mod"]).post(f"/austausch/faden/{thread.id}/verschieben",
                                             data={"target": internal.id, "reason": reason})
    assert response.status_code == 200
    assert "unter Pseudonym geschrieben" in error_of(response.text, "target")
    assert re.search(rf'<option selected value="{internal.id}">', response.text)
    assert re.search(rf'<textarea[^>]*name="reason"[^>]*>\s*{reason}</textarea>', response.text)
    db.session.expire_all()
    assert thread.space_id == scene["network"].id


def test_a_refused_merge_shows_the_form_again_with_the_thread_chosen_and_the_reason_kept(
        make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    original, duplicate = start(space, author, title="Schichtpläne"), start(space, author, title="Schichtplan")
    moderation_threads.merge(duplicate, start(space, author, title="Schichten"), by=mod, now=utcnow())  # a moment ago
    db.session.commit()
    reason = "Dieselbe Frage wie im Gespräch über Schichtpläne."
    response = client_for(mod).post(f"/austausch/faden/{duplicate.id}/zusammenfuehren",
                                    data={"target": original.id, "reason": reason})
    assert response.status_code == 200
    assert error_of(response.text, "target") == "Dieses Gespräch wurde mit einem anderen zusammengeführt."
    assert re.search(rf'<option selected value="{original.id}">', response.text)
    assert re.search(rf'<textarea[^>]*name="reason"[^>]*>\s*{reason}</textarea>', response.text)


def test_a_moves_reason_stands_whole_in_the_log_behind_the_names_of_the_two_spaces(make_space, author,
                                                                                  client_for):
    # The log cut its entries at 2,000 characters: a reason of the limit lost its end behind the titles.
    source = make_space(moderation="post")
    mod = spaces.moderators_of(source)[0]
    target = make_space(moderation="post", by=mod, title="Weiterbildung")
    thread = start(source, author)
    reason = "Passt besser zur Weiterbildung. " * 62 + "ENDE"  # 1,988 characters
    moderation_threads.move(thread, target, by=mod, now=utcnow(), reason=reason)
    db.session.commit()
    log = html.unescape(client_for(mod).get(f"/austausch/raum/{target.id}/protokoll").text)
    assert f"Schichtarbeit und Familie → Weiterbildung: {reason.strip()}" in log


# ---------------------------------------------------------------- what the move page offers

def offered(page: str) -> list[str]:
    """The spaces the move page's list offers, by title."""
    select = re.search(r'<select[^>]*name="target"[^>]*>(.*?)</select>', page, re.S)
    return [html.unescape(title) for title in re.findall(r"<option[^>]*>(.*?)</option>", select.group(1))] \
        if select else []


def not_offered(page: str) -> str:
    """The text of the page's list of spaces not offered, with why ("" if there is none)."""
    found = re.search(r'<section aria-labelledby="nicht-angeboten">(.*?)</section>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


def test_a_thread_with_a_pseudonym_is_offered_only_the_spaces_that_take_it_and_told_why_not_the_others(
        scene, make_space, author, client_for):
    mod, network = scene["mod"], scene["network"]
    names_only = make_space(moderation="post", anonymous="forbidden", by=mod, title="Nur mit Namen")
    also_open = make_space(moderation="post", by=mod, title="Offen für alle")
    thread = start(network, mod, title="Sorgen")
    posting.reply(thread, author, "Ich habe Angst um meinen Platz.", anonymous=True, now=utcnow())
    db.session.commit()

    page = client_for(mod).get(f"/austausch/faden/{thread.id}/verschieben").text

    assert offered(page) == ["Offen für alle"]
    assert 'aria-describedby="target-hint"' in page and "die übrigen stehen mit dem Grund" in page
    refused = not_offered(page)
    assert ("„Nur mit Namen“: In diesem Gespräch wurde unter Pseudonym geschrieben. Es kann nicht in einen Raum "
            "verschoben werden, in dem alle unter ihrem Namen schreiben.") in refused
    assert "„Nur Nord“, „Nur Süd“: In diesem Gespräch wurde unter Pseudonym geschrieben. Es kann nur" in refused
    # The refusal stays the guard: a space chosen on a page loaded earlier is refused, saying why.
    response = client_for(mod).post(f"/austausch/faden/{thread.id}/verschieben", data={"target": names_only.id})
    assert "alle unter ihrem Namen schreiben" in error_of(response.text, "target")
    db.session.expire_all()
    assert thread.space_id == network.id
    assert also_open.id in {int(value) for value in re.findall(r'<option[^>]*value="(\d+)"', page)}


def test_a_thread_written_under_names_is_offered_the_spaces_of_names(scene, make_space, client_for):
    mod, network = scene["mod"], scene["network"]
    make_space(moderation="post", anonymous="forbidden", by=mod, title="Nur mit Namen")
    thread = start(network, mod, title="Ohne Pseudonyme")
    page = client_for(mod).get(f"/austausch/faden/{thread.id}/verschieben").text
    assert offered(page) == ["Nur mit Namen", "Nur Nord", "Nur Süd"] and not_offered(page) == ""
    assert "target-hint" not in page


def test_the_spaces_those_who_wrote_under_their_name_cannot_enter_are_not_offered(
        scene, make_user, client_for):
    mod, network, home = scene["mod"], scene["network"], scene["home"]
    thread = start(network, make_user(organisation=home), title="Schichtmodell Nord")
    page = client_for(mod).get(f"/austausch/faden/{thread.id}/verschieben").text
    assert offered(page) == ["Nur Nord"]
    assert "„Nur Süd“: 1 Person, die in diesem Gespräch geschrieben hat, hat keinen Zugang" in not_offered(page)


def test_when_no_space_takes_the_thread_the_page_says_so_without_a_form(scene, client_for):
    page = client_for(scene["mod"]).get(f"/austausch/faden/{scene['threads'][0].id}/verschieben").text
    assert "Keiner der anderen Räume, die Sie moderieren, kann dieses Gespräch aufnehmen." in page
    assert 'name="target"' not in page and "„Nur Nord“, „Nur Süd“:" in not_offered(page)


def test_the_move_page_costs_the_same_with_2_and_6_other_spaces(scene, make_space, make_user, client_for,
                                                                count_statements):
    mod, network, home = scene["mod"], scene["network"], scene["home"]
    thread = start(network, make_user(organisation=home), title="Schichtmodell Nord")
    posting.reply(thread, make_user(organisation=home), "Bei uns auch", anonymous=False, now=utcnow())
    posting.reply(thread, make_user(), "Und bei uns", anonymous=True, now=utcnow())
    db.session.commit()
    browser = client_for(mod)
    counts = []
    for more in (0, 4):
        for n in range(more):
            make_space(moderation="post", by=mod, organisation_id=home.id if n % 2 else None, title=f"Raum {n}",
                       anonymous="forbidden" if n == 3 else "allowed")
        browser.get(f"/austausch/faden/{thread.id}/verschieben")
        with count_statements() as counter:
            browser.get(f"/austausch/faden/{thread.id}/verschieben")
        counts.append(counter.count)
    assert counts[0] == counts[1], counter.statements
