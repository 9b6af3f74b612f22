"""Drafts of modules of a published course: edits kept back from learners until an editor publishes them.

A published course's module changes for learners the moment it is saved. A draft lets a trainer (and the
course's other editors) work on a larger change over days – save, preview, come back – while learners keep the
current version. Publishing saves the draft's text as a new version through `authoring.save_text`, with the same
checks and the same refusal when another version was saved in between (from the editor, a restore or a
`qualify courses import` of the folder); discarding deletes it. A course that is itself a draft needs none: no
learner sees it.
"""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qualify.accounts.models import User
from qualify.core import audit
from qualify.core.time import utcnow
from qualify.courses import authoring, module_versions, services
from qualify.courses.models import Course, Module, ModuleDraft
from qualify.extensions import db


class DraftConflict(authoring.Conflict):
    """The module's draft changed since the editor was opened: saved by someone else (or in another window),
    published or discarded. `saved`: the draft there is now, or the published text where there is none."""


def _draft_saved_in_between() -> str:
    return _("Dieser Entwurf wurde inzwischen gespeichert – von jemand anderem oder in einem anderen Fenster. "
             "Nichts gespeichert; Ihr Text ist unten erhalten.")


def draft_of(module: Module) -> ModuleDraft | None:
    return db.session.get(ModuleDraft, module.id)


def draft_with_author(module: Module) -> ModuleDraft | None:
    """The module's draft with the person who saved it, for the editor's notice (one statement)."""
    who = joinedload(ModuleDraft.saved_by)
    stmt = (select(ModuleDraft).options(who.load_only(User.display_name), who.lazyload(User.role_rows))
            .where(ModuleDraft.module_id == module.id))
    return db.session.scalar(stmt)


def modules_with_drafts(course: Course) -> set[int]:
    """The ids of the course's modules that have a draft (one statement)."""
    stmt = (select(ModuleDraft.module_id).join(Module, Module.id == ModuleDraft.module_id)
            .where(Module.course_id == course.id))
    return set(db.session.scalars(stmt))


def save_draft(module: Module, text: str, *, base: str, draft_base: str, actor, note: str = "") -> ModuleDraft | None:
    """Keep the typed text of a module as its draft; return it (None when the text is the published one, which
    leaves nothing to keep: an earlier draft is then dropped).

    `base`: the fingerprint of the published text the editor's text was written over; `draft_base`: of the draft
    the editor showed ("" for none). A draft saved in between by someone else is not overwritten (DraftConflict,
    as a save is refused) – unless the saved draft is this very text, the same form sent twice. Nor is the draft
    the editor showed brought back once it was published or discarded: its text would take back, unseen, what
    was published – unless `draft_base` is the fingerprint of the published text, sent to keep the draft all the
    same once that was shown.
    """
    course = module.course
    services.take_turns_on_course(course.slug)
    published = module.current_version.source
    draft = draft_of(module)
    if draft is not None and authoring.fingerprint(draft.source) != draft_base:
        if _same_text(text, draft.source):
            return draft
        raise DraftConflict(_draft_saved_in_between(), draft.source)
    if draft is None and draft_base and not _same_text(text, published):
        if draft_base != authoring.fingerprint(published):
            raise DraftConflict(_("Dieser Entwurf wurde inzwischen veröffentlicht oder verworfen – von jemand anderem "
                                  "oder in einem anderen Fenster. Nichts gespeichert; Ihr Text ist unten erhalten."),
                                published)
        base = draft_base  # kept over the published text, which the trainer has now been shown
    if _same_text(text, published):
        if draft is not None:
            db.session.delete(draft)
            audit.record("authoring.draft_discarded", actor=actor, target=course, module=module.slug)
        return None
    if draft is None:
        # Written over the published text the editor showed; where that changed since, publishing will say so.
        draft = ModuleDraft(module_id=module.id, base=base or authoring.fingerprint(published))
        db.session.add(draft)
    draft.source = authoring.conform(text, published)
    draft.note = note.strip()[:300]
    draft.saved_by_id = actor.id
    draft.saved_at = utcnow()
    audit.record("authoring.draft", actor=actor, target=course, module=module.slug)
    return draft


def publish(module: Module, text: str, *, base: str, draft_base: str = "", actor, note: str = "") -> list:
    """Save the module's text as a new version (authoring.save_text: checked, refused on problems or a version
    saved in between) and drop its draft, which that version now is.

    `draft_base` as for save_draft: a draft saved since the editor was opened (by a colleague, or in another
    window) is not dropped unseen (DraftConflict) – unless `base` is its fingerprint, sent to publish the typed
    text over it once it was shown, or the typed text is that draft.
    """
    services.take_turns_on_course(module.course.slug)
    draft = draft_of(module)
    if draft is not None:
        saved = authoring.fingerprint(draft.source)
        if base == saved:  # over the draft that was shown; the published text as that draft was written over
            base = draft.base
        elif saved != draft_base and not _same_text(text, draft.source):
            raise DraftConflict(_draft_saved_in_between(), draft.source)
    versions = authoring.save_text(module.course, module.file_name, text, base=base, actor=actor, note=note)
    draft = draft_of(module)
    if draft is not None:
        db.session.delete(draft)
    return versions


def discard(module: Module, *, actor) -> bool:
    """Delete the module's draft; False when there was none (discarded already: the same button sent twice)."""
    services.take_turns_on_course(module.course.slug)
    draft = draft_of(module)
    if draft is None:
        return False
    db.session.delete(draft)
    audit.record("authoring.draft_discarded", actor=actor, target=module.course, module=module.slug)
    return True


def _same_text(typed: str, saved: str) -> bool:
    return authoring.conform(typed, saved) == saved


def changes(conflict: authoring.Conflict, typed: str) -> module_versions.Changes:
    """What a draft saved in between holds against the typed text, for the trainer whose save it refused."""
    return module_versions.Changes(False, module_versions.diff(conflict.saved,
                                                               authoring.conform(typed, conflict.saved)),
                                   authoring.fingerprint(conflict.saved))
