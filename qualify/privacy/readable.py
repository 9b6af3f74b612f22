"""The data export as a person reads it: named sources and fields, dates in their language, yes and no.

The JSON download stays as stored; this only dresses the same data for the page "Alle Daten ansehen".
Sources and fields without a name here are shown as stored, so nothing is ever left out.
Course content among the values (titles, a module's text, the answers chosen in a quiz) keeps the language of its
course, marked where that is not the page's (WCAG 3.1.2): the values are HTML then, escaped but for that mark.
"""

from datetime import datetime
from typing import NamedTuple

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from qualify.accounts.roles import ROLE_LABELS
from qualify.admin.audit_labels import ACTION_LABELS
from qualify.core.i18n import localised_date, localised_datetime
from qualify.core.templating import in_language
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.exchange.moderation_log import reason_for_reading
from qualify.extensions import db
from qualify.learning.models import MandatoryAssignment
from qualify.learning.quiz import score_text
from qualify.learning.services import DONE_VIA_LABELS
from qualify.workshops.forms import ATTENDANCE_LABELS, STATUS_LABELS
from qualify.workshops.models import WorkshopSession

SOURCE_LABELS = {
    "users": _l("Ihr Konto"),
    "user_roles.user_id": _l("Ihre Rollen"),
    "user_sessions.user_id": _l("Angemeldete Geräte"),
    "pending_imports.uploaded_by_id": _l("Hochgeladene CSV-Dateien, die noch auf die Bestätigung warten"),
    "enrolments.user_id": _l("Ihre Einschreibungen"),
    "enrolments.enrolled_by_id": _l("Einschreibungen, die Sie für andere vorgenommen haben"),
    "module_completions.user_id": _l("Erledigte Module"),
    "mandatory_enrolments.user_id": _l("Ihre Pflichtkurse und Fristen"),
    "mandatory_assignments.created_by_id": _l("Pflichtkurse, die Sie Einheiten zugewiesen haben"),
    "quiz_attempts.user_id": _l("Ihre Quiz-Versuche"),
    "reflections.user_id": _l("Ihre Reflexionen"),
    "certificates.user_id": _l("Ihre Zertifikate"),
    "withdrawn_certificates.user_id": _l("Zurückgezogene Zertifikate"),
    "workshop_bookings.user_id": _l("Ihre Anmeldungen zu Terminen"),
    "workshop_bookings.attendance_marked_by_id": _l("Anwesenheiten, die Sie eingetragen haben"),
    "workshop_bookings.decided_by_id": _l("Anmeldungen, über die Sie entschieden haben"),
    "workshop_session_trainers.user_id": _l("Termine, die Sie leiten"),
    "workshop_sessions.created_by_id": _l("Termine, die Sie angelegt haben"),
    "workshop_calendar_feeds.user_id": _l("Ihr Kalender-Abo"),
    "exchange_posts.author_id": _l("Ihre Beiträge im Austausch"),
    "exchange_posts.moderated_by_id": _l("Beiträge, die Sie moderiert haben"),
    "exchange_pseudonyms.user_id": _l("Ihre Pseudonyme"),
    "exchange_follows.user_id": _l("Gespräche, denen Sie folgen"),
    "exchange_flags.flagged_by_id": _l("Ihre Meldungen von Beiträgen"),
    "exchange_flags.resolved_by_id": _l("Meldungen, die Sie bearbeitet haben"),
    "exchange_space_moderators.user_id": _l("Räume, die Sie moderieren"),
    "exchange_minutes_consents.user_id": _l("Ihre Zustimmungen, in Protokollen genannt zu werden"),
    "course_owners.user_id": _l("Kurse, die Sie verantworten"),
    "module_versions.created_by_id": _l("Modulfassungen, die Sie gespeichert haben"),
    "module_drafts.saved_by_id": _l("Entwürfe von Modulen, die Sie zuletzt gespeichert haben"),
    "outbox_messages": _l("E-Mails an Sie"),
    "audit_events.actor_id": _l("Ihre Aktionen im Protokoll"),
    "audit_events.target": _l("Protokolleinträge über Sie"),
    "item_tally_people.user_id": _l("Quiz, deren erster Versuch in die Fragenstatistik einging"),
    "exchange_log.actor_id": _l("Ihre Einträge im Moderationsprotokoll"),
    "exchange_minutes.written_by_id": _l("Protokolle, die Sie geschrieben haben"),
    "exchange_minutes.published_by_id": _l("Protokolle, die Sie veröffentlicht haben"),
    "exchange_space_moderators.assigned_by_id": _l("Moderationen, die Sie zugewiesen haben"),
    "exchange_spaces.created_by_id": _l("Austauschräume, die Sie eröffnet haben"),
    "outbox_messages.user_id": _l("E-Mails an Sie"),
}
FIELD_LABELS = {
    "id": _l("Nummer"), "email": _l("E-Mail-Adresse"), "display_name": _l("Name"),
    "personnel_number": _l("Personalnummer"), "language": _l("Sprache"), "active": _l("Konto aktiv"),
    "left_month": _l("ausgeschieden im Monat"),
    "organisation": _l("Organisation"), "unit": _l("Einheit"), "roles": _l("Rollen"), "role": _l("Rolle"),
    "created_at": _l("angelegt am"), "invited_at": _l("eingeladen am"), "updated_at": _l("geändert am"),
    "enrolled_at": _l("eingeschrieben am"),
    "completed_at": _l("abgeschlossen am"), "started_at": _l("begonnen am"), "submitted_at": _l("abgegeben am"),
    "deadline_at": _l("Zeit bis"), "score": _l("Ergebnis"), "passed": _l("bestanden"),
    "number": _l("Versuch"), "answers": _l("Ihre Antworten"), "results": _l("Auswertung"), "via": _l("erledigt durch"),
    "text": _l("Text"), "code": _l("Prüfcode"), "holder_name": _l("Name auf dem Zertifikat"),
    "course_title": _l("Kurs"), "issued_at": _l("ausgestellt am"), "withdrawn_at": _l("zurückgezogen am"),
    "reason": _l("Grund"), "status": _l("Status"), "booked_at": _l("angemeldet am"),
    "confirmed_at": _l("bestätigt am"), "cancelled_at": _l("abgemeldet am"), "attendance": _l("Anwesenheit"),
    "pseudonym": _l("Pseudonym"), "name": _l("Name"), "body_source": _l("Text"),
    "published_at": _l("veröffentlicht am"), "edited_at": _l("bearbeitet am"), "mode": _l("Benachrichtigung"),
    "subject": _l("Betreff"),
    "sent_at": _l("gesendet am"), "action": _l("Aktion"), "given_at": _l("zugestimmt am"), "title": _l("Titel"),
}
FIELD_LABELS.update({
    "user_id": _l("Ihre Nummer"), "course_id": _l("Kurs"), "module_id": _l("Modul"),
    "module_version_id": _l("Modulfassung (Nummer)"), "session_id": _l("Termin"),
    "queue_number": _l("Reihenfolge der Anmeldung"), "attendance_marked_at": _l("Anwesenheit eingetragen am"),
    "walked_in_at": _l("ohne Platz gekommen, eingetragen am"),
    "attendance_marked_by_id": _l("eingetragen von (Nummer)"), "decided_by_id": _l("entschieden von (Nummer)"),
    "enrolled_by_id": _l("eingeschrieben von (Nummer)"),
    "assignment_id": _l("Pflichtkurs"), "unit_id": _l("Einheit (Nummer)"),
    "due_at": _l("abzuschließen bis"), "reminded_at": _l("erinnert am"), "reminded_on": _l("erinnert am"),
})
FIELD_LABELS["duration_minutes"] = _l("Umfang (Minuten)")
FIELD_LABELS.update({
    "thread_id": _l("Gespräch (Nummer)"), "space_id": _l("Raum (Nummer)"), "is_opening": _l("eröffnet das Gespräch"),
    "reply_to_id": _l("Antwort auf Beitrag (Nummer)"), "moderated_at": _l("moderiert am"),
    "moderated_by_id": _l("moderiert von (Nummer)"), "moderation_reason": _l("Begründung der Moderation"),
    "digested_until": _l("im Tagesüberblick bis"),
    "revision_source": _l("Ihre Änderung, die auf Freigabe wartet"), "revised_at": _l("Änderung eingereicht am"),
})
FIELD_LABELS.update({
    "actor_id": _l("von (Nummer)"), "target_type": _l("betrifft"), "target_id": _l("betrifft (Nummer)"),
    "organisation_id": _l("Organisation (Nummer)"), "details": _l("Angaben"), "post_id": _l("Beitrag (Nummer)"),
    "flagged_by_id": _l("gemeldet von (Nummer)"), "resolved_at": _l("bearbeitet am"),
    "resolved_by_id": _l("bearbeitet von (Nummer)"), "assigned_at": _l("zugewiesen am"),
    "assigned_by_id": _l("zugewiesen von (Nummer)"), "created_by_id": _l("angelegt von (Nummer)"),
    "saved_by_id": _l("gespeichert von (Nummer)"), "saved_at": _l("gespeichert am"),
    "base": _l("Grundlage (Prüfsumme)"),
    "written_by_id": _l("geschrieben von (Nummer)"), "published_by_id": _l("veröffentlicht von (Nummer)"),
    "topics": _l("Besprochene Themen"), "outcomes": _l("Ergebnisse"), "open_questions": _l("Offene Fragen"),
    "next_steps": _l("Nächste Schritte"), "description_source": _l("Beschreibung"), "moderation": _l("Moderation"),
    "anonymous": _l("Pseudonyme erlaubt"), "starts_at": _l("Beginn"), "ends_at": _l("Ende"), "place": _l("Ort"),
    "format": _l("Format"), "online_url": _l("Online-Link"), "note": _l("Hinweise"), "capacity": _l("Plätze"),
    "approval_required": _l("Anmeldung mit Freigabe"), "booking_deadline_at": _l("Anmeldung bis"),
    "cancellation_deadline_at": _l("Absagefrist"), "bookings_closed_at": _l("Anmeldung geschlossen am"),
    "cancellation_note": _l("Grund der Absage"), "rescheduled_at": _l("verlegt am"), "kind": _l("Art"),
    "minutes": _l("Dauer (Minuten)"), "source": _l("Text (Markdown)"), "questions": _l("Fragen"),
    "settings": _l("Einstellungen"), "question_key": _l("Frage"), "recipient": _l("Empfänger"),
    "body_text": _l("Text"), "attachments": _l("Anhänge"), "attempts": _l("Versuche"),
    "next_attempt_at": _l("nächster Versuch am"), "last_error": _l("letzter Fehler"),
})
# Inside a quiz attempt's evaluation, per question; its key and kind are for the program (they are in the JSON).
RESULT_LABELS = {"chosen": _l("Ihre Antwort"), "correct": _l("richtig"), "score": _l("Punkte (0 bis 1)")}
POST_STATUS_LABELS = {"published": _l("veröffentlicht"), "pending": _l("wartet auf Freigabe"),
                      "rejected": _l("zurückgewiesen"), "hidden": _l("ausgeblendet"), "deleted": _l("gelöscht")}
