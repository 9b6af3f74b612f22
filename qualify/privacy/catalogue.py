"""Every category of personal data the platform stores: what, why, who sees it, how long, and where.

This table is the single source for "Meine Daten", the data export, account deletion and retention.
A test walks the models: every column that points at a person must be listed here or in NOT_PERSONAL.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

DELETE, ANONYMISE, DETACH = "delete", "anonymise", "detach"
POSTS = "posts"  # anonymise or delete, as the person chooses when erasing the account
# Minutes their writer or publisher sees in their export: the text, not whom it names (named_user_ids).
MINUTES = ("id", "session_id", "space_id", "topics", "outcomes", "open_questions", "next_steps", "status",
           "updated_at", "published_at")


@dataclass(frozen=True)
class Holding:
    """A column that points at a person, and what account deletion does with its rows."""

    table: str
    column: str
    on_erase: str  # delete the rows | anonymise: hand them to an anonymous stand-in | detach: set NULL | posts
    # The columns the person's data export shows; None: the whole row. Rows where the person only acted on
    # someone else's record (a moderated post, a booking they decided) show what the person did, never whose
    # record it was: a moderator's export must not tell who writes under a pseudonym or who reported a post.
    exported: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Category:
    key: str
    label: object
    purpose: object
    seen_by: object
    holdings: tuple[Holding, ...]
    default_days: int | None = None  # None: kept as long as the account exists
    retention_note: object = ""
    min_days: int = 1  # the shortest period an admin may set


CATEGORIES = (
    Category("account", _l("Konto und Rollen"), _l("Anmeldung, Zuordnung zu Organisation und Einheit, Berechtigungen"),
             _l("Sie selbst; die Administration"),
             (Holding("user_roles", "user_id", DELETE), Holding("user_sessions", "user_id", DELETE),
              # An administrator's upload between preview and import: the file holds others' data, never exported.
              # Someone else's upload that names the erased person (address, personnel number) goes too, though
              # no column points at them (csv_import.drop_uploads_naming).
              Holding("pending_imports", "uploaded_by_id", DELETE, ("id", "organisation_id", "created_at"))),
             retention_note=_l("solange das Konto besteht; angemeldete Sitzungen enden nach 14 Tagen")),
    Category("learning", _l("Lernfortschritt"), _l("Einschreibungen, erledigte Module und Kursabschlüsse, damit Sie "
                                                   "weitermachen können, wo Sie aufgehört haben"),
             # The certificate page of the administration lists each module behind a certificate with how and
             # when it was done (admin/certificates.py): the check before withdrawing one issued by mistake.
             _l("Sie selbst; die Administration beim Prüfen oder Zurückziehen eines Zertifikats: welche Module des "
                "Kurses Sie wie und wann erledigt haben (jeder Blick wird protokolliert); Betriebsrat und "
                "Koordination nur zusammengefasst, kleine Gruppen unterdrückt"),
             (Holding("enrolments", "user_id", ANONYMISE),
              Holding("enrolments", "enrolled_by_id", DETACH, ("id", "course_id", "enrolled_at", "enrolled_by_id")),
              Holding("module_completions", "user_id", ANONYMISE),
              # A mandatory course's deadline and reminder: the person's alone (learning/mandatory.py).
              Holding("mandatory_enrolments", "user_id", DELETE),
              Holding("mandatory_assignments", "created_by_id", DETACH,
                      ("id", "course_id", "unit_id", "created_at", "created_by_id"))),
             retention_note=_l("solange das Konto besteht; nach dem Löschen nur noch ohne Personenbezug gezählt")),
    Category("quiz_attempts", _l("Quiz-Versuche"), _l("Ihre Antworten und Ergebnisse, damit Sie sie nachlesen können"),
             _l("nur Sie selbst – Trainer/innen sehen je Frage nur Anteile über mindestens fünf Personen"),
             (Holding("quiz_attempts", "user_id", DELETE),
              # Whose first attempt went into the item statistics (not what they answered): so nobody counts twice.
              Holding("item_tally_people", "user_id", DELETE, ("module_id",))), default_days=730),
    Category("reflections", _l("Reflexionen"), _l("Ihre persönlichen Gedanken zu Freitextfragen"),
             _l("nur Sie selbst"), (Holding("reflections", "user_id", DELETE),),
             retention_note=_l("bis Sie sie oder Ihr Konto löschen")),
    Category("certificates", _l("Zertifikate"), _l("Nachweis abgeschlossener Kurse; die Prüfseite bestätigt Name, "
                                                   "Kurs und Datum, bei einem zurückgezogenen Zertifikat auch das"),
             _l("Sie selbst; wer den Prüfcode kennt; die Administration, um Zertifikate zu finden, zu prüfen und "
                "irrtümlich ausgestellte zurückzuziehen (jeder Blick wird protokolliert); den Grund eines Rückzugs "
                "nur Sie und die Administration"),
             (Holding("certificates", "user_id", DELETE), Holding("withdrawn_certificates", "user_id", DELETE))),
    Category("workshops", _l("Workshop-Buchungen und Teilnahme"),
             _l("Plätze, Warteliste, Erinnerungen und die Anwesenheit, die ein Workshop-Modul abschließt"),
             # Whoever manages a session reads its lists (workshops.services.can_manage): its trainers, those
             # who plan the course's sessions, and the administration, which may plan every course.
             _l("Sie selbst; Trainer/innen, die den Termin leiten oder den Kurs verantworten, bei Austauschterminen "
                "die Moderation des Raums; die Administration, die Teilnahme- und Anwesenheitslisten jedes Termins "
                "öffnen kann, um für Trainer/innen einzuspringen; Berichte nur zusammengefasst"),
             (Holding("workshop_bookings", "user_id", ANONYMISE),
              Holding("workshop_bookings", "attendance_marked_by_id", DETACH,
                      ("id", "session_id", "attendance", "attendance_marked_at", "attendance_marked_by_id")),
              Holding("workshop_bookings", "decided_by_id", DETACH, ("id", "session_id", "status", "decided_by_id")),
              Holding("workshop_session_trainers", "user_id", DELETE),
              Holding("workshop_sessions", "created_by_id", DETACH),
              Holding("workshop_calendar_feeds", "user_id", DELETE)),
             retention_note=_l("solange das Konto besteht; nach dem Löschen nur noch ohne Personenbezug gezählt")),
    Category("exchange", _l("Beiträge im Austausch"),
             _l("Ihre Beiträge, Pseudonyme, Meldungen und Gespräche, denen Sie folgen"),
             _l("Mitglieder des Raums sehen Beiträge – unter Pseudonym nur das Pseudonym; Ihre Identität kann nur "
                "die Administration mit dokumentiertem Grund aufdecken, und Sie erfahren davon"),
             # The author's whole row, a change still waiting for approval (revision_source) included; erasing
             # drops that change even where the posts stay (posting.drop_waiting_changes_of).
             (Holding("exchange_posts", "author_id", POSTS), Holding("exchange_posts", "moderated_by_id", DETACH,
                      ("id", "thread_id", "status", "moderated_at", "moderated_by_id", "moderation_reason")),
              Holding("exchange_pseudonyms", "user_id", DELETE), Holding("exchange_follows", "user_id", DELETE),
              Holding("exchange_flags", "flagged_by_id", DELETE),
              Holding("exchange_flags", "resolved_by_id", DETACH, ("id", "post_id", "resolved_at", "resolved_by_id")),
              Holding("exchange_space_moderators", "user_id", DELETE),
              Holding("exchange_space_moderators", "assigned_by_id", DETACH,
                      ("id", "space_id", "assigned_at", "assigned_by_id")),
              Holding("exchange_spaces", "created_by_id", DETACH), Holding("exchange_log", "actor_id", DETACH),
              Holding("exchange_minutes", "written_by_id", DETACH, MINUTES + ("written_by_id",)),
              Holding("exchange_minutes", "published_by_id", DETACH, MINUTES + ("published_by_id",)),
              Holding("exchange_minutes_consents", "user_id", DELETE)),
             retention_note=_l("solange der Raum besteht; beim Löschen des Kontos nach Ihrer Wahl gelöscht oder als "
                               "„ehemaliges Mitglied“ stehen gelassen")),
    Category("authoring", _l("Kurse, die Sie bearbeiten"), _l("Wer einen Kurs verantwortet und welche Fassung wer "
                                                              "gespeichert hat"),
             _l("Trainer/innen des Kurses; die Administration"),
             (Holding("course_owners", "user_id", DELETE), Holding("module_versions", "created_by_id", DETACH),
              Holding("module_drafts", "saved_by_id", DETACH))),
    Category("audit", _l("Protokoll der Verwaltung"), _l("Nachvollziehbarkeit von Änderungen an Konten und Kursen"),
             _l("die Administration; der Betriebsrat für Berichtsabrufe seiner Organisation"),
             # What an erased person did stays in the log under the stand-in ("ehemaliges Mitglied"), never as
             # if the system had done it.
             (Holding("audit_events", "actor_id", ANONYMISE),), default_days=1095,
             # The works council reads who looked at reports and personal data here: a log kept for days
             # would be gone before anyone looked.
             min_days=365),
    Category("mail", _l("E-Mails an Sie"), _l("Benachrichtigungen, die noch versendet werden oder kürzlich versendet "
                                              "wurden"),
             _l("niemand auf der Plattform; nur der Versand"), (Holding("outbox_messages", "user_id", DELETE),),
             default_days=30),
    # A reset link asked for is noted by the address typed, no column pointing at the account, until the next
    # sending run (accounts/reset_requests.py); erasing the account forgets the note at once, and the counters
    # kept under its address (privacy.services.purge_failed_logins_of).
    Category("login_protection", _l("Schutz vor Passwort-Raten"),
             _l("fehlgeschlagene Anmeldungen und angeforderte Links zum Zurücksetzen, nur als Prüfsumme; bis der "
                "angeforderte Link verschickt ist (höchstens eine Minute), die Adresse, für die er angefordert "
                "wurde; in Ihrem Browser ein Merkmal, dass Sie sich dort schon angemeldet haben (damit Fremde Sie "
                "dort nicht aussperren können)"),
             _l("niemand"), (),
             retention_note=_l("fehlgeschlagene Anmeldungen 15 Minuten, angeforderte Links einen Tag – mit dem Konto "
                               "sofort gelöscht; das Merkmal im Browser ein Jahr")),
)

# Columns that point at a person but belong to nobody's personal data on their own.
NOT_PERSONAL: dict[tuple[str, str], str] = {}

SECRET_COLUMNS = {"password_hash", "token_hash", "secret", "key_hash"}


CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}


def category(key: str) -> Category:
    """Return the category with this key (KeyError for any other key)."""
    return CATEGORY_BY_KEY[key]


def holdings() -> list[Holding]:
    """Return every holding of every category."""
    return [holding for c in CATEGORIES for holding in c.holdings]
