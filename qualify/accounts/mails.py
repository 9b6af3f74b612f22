"""E-mails about accounts, in the recipient's language."""

from datetime import datetime

from flask import render_template
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _

from qualify.accounts import tokens
from qualify.accounts.addresses import masked_address
from qualify.accounts.models import User
from qualify.core.i18n import locale_for
from qualify.core.mail import OutboxMessage, absolute_url, queue_mail


def send_password_reset(user: User, *, invitation: bool = False, by_admin: bool = False) -> OutboxMessage | None:
    """Queue the e-mail with a link to set a (first) password and return it (None: a deactivated person gets
    none); `by_admin`: sent by the administration, not asked for on the sign-in page."""
    link = absolute_url("accounts.reset_password", token=tokens.make_reset_token(user))
    with force_locale(locale_for(user.language)):
        subject = _("Ihr Zugang zu Qualify") if invitation else _("Passwort zurücksetzen")
        context = {"user": user, "link": link, "invitation": invitation, "by_admin": by_admin}
        return queue_mail(user, subject, render_template("accounts/mail/reset.txt", **context),
                          render_template("accounts/mail/reset.html", **context))


def send_password_changed(user: User, when: datetime) -> None:
    """Queue the notice that the password was changed: should it not have been the person, they hear of it and
    know the way back in (a new password through „Passwort vergessen“)."""
    with force_locale(locale_for(user.language)):
        context = {"user": user, "date": format_date(when, "full"), "time": format_time(when, "short"),
                   "link": absolute_url("accounts.forgot_password")}
        queue_mail(user, _("Ihr Passwort wurde geändert"),
                   render_template("accounts/mail/password_changed.txt", **context),
                   render_template("accounts/mail/password_changed.html", **context))


def send_address_changed(user: User, old_email: str, when: datetime) -> None:
    """Queue the notices of a changed sign-in address: to the old address – should someone have taken the
    account over by changing it, its owner hears of it there, the only place they still can – and to the new one,
    which signs in from now on."""
    with force_locale(locale_for(user.language)):
        context = {"user": user, "new_email": masked_address(user.email), "date": format_date(when, "full"),
                   "time": format_time(when, "short")}
        notice = queue_mail(old_email, _("Ihre Anmeldeadresse bei Qualify wurde geändert"),
                            render_template("accounts/mail/address_changed.txt", **context),
                            render_template("accounts/mail/address_changed.html", **context))
        notice.user_id = user.id  # the person's mail, though sent to an address that is no longer theirs
        context["link"] = absolute_url("accounts.login", email=user.email)
        queue_mail(user, _("Ihre neue Anmeldeadresse bei Qualify"),
                   render_template("accounts/mail/address_new.txt", **context),
                   render_template("accounts/mail/address_new.html", **context))