VALUE_LABELS = {
    "via": DONE_VIA_LABELS,
    "status": {**POST_STATUS_LABELS, **STATUS_LABELS},  # bookings and posts; "pending" means the same in both
    "mode": {"immediate": _l("bei jedem neuen Beitrag"), "digest": _l("einmal täglich")},
    "attendance": ATTENDANCE_LABELS,
    "role": ROLE_LABELS,
    "roles": ROLE_LABELS,
    "language": {"de": "Deutsch", "en": "English"},
    "chosen": {"true": _l("Richtig"), "false": _l("Falsch")},
    "action": ACTION_LABELS,
}


class Named(NamedTuple):
    """What a row's course, module or session reads as: its title in its course's language, and the date of a
    session in the page's."""

    title: str
    language: str | None
    date: str = ""


# Fields whose text is course content, in the language of the course the row belongs to (by its course, module or
# session; a free-standing exchange space's title counts as German, the default). What people wrote themselves
# (posts, reflections, notes) and mail subjects (in the person's language of the day, which is not stored) are
# left as they are.
CONTENT_FIELDS = {"course_title", "title", "source", "description_source"}
DAY_FIELDS = {"due_at"}  # shown as the day, in the reader's time zone
# The same text once more as HTML, the order of drawn questions, and answers as the option codes the quiz
# form sent (the evaluation names them in words): all in the JSON download, nothing a person reads here.
LEFT_OUT = ("_html", "question_keys", "answers")
# Numbers that only tie the rows together, a calendar's counters and keys, a fingerprint of a text: the JSON
# download keeps them.
TECHNICAL = {"id", "user_id", "author_id", "calendar_sequence", "sequence", "uid", "queue_counter", "series_key",
             "content_hash"}


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


