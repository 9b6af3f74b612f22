"""The roles a person can hold; a person can hold several."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    MODERATOR = "moderator"
    WORKS_COUNCIL = "works_council"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.LEARNER: _l("Lernende"),
    Role.TRAINER: _l("Trainer/in"),
    Role.MODERATOR: _l("Moderation"),
    Role.WORKS_COUNCIL: _l("Betriebsrat"),
    Role.COORDINATOR: _l("Netzwerk-Koordination"),
    Role.ADMIN: _l("Administration"),
}

# Accepted spellings in CSV files and on the command line – the labels the pages show among them.
ROLE_ALIASES = {
    "lernende": Role.LEARNER, "lernender": Role.LEARNER, "learner": Role.LEARNER, "learners": Role.LEARNER,
    "beschäftigte": Role.LEARNER,
    "trainer": Role.TRAINER, "trainerin": Role.TRAINER, "trainer/in": Role.TRAINER, "trainer/innen": Role.TRAINER,
    "moderator": Role.MODERATOR, "moderatorin": Role.MODERATOR, "moderation": Role.MODERATOR,
    "betriebsrat": Role.WORKS_COUNCIL, "works_council": Role.WORKS_COUNCIL, "works council": Role.WORKS_COUNCIL,
    "koordination": Role.COORDINATOR, "netzwerk-koordination": Role.COORDINATOR, "coordinator": Role.COORDINATOR,
    "coordination": Role.COORDINATOR, "network coordination": Role.COORDINATOR,
    "admin": Role.ADMIN, "administration": Role.ADMIN, "administrator": Role.ADMIN, "administratorin": Role.ADMIN,
}


def parse_role(text: str) -> Role | None:
    """Return the role named by text in German or English, or None."""
    return ROLE_ALIASES.get(text.strip().lower())
