"""An admin's actions on one person's account beyond editing it: the invitation (again), a link to reset the
password, and erasure on request."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from qualify.accounts import services
from qualify.accounts.mails import send_password_reset
from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.admin.access import administration_required, current_reach, person_or_404
from qualify.admin.forms import EraseOtherAccountForm
from qualify.admin.services import INVITATION_ACTIONS
from qualify.core import audit
from qualify.core.security import role_required
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.privacy import services as privacy

bp = Blueprint("admin_people", __name__, url_prefix="/verwaltung/personen")
RESEND_AFTER = timedelta(minutes=5)


def invited_lately(user: User, *, actor: User) -> bool:
    """Whether this administrator sent the invitation (again) within RESEND_AFTER."""
    return any(audit.recorded_since(action, actor=actor, target=user, since=utcnow() - RESEND_AFTER)
               for action in INVITATION_ACTIONS)


def _refused_beyond_reach(user: User):
    """Back to the person's page, told why, if the account is one an organisation's administration may see but
    not act on (the page offers no button then: only a hand-made request comes here); else None."""
    if current_reach().may_change(user, actor=current_user):
        return None
    flash(str(services.BEYOND_REACH), "error")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/<int:user_id>/einladung")
@administration_required
def resend_invitation(user_id: int):
    """Send the invitation (again) to someone who has not set a password yet (the link lasts two days)."""
    user = person_or_404(user_id)
    if refused := _refused_beyond_reach(user):
        return refused
    if user.password_hash or not user.active:
        flash(_("Diese Person hat schon ein Passwort; sie kann es über „Passwort vergessen“ neu setzen.")
              if user.active else _("Das Konto ist deaktiviert."), "error")
    elif invited_lately(user, actor=current_user):
        # A double click, or impatience: each click was another mail in the person's inbox.
        flash(_("Die Einladung ist eben erst an %(email)s gegangen. Bitte warten Sie ein paar Minuten, bevor Sie "
                "sie noch einmal senden.", email=user.email), "warning")
    elif user.invited_at is None:  # created without one: this is the first
        services.invite(user, now=utcnow())
        audit.record("user.invited", actor=current_user, target=user)
        db.session.commit()
        flash(_("Die Einladung ist an %(email)s unterwegs.", email=user.email), "success")
    else:
        services.invite_again(user, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Die Einladung ist erneut an %(email)s unterwegs.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/<int:user_id>/passwort-link")
@administration_required
def send_reset_link(user_id: int):
    """Send someone who has a password the mail „Passwort vergessen“ sends, with a link to set a new one."""
    user = person_or_404(user_id)
    if refused := _refused_beyond_reach(user):
        return refused
    if not user.active or not user.password_hash:
        flash(_("Das Konto ist deaktiviert.") if not user.active
              else _("Diese Person hat noch kein Passwort; senden Sie ihr die Einladung."), "error")
    elif audit.recorded_since("user.password_reset_link", actor=current_user, target=user,
                              since=utcnow() - RESEND_AFTER):
        flash(_("Der Link zum Zurücksetzen ist eben erst an %(email)s gegangen. Bitte warten Sie ein paar "
                "Minuten, bevor Sie ihn noch einmal senden.", email=user.email), "warning")
    else:
        send_password_reset(user, by_admin=True)
        audit.record("user.password_reset_link", actor=current_user, target=user)
        db.session.commit()
        flash(_("Der Link zum Zurücksetzen des Passworts ist an %(email)s unterwegs. Er gilt zwei Tage; das "
                "bisherige Passwort gilt weiter, bis die Person ein neues setzt.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/<int:user_id>/loeschen", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def erase(user_id: int):
    """Erase someone's account on their request (a leaver, say), with the reason for the log."""
    user = services.person_or_none(user_id)
    if user is None and request.method == "POST":  # sent again after the erasure went through (or from an old tab)
        return _already_erased()
    if user is None:
        abort(404)
    if user.id == current_user.id:  # one's own account: with the password, under "Meine Daten"
        return redirect(url_for("privacy.erase"))
    form = EraseOtherAccountForm()
    if form.validate_on_submit():
        name = user.display_name
        try:
            released = privacy.erase_account(user, keep_posts=form.posts.data == "keep", now=utcnow(),
                                             by=current_user, reason=form.reason.data.strip())
        except privacy.AlreadyErased:  # sent twice at once: the other request erased it a moment ago
            db.session.rollback()
            return _already_erased()
        except privacy.ErasureRefused as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("Das Konto von %(name)s und die Daten dazu sind gelöscht.", name=name), "success")
            if released:
                flash(ngettext("%(num)d gebuchter Platz wurde freigegeben.", "%(num)d gebuchte Plätze wurden "
                               "freigegeben.", released), "info")
            return redirect(url_for("admin.users"))
    return render_template("admin/erase_user.html", form=form, user=user)


def _already_erased():
    flash(_("Dieses Konto ist bereits gelöscht."), "info")
    return redirect(url_for("admin.users"))
