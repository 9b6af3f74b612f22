"""Administration: people, roles, units and the audit log."""

from datetime import date, datetime, timedelta
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, logout_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from qualify.accounts import csv_import, services
from qualify.accounts.csv_file import MAX_BYTES
from qualify.accounts.models import Organisation, Unit, User
from qualify.accounts.roles import ROLE_LABELS, Reach, Role
from qualify.admin import audit_labels
from qualify.admin.access import administration_required, current_reach, person_or_404
from qualify.admin.forms import (
    ConfirmForm,
    ConfirmImportForm,
    ImportForm,
    MandatoryCourseForm,
    UserForm,
    role_choices,
    show_at_fields,
)
from qualify.admin.services import ONE_LOOK, duties_of, entries_of_organisation
from qualify.core import audit
from qualify.core.database import in_german_order, take_turns
from qualify.core.routing import id_argument, page_number
from qualify.core.templating import content_lang_attributes
from qualify.core.time import local_day_start, utcnow
from qualify.courses.models import Course
from qualify.extensions import db
from qualify.learning import mandatory
from qualify.learning.models import MandatoryAssignment
from qualify.workshops.services import release_seats_of

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")
PAGE_SIZE = 50
# Which part the person searched for in the log played in an entry (its filter "Die Person …").
PERSON_PARTS = {"did": _l("hat gehandelt"), "concerned": _l("ist betroffen")}
PREVIEW_ROWS = 500


def _organisations(reach: Reach) -> list[Organisation]:
    """The organisations within reach, with their units: all, or an organisation's administration's own."""
    return [organisation for organisation in services.all_organisations() if reach.covers(organisation.id)]


def _unit_choices(reach: Reach) -> list[SelectChoice]:
    # An organisation's administration places people in its own organisation only: no "none" to choose.
    choices = [SelectChoice("", _("— keine —"))] if reach.whole_network else []
    for organisation in _organisations(reach):
        choices.append(SelectChoice(f"org:{organisation.id}", organisation.name))
        choices.extend(SelectChoice(f"unit:{unit.id}", f"{organisation.name} · {unit.name}")
                       for unit in organisation.units)
    return choices


def _placement(value: str):
    """Turn the combined select value (one of the choices: the form checks it) into (organisation, unit)."""
    kind, _sep, ident = (value or "").partition(":")
    if kind == "unit":
        unit = db.get_or_404(Unit, int(ident))
        return unit.organisation, unit
    if kind == "org":
        return db.get_or_404(Organisation, int(ident)), None
    return None, None


