"""Reports: aggregated participation for works councils and the network coordination, and who looked at it."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from qualify.accounts.roles import Role
from qualify.accounts.small_groups import network_k
from qualify.core import audit
from qualify.core.database import without_transaction
from qualify.core.i18n import quoted
from qualify.core.routing import page_number
from qualify.core.security import role_required
from qualify.core.templating import RenderedParts
from qualify.core.time import utcnow
from qualify.courses import catalogue
from qualify.courses.models import Course, Module
from qualify.courses.views import KIND_LABELS
from qualify.extensions import db
from qualify.privacy.catalogue import CATEGORIES
from qualify.reports import charts, export, feedback, services
from qualify.reports.access_log import MEMBER_CHANGES, access_events, describe_filters, people_named, record_access
from qualify.reports.rollup import add_months, available_from, refresh_rollups
from qualify.reports.scope import OutOfScope, parse_filters, scope_for, units_of

bp = Blueprint("reports", __name__, url_prefix="/berichte")
READERS = (Role.WORKS_COUNCIL, Role.COORDINATOR)
LOG_PAGE_SIZE = 50
# What each metric counts, one line each (docs/reporting.md, "Kennzahlen"): people, each once per calendar month.
METRIC_MEANINGS = {
    "enrolled": _l("Personen, die sich in dem Monat in einen Kurs eingeschrieben haben."),
    "active": _l("Personen, die in dem Monat irgendetwas getan haben: sich eingeschrieben, ein Modul oder einen Kurs "
                 "abgeschlossen, einen Workshop gebucht oder besucht, im Austausch geschrieben."),
    "modules_completed": _l("Personen, die in dem Monat mindestens ein Modul abgeschlossen haben."),
    "courses_completed": _l("Personen, die in dem Monat einen Kurs abgeschlossen haben."),
    "workshop_booked": _l("Personen, die einen Workshop-Termin des Monats fest gebucht haben."),
    "workshop_attended": _l("Personen, die einen Workshop-Termin des Monats besucht haben."),
    "exchange_posted": _l("Personen, die in dem Monat im Austausch einen Beitrag veröffentlicht haben."),
}


def _report() -> services.Report:
    """Build the report for the signed-in person and the filters in the URL, or answer 403/404."""
    try:
        scope = scope_for(current_user)
    except OutOfScope:
        abort(403)
    try:
        filters = parse_filters(request.args, scope)
    except OutOfScope:
        abort(404)
    report = services.participation_report(scope, filters)
    if filters.course_id is not None and filters.course_id not in dict(report.course_titles):
        abort(404)  # no such course: its figures would be all zeros under the heading "alle Kurse"
    return report


def _names(report: services.Report) -> dict[str, str]:
    """Name the chosen course, kind and group, for headings and the CSV."""
    filters = report.filters
    courses = dict(report.course_titles)
    group = report.groups[0][1] if len(report.groups) == 1 else _("alle Gruppen")
    return {
        "course": courses.get(filters.course_id, _("alle Kurse")),
        "kind": str(KIND_LABELS.get(filters.kind, _("alle Modularten"))),
        "group": group,
        "courses": courses,
    }


def all_withheld(report: services.Report) -> bool:
    """Tell whether every figure of the shown tables (overview and trend, totals too) is withheld."""
    tables = [table for table in (report.overview, report.trend) if table is not None]
    return bool(tables) and all(
        cell.count is None
        for table in tables
        for row in [*table.rows, *([table.total] if table.total else [])]
        for cell in row.cells
    )


def _requested_metric(report: services.Report) -> str | None:
    """Return the metric asked for in the URL when the report shows another one (it has none per module kind)."""
    if not report.months:
        return None
    requested = parse_filters(request.args, report.scope).metric
    return requested if requested != report.filters.metric else None


def _widening(report: services.Report) -> list[tuple[str, str]]:
    """Return (what, link) for each filter of the report that could be wider: all courses, all kinds, the whole
    organisation (or network), "Aktiv" – where more figures may be published."""
    filters = report.filters
    args = filters.as_args()

    def without(name: str, **instead: str) -> str:
        return url_for("reports.participation", **{key: value for key, value in args.items() if key != name}
                       | instead)

    ways = []
    if filters.course_id is not None:
        ways.append((_("alle Kurse statt eines Kurses"), without("kurs")))
    if filters.kind is not None:  # over all kinds, the metric asked for (that no kind has) is there again
        ways.append((_("alle Modularten statt einer"),
                     without("art", kennzahl=_requested_metric(report) or filters.metric)))
    if filters.unit_id is not None:
        ways.append((_("die ganze Organisation statt einer Einheit"), without("bereich")))
    if filters.organisation_id is not None:
        ways.append((_("alle Organisationen statt einer"), without("organisation")))
    if filters.metric != "active":
        ways.append((_("%(metric)s als Kennzahl", metric=quoted(str(services.METRIC_LABELS["active"]))),
                     without("kennzahl")))
    return ways


def _explained(report: services.Report) -> dict:
    """What the page says about the figures besides them: all withheld, and what may help; what each metric means."""
    if not report.months:
        return {}
    withheld = all_withheld(report)
    return {"everything_withheld": withheld, "widen": _widening(report) if withheld else [],
            "meanings": METRIC_MEANINGS}


def _charts(report: services.Report) -> dict:
    """Draw the trend and the group chart; a chart that would have no bar at all (every value withheld) is left out."""
    if report.trend is None:
        return {}
    metric = services.METRIC_LABELS[report.filters.metric]
    line = report.trend.total or (report.trend.rows[0] if report.trend.rows else None)
    # A withheld total reads "geschützt" as in the table: "< K" would say that fewer than K took part.
    trend = [
        charts.Bar(services.month_label(month, "MM/yy"), cell.count, export.cell_text(cell))
        for month, cell in zip(report.period, line.cells if line else [], strict=False)
    ]
    by_group = [
        charts.Bar(row.label, cell.share, export.share_text(cell) or export.cell_text(cell))
        for row in report.overview.rows
        for cell in [row.cells[report.metrics.index(report.filters.metric)]]
    ]
    drawn = {}
    if charts.has_bars(trend):
        drawn["trend_chart"] = charts.bar_chart(
            trend,
            ident="verlauf",
            title=_("Verlauf: %(metric)s", metric=metric),
            description=_(
                "Personen je Monat: die Summe der ausgewiesenen Gruppen, ohne geschützte Zahlen – sie kann deshalb "
                "von Monat zu Monat auch springen, weil andere Gruppen geschützt sind. Die Zahlen stehen in der "
                "Tabelle „Verlauf“.",
            ) if report.trend.total else _(
                "Personen je Monat; geschützte Werte fehlen. Die Zahlen stehen in der Tabelle „Verlauf“."),
        )
    if charts.has_bars(by_group):
        in_rows = len(by_group) > charts.MOST_COLUMNS
        drawn["group_chart"] = (charts.row_chart if in_rows else charts.bar_chart)(
            by_group,
            ident="gruppen",
            title=_("%(metric)s je Gruppe, Anteil", metric=metric),
            description=_(
                "Anteil der Personen je Gruppe im letzten Monat des Zeitraums (Balkenlänge 0 bis 100 %); "
                "geschützte Werte fehlen. Die Zahlen stehen in der Tabelle „Überblick“.",
            ) if in_rows else _(
                "Anteil der Personen je Gruppe im letzten Monat des Zeitraums (Balkenhöhe 0 bis 100 %); "
                "geschützte Werte fehlen. Die Zahlen stehen in der Tabelle „Überblick“.",
            ),
            scale=1,  # shares: a bar of 9 % is 9 % of the whole length, not all of it for being the largest
        )
    return drawn


@bp.get("/beteiligung")
@role_required(*READERS)
@without_transaction
def participation():
    """Show aggregated participation for the chosen period, course, kind and group."""
    report = _report()
    key = (report.key, str(get_locale()))  # the key includes the courses, whose titles the filter shows
    # The metric asked for is part of report.key (the report keeps the filters it was asked for).
    content = _CONTENT.get(key, lambda: render_template(
        "reports/_participation_content.html", report=report, names=_names(report),
        units=units_of(report.scope), kinds=KIND_LABELS, requested_metric=_requested_metric(report),
        chosen=services.chosen_filters(report),
        **_charts(report), **_explained(report), **_helpers()))
    # Rendered before the commit of the access-log entry, which would expire what the page still reads.
    page = render_template("reports/participation.html", content=content)
    record_access("reports.view", actor=current_user, scope=report.scope, filters=report.filters)
    db.session.commit()
    return page


# The page body per report and language: it changes only when the rollups are counted again or a course
# changes (both part of report.key), and building its tables cost most of the page's time.
_CONTENT = RenderedParts(limit=64)


@bp.get("/beteiligung/druck")
@role_required(*READERS)
def printable():
    """Show the same figures on a page made for printing."""
    report = _report()
    record_access(
        "reports.view", actor=current_user, scope=report.scope, filters=report.filters, format="print"
    )
    db.session.commit()
    return render_template(
        "reports/print.html",
        report=report,
        names=_names(report),
        printed_at=utcnow(),
        requested_metric=_requested_metric(report),
        **_charts(report),
        **_explained(report),
        **_helpers(),
    )


@bp.get("/beteiligung.csv")
@role_required(*READERS)
def download():
    """Download exactly the figures the page shows, as CSV."""
    report = _report()
    names = _names(report)
    body = export.report_csv(report, course=names["course"], kind=names["kind"], group=names["group"])
    record_access(
        "reports.export", actor=current_user, scope=report.scope, filters=report.filters, format="csv"
    )
    db.session.commit()
    # The period in the name: two downloads for two quarters are told apart in a download folder.
    name = _("beteiligung-%(first)s-bis-%(last)s.csv", first=f"{report.period[0]:%Y-%m}",
             last=f"{report.period[-1]:%Y-%m}") if report.period else _("beteiligung.csv")
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/protokoll")
@role_required(Role.WORKS_COUNCIL)
def access_log():
    """List who viewed or exported reports about the works council's organisation, and when; and who was given
    the works council's role, or lost it, by whom."""
    if current_user.organisation_id is None:
        abort(403)
    page = page_number()
    # One more than a page: "Ältere" only when older entries exist, not whenever a page is exactly full.
    events = access_events(
        current_user.organisation_id, limit=LOG_PAGE_SIZE + 1, offset=(page - 1) * LOG_PAGE_SIZE
    )
    events, has_next = events[:LOG_PAGE_SIZE], len(events) > LOG_PAGE_SIZE
    return render_template("reports/access_log.html", events=events, names=people_named(events),
                           who_did=audit.who_did, member_changes=MEMBER_CHANGES,
                           page=page, has_next=has_next, filters=describe_filters(events),
                           retention_labels={entry.key: entry.label for entry in CATEGORIES})


