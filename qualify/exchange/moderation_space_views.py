"""The exchange's spaces for their moderators and admins: opening a space, its moderation log, the export of its
threads, and who moderates it.

Registered on the exchange blueprint from the ROUTES table at the end of this file; each checks its object.
"""

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from qualify.accounts.models import Organisation, User, UserRole
from qualify.accounts.roles import Role
from qualify.core.database import in_german_order
from qualify.core.routing import BOTH, GET, POST
from qualify.core.security import role_required
from qualify.core.time import utcnow
from qualify.exchange import moderation_log
from qualify.exchange.access import moderated_space
from qualify.exchange.forms import ModeratorForm, SpaceForm
from qualify.exchange.reading import author_label, posts_in_space, threads_of
from qualify.exchange.spaces import assign_moderator, create_space, moderators_of, unassign_moderator
from qualify.extensions import db

LOG_ACTIONS = {
    "approve": _l("freigegeben"), "reject": _l("abgelehnt"), "hide": _l("ausgeblendet"),
    "restore": _l("wiederhergestellt"), "dismiss_flags": _l("Meldungen erledigt"), "lock": _l("gesperrt"),
    "unlock": _l("entsperrt"), "pin": _l("angeheftet"), "unpin": _l("gelöst"), "move": _l("verschoben"),
    "merge": _l("zusammengeführt"),
    "publish_minutes": _l("Protokoll veröffentlicht"), "approve_change": _l("Änderung freigegeben"),
    "reject_change": _l("Änderung abgelehnt"), "reject_minutes_change": _l("Änderung abgelehnt"),
}


@role_required(Role.MODERATOR, Role.ADMIN)
def new_space():
    """Open a free-standing space on a topic, for one organisation or the whole network."""
    form = SpaceForm()
    organisations = (
        db.session.scalars(db.select(Organisation).order_by(in_german_order(Organisation.name))).all()
        if current_user.has_role(Role.ADMIN)
        else [current_user.organisation]
        if current_user.organisation
        else []
    )
    form.scope.choices = [SelectChoice("network", _("das ganze Netzwerk"))] + [
        SelectChoice(str(o.id), o.name) for o in organisations]
    if form.validate_on_submit():
        organisation_id = None if form.scope.data == "network" else int(form.scope.data)
        space = create_space(
            form.title.data,
            form.description.data or "",
            organisation_id=organisation_id,
            moderation=form.moderation.data,
            anonymous=form.anonymous.data,
            by=current_user,
            now=utcnow(),
        )
        db.session.commit()
        flash(_("Der Raum ist eröffnet. Sie moderieren ihn."))
        return redirect(url_for("exchange.space", space_id=space.id))
    return render_template("exchange/space_form.html", form=form)


# ---------------------------------------------------------------- log, export, moderators

def space_log(space_id: int):
    """Show the space's moderation log (its moderators and admins)."""
    space = moderated_space(space_id)
    entries = moderation_log.log_entries(space)
    return render_template("exchange/log.html", space=space, entries=entries,
                           threads=moderation_log.threads_now(entries), actions=LOG_ACTIONS,
                           reason_of=moderation_log.shown_reason, details_of=moderation_log.shown_details)


def export(space_id: int):
    """Export the space's threads as JSON; authors appear as shown (pseudonyms stay pseudonyms)."""
    space = moderated_space(space_id)
    threads = []
    rows = threads_of(space, current_user, moderator=True)
    posts_by_thread = posts_in_space(space)  # with their authors: not two statements per thread and author
    for row in rows:
        posts = [{"id": post.id, "author": author_label(post), "pseudonymous": post.is_pseudonymous,
                  "status": post.status, "created_at": post.created_at.isoformat(),
                  "edited": post.edited_at is not None, "text": post.body_source}
                 for post in posts_by_thread.get(row.thread.id, []) if post.status != "deleted"]
        threads.append({"id": row.thread.id, "title": row.thread.title, "pinned": row.thread.pinned,
                        "locked": row.thread.locked, "posts": posts})
    response = jsonify({"space": {"id": space.id, "title": space.title}, "threads": threads})
    response.headers["Content-Disposition"] = f'attachment; filename="austausch-{space.id}.json"'
    return response


@role_required(Role.ADMIN)
def moderators(space_id: int):
    """Assign people with the moderator role to a space (admins)."""
    space = moderated_space(space_id)
    form = ModeratorForm()
    assigned = moderators_of(space)
    # The moderators only, found by the database: reading every active person to ask each for the role took
    # seconds with twenty thousand people.
    moderators = (db.select(User).join(UserRole, UserRole.user_id == User.id)
                  .where(UserRole.role == Role.MODERATOR.value, User.active.is_(True))
                  .order_by(in_german_order(User.display_name)))
    candidates = [user for user in db.session.scalars(moderators) if user not in assigned]
    form.user_id.choices = [SelectChoice(user.id, f"{user.display_name} ({user.email})") for user in candidates]
    if form.validate_on_submit():
        assign_moderator(
            space, db.get_or_404(User, form.user_id.data), by=current_user, now=utcnow()
        )
        db.session.commit()
        flash(_("Zugewiesen."))
        return redirect(url_for("exchange.moderators", space_id=space.id))
    return render_template("exchange/moderators.html", space=space, form=form, assigned=assigned)


@role_required(Role.ADMIN)
def remove_moderator(space_id: int, user_id: int):
    """Take a moderator off a space (admins)."""
    space = moderated_space(space_id)
    unassign_moderator(space, db.get_or_404(User, user_id), by=current_user)
    db.session.commit()
    flash(_("Die Zuweisung ist aufgehoben."))
    return redirect(url_for("exchange.moderators", space_id=space.id))


# Registered by the blueprint's module with core.routing.add_signed_in_routes.
ROUTES = (
    ("/raum/neu", new_space, BOTH),
    ("/raum/<int:space_id>/protokoll", space_log, GET),
    ("/raum/<int:space_id>/export.json", export, GET),
    ("/raum/<int:space_id>/moderation", moderators, BOTH),
    ("/raum/<int:space_id>/moderation/<int:user_id>/entfernen", remove_moderator, POST),
)
