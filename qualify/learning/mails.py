"""E-mails about learning, queued in the caller's transaction, each in the recipient's language."""

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from qualify.core.i18n import locale_for, localised_date
from qualify.core.mail import absolute_url, queue_mail


def tell_enrolled_in_mandatory_course(people: list, course, *, due_at: datetime | None = None) -> None:
    """Tell each person that the administration enrolled them in a mandatory course, with the way to it and the
    deadline, if there is one."""
    url = absolute_url("courses.course", slug=course.slug)
    # Whoever was invited and has not set a password yet: the course link alone led to a sign-in they cannot pass.
    password_url = absolute_url("accounts.forgot_password")
    template = current_app.jinja_env.get_template("learning/mail/mandatory_course.txt")
    for person in people:
        with force_locale(locale_for(person.language)):
            subject = _("Pflichtkurs für Sie: %(course)s", course=course.title)
            body = template.render(person=person, course=course, url=url, password_url=password_url,
                                   due=localised_date(due_at))
        queue_mail(person, subject, body)


def remind_of_mandatory_deadline(person, course, due_at: datetime) -> None:
    """Remind the person that their mandatory course is due in a week and not completed yet."""
    template = current_app.jinja_env.get_template("learning/mail/mandatory_reminder.txt")
    with force_locale(locale_for(person.language)):
        due = localised_date(due_at)
        subject = _("Erinnerung: Pflichtkurs „%(course)s“ bis %(date)s abschließen", course=course.title, date=due)
        body = template.render(person=person, course=course, due=due,
                               url=absolute_url("courses.course", slug=course.slug))
    queue_mail(person, subject, body)
