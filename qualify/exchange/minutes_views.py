"""The minutes of exchange sessions, for the moderators of the session's space: written as a draft (names checked
against the participants' consent), approved, a change of approved minutes rejected.

Registered on the exchange blueprint from the ROUTES table at the end of this file; each checks its object.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from qualify.core.routing import BOTH, POST
from qualify.core.time import utcnow
from qualify.exchange import minutes, minutes_consent, minutes_names, minutes_text
from qualify.exchange.access import moderated_space, space_of_session
from qualify.exchange.errors import ExchangeError
from qualify.exchange.forms import MinutesForm, PublishMinutesForm
from qualify.extensions import db


def _minutes_form(session, current, *, posted: bool) -> MinutesForm:
    """The form of the minutes: as posted, or filled from the saved minutes."""
    form = MinutesForm() if posted else MinutesForm(formdata=None, obj=current)
    agreed = minutes_consent.consenting_ids(session)
    form.named.choices = [SelectChoice(p.id, p.display_name) for p in minutes_consent.participants(session)
                          if p.id in agreed]
    if not posted and current:
        form.named.data = [i for i in current.named_user_ids or [] if i in agreed]
    return form


def _confirmed(form) -> str | None:
    """The confirmation of the name check the moderator ticked, if they did."""
    return form.confirmation.data if form.names_checked.data else None


def _minutes_page(session, space, current, form, *, name_check=None, publish_refused=None):
    """The minutes page; name_check: the names the posted text warns of; publish_refused: those the draft
    warns of, after an approval without confirming. A draft's warnings stand by its approve button anyway."""
    if name_check is not None:
        form.confirmation.data, form.names_checked.data = name_check.confirmation, False
        for field, warnings in name_check.by_field().items():
            getattr(form, field).description = warnings
    publish_form = PublishMinutesForm(formdata=None, prefix="publish")
    publish_check = publish_refused
    # A draft naming in full someone who has not agreed (or no longer does) is refused outright: the page says so
    # rather than asking whether a word of it could mean them.
    named = []
    if current is not None and current.status == "draft":
        named = minutes_names.unconsented_mentions(session, list(minutes_text.texts_of(current).values()))
        if publish_check is None:
            publish_check = minutes_names.names_to_confirm(session, minutes_text.texts_of(current))
    if publish_check is not None:
        publish_form.confirmation.data = publish_check.confirmation
    return render_template("exchange/minutes_form.html", session=session, space=space, form=form,
                           minutes=current, consents=minutes_consent.consents(session), name_check=name_check,
                           publish_form=publish_form, publish_check=publish_check,
                           publish_refused=publish_refused is not None, named_people=minutes_consent.named_people,
                           named_without_consent=[person.display_name for person in named])


def minutes_form(session_id: int):
    """Write the structured minutes of a session (a draft until approved)."""
    session, space = space_of_session(session_id)
    moderated_space(space.id)
    current = minutes_text.minutes_of(session)
    form = _minutes_form(session, current, posted=request.method != "GET")
    name_check = None
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data or "" for name, _label in minutes_text.SECTIONS}
        try:
            saved = minutes.save_minutes(session, space, fields, form.named.data or [], by=current_user,
                                         now=utcnow(), confirmed=_confirmed(form))
        except minutes_names.NamesToConfirm as check:  # nothing saved; the form keeps the text and asks
            db.session.rollback()
            name_check = check
        except ExchangeError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if saved.status == "published":  # sent back as approved: nothing to approve again
                flash(_("Keine Änderungen – das Protokoll bleibt veröffentlicht."))
            elif saved.has_waiting_change:
                flash(_("Änderung gespeichert. Bis sie freigegeben ist, sehen die Teilnehmenden im Raum weiter die "
                        "veröffentlichte Fassung."))
            else:
                flash(_("Entwurf gespeichert. Nach der Freigabe sehen ihn alle im Raum."))
            return redirect(url_for("exchange.minutes_form", session_id=session.id))
    return _minutes_page(session, space, current, form, name_check=name_check)


def _moderated_minutes(session_id: int):
    """The session, its space and its minutes, for a moderator of that space (404 without minutes)."""
    session, space = space_of_session(session_id)
    moderated_space(space.id)
    current = minutes_text.minutes_of(session)
    if current is None:
        abort(404)
    return session, space, current


def publish_minutes(session_id: int):
    """Approve the minutes: they appear in the space."""
    session, space, current = _moderated_minutes(session_id)
    try:
        minutes.publish_minutes(current, session, space, by=current_user, now=utcnow(),
                                confirmed=_confirmed(PublishMinutesForm(prefix="publish")))
    except minutes_names.NamesToConfirm as check:
        db.session.rollback()
        return _minutes_page(session, space, current, _minutes_form(session, current, posted=False),
                             publish_refused=check)
    except ExchangeError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("exchange.minutes_form", session_id=session.id))
    db.session.commit()
    flash(_("Das Protokoll ist veröffentlicht."))
    return redirect(url_for("exchange.space", space_id=space.id) + "#protokolle")


def reject_minutes_change(session_id: int):
    """Reject the change waiting beside published minutes: the published version stays, in the form too."""
    session, space, current = _moderated_minutes(session_id)
    if minutes.reject_change(current, session, space, by=current_user, now=utcnow()):
        db.session.commit()
        flash(_("Die Änderung ist abgelehnt. Im Raum bleibt die veröffentlichte Fassung."))
    else:  # sent twice, or decided on meanwhile: the page shows how the minutes stand
        flash(_("Es wartet keine Änderung des Protokolls mehr."))
    return redirect(url_for("exchange.minutes_form", session_id=session.id))


# Registered by the blueprint's module with core.routing.add_signed_in_routes.
ROUTES = (
    ("/termin/<int:session_id>/protokoll", minutes_form, BOTH),
    ("/termin/<int:session_id>/protokoll/freigeben", publish_minutes, POST),
    ("/termin/<int:session_id>/protokoll/aenderung-ablehnen", reject_minutes_change, POST),
)
