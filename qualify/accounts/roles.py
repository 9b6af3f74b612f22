"""The roles a person can hold; a person can hold several."""

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    MODERATOR = "moderator"
    WORKS_COUNCIL = "works_council"
    COORDINATOR = "coordinator"
    ORG_ADMIN = "org_admin"  # the administration of one organisation's people (its HR): see Reach
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
    Role.ORG_ADMIN: _l("Verwaltung der Organisation"),
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
    "verwaltung der organisation": Role.ORG_ADMIN, "personalverwaltung": Role.ORG_ADMIN,
    "org_admin": Role.ORG_ADMIN, "organisation administration": Role.ORG_ADMIN,
    "admin": Role.ADMIN, "administration": Role.ADMIN, "administrator": Role.ADMIN, "administratorin": Role.ADMIN,
}


def parse_role(text: str) -> Role | None:
    """Return the role named by text in German or English, or None."""
    return ROLE_ALIASES.get(text.strip().lower())


# What an organisation's administration may give and take: the roles of the people of a company. Never the
# network's own (administration, coordination) nor its own kind, which only the administration gives – and so
# never takes away either. Nor the works council's: it oversees the employer, and an employer giving the role
# could make itself a member of it (a second account at an address of its own, ticked "Betriebsrat"), reading
# the works council's reports and access log; so the works council's accounts are none of its business either.
ORGANISATION_ROLES = frozenset({Role.LEARNER, Role.TRAINER, Role.MODERATOR})


@dataclass(frozen=True)
class Reach:
    """Whose accounts someone administers: everybody's (the administration), or the people of one organisation
    (its administration); and the roles they may give and take."""

    organisation_id: int | None  # None: every organisation, and people of none
    roles: frozenset[Role]

    @property
    def whole_network(self) -> bool:
        return self.organisation_id is None

    @property
    def role(self) -> Role:
        """The role whoever has this reach acts in: the network's administration, or an organisation's."""
        return Role.ADMIN if self.whole_network else Role.ORG_ADMIN

    def covers(self, organisation_id: int | None) -> bool:
        """Whether the people (units, uploads …) of this organisation are within reach."""
        return self.whole_network or organisation_id == self.organisation_id

    def may_change(self, user, *, actor) -> bool:
        """Whether the person's account may be changed (data, state, mails): one's own, or someone within reach
        who holds no role beyond it – an organisation's administration changing an administrator's address, or a
        works council member's, could take over the account; the network's administration changes them."""
        if not self.covers(user.organisation_id):
            return False
        if user.id == actor.id or self.whole_network:
            return True
        return user.roles <= self.roles


def reach_of(user) -> Reach | None:
    """What this person administers, or None: the administration everything, an organisation's administration
    the people of their own organisation (none while they belong to none)."""
    if user.has_role(Role.ADMIN):
        return Reach(None, frozenset(Role))
    if user.has_role(Role.ORG_ADMIN) and user.organisation_id is not None:
        return Reach(user.organisation_id, ORGANISATION_ROLES)
    return None