class ReadablePage:
    """The export dressed for one page, with each label, each word for a stored value and each minute written once
    and then reused: a very active person's export holds thousands of values (550 posts and 1,000 follows took
    0.6 s, most of it looking up the same few words and date formats again for every row).

    names: field -> {id: Named} (referenced_names), so that a course reads as its title, not its number, and the
    row's course content is marked with its course's language.
    """

    def __init__(self, names: dict | None = None):
        self.names = names or {}
        self._labels: dict[str, str] = {}
        self._words: dict[tuple[str, str], str] = {}
        self._minutes: dict[datetime, str] = {}

    def field_label(self, field: str) -> str:
        if (label := self._labels.get(field)) is None:
            label = self._labels[field] = field_label(field)
        return label

    def shown_fields(self, row: dict) -> list[tuple[str, str]]:
        """The row's fields with their values for reading, leaving out what only repeats another field."""
        if "action" in row and isinstance(row.get("reason"), str):  # a moderation log entry: what the code noted
            row = {**row, "reason": reason_for_reading(row["action"], row["reason"])}
        language = _language_of(row, self.names)
        return [(field, self._shown(field, value, language))
                for field, value in row.items() if not field.endswith(LEFT_OUT) and field not in TECHNICAL]

    def _shown(self, field: str, value, language: str | None) -> str:
        names = self.names
        if field in names:
            return _named(value, names[field])
        if field == "results" and isinstance(value, list):
            return _results(value, language)
        if field == "score" and isinstance(value, int | float) and not isinstance(value, bool):
            return score_text(value)  # a quiz attempt's, as its result page says it
        if field in CONTENT_FIELDS and isinstance(value, str) and value:
            return in_language(value, language)
        if field in DAY_FIELDS and isinstance(value, str) and value:
            return localised_date(datetime.fromisoformat(value))  # a deadline is a day, as the pages say it
        if isinstance(value, str) and value in VALUE_LABELS.get(field, {}):
            return self._word(field, value)
        if _looks_like_a_moment(value):
            return self._moment(value)
        return readable(value, field)

    def _word(self, field: str, value: str) -> str:
        if (word := self._words.get((field, value))) is None:
            word = self._words[field, value] = str(VALUE_LABELS[field][value])
        return word

    def _moment(self, value: str) -> str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        minute = moment.replace(second=0, microsecond=0)  # all the short format shows
        if (text := self._minutes.get(minute)) is None:
            text = self._minutes[minute] = localised_datetime(minute, "short")
        return text


