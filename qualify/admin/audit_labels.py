"""The audit log in words: what an action was, what it concerned, and its details, for the administration's page.

The log keeps stable codes ("user.roles"); a code without a label here is shown as it is.
"""

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qualify.accounts.models import Organisation, Unit
from qualify.accounts.roles import ROLE_LABELS, Role
from qualify.accounts.services import names_of
from qualify.core.i18n import localised_date, quoted
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.exchange.models import ExchangeSpace
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession

ACTION_LABELS = {
    "account.erase": _l("Konto gelöscht"),
    "authoring.bank_created": _l("Fragensammlung angelegt"),
    "authoring.course_created": _l("Kurs angelegt"),
    "authoring.media": _l("Datei hochgeladen"),
    "authoring.media_deleted": _l("Datei gelöscht"),
    "authoring.bank_deleted": _l("Fragensammlung gelöscht"),
    "authoring.bank_renamed": _l("Fragensammlung umbenannt"),
    "authoring.module_added": _l("Modul angelegt"),
    "authoring.draft": _l("Entwurf eines Moduls gespeichert"),
    "authoring.draft_discarded": _l("Entwurf eines Moduls verworfen"),
    "authoring.module_moved": _l("Modul verschoben"),
    "authoring.module_removed": _l("Modul entfernt"),
    "authoring.module_restored": _l("Modul zurückgeholt"),
    "authoring.owner_added": _l("Kursverantwortliche/n hinzugefügt"),
    "authoring.owner_removed": _l("Kursverantwortliche/n entfernt"),
    "authoring.restore": _l("Fassung wiederhergestellt"),
    "authoring.save": _l("Kursinhalt gespeichert"),
    "authoring.status": _l("Kursstatus geändert"),
    "certificate.withdrawn": _l("Zertifikat zurückgezogen"),
    "courses.import": _l("Kurse importiert"),
    "enrolments.mandatory": _l("Pflichtkurs zugewiesen"),
    "enrolments.mandatory_ended": _l("Pflichtkurs beendet"),
    "enrolments.mandatory_newcomers": _l("Neue Mitglieder in Pflichtkurs eingeschrieben"),
    "exchange.moderator_assigned": _l("Moderation eines Raums übertragen"),
    "exchange.moderator_unassigned": _l("Moderation eines Raums entzogen"),
    "exchange.reveal": _l("Pseudonym aufgedeckt"),
    "exchange.space_created": _l("Austauschraum angelegt"),
    "organisation.create": _l("Organisation angelegt"),
    "organisation.removed": _l("Organisation gelöscht"),
    "organisation.rename": _l("Organisation umbenannt"),
    "organisation.threshold": _l("Mindestgruppengröße für Berichte geändert"),
    "organisation.unit_removed": _l("Einheit entfernt"),
    "organisation.unit_renamed": _l("Einheit umbenannt"),
    "organisation.units_added": _l("Einheiten angelegt"),
    "personal_data.view": _l("Personendaten angesehen"),
    "privacy.retention": _l("Aufbewahrungsfrist geändert"),
    "reports.refresh": _l("Berichtszahlen neu gezählt"),
    "reports.view": _l("Bericht angesehen"),
    "reports.export": _l("Bericht heruntergeladen"),
    "user.create": _l("Person angelegt"),
    "user.deactivate": _l("Konto deaktiviert"),
    "user.invitation": _l("Einladung erneut gesendet"),
    "user.invited": _l("Einladung gesendet"),
    "user.password_changed": _l("Passwort im Profil geändert"),
    "user.password_reset_link": _l("Link zum Zurücksetzen des Passworts gesendet"),
    "user.password_set": _l("Passwort über E-Mail-Link gesetzt"),
    "user.reactivate": _l("Konto wieder aktiviert"),
    "user.roles": _l("Rollen geändert"),
    "user.update": _l("Personendaten geändert"),
    "users.import": _l("Personen importiert"),
    "works_council.moved_in": _l("Mit der Rolle „Betriebsrat“ in die Organisation verschoben"),
    "works_council.moved_out": _l("Mit der Rolle „Betriebsrat“ aus der Organisation verschoben"),
    "workshops.booking_approved": _l("Buchungsanfrage freigegeben"),
    "workshops.booking_cancelled_by_trainer": _l("Anmeldung durch die Leitung storniert"),
    "workshops.booking_declined": _l("Buchungsanfrage abgelehnt"),
    "workshops.participants_exported": _l("Teilnehmendenliste heruntergeladen"),
    "workshops.seat_given": _l("Platz von Hand vergeben"),
    "workshops.walk_in": _l("Person ohne Platz als anwesend eingetragen"),
    "workshops.walk_in_refused": _l("Person ohne Platz nicht eingetragen: Adresse ohne passendes Konto"),
    "workshops.session_cancelled": _l("Termin abgesagt"),
    "workshops.session_changed": _l("Termin geändert"),
    "workshops.sessions_created": _l("Termine angelegt"),
}
TARGET_LABELS = {
    "User": _l("Person"), "Course": _l("Kurs"), "Organisation": _l("Organisation"), "Booking": _l("Anmeldung"),
    "WorkshopSession": _l("Termin"), "ExchangePost": _l("Beitrag"), "ExchangeSpace": _l("Austauschraum"),
    "ModuleVersion": _l("Modulfassung"), "ExchangeThread": _l("Gespräch"),
}


