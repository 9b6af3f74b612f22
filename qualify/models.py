"""Every model of every feature, imported in one place for Alembic and the mappers."""

from qualify.accounts.models import LoginFailure, Organisation, Unit, User, UserRole, UserSession
from qualify.core.audit import AuditEvent
from qualify.courses.models import Course, CourseFile, CourseOwner, Module, ModuleVersion
from qualify.learning.models import Certificate, Enrolment, ModuleCompletion, QuizAttempt, Reflection
from qualify.core.mail import OutboxMessage
from qualify.privacy.models import RetentionRule

__all__ = ["AuditEvent", "RetentionRule", "Certificate", "Enrolment", "ModuleCompletion", "QuizAttempt", "Reflection", "Course", "CourseFile", "CourseOwner", "Module", "ModuleVersion", "LoginFailure", "Organisation", "OutboxMessage", "Unit", "User", "UserRole", "UserSession"]
