"""An admin's actions on one person's account beyond editing it: the invitation (again), a link to reset the
password, and erasure on request; and moving several people to another unit at once."""

from collections import Counter
from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from qualify.accounts import auth, services
from qualify.accounts.mails import send_password_reset
from qualify.accounts.models import Organisation, Unit, User
from qualify.accounts.roles import Reach, Role
from qualify.admin.access import administration_required, current_reach, person_or_404
from qualify.admin.forms import EraseOtherAccountForm, MovePeopleForm
from qualify.admin.moves import move_people, people_by_ids
from qualify.admin.services import INVITATION_ACTIONS, INVITATION_DAY, INVITATIONS_PER_DAY, invitations_sent
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
    """Send the invitation (again) to someone who has not set a password yet (the link lasts two days): a few
    times a day at most, however many administrators click."""
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
    elif len(sent := invitations_sent(user, now=utcnow())) >= INVITATIONS_PER_DAY:
        flash(_enough_invitations(user, sent), "warning")
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


def _enough_invitations(user: User, sent: list[datetime]) -> str:
    """Why no further invitation goes today, and how the person gets in all the same: the last link works on (any
    link until it is used or expires, as the person has no password yet), and after that "Passwort vergessen"
    sends them one."""
    now = utcnow()
    last = user.invited_at or sent[-1]
    valid_until = last + timedelta(seconds=current_app.config["PASSWORD_RESET_MAX_AGE"])
    told = ngettext("An %(email)s ist in den letzten 24 Stunden schon %(num)d Einladung gegangen – mehr sendet "
                    "Qualify an einem Tag nicht.",
                    "An %(email)s sind in den letzten 24 Stunden schon %(num)d Einladungen gegangen – mehr sendet "
                    "Qualify an einem Tag nicht.", INVITATIONS_PER_DAY, email=user.email)
    if valid_until > now:
        return told + " " + _("Die letzte Einladung gilt noch bis %(until)s: Die Person kann den Link darin "
                              "benutzen. Danach kann sie sich unter „Passwort vergessen“ selbst einen neuen "
                              "schicken.", until=_moment(valid_until))
    # Only where links are set to last less than a day (PASSWORD_RESET_MAX_AGE).
    again = sent[-INVITATIONS_PER_DAY] + INVITATION_DAY
    return told + " " + _("Die letzte Einladung ist abgelaufen. Die Person kann sich unter „Passwort vergessen“ "
                          "selbst einen neuen Link schicken, oder Sie senden die Einladung ab %(again)s erneut.",
                          again=_moment(again))


def _moment(value: datetime) -> str:
    """A day and time as the reader's language writes it: "Mittwoch, 14. Mai 2026, 09:30"."""
    return f"{format_date(value, 'full')}, {format_time(value, 'short')}"


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
    elif auth.reset_links_from_administration(user, utcnow()) >= auth.ADMIN_RESET_LINKS_PER_DAY:
        flash(ngettext("An %(email)s ist in den letzten 24 Stunden schon %(num)d Link zum Zurücksetzen gegangen – "
                       "mehr sendet Qualify an einem Tag nicht. Der Link gilt zwei Tage: Die Person kann ihn "
                       "noch benutzen.",
                       "An %(email)s sind in den letzten 24 Stunden schon %(num)d Links zum Zurücksetzen gegangen – "
                       "mehr sendet Qualify an einem Tag nicht. Jeder Link gilt zwei Tage: Die Person kann den "
                       "neuesten benutzen.", auth.ADMIN_RESET_LINKS_PER_DAY, email=user.email), "warning")
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


def _list_to_return_to(path: str | None) -> str:
    """The page of the people list the move started on (its search, filters and page), never another site."""
    return path if path and path.startswith("/verwaltung/") and "//" not in path else url_for("admin.users")


def _int_set(values: list[str]) -> set[int]:
    return {int(value) for value in values if value.isdigit()}


def _unit_choices(organisations: list[Organisation]) -> list[SelectChoice]:
    choices = [SelectChoice("", _("— bitte wählen —"))]
    for organisation in organisations:
        choices.extend(SelectChoice(f"unit:{unit.id}", f"{organisation.name} · {unit.name}")
                       for unit in organisation.units)
        choices.append(SelectChoice(f"org:{organisation.id}", _("%(organisation)s · ohne Einheit",
                                                                 organisation=organisation.name)))
    return choices


def _target(value: str, reach: Reach) -> tuple[Organisation | None, Unit | None]:
    """The organisation and unit (None: none of its units) a choice names; 404 for one beyond reach, as for none."""
    kind, _sep, ident = value.partition(":")
    if not ident.isdigit() or kind not in ("unit", "org"):
        return None, None
    unit = db.session.get(Unit, int(ident)) if kind == "unit" else None
    organisation = unit.organisation if unit else db.session.get(Organisation, int(ident))
    if (kind == "unit" and unit is None) or organisation is None or not reach.covers(organisation.id):
        abort(404)
    return organisation, unit


