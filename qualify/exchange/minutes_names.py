"""Names in minutes: the checks that the text names nobody who has not agreed to be named (in full: refused;
a part of a name: for the moderator to confirm), a consent given or taken back, and names taken out when an
account is erased."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from qualify.core.text import german_sort_key
from qualify.exchange import mails
from qualify.exchange.errors import ExchangeError
from qualify.exchange.minutes_consent import consenting_ids, consents, participants
from qualify.exchange.minutes_text import REDACTED, SECTIONS, minutes_of, render_minutes, texts_of
from qualify.exchange.models import ExchangeMinutes, ExchangeSpace, MinutesConsent
from qualify.exchange.spaces import moderators_of
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession

# A part of a name shorter than this (letters) is not checked alone: "Jo", "Li" are in too many words.
SHORTEST_NAME_PART = 3
# Parts of names that say nothing about who is meant and stand in ordinary sentences: not checked alone.
NOT_CHECKED_ALONE = frozenset({"von", "vom", "van", "der", "den", "dem", "des", "zum", "zur", "del", "della",
                               "dos", "ten", "ter", "bin", "ibn", "prof", "dipl", "ing"})


def set_consent(session: WorkshopSession, user, agreed: bool, *, now: datetime) -> None:
    """Agree (or no longer agree) to be named in the minutes; only for participants. A consent taken back stays
    as withdrawn, so that the moderator can tell it from no answer."""
    if user.id not in {person.id for person in participants(session)}:
        raise ExchangeError(_("Nur Teilnehmende dieses Termins können das festlegen."))
    row = db.session.scalar(select(MinutesConsent).where(MinutesConsent.session_id == session.id,
                                                         MinutesConsent.user_id == user.id))
    if agreed and row is None:
        db.session.add(MinutesConsent(session_id=session.id, user_id=user.id, given_at=now))
    elif agreed and row.withdrawn_at is not None:
        row.given_at, row.withdrawn_at = now, None
    elif not agreed and row is not None and row.withdrawn_at is None:
        row.withdrawn_at = now
        _forget_name(minutes_of(session), user, now=now)
    db.session.flush()


def _forget_name(minutes: ExchangeMinutes | None, person, *, now: datetime, mentioned: bool = False) -> None:
    """After a withdrawn consent: if the version the space shows names the person in its text, the space stops
    showing it at once, and the minutes go back to the moderators as a draft, to be written without the name and
    approved again – waiting since now, or since the change waiting beside the approved version came to wait. (A
    waiting change that names them stays a draft: approving it is refused, see check_names.)

    The person stays on the lists of names: they are read against the consents wherever they are shown
    (named_people, the moderators' form), so they are not named while they do not agree, and named again if they
    agree again.
    """
    if minutes is None or not minutes.is_shown:
        return
    text = "\n".join((minutes.published_texts or {}).get(f) or "" for f, _l in SECTIONS)
    # Any part of the name counts here: "Bernd berichtete" was fine while Bernd agreed, and is not any more.
    if mentioned or _names_in_full(text, person) or _parts_in(text, person):
        minutes.unpublish(now=now)  # what the moderators wrote stays, as a draft
        mails.notify_minutes_withdrawn(minutes, moderators_of(db.session.get(ExchangeSpace, minutes.space_id)))


def forget_erased_person(person, *, now: datetime) -> int:
    """Before an account is erased: take the person's name out of every minutes text, drafts included (a draft
    would otherwise pass the name check once the name no longer belongs to anyone), and off the lists of names.

    Minutes whose approved version named the person are no longer shown and go back to the moderators as drafts.
    Return how many changed.
    """
    changed = 0
    for minutes in db.session.scalars(select(ExchangeMinutes)):
        texts = texts_of(minutes)
        shown_named = minutes.is_shown and _involves(minutes.published_texts or {}, minutes.published_named_ids,
                                                     person)
        if not shown_named and not _involves(texts, minutes.named_user_ids, person):
            continue
        redacted = {field: _redact(text, person) for field, text in texts.items()}
        for field, text in redacted.items():
            setattr(minutes, field, text)
        minutes.body_html = str(render_minutes(redacted))
        minutes.named_user_ids = [i for i in minutes.named_user_ids or [] if i != person.id]
        if shown_named:  # the approved version goes whole: nothing of it stays to be shown with the name
            _forget_name(minutes, person, now=now, mentioned=True)
        changed += 1
    db.session.flush()
    return changed


def _involves(texts: dict[str, str], named_ids: list[int] | None, person) -> bool:
    """Whether a version of minutes lists the person, or its text mentions them as erasure takes them out."""
    text = "\n".join(texts.get(field) or "" for field, _label in SECTIONS)
    return person.id in (named_ids or []) or _mentions(text, person)


def _redact(text: str, person) -> str:
    name = " ".join(person.display_name.split())
    if name:
        pattern = r"\s+".join(re.escape(part) for part in name.split(" "))
        text = re.sub(rf"(?<!\w){pattern}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    surname = name.split(" ")[-1] if " " in name else ""
    if len(surname) >= 3 and not surname.isdigit():
        text = re.sub(rf"(?<!\w){re.escape(surname)}(?!\w)", REDACTED, text)
    return re.sub(re.escape(person.email), REDACTED, text, flags=re.IGNORECASE)


def _mentions(text: str, person) -> bool:
    """Erasure's test (it matches what _redact takes out): the full name, the surname as written, the address.
    What may stand in minutes is checked by _names_in_full and name_warnings."""
    name = " ".join(person.display_name.split())
    if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
        return True
    surname = name.split(" ")[-1] if " " in name else ""
    if len(surname) >= 3 and not surname.isdigit() and re.search(rf"(?<!\w){re.escape(surname)}(?!\w)", text):
        return True
    return person.email.lower() in text.lower()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _as_word(pattern: str) -> str:
    return rf"(?<!\w){pattern}(?!\w)"


def _full_name_patterns(person) -> list[str]:
    """The full name as it may be written: any case and spacing, first name first or "Last, First"."""
    parts = [re.escape(part) for part in _nfc(person.display_name).split()]
    if len(parts) < 2:
        return [_as_word(part) for part in parts]
    between = r"(?:\s*,\s*|\s+)"
    return [_as_word(parts[0] + between + r"\s+".join(parts[1:])),
            _as_word(parts[-1] + between + r"\s+".join(parts[:-1]))]


def _names_in_full(text: str, person) -> bool:
    """Whether the text names the person beyond doubt: the full name, or the e-mail address."""
    text = _nfc(text)
    if any(re.search(pattern, text, re.IGNORECASE) for pattern in _full_name_patterns(person)):
        return True
    return bool(person.email) and person.email.lower() in text.lower()


def _name_parts(person) -> list[str]:
    """The parts of the name checked alone (a double name also by its halves), without short ones and
    particles such as "von"."""
    parts: list[str] = []
    for token in _nfc(person.display_name).split():
        for piece in (token, *token.split("-")) if "-" in token else (token,):
            word = re.sub(r"^\W+|\W+$", "", piece)
            if (sum(char.isalpha() for char in word) >= SHORTEST_NAME_PART
                    and word.casefold() not in NOT_CHECKED_ALONE
                    and word.casefold() not in {part.casefold() for part in parts}):
                parts.append(word)
    return parts


def _parts_in(text: str, person) -> list[str]:
    """The parts of the person's name that stand as whole words in the text (any case), as written there; a
    part inside a longer one found ("Anna" in "Anna-Lena") only once."""
    text = _nfc(text)
    spans: list[tuple[int, int, str]] = []
    for part in sorted(_name_parts(person), key=len, reverse=True):
        for match in re.finditer(_as_word(re.escape(part)), text, re.IGNORECASE):
            if not any(start <= match.start() and match.end() <= end for start, end, _word in spans):
                spans.append((match.start(), match.end(), match.group()))
    words: list[str] = []
    for _start, _end, word in sorted(spans):
        if word.casefold() not in {seen.casefold() for seen in words}:
            words.append(word)
    return words


def _without_full_names(text: str, people) -> str:
    """The text with the full names of these people taken out ("Bernd Adler", who agreed, does not make
    "Bernd" a question about another Bernd)."""
    text = _nfc(text)
    for person in people:
        if len(person.display_name.split()) > 1:
            for pattern in _full_name_patterns(person):
                text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return text


def unconsented_mentions(session: WorkshopSession, texts: list[str]) -> list:
    """Participants named in full in the texts who have not agreed to be named."""
    agreed = consenting_ids(session)
    text = "\n".join(texts)
    return [person for person in participants(session) if person.id not in agreed and _names_in_full(text, person)]


@dataclass(frozen=True)
class NameWarning:
    """A word of the minutes that is part of the name of a participant who has not agreed to be named."""

    field: str  # the section it stands in
    word: str  # as written there
    person_id: int
    person: str  # the person's name
    withdrawn: bool = False  # took their consent back; else never gave it

    @property
    def message(self) -> str:
        # Which of the two: someone who has not answered may still agree; someone who withdrew has decided.
        if self.withdrawn:
            return _("„%(word)s“ – könnte %(name)s meinen; diese Person hat die Zustimmung zurückgezogen und darf "
                     "nicht genannt werden.", word=self.word, name=self.person)
        return _("„%(word)s“ – könnte %(name)s meinen; diese Person hat (noch) nicht geantwortet und darf nicht "
                 "genannt werden.", word=self.word, name=self.person)


class NamesToConfirm(ExchangeError):
    """Words of the minutes that may name someone who has not agreed to be named. Saving or publishing goes on
    only with `confirmation` (the moderator has checked that none of them means such a person); it belongs to
    these words in this text, so a changed text is checked again. A caller that does not ask stays refused."""

    def __init__(self, warnings: list[NameWarning], confirmation: str):
        self.warnings = warnings
        self.confirmation = confirmation
        super().__init__(_("Bitte prüfen Sie: %(words)s", words=" ".join(w.message for w in warnings)))

    def by_field(self) -> dict[str, str]:
        """The warnings of each section, to show at its field."""
        shown: dict[str, list[str]] = {}
        for warning in self.warnings:
            shown.setdefault(warning.field, []).append(warning.message)
        return {field: " ".join(messages) for field, messages in shown.items()}


def name_warnings(session: WorkshopSession, fields: dict[str, str]) -> list[NameWarning]:
    """First names or surnames, alone, of participants who have not agreed to be named. Each may mean the
    person ("Bernd berichtete") or be an ordinary word ("Der Betriebsrat sollte …"): the moderator decides.
    Nobody who agreed is warned about, nor anybody the texts name in full: that is no question but refused
    outright (see unconsented_mentions)."""
    answers = consents(session)
    everything = "\n".join(fields.get(field) or "" for field, _label in SECTIONS)
    withdrawn = {person.id for person in answers.withdrawn}
    others = sorted((person for person in (*answers.withdrawn, *answers.unanswered)
                     if not _names_in_full(everything, person)),
                    key=lambda person: german_sort_key(person.display_name))
    warnings = []
    for field, _label in SECTIONS:
        text = _without_full_names(fields.get(field) or "", answers.agreed)
        for person in others:
            warnings.extend(NameWarning(field, word, person.id, person.display_name, person.id in withdrawn)
                            for word in _parts_in(text, person))
    return warnings


def _confirmation(fields: dict[str, str], warnings: list[NameWarning]) -> str:
    digest = hashlib.sha256()
    for field, _label in SECTIONS:
        digest.update(" ".join((fields.get(field) or "").split()).encode() + b"\0")
    for warning in warnings:
        digest.update(f"{warning.field}:{warning.person_id}:{warning.word.casefold()}".encode() + b"\0")
    return digest.hexdigest()[:24]


def names_to_confirm(session: WorkshopSession, fields: dict[str, str]) -> NamesToConfirm | None:
    """What the moderator has to confirm before these texts are saved or published, or None."""
    warnings = name_warnings(session, fields)
    return NamesToConfirm(warnings, _confirmation(fields, warnings)) if warnings else None


def check_names(session: WorkshopSession, fields: dict[str, str], named_ids, confirmed: str | None) -> None:
    """Refuse full names of participants who have not agreed, and a list of names beyond those who agreed;
    raise NamesToConfirm for parts of such names unless `confirmed` is the confirmation of exactly those."""
    named = unconsented_mentions(session, [fields.get(field) or "" for field, _label in SECTIONS])
    if named:
        raise ExchangeError(_("Das Protokoll nennt Teilnehmende, die nicht zugestimmt haben: %(names)s. "
                              "Bitte beschreiben Sie Beiträge ohne Namen.",
                              names=", ".join(person.display_name for person in named)))
    if set(named_ids or []) - consenting_ids(session):
        raise ExchangeError(_("Genannt werden dürfen nur Teilnehmende, die zugestimmt haben."))
    check = names_to_confirm(session, fields)
    if check is not None and confirmed != check.confirmation:
        raise check