def shown_fields(row: dict, names: dict | None = None) -> list[tuple[str, str]]:
    """The row's fields with their values for reading, leaving out what only repeats another field (see
    ReadablePage, which a page of many rows uses)."""
    return ReadablePage(names).shown_fields(row)


def _language_of(row: dict, names: dict) -> str | None:
    """The language of the course the row belongs to; None (German, the default) for a row of no course."""
    for field in ("course_id", "module_id", "session_id", "assignment_id"):
        if row.get(field) in names.get(field, {}):
            return names[field][row[field]].language
    return None


def _named(value, titles: dict) -> str:
    if value not in titles:
        return readable(value)
    named = titles[value]
    title = in_language(named.title, named.language) + (f", {named.date}" if named.date else "")
    return escape(_("%(title)s (Nr. %(number)s)")) % {"title": title, "number": value}


def _results(results: list, language: str | None) -> Markup:
    """A quiz attempt's evaluation, question by question: the answer chosen is the course's words (or the
    page's "Richtig"/"Falsch" for a true/false question)."""
    def chosen(result: dict) -> str:
        value = result.get("chosen")
        if value in (None, "") or result.get("kind") == "true_false":
            return readable(value, "chosen")
        return in_language(readable(value), language)

    return Markup(" | ").join(
        Markup(", ").join(Markup("{}: {}").format(label, chosen(result) if key == "chosen"
                                                  else readable(result.get(key), key))
                          for key, label in RESULT_LABELS.items())
        if isinstance(result, dict) else readable(result) for result in results)