DETAIL_LABELS = {
    "roles": _l("Rollen"), "added": _l("hinzugefügt"), "removed": _l("entfernt"), "code": _l("Prüfcode"),
    "course_id": _l("Kurs (Nummer)"), "reopened": _l("wieder geöffnete Module (Nummern)"), "path": _l("Datei"),
    "bytes": _l("Bytes"), "unit_id": _l("Einheit (Nummer)"), "enrolled": _l("eingeschrieben"),
    "members": _l("aktive Mitglieder"), "days_to_complete": _l("Tage bis zum Abschluss"),
    "organisation_id": _l("Organisation (Nummer)"), "report": _l("Bericht"), "filters": _l("Filter"),
    "format": _l("Format"), "kept_posts": _l("Beiträge behalten"), "reason": _l("Grund"), "status": _l("Status"),
    "created": _l("neu"), "updated": _l("geändert"), "unchanged": _l("unverändert"), "days": _l("Tage"),
    "deactivated": _l("deaktiviert"), "released": _l("freigegebene Plätze"),
    "key": _l("Kategorie"), "category": _l("Kategorie"), "months": _l("Monate"), "count": _l("Anzahl"),
    "note": _l("Notiz"), "user_id": _l("Person (Nummer)"), "session_id": _l("Termin (Nummer)"),
    "source": _l("Quelle"), "file": _l("Datei"), "slug": _l("Kürzel"), "restored": _l("wiederhergestellt"),
    "module": _l("Modul"), "organisation": _l("Organisation"), "title": _l("Titel"), "people": _l("Personen"),
    "position": _l("Stelle"), "name": _l("Name"), "before": _l("vorher"), "after": _l("nachher"),
    "units": _l("Einheiten"), "small_group_threshold": _l("Mindestgruppengröße"),
    "fields": _l("geänderte Angaben"), "roles_added": _l("Rollen hinzugefügt"), "rebuild": _l("alle Monate neu"),
    "via": _l("über"), "kind": _l("Art"), "module_id": _l("Modul (Nummer)"), "versions": _l("Modulfassungen"),
    "new_versions": _l("neue Modulfassungen"), "promoted": _l("nachgerückt"), "taken": _l("belegte Plätze"),
    "capacity": _l("Plätze"),
    "booked_before": _l("Buchung zuvor"),
    "invited": _l("Einladung gesendet"), "first": _l("erstes Passwort"),
    "unit_before": _l("Einheit vorher"), "unit_after": _l("Einheit nachher"),  # by number, once removed
    "acting_as": _l("in der Rolle"),
}
# Details whose values are codes, in words.
VALUE_LABELS = {
    "report": {"participation": _l("Beteiligung"), "feedback": _l("Rückmeldungen")},
    "format": {"print": _l("Druckansicht"), "csv": "CSV"},
    "source": {"import": _l("CSV-Import")},
    "booked_before": {"none": _l("ohne Buchung"), "waitlisted": _l("Warteliste"), "pending": _l("offene Anfrage"),
                      "expired": _l("Wartelistenplatz verfallen"), "cancelled": _l("storniert"),
                      "declined": _l("Anfrage abgelehnt")},
    # A course's status (authoring.status) and a booking's (workshops.seat_given) share the key.
    "status": {"published": _l("veröffentlicht"), "draft": _l("Entwurf"), "archived": _l("archiviert"),
               "confirmed": _l("Platz bestätigt"), "waitlisted": _l("Warteliste"), "pending": _l("offene Anfrage"),
               "cancelled": _l("storniert"), "declined": _l("Anfrage abgelehnt")},
}
# Values that are codes, in words: roles, and the names of a person's fields.
_ROLE_KEYS = {"roles", "added", "removed", "roles_added"}
FIELD_LABELS = {"email": _l("E-Mail"), "display_name": _l("Name"), "personnel_number": _l("Personalnummer"),
                "unit": _l("Einheit"), "organisation": _l("Organisation"), "language": _l("Sprache"),
                "roles": _l("Rollen")}


