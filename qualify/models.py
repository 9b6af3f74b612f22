"""Every model of every feature, imported in one place for Alembic and the mappers."""

from qualify.accounts.models import LoginFailure, Organisation, Unit, User, UserRole, UserSession
from qualify.accounts.reset_requests import ResetRequest
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.courses.models import Course, CourseFile, CourseOwner, Module, ModuleDraft, ModuleVersion
from qualify.exchange.models import (
    ExchangeFlag,
    ExchangeLogEntry,
    ExchangeMinutes,
    ExchangePost,
    ExchangePseudonym,
    ExchangeSpace,
    ExchangeThread,
    MinutesConsent,
    PostNotice,
    SpaceModerator,
    ThreadFollow,
)
from qualify.learning.models import (
    Certificate,
    Enrolment,
    MandatoryAssignment,
    MandatoryEnrolment,
    ModuleCompletion,
    QuizAttempt,
    Reflection,
    WithdrawnCertificate,
)
from qualify.privacy.models import RetentionRule
from qualify.reports.feedback_models import FormatFeedback, FormatFeedbackGiven
from qualify.reports.models import ParticipationRollup, RollupMonth, UnitHeadcount, WithheldCell
from qualify.workshops.models import Booking, CalendarFeed, SentReminder, WorkshopSession

__all__ = [
    "AuditEvent", "RetentionRule", "Certificate", "Enrolment", "ModuleCompletion", "QuizAttempt",
    "Reflection", "WithdrawnCertificate", "Course", "CourseFile", "CourseOwner", "Module", "ModuleVersion",
    "ModuleDraft", "MandatoryAssignment", "MandatoryEnrolment",
    "LoginFailure", "ResetRequest",
    "Organisation", "OutboxMessage", "Unit", "User", "UserRole", "UserSession", "Booking", "CalendarFeed",
    "SentReminder", "WorkshopSession", "ExchangeFlag", "ExchangeLogEntry", "ExchangeMinutes",
    "ExchangePost", "ExchangePseudonym", "ExchangeSpace", "ExchangeThread", "MinutesConsent", "PostNotice",
    "SpaceModerator", "ThreadFollow", "ParticipationRollup", "RollupMonth", "UnitHeadcount", "WithheldCell",
    "FormatFeedback", "FormatFeedbackGiven"
]
