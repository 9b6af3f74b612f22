"""Signing in and out, passwords and the personal profile."""

from contextlib import nullcontext

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_url, login_user, logout_user

from qualify.accounts import auth, reset_requests, services, tokens
from qualify.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
)
from qualify.accounts.mails import send_password_changed
from qualify.core import audit
from qualify.core.errors import signed_out_page, typed_texts
from qualify.core.i18n import CHOSEN_COOKIE, chosen_before_sign_in, locale_for, remember_language
from qualify.core.security import is_safe_redirect
from qualify.core.time import utcnow
from qualify.extensions import db

bp = Blueprint("accounts", __name__)


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("email"):  # from setting a password: the address is known
        form.email.data = request.args["email"][:254]
    if form.validate_on_submit():
        device = auth.trusted_device(request.cookies.get(auth.DEVICE_COOKIE), form.email.data)
        result = auth.authenticate(form.email.data, form.password.data, ip=request.remote_addr or "?", now=utcnow(),
                                   device=device)
        if result.user:
            session.clear()  # a fresh session: nothing from before the login survives
            auth.start_session(result.user, utcnow())
            # The language chosen on the sign-in page a moment ago is the one wanted: it becomes the profile's.
            chosen = chosen_before_sign_in()
            if chosen is not None:
                result.user.language = chosen
            db.session.commit()
            login_user(result.user)
            target = request.args.get("next")
            response = redirect(target if is_safe_redirect(target) else url_for("home.index"))
            if chosen is not None:
                response.delete_cookie(CHOSEN_COOKIE)
            if device is None:
                response.set_cookie(auth.DEVICE_COOKIE, auth.device_cookie_for(result.user.email),
                                    max_age=auth.DEVICE_COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
                                    secure=current_app.config["SESSION_COOKIE_SECURE"])
            return response
        db.session.commit()
        flash(login_failure_message(result), "error")
        # While locked, the way in is a new password: the link from the mail signs in, lock or not.
        locked = result.throttle is not None and result.throttle.locked and not result.deactivated
        page = render_template("accounts/login.html", form=form, locked=locked)
        if result.throttled:  # refused unchecked: try again once the lock lifts
            return page, 429, {"Retry-After": str(result.throttle.minutes_locked * 60)}
        return page
    return render_template("accounts/login.html", form=form)


WARN_WHEN_ATTEMPTS_LEFT = 2


def login_failure_message(result: auth.LoginResult) -> str:
    """Why the sign-in was refused, and how near the lock is or how long it lasts.

    The counters run per address typed, known or not (auth.throttle_state): the warnings reveal no account.
    """
    if result.deactivated:
        return _("Ihr Konto ist deaktiviert. Bitte wenden Sie sich an die Administration.")
    throttle = result.throttle
    if throttle is None or not throttle.locked:
        locked = ""
    elif throttle.network:  # many addresses tried from here: say why this one is paused, and where it is not
        locked = ngettext(
            "Zu viele fehlgeschlagene Anmeldungen aus Ihrem Netzwerk: Die Anmeldung ist hier für %(num)d Minute "
            "gesperrt, außer in Browsern, in denen Sie sich mit dieser E-Mail-Adresse schon angemeldet haben.",
            "Zu viele fehlgeschlagene Anmeldungen aus Ihrem Netzwerk: Die Anmeldung ist hier für %(num)d Minuten "
            "gesperrt, außer in Browsern, in denen Sie sich mit dieser E-Mail-Adresse schon angemeldet haben.",
            throttle.minutes_locked)
    else:
        locked = ngettext(
            "Zu viele fehlgeschlagene Anmeldungen: Die Anmeldung ist für die nächste Minute gesperrt.",
            "Zu viele fehlgeschlagene Anmeldungen: Die Anmeldung ist für die nächsten %(num)d Minuten gesperrt.",
            throttle.minutes_locked)
    if result.throttled:
        return locked
    wrong = _("E-Mail-Adresse oder Passwort ist falsch.")
    if locked:
        return f"{wrong} {locked}"
    if throttle is not None and throttle.attempts_left <= WARN_WHEN_ATTEMPTS_LEFT:
        warning = ngettext("Noch %(num)d Versuch, dann ist die Anmeldung für %(minutes)d Minuten gesperrt.",
                           "Noch %(num)d Versuche, dann ist die Anmeldung für %(minutes)d Minuten gesperrt.",
                           throttle.attempts_left, minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])
        return f"{wrong} {warning}"
    return wrong