# Details that name an object by its id (a list of ids for "reopened"): the kind of object, and what the
# detail is called once the object is named by what it is called now.
DETAIL_REFERENCES = {
    "organisation_id": ("Organisation", _l("Organisation")), "unit_id": ("Unit", _l("Einheit")),
    "course_id": ("Course", _l("Kurs")), "module_id": ("Module", _l("Modul")),
    "reopened": ("Module", _l("wieder geöffnete Module")), "session_id": ("WorkshopSession", _l("Termin")),
    "user_id": ("User", _l("Person")),
    "unit_before": ("Unit", _l("Einheit vorher")), "unit_after": ("Unit", _l("Einheit nachher")),
}


def _module_titles(ids):
    return (select(Module.id, func.coalesce(ModuleVersion.title, Module.slug))
            .outerjoin(ModuleVersion, ModuleVersion.id == Module.current_version_id).where(Module.id.in_(ids)))


def _session_titles(ids):
    return (select(WorkshopSession.id, func.coalesce(ModuleVersion.title, Module.slug), WorkshopSession.starts_at)
            .join(Module, Module.id == WorkshopSession.module_id)
            .outerjoin(ModuleVersion, ModuleVersion.id == Module.current_version_id)
            .where(WorkshopSession.id.in_(ids)))


def _version_titles(ids):
    return select(ModuleVersion.id, ModuleVersion.title, ModuleVersion.number).where(ModuleVersion.id.in_(ids))


# What each kind of object is called now: one statement per kind (people by names_of, without erased ones), and
# how a row of it is written – a session with its day, a module version with its number.
_TITLE_STATEMENTS = {
    "Organisation": lambda ids: select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)),
    "Unit": lambda ids: select(Unit.id, Unit.name).where(Unit.id.in_(ids)),
    "Course": lambda ids: select(Course.id, Course.title).where(Course.id.in_(ids)),
    "Module": _module_titles,
    "WorkshopSession": _session_titles,
    "ModuleVersion": _version_titles,
    "ExchangeSpace": lambda ids: select(ExchangeSpace.id, ExchangeSpace.title).where(ExchangeSpace.id.in_(ids)),
}
def _version_written(title: str, number: int) -> str:
    version = _l("Version %(n)d", n=number)
    return f"{title}, {version}"


_TITLE_WRITTEN = {
    "WorkshopSession": lambda title, starts_at: f"{title}, {localised_date(starts_at)}",
    "ModuleVersion": _version_written,
}


