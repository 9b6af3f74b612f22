"""Meine Daten: what is stored, why, who sees it, how long; download it; delete the account."""

import json

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.security import check_password_hash

from qualify.accounts.roles import Role
from qualify.core.security import role_required
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.privacy import readable, services
from qualify.privacy.catalogue import CATEGORIES, CATEGORY_BY_KEY
from qualify.privacy.forms import EraseAccountForm, RetentionForm

bp = Blueprint("privacy", __name__, url_prefix="/meine-daten")


@bp.get("/")
@login_required
def overview():
    """List every category of data stored about the person, who sees it, why and for how long."""
    return render_template("privacy/overview.html", retention=services.retention_table())


@bp.get("/export.json")
@login_required
def export_json():
    """Download everything stored about oneself as JSON."""
    data = services.export_personal_data(current_user)
    response = make_response(json.dumps(data, ensure_ascii=False, indent=2))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    name = _("meine-daten.json")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/export")
@login_required
def export_html():
    """Show everything stored about oneself as a readable page."""
    data = services.export_personal_data(current_user)
    page = readable.ReadablePage(readable.referenced_names(data))
    return render_template("privacy/export.html", data=data,
                           labels={c.key: c.label for c in CATEGORIES}, source_label=readable.source_label,
                           field_label=page.field_label, shown_fields=page.shown_fields)


@bp.route("/loeschen", methods=["GET", "POST"])
@login_required
def erase():
    """Delete one's own account for good, after confirming with the password."""
    form = EraseAccountForm()
    if form.validate_on_submit():
        if not current_user.password_hash or not check_password_hash(current_user.password_hash, form.password.data):
            form.password.errors.append(_("Das Passwort ist nicht richtig."))
        else:
            user = current_user._get_current_object()
            try:
                services.erase_account(user, keep_posts=form.posts.data == "keep", now=utcnow())
                db.session.commit()
            except services.AlreadyErased:  # sent twice at once: the other request has done it
                db.session.rollback()
            except services.ErasureRefused as refused:
                db.session.rollback()
                flash(str(refused), "error")
                return render_template("privacy/erase.html", form=form)
            logout_user()
            session.clear()
            flash(_("Ihr Konto und Ihre Daten sind gelöscht."), "success")
            return redirect(url_for("home.index"))
    return render_template("privacy/erase.html", form=form)


@bp.get("/aufbewahrung")
@login_required
def retention_annex():
    """Print the retention periods: the technical annex of the works agreement."""
    return render_template("privacy/annex.html", retention=services.retention_table())


@bp.route("/aufbewahrung/<key>", methods=["POST"])
@role_required(Role.ADMIN)
def set_retention(key: str):
    """Change a retention period (admins, as agreed with the works council)."""
    if key not in CATEGORY_BY_KEY:
        abort(404)
    form = RetentionForm()
    if form.validate_on_submit():
        try:
            services.check_retention(key, form.days.data)
        except services.RetentionRefused as refused:
            form.days.errors.append(str(refused))
    if form.errors:
        # Back to the annex, the error at the row's field; the error list links to that field by its id.
        form.days.id = f"days-{key}"
        return render_template("privacy/annex.html", retention=services.retention_table(), form=form,
                               failed_key=key), 400
    current = services.retention_days(key)
    if current is not None and form.days.data < current and request.form.get("confirmed") != "1":
        # Shorter means the next night deletes what the old period kept: say how much, ask once more.
        return render_template("privacy/retention_confirm.html", form=form, category=CATEGORY_BY_KEY[key],
                               current=current, expiring=services.count_expiring(key, form.days.data, utcnow()))
    services.set_retention(key, form.days.data, actor=current_user)
    db.session.commit()
    flash(_("Aufbewahrungsfrist gespeichert."), "success")
    return redirect(url_for("privacy.retention_annex") + f"#frist-{key}")
