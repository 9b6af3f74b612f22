"""Every administration view is for admins only – or, scoped to their own organisation, for an organisation's
administration: found through the URL map, so new views are covered too."""

import pytest
from werkzeug.routing import IntegerConverter

from qualify.accounts.models import Organisation, User
from qualify.accounts.roles import Role
from qualify.courses.models import Course
from qualify.extensions import db
from qualify.learning.models import MandatoryAssignment

OTHER_ROLES = [role for role in Role if role not in {Role.ADMIN, Role.ORG_ADMIN}]
# Every blueprint of the administration: people, organisations, certificates.
ADMIN_BLUEPRINTS = ("admin.", "admin_people.", "admin_organisations.", "admin_certificates.")
# The views an organisation's administration may use, each scoped to its organisation; every other one is 403.
ORG_ADMIN_VIEWS = {
    "admin.users", "admin.new_user", "admin.edit_user", "admin.deactivate_user", "admin.reactivate_user",
    "admin.import_users", "admin.import_preview", "admin.confirm_import", "admin.audit_log",
    "admin.mandatory_course", "admin.end_mandatory_course", "admin_people.resend_invitation",
    "admin_people.send_reset_link", "admin_people.move",
}


def admin_requests(app, target_id: int, blueprints=("admin.",), **ids: int) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, URL) for every view of these blueprints: GET where allowed, else POST. A number in
    the URL is the target person's id, or the id given for its name (`assignment_id=…`)."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(blueprints):
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
    for endpoint, method, url in admin_requests(app, target.id, ADMIN_BLUEPRINTS):
        response = call(client, method, url)

        assert response.status_code == 302, endpoint
        assert response.headers["Location"].startswith("/anmelden"), endpoint


@pytest.mark.parametrize("roles", [[role] for role in OTHER_ROLES] + [OTHER_ROLES],
                         ids=[str(role) for role in OTHER_ROLES] + ["all-but-admin"])
def test_people_without_the_admin_role_get_403_from_every_admin_view(app, client, login, make_user, target,
                                                                     roles):
    login(make_user(*roles))

    for endpoint, method, url in admin_requests(app, target.id, ADMIN_BLUEPRINTS):
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


def test_the_admin_navigation_is_shown_to_admins_only(client, new_client, login, make_user, make_organisation):
    login(make_user(*OTHER_ROLES))
    admin_browser, org_admin_browser = new_client(), new_client()
    login(make_user(Role.ADMIN), via=admin_browser)
    login(make_user(Role.ORG_ADMIN, organisation=make_organisation()), via=org_admin_browser)

    assert "/verwaltung/" not in client.get("/").text
    assert "/verwaltung/" in admin_browser.get("/").text
    assert "/verwaltung/" in org_admin_browser.get("/").text


def test_losing_the_admin_role_takes_effect_on_the_next_request(client, login, make_user):
    admin = make_user(Role.ADMIN, Role.LEARNER)
    login(admin)
    assert client.get("/verwaltung/").status_code == 200

    admin.role_rows = [row for row in admin.role_rows if row.role != Role.ADMIN]
    db.session.commit()

    assert client.get("/verwaltung/").status_code == 403


# -- an organisation's administration ------------------------------------------------------------------------

@pytest.fixture
def org_a(make_organisation):
    return make_organisation("Firma A")


@pytest.fixture
def org_b(make_organisation):
    return make_organisation("Firma B")


def mandatory_assignment(unit) -> MandatoryAssignment:
    course = db.session.scalar(db.select(Course).where(Course.slug == "pflicht"))
    if course is None:
        course = Course(slug="pflicht", title="Pflicht")
        db.session.add(course)
        db.session.flush()
    assignment = MandatoryAssignment(course_id=course.id, unit_id=unit.id)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def with_an_id(app, endpoint: str) -> bool:
    """Whether the view's address names an object by its id."""
    return any(isinstance(converter, IntegerConverter)
               for rule in app.url_map.iter_rules(endpoint) for converter in rule._converters.values())


def test_an_organisations_administration_uses_its_views_and_gets_403_from_every_other(app, client, login,
                                                                                       make_user, org_a):
    login(make_user(Role.ORG_ADMIN, organisation=org_a))
    colleague = make_user(name="Kollegin", organisation=org_a, unit=org_a.units[0])
    assignment = mandatory_assignment(org_a.units[0])
    requests = admin_requests(app, colleague.id, ADMIN_BLUEPRINTS, assignment_id=assignment.id,
                              organisation_id=org_a.id, unit_id=org_a.units[0].id)

    allowed = set()
    for endpoint, method, url in requests:
        response = call(client, method, url)

        if endpoint in ORG_ADMIN_VIEWS:
            assert response.status_code in {200, 302, 303, 400}, endpoint
            allowed.add(endpoint)
        else:
            assert response.status_code == 403, endpoint
            assert "<h1>Kein Zugriff</h1>" in response.text
    assert allowed == ORG_ADMIN_VIEWS, "a view of the list has gone: update ORG_ADMIN_VIEWS"
    db.session.expire_all()
    assert db.session.get(Organisation, org_a.id).name == "Firma A"


def test_every_person_and_object_of_another_organisation_is_404_to_an_organisations_administration(
        app, client, login, make_user, org_a, org_b):
    login(make_user(Role.ORG_ADMIN, organisation=org_a))
    stranger = make_user(name="Fremde Person", organisation=org_b, unit=org_b.units[0], password=None)
    assignment = mandatory_assignment(org_b.units[0])
    requests = [(endpoint, method, url) for endpoint, method, url
                in admin_requests(app, stranger.id, ADMIN_BLUEPRINTS, assignment_id=assignment.id)
                if endpoint in ORG_ADMIN_VIEWS and with_an_id(app, endpoint)]
    assert {endpoint for endpoint, _method, _url in requests} >= {
        "admin.edit_user", "admin.deactivate_user", "admin.reactivate_user", "admin.end_mandatory_course",
        "admin_people.resend_invitation", "admin_people.send_reset_link"}

    for endpoint, method, url in requests:
        response = call(client, method, url)

        assert response.status_code == 404, endpoint
        assert "Fremde Person" not in response.text
    db.session.expire_all()
    assert db.session.get(User, stranger.id).active
    assert db.session.get(User, stranger.id).invited_at is None
    assert db.session.get(MandatoryAssignment, assignment.id).ended_at is None


@pytest.mark.parametrize("roles", [[Role.ORG_ADMIN], [Role.ORG_ADMIN, Role.TRAINER, Role.WORKS_COUNCIL]],
                         ids=["org_admin", "org_admin-and-more"])
def test_an_organisations_administration_without_an_organisation_gets_403_from_every_admin_view(
        app, client, login, make_user, org_a, target, roles):
    holder = make_user(*roles, organisation=org_a)
    holder.organisation_id = None  # as no form allows: belonging to no organisation, it administers nobody
    db.session.commit()
    login(holder)

    for endpoint, method, url in admin_requests(app, target.id, ADMIN_BLUEPRINTS):
        response = call(client, method, url)

        assert response.status_code == 403, endpoint
    db.session.refresh(target)
    assert target.active