def titles_of(events) -> dict[tuple[str, int], str]:
    """What the objects a page of events concerns – their targets, and the objects their details name by id – are
    called now, by kind and id. A session by its module's title and its day. Gone objects are missing."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.target_type in _TITLE_STATEMENTS and event.target_id:
            wanted[event.target_type].add(event.target_id)
        for key, value in (event.details or {}).items():
            if key in DETAIL_REFERENCES:
                kind = DETAIL_REFERENCES[key][0]
                wanted[kind].update(each for each in (value if isinstance(value, list) else [value])
                                    if isinstance(each, int))
    titles = {("User", key): name for key, name in names_of(wanted.pop("User", set())).items()}
    for kind, ids in wanted.items():
        for key, title, *more in db.session.execute(_TITLE_STATEMENTS[kind](ids)):
            titles[(kind, key)] = _TITLE_WRITTEN[kind](title, *more) if more else title
    return titles


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def target_label(target_type: str | None, target_id: int | None, names: dict[int, str],
                 titles: dict[tuple[str, int], str] | None = None) -> str:
    """Name the object: a person by name (admins see names anyway), an organisation or course by what it is
    called now (`titles`, by type and id), anything else – or what is gone – by kind and number."""
    if target_type is None:
        return ""
    if target_type == "User" and target_id in names:
        return names[target_id]
    kind = TARGET_LABELS.get(target_type, target_type)
    if titles and (target_type, target_id) in titles:
        return f"{kind} {quoted(titles[(target_type, target_id)])}"
    return f"{kind} {target_id or ''}".strip()


def action_choices() -> list[tuple[str, str]]:
    """The kinds of action to filter the log by, in words, alphabetically."""
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda choice: choice[1])


def details_text(details: dict | None, titles: dict[tuple[str, int], str] | None = None) -> str:
    """Write the details on one line, in words: named keys, yes/no, lists as lists (not as Python writes them),
    roles, fields and data categories by their names; objects named by id by what they are called now (`titles`,
    from titles_of), by their number once they are gone."""
    return "; ".join(_detail(key, value, titles or {}) for key, value in (details or {}).items()
                     if key not in ("by", "by_address")  # whoever did it stands under "Wer"
                     and value not in (None, "", []))  # nothing to say: no "Notiz: ;"


def _detail(key: str, value, titles: dict[tuple[str, int], str]) -> str:
    if key in DETAIL_REFERENCES:
        kind, label = DETAIL_REFERENCES[key]
        ids = value if isinstance(value, list) else [value]
        if ids and all((kind, each) in titles for each in ids):
            return f"{label}: {', '.join(quoted(titles[(kind, each)]) for each in ids)}"
    return f"{DETAIL_LABELS.get(key, key)}: {_value(_named(key, value))}"


# The report filters as their links name them (German query parameters), in the reader's words.
REPORT_FILTER_LABELS = {"von": _l("von"), "bis": _l("bis"), "organisation": _l("Organisation"),
                        "bereich": _l("Einheit"), "kurs": _l("Kurs"), "art": _l("Modulart"),
                        "kennzahl": _l("Kennzahl")}


def _named(key: str, value):
    if isinstance(value, str) and value in VALUE_LABELS.get(key, {}):
        return str(VALUE_LABELS[key][value])
    if key == "filters" and isinstance(value, dict):
        # The reports feature names its metrics and module kinds (imported here: the admin reads, never imports it).
        from qualify.courses.views import KIND_LABELS
        from qualify.reports.services import METRIC_LABELS

        values = {"kennzahl": METRIC_LABELS, "art": KIND_LABELS}
        return {str(REPORT_FILTER_LABELS.get(name, name)): str(values.get(name, {}).get(each, each))
                for name, each in value.items()}
    if key in ("versions", "new_versions") and isinstance(value, list):  # [[module, number], …]
        return [str(_l("%(module)s, Version %(n)s", module=item[0], n=item[1]))
                if isinstance(item, list) and len(item) == 2 else str(item) for item in value]
    if key in _ROLE_KEYS and isinstance(value, list):
        return [_role_name(item) for item in value]
    if key == "acting_as" and isinstance(value, str):
        return _role_name(value)
    if key == "fields" and isinstance(value, list):
        return [str(FIELD_LABELS.get(item, item)) for item in value]
    if key in ("category", "key") and isinstance(value, str):
        from qualify.privacy.catalogue import CATEGORY_BY_KEY  # the privacy feature names its categories

        return str(CATEGORY_BY_KEY[value].label) if value in CATEGORY_BY_KEY else value
    return value


def _role_name(code) -> str:
    try:
        return str(ROLE_LABELS[Role(code)])
    except ValueError:
        return str(code)


def _value(value) -> str:
    if value is None or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return str(_l("ja") if value else _l("nein"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)