@bp.get("/abmelden")
def confirm_logout():
    """The address opened directly (a bookmark, typed): signing out stays a form sent with its token – a link
    could sign anyone out –, so the page offers its button; signed out already, the sign-in is where to go."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return render_template("accounts/logout.html")


@bp.post("/abmelden")
@login_required
def logout():
    """End the session on the server and in the browser."""
    language = current_user.language
    auth.end_session(current_user.get_id())
    db.session.commit()
    logout_user()
    session.clear()
    with force_locale(locale_for(language)):  # the sign-in page after it stays in their language
        flash(_("Sie sind abgemeldet."), "success")
    return remember_language(redirect(url_for("accounts.login")), language)


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
def forgot_password():
    """Send a reset link; the answer is the same whether the address is known or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same work for every address, known or not: the mail is written when the outbox is sent.
        now = utcnow()
        if auth.count_reset_request(form.email.data, now):
            reset_requests.ask_for_reset_link(form.email.data, now)
        db.session.commit()
        # The outbox is sent once a minute, and filters of works mail servers like a link from an unknown sender.
        flash(_("Wenn die Adresse bei uns bekannt ist, erhalten Sie eine E-Mail mit einem Link. Das kann ein bis zwei "
                "Minuten dauern. Bitte schauen Sie auch im Spam-Ordner nach."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/passwort-neu/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password through the link from the e-mail."""
    user = tokens.user_for_reset_token(token)
    if user is None:
        language = tokens.language_of_reset_token(token)
        with force_locale(locale_for(language)) if language else nullcontext():
            flash(_("Der Link ist abgelaufen oder wurde schon benutzt. Fordern Sie bitte einen neuen an."), "error")
        response = redirect(url_for("accounts.forgot_password"))
        return remember_language(response, language) if language else response
    # The page of an invitation or a reset in the person's language, as the mail with the link was.
    with force_locale(locale_for(user.language)):
        return remember_language(_set_password(user), user.language)


def _set_password(user):
    form = NewPasswordForm(person=user)
    first = user.password_hash is None  # an invitation: the first password, not a new one
    if form.validate_on_submit():
        services.set_password(user, form.password.data)  # which ends every other session of the account
        audit.record("user.password_set", actor=user, target=user, first=first)
        if not first:  # a reset: had someone else asked for the link, the person hears of it
            send_password_changed(user, utcnow())
        # The link proved the mailbox and the password was just typed: signing in again would ask nothing new.
        session.clear()
        auth.start_session(user, utcnow())
        db.session.commit()
        login_user(user)
        flash(_("Willkommen bei Qualify! Ihr Passwort ist gespeichert, Sie sind angemeldet.") if first
              else _("Ihr neues Passwort ist gespeichert, Sie sind angemeldet."), "success")
        return redirect(url_for("home.index"))
    return make_response(render_template("accounts/reset_password.html", form=form, first=first, email=user.email))


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    """Change the displayed name and the language."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.language = form.language.data
        db.session.commit()
        flash(_("Ihr Profil ist gespeichert."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/profil/passwort", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; other signed-in devices are signed out."""
    form = ChangePasswordForm(person=current_user)
    if form.validate_on_submit():
        # The signed-in person's own browser: someone guessing their password elsewhere does not block them here.
        device = auth.trusted_device(request.cookies.get(auth.DEVICE_COOKIE), current_user.email)
        result = auth.authenticate(current_user.email, form.current.data, ip=request.remote_addr or "?", now=utcnow(),
                                   device=device)
        if result.user is None:
            db.session.commit()
            form.current.errors.append(_("Zu viele fehlgeschlagene Versuche. Bitte warten Sie einige Minuten.")
                                       if result.throttled else _("Das aktuelle Passwort ist nicht richtig."))
        else:
            user = current_user._get_current_object()  # login_user() needs the user, never the proxy
            services.set_password(user, form.password.data)
            audit.record("user.password_changed", actor=user, target=user)
            send_password_changed(user, utcnow())
            auth.start_session(user, utcnow())
            db.session.commit()
            login_user(user)
            flash(_("Ihr Passwort ist geändert. Andere Geräte wurden abgemeldet."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


def init_login(login_manager) -> None:
    """Tell Flask-Login how to find the user behind a session token."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def send_to_sign_in():
        # A form sent after the session ended on the server (two weeks on, or signed out by a new password on
        # another device) while the browser kept its cookie: redirected, what was typed would be lost.
        if request.method == "POST" and (typed := typed_texts()):
            return signed_out_page(401, typed)
        return redirect(login_url(login_manager.login_view, next_url=request.url))

    @login_manager.user_loader
    def load_user(token: str):
        return auth.load_session_user(token, utcnow())