@bp.get("/daten")
@role_required(Role.ADMIN)
def data():
    """Show when the figures were last counted, with a button to count them now."""
    return render_template("reports/data.html", months=services.counted_months())


@bp.post("/daten/aktualisieren")
@role_required(Role.ADMIN)
def refresh():
    """Count the rollups now instead of waiting for the night."""
    counted = refresh_rollups(utcnow())
    audit.record("reports.refresh", actor=current_user, organisation_id=None, months=counted)
    db.session.commit()
    if counted:
        flash(ngettext("%(num)d Monat wurde gezählt.", "%(num)d Monate wurden gezählt.", counted), "success")
    else:
        flash(_("Kein Monat war fällig: Jeder Monat wird eine Woche nach seinem Ende einmal gezählt."), "info")
    return redirect(url_for("reports.data"))


@bp.post("/rueckmeldungen/module/<int:module_id>")
@login_required
def give_feedback(module_id: int):
    """Take one anonymous answer about a finished module."""
    module = db.get_or_404(Module, module_id)
    if module.archived or not catalogue.can_view(current_user, module.course):
        abort(404)
    form = request.form
    try:
        feedback.give_feedback(
            current_user, module, usefulness=form.get("usefulness", 0, type=int),
            difficulty=form.get("difficulty", 0, type=int), would_recommend=bool(form.get("would_recommend")),
            comment=form.get("comment"), now=utcnow())
    except feedback.FeedbackIncomplete as error:  # the form again, with what was sent and what is missing
        db.session.rollback()
        return render_template("reports/feedback_again.html", module=module, given=form,
                               problems=error.problems), 400
    except feedback.FeedbackRefused as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Danke für Ihre Rückmeldung."), "success")
    return redirect(url_for("courses.module", slug=module.course.slug, module_slug=module.slug))


