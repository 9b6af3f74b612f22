"""Every administration view is for admins only: found through the URL map, so new views are covered too."""

import pytest
from werkzeug.routing import IntegerConverter

from qualify.accounts.roles import Role
from qualify.courses.models import Course
from qualify.extensions import db
from qualify.learning.models import MandatoryAssignment

OTHER_ROLES = [role for role in Role if role != Role.ADMIN]


def admin_requests(app, target_id: int, **ids: int) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, URL) for every admin view: GET where allowed, else POST. A number in the URL is
    the target person's id, or the id given for its name (`assignment_id=…`)."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        values = {name: ids.get(name, target_id) if isinstance(converter, IntegerConverter) else "x"
                  for name, converter in rule._converters.items()}
        method = "GET" if "GET" in rule.methods else "POST"
        found.append((rule.endpoint, method, rule.build(values)[1]))
    return found


def call(client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post(url, data={})


@pytest.fixture
def target(make_user):
    """The person the admin views act upon (so that an id in the URL exists)."""
    return make_user(name="Zielperson")


@pytest.fixture
def assignment(make_organisation) -> MandatoryAssignment:
    """A standing mandatory course, for the views that end one."""
    course = Course(slug="pflicht", title="Pflicht")
    db.session.add(course)
    db.session.flush()
    assignment = MandatoryAssignment(course_id=course.id, unit_id=make_organisation().units[0].id)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def test_the_admin_views_are_found(app, target):
    endpoints = {endpoint for endpoint, _method, _url in admin_requests(app, target.id)}

    assert {"admin.users", "admin.edit_user", "admin.deactivate_user"} <= endpoints


def test_guests_are_sent_to_the_login_from_every_admin_view(app, client, target):
    for endpoint, method, url in admin_requests(app, target.id):
        response = call(client, method, url)

        assert response.status_code == 302, endpoint
        assert response.headers["Location"].startswith("/anmelden"), endpoint


@pytest.mark.parametrize("roles", [[role] for role in OTHER_ROLES] + [OTHER_ROLES],
                         ids=[str(role) for role in OTHER_ROLES] + ["all-but-admin"])
def test_people_without_the_admin_role_get_403_from_every_admin_view(app, client, login, make_user, target,
                                                                     roles):
    login(make_user(*roles))

    for endpoint, method, url in admin_requests(app, target.id):
        response = call(client, method, url)

        assert response.status_code == 403, endpoint
        assert "<h1>Kein Zugriff</h1>" in response.text

    db.session.refresh(target)
    assert target.active, "a refused request changed something"


def test_admins_may_use_every_admin_view(app, client, login, make_user, target, assignment):
    login(make_user(Role.ADMIN))

    for endpoint, method, url in admin_requests(app, target.id, assignment_id=assignment.id):
        response = call(client, method, url)

        if method == "GET":
            assert response.status_code in {200, 302}, endpoint
        else:  # an empty form may be refused as such, never for lack of rights
            assert response.status_code in {200, 302, 303, 400}, endpoint
        assert not response.headers.get("Location", "").startswith("/anmelden"), endpoint


def test_the_admin_navigation_is_shown_to_admins_only(client, new_client, login, make_user):
    login(make_user(*OTHER_ROLES))
    admin_browser = new_client()
    login(make_user(Role.ADMIN), via=admin_browser)

    assert "/verwaltung/" not in client.get("/").text
    assert "/verwaltung/" in admin_browser.get("/").text


def test_losing_the_admin_role_takes_effect_on_the_next_request(client, login, make_user):
    admin = make_user(Role.ADMIN, Role.LEARNER)
    login(admin)
    assert client.get("/verwaltung/").status_code == 200

    admin.role_rows = [row for row in admin.role_rows if row.role != Role.ADMIN]
    db.session.commit()

    assert client.get("/verwaltung/").status_code == 403
