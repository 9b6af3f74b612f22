"""Administration of organisations and their units: create them for onboarding, rename them, set the threshold."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from qualify.accounts import organisations as structure
from qualify.accounts import services
from qualify.accounts.models import Organisation, Unit
from qualify.accounts.roles import Role
from qualify.admin import removal
from qualify.admin.forms import (
    AddUnitsForm,
    ConfirmForm,
    NewOrganisationForm,
    OrganisationForm,
    UnitForm,
    show_at_fields,
)
from qualify.core.security import role_required
from qualify.extensions import db

bp = Blueprint("admin_organisations", __name__, url_prefix="/verwaltung/organisationen")


REFUSED = object()


def _committed(form, change):
    """Make the change and commit it, returning what it returns – or REFUSED, with the refusal shown at its field
    (or, when another administrator made the same name a moment ago, said above the form); the input stays."""
    try:
        result = change()
        db.session.commit()
    except services.AccountError as error:
        db.session.rollback()
        show_at_fields(form, getattr(error, "errors", [error]))
        return REFUSED
    except IntegrityError:  # a unique constraint caught what the check before could not see yet
        db.session.rollback()
        flash(_("Jemand hat gerade dasselbe angelegt. Bitte prüfen Sie die Angaben und speichern Sie erneut."),
              "error")
        return REFUSED
    return result


@bp.get("/")
@role_required(Role.ADMIN)
def organisations():
    """List the organisations with their units and how many people belong to each."""
    return render_template("admin/organisations.html", overview=structure.organisation_overview())


@bp.route("/neu", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_organisation():
    """Create an organisation, with its first units one per line."""
    form = NewOrganisationForm()
    if form.validate_on_submit():
        organisation = _committed(form, lambda: structure.add_organisation(
            form.name.data, slug=form.slug.data, small_group_threshold=form.small_group_threshold.data,
            units=structure.unit_names(form.units.data), actor=current_user))
        if organisation is not REFUSED:
            flash(_("%(name)s ist angelegt.", name=organisation.name), "success")
            return redirect(url_for("admin_organisations.organisation", organisation_id=organisation.id))
    elif form.is_submitted():  # what the organisations have against it too, not only what the form refused
        show_at_fields(form, structure.new_organisation_problems(
            form.name.data, slug=form.slug.data, small_group_threshold=form.small_group_threshold.data,
            units=structure.unit_names(form.units.data)))
    return render_template("admin/organisation_form.html", form=form)


def _render_organisation(organisation: Organisation, *, form: OrganisationForm | None = None,
                         units_form: AddUnitsForm | None = None, lowering: tuple[int, int] | None = None):
    """The page of one organisation; the form that was not sent starts afresh (formdata=None). `lowering`: the
    threshold now and the lower one asked for, to be confirmed."""
    ((_organisation, people, units),) = structure.organisation_overview(organisation.id)
    return render_template(
        "admin/organisation.html", organisation=organisation, people=people, units=units,
        without_unit=people - sum(count for _unit, count in units),
        form=form or OrganisationForm(formdata=None, obj=organisation),
        units_form=units_form or AddUnitsForm(formdata=None), lowering=lowering,
        removal_problems=removal.organisation_removal_problems(organisation))


@bp.route("/<int:organisation_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def organisation(organisation_id: int):
    """Show an organisation's units; rename it and set its small-group threshold."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        lowered_to = form.small_group_threshold.data
        if lowered_to < organisation.small_group_threshold and request.form.get("lower_to") != str(lowered_to):
            # The threshold is agreed with the works council, and a lower one shows smaller groups in every report
            # of the organisation's people from now on: asked once more, as shortening a retention period is.
            return _render_organisation(organisation, form=form,
                                        lowering=(organisation.small_group_threshold, lowered_to))
        if _committed(form, lambda: structure.update_organisation(
                organisation, name=form.name.data, small_group_threshold=form.small_group_threshold.data,
                actor=current_user)) is not REFUSED:
            flash(_("Gespeichert."), "success")
            return redirect(url_for("admin_organisations.organisation", organisation_id=organisation.id))
    elif form.is_submitted():
        show_at_fields(form, structure.organisation_settings_problems(
            organisation, name=form.name.data, small_group_threshold=form.small_group_threshold.data))
    return _render_organisation(organisation, form=form)