def _user_form(reach: Reach, user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.unit.choices = _unit_choices(reach)
    form.roles.choices = role_choices(reach.roles)
    if user is not None and request.method == "GET":
        form.roles.data = sorted(str(role) for role in user.roles)
        form.unit.data = (f"unit:{user.unit_id}" if user.unit_id
                          else f"org:{user.organisation_id}" if user.organisation_id else "")
    return form


@bp.get("/")
@administration_required
def users():
    """List and search the people on the platform (an organisation's administration: its own people)."""
    reach = current_reach()
    query = request.args.get("q", "")
    filters = {"organisation": reach.organisation_id or id_argument(request.args.get("organisation")),
               "role": request.args.get("rolle") if request.args.get("rolle") in {str(r) for r in Role} else None,
               "state": request.args.get("status") if request.args.get("status") in services.USER_STATES else None}
    # The units within reach (of the organisation chosen, if one is): a unit's people, e.g. to move them together.
    within = services.organisations_and_units(reach.organisation_id)
    units = [(choice.id, choice.name if filters["organisation"] else f"{choice.organisation_name} · {choice.name}")
             for choice in within if choice.id is not None
             and choice.organisation_id == (filters["organisation"] or choice.organisation_id)]
    unit_id = id_argument(request.args.get("einheit"))
    filters["unit"] = unit_id if unit_id in {value for value, _label in units} else None
    page = page_number()

    def page_of(number: int):
        return services.search_users(query, organisation_id=filters["organisation"], unit_id=filters["unit"],
                                     role=Role(filters["role"]) if filters["role"] else None,
                                     state=filters["state"], limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)

    people, total = page_of(page)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages:  # a page beyond the last (an old link, fewer people now): the last one
        page = pages
        people, total = page_of(page)
    not_invited = {person.id for person in people
                   if person.active and not person.password_hash and person.invited_at is None}
    # Whom this page may tick to move to another unit: everyone the administration (the organisation's) may change.
    movable = {person.id for person in people
               if person.organisation_id is not None and reach.may_change(person, actor=current_user)}
    return render_template("admin/users.html", users=people, total=total, query=query, page=page, pages=pages,
                           not_invited=not_invited, movable=movable,
                           filters=filters, units=units,
                           organisations=list(dict.fromkeys((c.organisation_id, c.organisation_name) for c in within))
                           if reach.whole_network else [],
                           roles=[(str(role), str(label)) for role, label in ROLE_LABELS.items()],
                           states=[("active", _("aktiv")), ("deactivated", _("deaktiviert")),
                                   ("invited", _("eingeladen, noch ohne Passwort"))])


@bp.route("/personen/neu", methods=["GET", "POST"])
@administration_required
def new_user():
    """Create an account and invite the person to set a password."""
    form = _user_form(current_reach())
    if form.validate_on_submit():
        organisation, unit = _placement(form.unit.data)
        try:
            user = services.create_user(
                form.email.data, form.display_name.data, roles={Role(r) for r in form.roles.data} or {Role.LEARNER},
                organisation=organisation, unit=unit, personnel_number=form.personnel_number.data,
                language=form.language.data, actor=current_user, invited=form.send_invitation.data)
            if form.send_invitation.data:
                services.invite(user, now=utcnow())
            db.session.commit()
        except services.AccountError as error:
            show_at_fields(form, getattr(error, "errors", [error]))
        except IntegrityError:  # an address or personnel number taken a moment ago (by an import, say)
            db.session.rollback()
            flash(_("Jemand hat gerade dasselbe angelegt. Bitte prüfen Sie die Angaben und speichern Sie erneut."),
                  "error")
        else:
            if form.send_invitation.data:
                flash(_("%(name)s ist angelegt. Die Einladung geht an %(email)s.", name=user.display_name,
                        email=user.email), "success")
            else:
                flash(_("%(name)s ist angelegt.", name=user.display_name), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    elif form.is_submitted():
        _show_person_problems(form)
    return render_template("admin/user_form.html", form=form, user=None, may_change=True)


def _show_person_problems(form: UserForm, user: User | None = None, kept_roles: set[Role] = frozenset()) -> None:
    """Beside what the form refuses, what saving would be refused for (a taken address, say): all at once."""
    organisation = None if form.unit.errors else _placement(form.unit.data)[0]
    roles = {Role(r) for r in form.roles.data or () if r in ROLE_LABELS} | kept_roles
    show_at_fields(form, services.person_problems(
        form.email.data or "", form.personnel_number.data, organisation, user=user,
        roles=roles if user is not None else roles or {Role.LEARNER}, actor=current_user))


@bp.route("/personen/<int:user_id>", methods=["GET", "POST"])
@administration_required
def edit_user(user_id: int):
    """Change a person's data, placement and roles."""
    user = person_or_404(user_id)
    reach = current_reach()
    form = _user_form(reach, user)
    del form.send_invitation
    # The roles someone may not give stay as they are: the form offers only the others.
    kept_roles = user.roles - reach.roles
    if form.validate_on_submit():
        organisation, unit = _placement(form.unit.data)
        old_email = user.email
        try:
            told = services.update_user(
                user, email=form.email.data, display_name=form.display_name.data,
                personnel_number=form.personnel_number.data, language=form.language.data, organisation=organisation,
                unit=unit, roles={Role(r) for r in form.roles.data} | kept_roles, actor=current_user, now=utcnow())
        except services.AccountError as error:
            show_at_fields(form, getattr(error, "errors", [error]))
        else:
            moved = user.email != old_email
            try:
                db.session.commit()
            except IntegrityError:  # the address or personnel number taken a moment ago (by an import, say)
                db.session.rollback()
                flash(_("Jemand hat gerade dasselbe angelegt. Bitte prüfen Sie die Angaben und speichern Sie "
                        "erneut."), "error")
                return redirect(url_for("admin.edit_user", user_id=user_id))
            if moved and user.id == current_user.id:
                return _signed_out_after_own_address_change(user)
            flash(_("Gespeichert. Die Einladung ging neu an %(email)s.", email=user.email) if told == "invitation"
                  else _("Gespeichert. Die bisherige und die neue Adresse bekommen je eine E-Mail dazu.")
                  if told == "notices" else _("Gespeichert."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    elif form.is_submitted():
        _show_person_problems(form, user, kept_roles)
    # Every look at a person's data is logged, for the works council to read – a visit once: coming back to the
    # page after each action on it (saving, inviting again) filled the log with the same look. With the role it
    # was done in: the works council tells its employer's HR from the network's administration.
    if request.method == "GET" and not audit.recorded_since("personal_data.view", actor=current_user, target=user,
                                                            since=utcnow() - ONE_LOOK):
        audit.record("personal_data.view", actor=current_user, target=user, organisation_id=user.organisation_id,
                     acting_as=str(reach.role))
        db.session.commit()
    waiting = user.active and not user.password_hash
    return render_template("admin/user_form.html", form=form, user=user, confirm=ConfirmForm(),
                           not_invited=waiting and user.invited_at is None,
                           duties=duties_of(user, now=utcnow()), whole_network=reach.whole_network,
                           may_change=reach.may_change(user, actor=current_user),
                           kept_roles=sorted(kept_roles, key=list(Role).index))


def _signed_out_after_own_address_change(user: User):
    """The admin changed their own address, which ended their sessions: out, and told how to come back in."""
    logout_user()
    session.clear()
    flash(_("Ihre Anmeldeadresse ist jetzt %(email)s. Bitte melden Sie sich mit der neuen Adresse wieder an.",
            email=user.email), "success")
    return redirect(url_for("accounts.login", email=user.email))


@bp.post("/personen/<int:user_id>/deaktivieren")
@administration_required
def deactivate_user(user_id: int):
    """Block an account from signing in."""
    user = person_or_404(user_id)
    if user.id == current_user.id:  # only reachable by a hand-made request: the page offers no such button
        flash(_("Ihr eigenes Konto können Sie nicht deaktivieren."), "error")
    elif not current_reach().may_change(user, actor=current_user):  # nor here: the page offers none
        flash(str(services.BEYOND_REACH), "error")
    elif ConfirmForm().validate_on_submit():
        try:
            services.deactivate(user, actor=current_user)
        except services.AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            # Someone who leaves keeps no seat from colleagues on the waitlist (a reactivated account books anew).
            released = release_seats_of(user, now=utcnow())
            db.session.commit()
            flash(_("%(name)s kann sich nicht mehr anmelden.", name=user.display_name), "success")
            if released:
                flash(ngettext("%(num)d gebuchter Platz wurde freigegeben.", "%(num)d gebuchte Plätze wurden "
                               "freigegeben.", released), "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/personen/<int:user_id>/aktivieren")
@administration_required
def reactivate_user(user_id: int):
    """Allow an account to sign in again."""
    user = person_or_404(user_id)
    if not current_reach().may_change(user, actor=current_user):  # the page offers no such button
        flash(str(services.BEYOND_REACH), "error")
    elif ConfirmForm().validate_on_submit():
        services.reactivate(user, actor=current_user)
        db.session.commit()
        flash(_("%(name)s kann sich wieder anmelden.", name=user.display_name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _import_form(reach: Reach) -> ImportForm:
    form = ImportForm()
    organisations = [SelectChoice(organisation.slug, organisation.name) for organisation in _organisations(reach)]
    # An organisation's administration imports into its own organisation only: it is the one choice.
    form.organisation.choices = ([SelectChoice("", _("— bitte wählen —"))] if reach.whole_network else []) \
        + organisations
    return form


def _render_import(form: ImportForm, plan: csv_import.ImportPlan | None = None, key: str | None = None):
    """Show the upload form with the preview of a checked file, and the confirmation if the file is clean."""
    confirm = None
    if plan is not None and plan.problems:
        form.file.errors = [*form.file.errors, ngettext(  # a tuple until the form has been validated
            "Die Datei enthält %(num)d Problem; es wurde nichts importiert.",
            "Die Datei enthält %(num)d Probleme; es wurde nichts importiert.", len(plan.problems))]
    elif plan is not None:
        confirm = ConfirmImportForm(formdata=None, fingerprint=plan.fingerprint)
    return render_template("admin/import.html", form=form, plan=plan, confirm=confirm, key=key,
                           preview_rows=PREVIEW_ROWS)


@bp.route("/import", methods=["GET", "POST"])
@administration_required
def import_users():
    """Upload a CSV file of people; its preview is a page of its own (post/redirect/get), so that the browser's
    back button from there, or from the page after the import, never sends the file again."""
    form = _import_form(current_reach())
    if form.validate_on_submit():
        pending = csv_import.keep_upload(
            form.file.data.read(MAX_BYTES + 1), services.get_organisation(form.organisation.data),
            deactivate_missing=form.deactivate_missing.data, uploaded_by=current_user, now=utcnow())
        db.session.commit()
        return redirect(url_for("admin.import_preview", key=pending.key))
    return _render_import(form)


def _pending_or_none(key: str):
    pending = csv_import.pending_import(key, uploaded_by=current_user, now=utcnow())
    # Uploaded for an organisation that is no longer the uploader's (moved meanwhile): gone, as any other.
    return pending if pending is not None and current_reach().covers(pending.organisation_id) else None


def _upload_gone():
    # The same for an expired upload, one dropped as a person it names was erased (csv_import.drop_uploads_naming),
    # someone else's and a guessed key: nothing to tell about other uploads, nor whom an erasure concerned.
    flash(_("Diese Vorschau gibt es nicht mehr: Eine hochgeladene Datei wartet höchstens eine Stunde auf die "
            "Bestätigung, und nicht mehr, sobald ein Konto gelöscht wird, das darin steht. Bitte laden Sie die Datei "
            "erneut hoch."), "warning")
    return redirect(url_for("admin.import_users"))


@bp.get("/import/<key>")
@administration_required
def import_preview(key: str):
    """Preview what importing an uploaded file would change now, with the confirmation if the file is clean."""
    reach = current_reach()
    pending = _pending_or_none(key)
    if pending is None:
        return _upload_gone()
    plan = csv_import.plan_import(pending.content, pending.organisation,
                                  deactivate_missing=pending.deactivate_missing, grantable=reach.roles)
    form = _import_form(reach)  # for another file, with the same choices
    form.organisation.data, form.deactivate_missing.data = pending.organisation.slug, pending.deactivate_missing
    return _render_import(form, plan, key=key)


@bp.post("/import/<key>")
@administration_required
def confirm_import(key: str):
    """Check the previewed file again and import it in one transaction."""
    reach = current_reach()
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        abort(400)
    pending = _pending_or_none(key)
    if pending is None:
        return _upload_gone()
    # The same confirmation sent twice (a double click reaching the server twice): the second waits here until
    # the first has imported, and then finds the file's people as the file says, checked again below.
    take_turns(f"import:{pending.organisation_id}")
    plan = csv_import.plan_import(pending.content, pending.organisation,
                                  deactivate_missing=pending.deactivate_missing, grantable=reach.roles)
    if not plan.ok or plan.fingerprint != confirm.fingerprint.data:
        if plan.ok and plan.nothing_to_do:  # imported since the preview
            flash(_("Diese Datei ist bereits importiert: Alle Personen darin sind schon so eingetragen, wie die "
                    "Datei sie angibt."), "info")
            return redirect(url_for("admin.import_users"))
        flash(_("Seit der Vorschau hat sich etwas geändert. Bitte prüfen Sie die Vorschau und bestätigen Sie "
                "erneut."), "warning")
        return redirect(url_for("admin.import_preview", key=key))
    try:
        counts = csv_import.apply_import(plan, actor=current_user, release_seats=partial(release_seats_of,
                                                                                         now=utcnow()))
        db.session.commit()
    except (IntegrityError, services.AccountError):
        db.session.rollback()
        flash(_("Gleichzeitig wurden Personen geändert; es wurde nichts importiert. Bitte laden Sie die "
                "Datei erneut hoch."), "error")
        return redirect(url_for("admin.import_users"))
    _flash_import_summary(counts)
    return redirect(url_for("admin.import_users"))


def _flash_import_summary(counts: dict[str, int]) -> None:
    if "deactivated" not in counts:
        flash(_("Import abgeschlossen: %(new)d neu, %(changed)d geändert, %(unchanged)d unverändert.",
                new=counts["created"], changed=counts["updated"], unchanged=counts["unchanged"]), "success")
        return
    flash(_("Import abgeschlossen: %(new)d neu, %(changed)d geändert, %(unchanged)d unverändert, "
            "%(deactivated)d deaktiviert.", new=counts["created"], changed=counts["updated"],
            unchanged=counts["unchanged"], deactivated=counts["deactivated"]), "success")
    if counts["released"]:
        flash(ngettext("%(num)d gebuchter Platz wurde freigegeben.", "%(num)d gebuchte Plätze wurden "
                       "freigegeben.", counts["released"]), "info")


@bp.get("/protokoll")
@administration_required
def audit_log():
    """Show the audit log, newest first; filtered by kind of action, by days, and by a person (who did it, or whom
    it concerned, or either), found by name or address. An organisation's administration reads the entries about
    its organisation, its units and its people only."""
    reach = current_reach()
    page = page_number()
    action = request.args.get("aktion", "")
    action = action if action in audit_labels.ACTION_LABELS else ""
    person = request.args.get("person", "").strip()
    part = request.args.get("rolle", "")
    part = part if part in PERSON_PARTS else ""
    typed = {key: request.args.get(key, "").strip() for key in ("von", "bis")}
    days = {key: _day(text) for key, text in typed.items()}
    wrong_days = [key for key, text in typed.items() if text and days[key] is None]
    about = services.users_matching(person, User.id) if person else None
    # One more than a page: "Ältere" only when older entries exist, not whenever a page is exactly full.
    events = audit.recent_events(
        limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, action=action or None, about_people=about,
        part=part or None, since=local_day_start(days["von"]) if days["von"] else None,
        before=local_day_start(days["bis"] + timedelta(days=1)) if days["bis"] else None,
        within=None if reach.whole_network else entries_of_organisation(reach.organisation_id))
    events, has_next = events[:PAGE_SIZE], len(events) > PAGE_SIZE
    people = {e.actor_id for e in events if e.actor_id} | {e.target_id for e in events if e.target_type == "User"}
    names = services.names_of(people)
    titles = audit_labels.titles_of(events)
    filters = {"aktion": action or None, "person": person or None, "rolle": part or None,
               "von": typed["von"] or None, "bis": typed["bis"] or None}
    return render_template("admin/audit_log.html", events=events, has_next=has_next, names=names, page=page,
                           action=action, person=person, part=part, parts=list(PERSON_PARTS.items()), typed=typed,
                           wrong_days=wrong_days, filters=filters, actions=audit_labels.action_choices(),
                           whole_network=reach.whole_network,
                           action_label=audit_labels.action_label, target_label=audit_labels.target_label,
                           details_text=audit_labels.details_text, who_did=audit.who_did, titles=titles)


def _day(text: str) -> date | None:
    """A day as a date field sends it (2026-11-30) or as typed where the browser has no date field (30.11.2026)."""
    for parse in (date.fromisoformat, lambda value: datetime.strptime(value, "%d.%m.%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _mandatory_course_form(reach: Reach) -> MandatoryCourseForm:
    form = MandatoryCourseForm()
    # Titles in the course's language, marked as such where that is not the page's (WCAG 3.1.2); an option holds
    # text only, so drafts say what they are in a group of their own, not in words of the page after the title.
    # Drafts for the administration only: an organisation's administration does not author courses.
    courses = [course for course in db.session.scalars(db.select(Course).order_by(in_german_order(Course.title)))
               if course.is_published or reach.whole_network]
    draft = _("Entwurf")
    form.course.choices = [SelectChoice(c.id, c.title, render_kw=content_lang_attributes(c.language),
                                        optgroup=None if c.is_published else draft)
                           for c in sorted(courses, key=lambda c: not c.is_published)]  # published first
    form.unit.choices = [SelectChoice(unit.id, f"{organisation.name} · {unit.name}")
                         for organisation in _organisations(reach) for unit in organisation.units]
    return form


def _mandatory_course_page(form: MandatoryCourseForm, reach: Reach, **confirmation):
    # The standing assignments (of the organisation's units, for its administration), never who of a unit
    # completed a course or is late (works council agreement).
    return render_template("admin/mandatory_course.html", form=form,
                           assignments=mandatory.running_assignments(organisation_id=reach.organisation_id),
                           end_form=ConfirmForm(), **confirmation)


@bp.route("/pflichtkurse", methods=["GET", "POST"])
@administration_required
def mandatory_course():
    """Make a course mandatory for a unit – its members now and whoever joins later – and list the standing ones."""
    reach = current_reach()
    form = _mandatory_course_form(reach)
    if request.method == "GET":  # after an assignment the same choice stays, so a second click is no surprise
        form.course.data = request.args.get("kurs", type=int)
        form.unit.data = request.args.get("einheit", type=int)
        form.days_to_complete.data = request.args.get("frist", type=int)
    if not form.validate_on_submit():
        return _mandatory_course_page(form, reach)
    course = db.get_or_404(Course, form.course.data)
    unit = db.get_or_404(Unit, form.unit.data)
    if not reach.covers(unit.organisation_id):  # the form offers none, but the check is on the object
        abort(404)
    # Only ever the unit's size, never how many were enrolled already: that would tell the admin who takes
    # which course (a unit of one makes it a person), which only the person and, in aggregate, the reports see.
    members = services.count_active_members(unit.id)
    unit_name = f"{unit.organisation.name} · {unit.name}"  # two organisations may each have a "Logistik"
    already = _("„%(course)s“ ist für %(unit)s bereits ein Pflichtkurs.", course=course.title, unit=unit_name)
    if form.confirmed.data != "1":  # enrolments are not taken back: first say whom it concerns
        if not members:
            form.unit.errors.append(_("%(unit)s hat keine aktiven Mitglieder.", unit=unit_name))
        elif mandatory.running_assignment(course.id, unit.id):
            form.course.errors.append(already)
        else:
            return _mandatory_course_page(form, reach, course=course, unit_name=unit_name, members=members)
        return _mandatory_course_page(form, reach)
    assignment = mandatory.assign(course, unit, days_to_complete=form.days_to_complete.data, now=utcnow(),
                                  by=current_user)
    db.session.commit()
    if assignment is None:  # confirmed twice (a double tap): the first made it, this one changed nothing
        flash(already, "info")
    else:
        flash(ngettext("Das %(num)d aktive Mitglied von %(unit)s ist in „%(course)s“ eingeschrieben.",
                       "Alle %(num)d aktiven Mitglieder von %(unit)s sind in „%(course)s“ eingeschrieben.", members,
                       unit=unit_name, course=course.title), "success")
    return redirect(url_for("admin.mandatory_course", kurs=course.id, einheit=unit.id,
                            frist=form.days_to_complete.data))


@bp.post("/pflichtkurse/<int:assignment_id>/beenden")
@administration_required
def end_mandatory_course(assignment_id: int):
    """End a standing mandatory course: it enrols nobody more; whoever is enrolled stays so."""
    reach = current_reach()
    assignment = db.get_or_404(MandatoryAssignment, assignment_id)
    if not reach.covers(assignment.unit.organisation_id):
        abort(404)
    if ConfirmForm().validate_on_submit():
        mandatory.end(assignment, now=utcnow(), by=current_user)  # ended already (sent twice): nothing more
        db.session.commit()
        flash(_("„%(course)s“ ist für %(unit)s kein Pflichtkurs mehr. Wer eingeschrieben ist, bleibt es.",
                course=assignment.course.title, unit=f"{assignment.unit.organisation.name} · {assignment.unit.name}"),
              "success")
    return redirect(url_for("admin.mandatory_course"))
