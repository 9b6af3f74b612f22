"""Courses, their modules and every version of a module, plus the files that belong to a course."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from qualify.accounts.models import User
from qualify.core.time import UTCDateTime, utcnow
from qualify.extensions import db

KINDS = ("self-study", "exchange", "workshop")
STATUSES = ("draft", "published")


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="de")
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_minutes: Mapped[int | None]
    pass_percentage: Mapped[int] = mapped_column(default=70)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # course.md exactly as written (front matter and overview), so export gives back the same file.
    source: Mapped[str] = mapped_column(Text, default="")
    overview_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moves with every change to the course, its modules and their versions: the key of cached outlines.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan")
    files: Mapped[list["CourseFile"]] = relationship(back_populates="course", cascade="all, delete-orphan")
    owners: Mapped[list["CourseOwner"]] = relationship(back_populates="course", cascade="all, delete-orphan")

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def active_modules(self) -> list["Module"]:
        return [module for module in self.modules if not module.archived]


class CourseOwner(db.Model):
    """A trainer who may edit the course."""

    __tablename__ = "course_owners"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    course: Mapped[Course] = relationship(back_populates="owners")


class Module(db.Model):
    """The lasting identity of a module; its content lives in versions."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    # A module removed from the files is archived, not deleted: progress and attempts refer to it.
    archived: Mapped[bool] = mapped_column(default=False)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_versions.id", use_alter=True, ondelete="SET NULL"))

    course: Mapped[Course] = relationship(back_populates="modules")
    current_version: Mapped["ModuleVersion | None"] = relationship(foreign_keys=[current_version_id],
                                                                   post_update=True)
    versions: Mapped[list["ModuleVersion"]] = relationship(
        back_populates="module", foreign_keys="ModuleVersion.module_id", order_by="ModuleVersion.number",
        cascade="all, delete-orphan")

    @property
    def file_name(self) -> str:
        return f"{self.position:02d}-{self.slug}.md"


class ModuleVersion(db.Model):
    """One saved state of a module: its source, the HTML rendered once at saving, and its questions."""

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int | None]
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(300), default="")

    module: Mapped[Module] = relationship(back_populates="versions", foreign_keys=[module_id])

    @property
    def has_quiz(self) -> bool:
        return any(q["kind"] not in ("description", "essay") for q in self.questions)


@event.listens_for(Session, "before_flush")
def _touch_courses_of_changed_modules(session: Session, _context, _instances) -> None:
    """Move `Course.updated_at` when a module or module version of the course is added, changed or deleted."""
    course_ids = set()
    for item in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(item, Module | ModuleVersion):
            continue
        if item in session.dirty and not session.is_modified(item, include_collections=False):
            continue
        module = item
        if isinstance(item, ModuleVersion):
            module = item.module or (session.get(Module, item.module_id) if item.module_id else None)
        if module is not None:
            course_ids.add(module.course_id if module.course_id is not None else getattr(module.course, "id", None))
    now = utcnow()
    for course_id in course_ids - {None}:
        course = session.get(Course, course_id)
        if course is not None and course not in session.deleted:
            course.updated_at = now


class ModuleDraft(db.Model):
    """Edits to a module of a published course kept back from learners: they see the current version until a
    course editor publishes the draft (a new version) or discards it. One draft per module, shared by its editors."""

    __tablename__ = "module_drafts"

    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    # The fingerprint of the published text the draft was written over: publishing it checks that no other
    # version came in between (authoring.save_text), as a save from the editor does.
    base: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(300), default="")
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    saved_by: Mapped[User | None] = relationship()


class CourseFile(db.Model):
    """A file of the course folder besides the Markdown: media (medien/) and question banks (fragen/)."""

    __tablename__ = "course_files"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="files")
