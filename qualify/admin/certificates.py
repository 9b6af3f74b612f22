"""Administration of certificates: find one, and withdraw it when it was issued by mistake."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.admin.forms import REOPEN, VOID, WithdrawCertificateForm
from qualify.admin.services import ONE_LOOK
from qualify.core import audit
from qualify.core.audit import AuditEvent
from qualify.core.security import role_required
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning import withdrawal
from qualify.learning.services import DONE_VIA_LABELS, LearningError, certificate_by_code

bp = Blueprint("admin_certificates", __name__, url_prefix="/verwaltung/zertifikate")


@bp.get("/")
@role_required(Role.ADMIN)
def search():
    """Find certificates by code, name, e-mail or course; without a search, the latest withdrawals."""
    query = request.args.get("q", "")
    issued, withdrawn = withdrawal.search_certificates(query)
    # Rendered before the look is logged and committed: the commit expires what was found, and the page read
    # each of up to 50 certificates again. Should the commit fail, the page is not shown.
    page = render_template("admin/certificates.html", query=query, issued=issued, withdrawn=withdrawn)
    _log_look(issued + withdrawn)
    return page


def _log_look(found: list) -> None:
    """Log a look at the holders of the certificates found – names, courses and dates are personal data – one
    entry per person, as on their page, for the log to say whose data was seen; the works council of each
    person's organisation reads it in its access log. A person looked at within ONE_LOOK is not logged again."""
    holder_ids = {certificate.user_id for certificate in found}
    if not holder_ids:
        return
    seen = set(db.session.scalars(select(AuditEvent.target_id).where(
        AuditEvent.action == "personal_data.view", AuditEvent.actor_id == current_user.id,
        AuditEvent.target_type == "User", AuditEvent.target_id.in_(holder_ids),
        AuditEvent.created_at >= utcnow() - ONE_LOOK)))
    holders = db.session.scalars(select(User).where(User.id.in_(holder_ids - seen)).order_by(User.id)).all()
    for holder in holders:
        audit.record("personal_data.view", actor=current_user, target=holder, organisation_id=holder.organisation_id)
    if holders:
        db.session.commit()


def _looked_at_recently(holder: User, code: str) -> bool:
    """Whether the current admin opened this certificate within ONE_LOOK (any other look at the holder, at their
    page or in a search, did not show the modules behind it)."""
    looks = db.session.scalars(select(AuditEvent.details).where(
        AuditEvent.action == "personal_data.view", AuditEvent.actor_id == current_user.id,
        AuditEvent.target_type == "User", AuditEvent.target_id == holder.id,
        AuditEvent.created_at >= utcnow() - ONE_LOOK))
    return any(details.get("code") == code for details in looks)


def _choice(done: withdrawal.DoneModule) -> SelectChoice:
    label = f"{done.module.title} – {DONE_VIA_LABELS[done.via]}, {format_date(done.completed_at)}"
    if done.suggested and done.via == "exchange":
        # Done by posting in the module's space or by taking part in one of its sessions: neither stands now.
        label += " – " + _("nicht mehr nachgewiesen: weder genug Beiträge noch eine eingetragene Anwesenheit")
    elif done.suggested:
        label += " – " + _("nicht mehr als anwesend eingetragen")
    return SelectChoice(str(done.module.id), label)


@bp.route("/<code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def certificate(code: str):
    """Show a certificate with the modules behind it, and withdraw it."""
    certificate = certificate_by_code(code)
    if certificate is None:
        withdrawn = withdrawal.withdrawn_by_code(code) or abort(404)
        if request.method == "POST":  # sent from a page opened before someone withdrew it
            flash(_("Das Zertifikat wurde bereits zurückgezogen."), "info")
        return render_template("admin/certificate.html", withdrawn=withdrawn)
    holder = db.session.get(User, certificate.user_id)
    done = withdrawal.done_modules(certificate)
    form = WithdrawCertificateForm()
    form.modules.choices = [_choice(d) for d in done if d.reopenable]
    if not form.modules.choices:  # nothing can open again (a passed quiz, say): the certificate alone goes
        form.after.choices = [choice for choice in form.after.choices if choice.value == VOID]
        form.after.data = VOID
    if request.method == "GET":
        form.modules.data = [str(d.module.id) for d in done if d.suggested]
    # Which modules a person did, and when, is personal data: every look at it is logged – a visit once, as on
    # the person's page.
    if request.method == "GET" and not _looked_at_recently(holder, certificate.code):
        audit.record("personal_data.view", actor=current_user, target=holder, code=certificate.code,
                     organisation_id=holder.organisation_id)  # the works council of that organisation reads it
        db.session.commit()
    if form.validate_on_submit():
        try:
            reopen = {int(value) for value in form.modules.data} if form.after.data == REOPEN else set()
            withdrawal.withdraw_certificate(certificate, reason=form.reason.data, reopen=reopen,
                                            by=current_user, now=utcnow())
            db.session.commit()
        except LearningError as error:
            db.session.rollback()
            form.modules.errors.append(str(error))
        except IntegrityError:  # another administrator withdrew it a moment ago
            db.session.rollback()
            flash(_("Das Zertifikat wurde bereits zurückgezogen."), "error")
            return redirect(url_for("admin_certificates.certificate", code=code))
        else:
            flash(_("Das Zertifikat ist zurückgezogen; die Person ist per E-Mail informiert.") if reopen else
                  _("Das Zertifikat ist zurückgezogen; der Kurs bleibt abgeschlossen. Die Person ist per E-Mail "
                    "informiert."), "success")
            return redirect(url_for("admin_certificates.certificate", code=code))
    return render_template("admin/certificate.html", certificate=certificate, holder=holder, form=form,
                           kept=[d for d in done if not d.reopenable])