def _where(organisation: Organisation, unit: Unit | None) -> str:
    return f"{organisation.name} · {unit.name}" if unit else _("%(organisation)s · ohne Einheit",
                                                                organisation=organisation.name)


def _names(people: list[User]) -> str:
    return ", ".join(person.display_name for person in people)


@bp.post("/verschieben")
@administration_required
def move():
    """Move people chosen on the list to another unit of their organisation in one step, after saying how many
    move from where (an organisation's administration: its own people, to its own units)."""
    reach = current_reach()
    form = MovePeopleForm()
    # Offered: whoever was ticked on the list, so that the page keeps them as choices when some are unticked.
    offered_ids = _int_set(request.form.getlist("offered") or request.form.getlist("people"))
    offered = people_by_ids(offered_ids)
    if len(offered) != len(offered_ids) or any(not reach.covers(person.organisation_id) for person in offered):
        abort(404)  # someone of another organisation (or nobody): as on their page
    back = form.back.data = _list_to_return_to(form.back.data)
    if not offered:
        flash(_("Bitte wählen Sie mindestens eine Person aus."), "error")
        return redirect(back)
    organisation_ids = {person.organisation_id for person in offered if person.organisation_id}
    form.people.choices = [SelectChoice(str(person.id), person.display_name) for person in offered]
    form.unit.choices = _unit_choices([organisation for organisation in services.all_organisations()
                                       if organisation.id in organisation_ids])
    if "unit" not in request.form:  # from the list: everyone ticked there is ticked here
        form.people.data = [str(person.id) for person in offered]
        return _move_page(form, offered)
    organisation, unit = _target(form.unit.data or "", reach)
    chosen = [person for person in offered if str(person.id) in (form.people.data or [])]
    if not form.validate_on_submit() or not _movable(form, chosen, organisation, reach):
        return _move_page(form, offered)
    moving = [person for person in chosen if person.unit_id != (unit.id if unit else None)]
    question = f"{form.unit.data}|{','.join(str(person.id) for person in chosen)}"
    if form.confirmed.data != question:  # first say whom it concerns; a changed choice is asked again
        if not moving:
            form.unit.errors.append(_("Alle Ausgewählten sind bereits in %(unit)s.", unit=_where(organisation, unit)))
            return _move_page(form, offered)
        sources = Counter(person.unit.name if person.unit else "" for person in moving)
        return _move_page(form, offered, question=question, moving=len(moving), staying=len(chosen) - len(moving),
                          where=_where(organisation, unit), sources=sorted(sources.items()))
    try:
        moved = move_people(chosen, organisation, unit, actor=current_user, now=utcnow())
        db.session.commit()
    except services.AccountError as error:
        db.session.rollback()
        form.people.errors.append(str(error))
        return _move_page(form, offered)
    except IntegrityError:  # the unit removed a moment ago
        db.session.rollback()
        flash(_("Gleichzeitig wurde die Einheit geändert; es wurde niemand verschoben. Bitte versuchen Sie es "
                "erneut."), "error")
        return redirect(back)
    if moved:
        flash(ngettext("%(num)d Person ist jetzt in %(unit)s.", "%(num)d Personen sind jetzt in %(unit)s.", moved,
                       unit=_where(organisation, unit)), "success")
    else:  # confirmed twice (a double click): the first moved them
        flash(_("Alle Ausgewählten sind bereits in %(unit)s.", unit=_where(organisation, unit)), "info")
    return redirect(back)


def _movable(form: MovePeopleForm, chosen: list[User], organisation: Organisation | None, reach: Reach) -> bool:
    """Whether the chosen may move there; else each reason at its field, naming whom it concerns."""
    if beyond := [person for person in chosen if not reach.may_change(person, actor=current_user)]:
        form.people.errors.append(_("Diese Personen verschiebt nur die Administration; bitte nehmen Sie sie aus "
                                    "der Auswahl: %(names)s.", names=_names(beyond)))
    if organisation is not None and (elsewhere := [p for p in chosen if p.organisation_id != organisation.id]):
        # Into another organisation is a change of employer: one person at a time, on their page.
        form.people.errors.append(_("Diese Personen gehören nicht zu %(organisation)s; bitte nehmen Sie sie aus "
                                    "der Auswahl: %(names)s.", organisation=organisation.name,
                                    names=_names(elsewhere)))
    return not form.people.errors


def _move_page(form: MovePeopleForm, offered: list[User], **confirmation):
    return render_template("admin/move_people.html", form=form, offered=offered, **confirmation)
