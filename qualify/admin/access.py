"""Who may use the administration, and on what: the administration everything, an organisation's administration
(its HR) the people of its own organisation (see accounts.roles.Reach)."""

from flask import abort
from flask_login import current_user

from qualify.accounts import services
from qualify.accounts.models import User
from qualify.accounts.roles import Reach, Role, reach_of
from qualify.core.security import role_required

# On the views an organisation's administration may use too; each then asks current_reach() what it covers.
administration_required = role_required(Role.ADMIN, Role.ORG_ADMIN)


def current_reach() -> Reach:
    """What the signed-in person administers; 403 for an organisation's administration without an organisation."""
    return reach_of(current_user) or abort(403)


def person_or_404(user_id: int) -> User:
    """The person with this id, if within reach: 404 for someone of another organisation, as for nobody, so that
    an organisation's administration learns nothing of other organisations' people."""
    reach = current_reach()  # first: without one, 403 for every id alike
    user = services.person_or_none(user_id)
    if user is None or not reach.covers(user.organisation_id):
        abort(404)
    return user