@bp.post("/<int:organisation_id>/einheiten")
@role_required(Role.ADMIN)
def add_units(organisation_id: int):
    """Add units, one per line; all of them or, when a name is refused, none."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = AddUnitsForm()
    if form.validate_on_submit():
        units = _committed(form, lambda: structure.add_units(organisation, structure.unit_names(form.units.data),
                                                             actor=current_user))
        if units is not REFUSED:
            flash(ngettext("%(num)d Einheit angelegt.", "%(num)d Einheiten angelegt.", len(units)), "success")
            return redirect(url_for("admin_organisations.organisation", organisation_id=organisation.id)
                            + "#einheiten")
    return _render_organisation(organisation, units_form=form)


def _unit(organisation_id: int, unit_id: int) -> Unit:
    unit = db.get_or_404(Unit, unit_id)
    if unit.organisation_id != organisation_id:
        abort(404)
    return unit


@bp.route("/<int:organisation_id>/einheiten/<int:unit_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def unit(organisation_id: int, unit_id: int):
    """Rename a unit; remove it while nobody belongs to it."""
    unit = _unit(organisation_id, unit_id)
    form = UnitForm(obj=unit)
    if form.validate_on_submit() and _committed(
            form, lambda: structure.rename_unit(unit, form.name.data, actor=current_user)) is not REFUSED:
        flash(_("Gespeichert."), "success")
        return redirect(url_for("admin_organisations.organisation", organisation_id=organisation_id) + "#einheiten")
    return render_template("admin/unit.html", unit=unit, organisation=unit.organisation, form=form,
                           people=structure.unit_members(unit), problem=removal.unit_removal_problem(unit))


@bp.post("/<int:organisation_id>/einheiten/<int:unit_id>/entfernen")
@role_required(Role.ADMIN)
def remove_unit(organisation_id: int, unit_id: int):
    """Delete a unit nobody belongs to, after asking once more."""
    unit = _unit(organisation_id, unit_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin_organisations.unit", organisation_id=organisation_id, unit_id=unit_id))
    name = unit.name
    try:
        removal.remove_unit(unit, actor=current_user)
        db.session.commit()
    except (services.AccountError, removal.StillInUse) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin_organisations.unit", organisation_id=organisation_id, unit_id=unit_id))
    flash(_("Die Einheit „%(unit)s“ ist entfernt.", unit=name), "success")
    return redirect(url_for("admin_organisations.organisation", organisation_id=organisation_id) + "#einheiten")


@bp.post("/<int:organisation_id>/loeschen")
@role_required(Role.ADMIN)
def remove_organisation(organisation_id: int):
    """Delete an organisation with its units once nobody belongs to it and nothing that must stay refers to it,
    after asking once more."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:  # sent twice (a double click), or from a page opened before another admin deleted it
        flash(_("Diese Organisation ist bereits gelöscht."), "info")
        return redirect(url_for("admin_organisations.organisations"))
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin_organisations.organisation", organisation_id=organisation_id))
    name = organisation.name
    try:
        removal.remove_organisation(organisation, actor=current_user)
        db.session.commit()
    except removal.StillInUse as refused:
        db.session.rollback()
        for problem in refused.problems:
            flash(problem, "error")
        return redirect(url_for("admin_organisations.organisation", organisation_id=organisation_id) + "#loeschen")
    except IntegrityError:  # someone was placed in it meanwhile (SQLite: PostgreSQL waits for the lock instead)
        db.session.rollback()
        flash(_("Gerade eben wurde der Organisation etwas zugeordnet; sie bleibt. Bitte prüfen Sie die Seite "
                "erneut."), "error")
        return redirect(url_for("admin_organisations.organisation", organisation_id=organisation_id) + "#loeschen")
    flash(_("Die Organisation „%(organisation)s“ ist gelöscht.", organisation=name), "success")
    return redirect(url_for("admin_organisations.organisations"))