def referenced_names(data: dict) -> dict[str, dict[int, Named]]:
    """The titles of the courses, modules, sessions and mandatory courses the export's rows point at, each with
    the language of its course (one query each)."""
    wanted: dict[str, set[int]] = {"course_id": set(), "module_id": set(), "session_id": set(),
                                   "assignment_id": set()}
    for section in data.values():
        for rows in section.values():
            for row in rows:
                for field, ids in wanted.items():
                    if isinstance(row.get(field), int):
                        ids.add(row[field])
    module_title = (select(Module.id, ModuleVersion.title, Course.language)
                    .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
                    .join(Course, Course.id == Module.course_id))
    courses = db.session.execute(select(Course.id, Course.title, Course.language)
                                 .where(Course.id.in_(wanted["course_id"])))
    modules = db.session.execute(module_title.where(Module.id.in_(wanted["module_id"])))
    names = {"course_id": {id_: Named(title, language) for id_, title, language in courses},
             "module_id": {id_: Named(title, language) for id_, title, language in modules}}
    sessions = db.session.execute(
        select(WorkshopSession.id, ModuleVersion.title, WorkshopSession.starts_at, Course.language)
        .join(Module, Module.id == WorkshopSession.module_id)
        .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .join(Course, Course.id == Module.course_id)
        .where(WorkshopSession.id.in_(wanted["session_id"])))
    names["session_id"] = {id_: Named(title, language, format_date(starts_at, "medium"))
                           for id_, title, starts_at, language in sessions}
    # A mandatory course's deadline row names the assignment: the person reads which course it is.
    assignments = db.session.execute(select(MandatoryAssignment.id, Course.title, Course.language)
                                     .join(Course, Course.id == MandatoryAssignment.course_id)
                                     .where(MandatoryAssignment.id.in_(wanted["assignment_id"])))
    names["assignment_id"] = {id_: Named(title, language) for id_, title, language in assignments}
    return names


def _looks_like_a_moment(value) -> bool:
    """Whether the value is a stored date and time (ISO 8601, as the export writes them)."""
    return isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T"


def readable(value, field: str = "") -> str:
    """Write a stored value for reading: dates in the reader's language, yes/no, lists and records on one line."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, float):
        return format_decimal(round(value, 2))
    if isinstance(value, list):
        return " | ".join(readable(item, field) for item in value)
    if isinstance(value, dict):
        if field == "results":
            return ", ".join(f"{label}: {readable(value.get(k), k)}" for k, label in RESULT_LABELS.items())
        return ", ".join(f"{k}: {readable(v, k)}" for k, v in value.items() if not str(k).endswith(LEFT_OUT))
    if isinstance(value, str) and value in VALUE_LABELS.get(field, {}):
        return str(VALUE_LABELS[field][value])
    if _looks_like_a_moment(value):
        try:
            return localised_datetime(datetime.fromisoformat(value), "short")
        except ValueError:
            return value
    return str(value)