def _feedback_figures() -> dict:
    """What the feedback page and its CSV show to the person: their modules; for the coordination also the
    network's figures per kind and format and its completions."""
    modules = feedback.editable_modules(current_user)
    slug = request.args.get("kurs")
    if slug:
        course = db.session.scalar(db.select(Course).where(Course.slug == slug))
        if course is None or not catalogue.can_edit(current_user, course):
            abort(404)
        modules = [m for m in modules if m.course_id == course.id]
    k = network_k()
    network = current_user.has_role(Role.COORDINATOR)
    completed_in, completions = feedback.completions_by_kind(k) if network else (None, None)
    return {"k": k, "modules": feedback.feedback_summary(modules, k),
            "network": feedback.network_summary(k) if network else None, "completions": completions,
            "completed_in": services.month_label(completed_in, "MMMM yyyy") if completed_in else None}


def _record_network_look(download: str | None = None) -> None:
    """The network's completions per kind are participation figures: the works councils read who looked
    (`download`: the file's format, for a download)."""
    details = {"format": download} if download else {}
    audit.record("reports.view" if download is None else "reports.export", actor=current_user, report="feedback",
                 organisation_id=None, **details)
    db.session.commit()


@bp.get("/rueckmeldungen")
@role_required(Role.TRAINER, Role.ADMIN, Role.COORDINATOR)
def feedback_overview():
    """Show feedback in aggregate: trainers on their modules, the coordination per kind and format."""
    figures = _feedback_figures()
    page = render_template(
        "reports/feedback.html", kinds=KIND_LABELS, formats=feedback.FORMAT_LABELS,
        mean_text=export.mean_text, share_text=lambda value: format_percent(round(value, 2)),
        no_module_reaches_k=export.no_module_reaches_k, completion_text=export.completion_text,
        completions_withheld=export.completions_withheld,
        csv_url=url_for("reports.feedback_download", kurs=request.args.get("kurs")), **figures)
    if figures["network"] is not None:
        _record_network_look()
    return page


