"""Who reaches which route, found through the URL map and called with the ids of objects that exist: a signed-out
visitor the public pages only; someone of another organisation, whatever their role, none of a person's own things
(attempt, booking, certificate, posts in their organisation's space) and nothing of a course they do not own."""

import pytest

from qualify.accounts.roles import Role

# What a guest may open: the start and sign-in pages, the password links, the health checks, the language switch,
# the public check of a certificate and the calendar feed (whose secret token in the URL is the key).
PUBLIC = {"home.index", "accounts.login", "accounts.forgot_password", "accounts.reset_password", "home.healthz",
          "home.readyz", "home.set_language", "learning.verify_form", "learning.verify", "workshops.feed", "static"}
REFUSALS = {401, 403, 404}
# Ids in URLs that name something of someone or of a course (not a search term, a file name or a token).
OBJECTS = {"post_id", "thread_id", "space_id", "module_id", "session_id", "booking_id", "attempt_id", "user_id",
           "organisation_id", "unit_id", "assignment_id", "slug", "module_slug", "number", "code", "name", "path"}
# What everyone signed in may do with the published course, its modules, media and session – for themselves: see them,
# enrol, learn, book, give feedback (and the reply form's address, which only leads to the thread, checked there).
OPEN_TO_EVERYONE_SIGNED_IN = {
    "courses.course", "courses.module", "courses.course_file", "workshops.course_sessions", "workshops.session",
    "workshops.session_ics",
    "learning.enrol", "learning.leave", "learning.resume", "learning.mark_done", "learning.start_quiz",
    "workshops.book", "workshops.cancel_booking", "workshops.switch_booking", "reports.give_feedback",
    "exchange.reply_form",
}


def answers(app, client, url_values, *, leave_out=()):
    """Call every route that is not public or left out with the objects' ids: (method, URL, endpoint, response)."""
    found, token = [], client.csrf_token()  # a valid token: what answers is the check of access
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or rule.endpoint in leave_out:
            continue
        missing = rule.arguments - url_values.keys()
        assert not missing, f"{rule.rule}: give url_values an object for {missing}"
        url = rule.build({name: url_values[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            data = {"csrf_token": token} if method == "POST" else None
            found.append((method, url, rule.endpoint, client.open(url, method=method, data=data)))
    return found


def test_a_guest_is_sent_to_the_sign_in_or_refused_by_every_route_that_is_not_public(app, client, url_values):
    opened = [f"{method} {url} ({endpoint}): {response.status_code}"
              for method, url, endpoint, response in answers(app, client, url_values)
              if not (response.status_code in REFUSALS or response.status_code == 302
                      and response.headers["Location"].startswith("/anmelden"))]

    assert opened == [], "\n".join(opened)


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER, Role.MODERATOR, Role.WORKS_COUNCIL, Role.COORDINATOR,
                                  Role.ORG_ADMIN])
def test_someone_of_another_organisation_reaches_no_object_of_others(app, client, url_values, login, make_user,
                                                                       make_organisation, role):
    login(make_user(role, organisation=make_organisation()))
    every_route = {rule.endpoint for rule in app.url_map.iter_rules()}
    object_routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.arguments & OBJECTS}
    opened = [f"{method} {url} ({endpoint}): {response.status_code}"
              for method, url, endpoint, response in answers(
                  app, client, url_values, leave_out=OPEN_TO_EVERYONE_SIGNED_IN | (every_route - object_routes))
              if response.status_code not in REFUSALS]

    assert opened == [], "\n".join(opened)