@bp.get("/rueckmeldungen.csv")
@role_required(Role.TRAINER, Role.ADMIN, Role.COORDINATOR)
def feedback_download():
    """Download the feedback page's tables (not its comments) as CSV."""
    figures = _feedback_figures()
    body = export.feedback_csv(figures["modules"], figures["network"], figures["completions"],
                               figures["completed_in"], figures["k"], kinds=KIND_LABELS,
                               formats=feedback.FORMAT_LABELS)
    if figures["network"] is not None:
        _record_network_look("csv")
    name = _("rueckmeldungen.csv")
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.app_context_processor
def feedback_panel():
    """Let the module page offer the feedback form without importing reports: `feedback_panel(module)` for the
    form again with what was sent (feedback_again.html), `feedback_form(module)` for the empty form."""
    return {"feedback_panel": lambda module: {"can_give": feedback.can_give_feedback(current_user, module),
                                              "max_length": feedback.COMMENT_MAX},
            "feedback_form": _empty_feedback_form}


# The empty form per module and language, its CSRF token put in per request: the same for everyone who may still
# answer, and its twenty labels cost the module page an eighth of its time.
_FEEDBACK_FORMS = RenderedParts(limit=2_000)
_CSRF_SLOT = "\x00csrf\x00"  # no character of a rendered page: escaped or absent in everything else


def _empty_feedback_form(module) -> Markup:
    """The feedback form for someone who may answer on the module (else nothing), as an empty form."""
    if not feedback.can_give_feedback(current_user, module):
        return Markup("")
    form = _FEEDBACK_FORMS.get((module.id, str(get_locale())), lambda: render_template(
        "reports/_feedback_form.html", module=module, csrf_token=lambda: _CSRF_SLOT,
        feedback={"can_give": True, "max_length": feedback.COMMENT_MAX}))
    return form.replace(_CSRF_SLOT, generate_csrf())  # Markup.replace escapes the token


def _helpers() -> dict:
    return {
        "count_text": export.count_text,
        "cell_text": export.cell_text,
        "share_text": export.share_text,
        "month_label": services.month_label,
        "metric_labels": services.METRIC_LABELS,
        "add_months": add_months,
        "available_from": available_from,
    }
