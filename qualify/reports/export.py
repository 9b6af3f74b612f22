"""The report as text: figures as the page writes them, and the CSV download of exactly those tables."""

import csv
import io
from functools import cache

from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from qualify.core import spreadsheets
from qualify.core.i18n import localised_date
from qualify.reports.services import METRIC_LABELS, Figure, Report, Table, month_label

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def count_text(figure: Figure, k: int) -> str:
    """Write a headcount, or "< K" when it is withheld (then it is below K: nothing else hides it)."""
    return f"< {k}" if figure.count is None else str(figure.count)


def cell_text(figure: Figure) -> str:
    """Write a group's count, or "geschützt" when it is withheld.

    Not "< K": a count is also withheld to protect another one (or the difference to a wider filter), and
    then it may be any size. One mark for every reason, so that the mark does not tell which reason it was.
    """
    return str(_("geschützt")) if figure.count is None else str(figure.count)


def share_text(figure: Figure) -> str:
    """Write a share as a whole percentage, or nothing when it is withheld."""
    return "" if figure.share is None else _percent(round(figure.share, 2), str(get_locale()))


def share_number(figure: Figure) -> str:
    """Write a share for a spreadsheet: the whole percentage as a plain number ("32" for 32 %), or nothing.

    Rounded as on the page (share_text), so the file holds the page's figures; without the sign, as a spreadsheet
    takes "32 %" for text it cannot calculate with. The column's heading says "in %".
    """
    return "" if figure.share is None else str(round(round(figure.share, 2) * 100))


@cache
def _percent(share: float, _language: str) -> str:
    # A hundred and one values per language; Babel parses its number pattern on every call.
    return format_percent(share)


def csv_safe(value: object) -> str:
    """Make a cell inert in spreadsheets: text that would start a formula gets a leading apostrophe."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _table_rows(table: Table, columns: list[str], k: int) -> list[list[str]]:
    header = [_("Gruppe"), _("Personen")]
    for column in columns:
        header += [column, _("%(column)s (Anteil in %%)", column=column)]
    rows = [header]
    for row in table.rows:
        line = [row.label, count_text(row.headcount, k)]
        for cell in row.cells:
            line += [cell_text(cell), share_number(cell)]
        rows.append(line)
    if table.total:
        line = [table.total.label, count_text(table.total.headcount, k)]
        for cell in table.total.cells:
            line += [cell_text(cell), share_number(cell)]  # withheld only when no group is published: see the page
        rows.append(line)
    return rows


def report_csv(report: Report, *, course: str, kind: str, group: str) -> str:
    """Return the shown tables as CSV (semicolons, UTF-8 with BOM for spreadsheet programs)."""
    filters = report.filters
    rows: list[list[str]] = [
        [_("Beteiligung"), _("Gruppen unter %(k)d Personen erscheinen als „< %(k)d“. „geschützt“: ausgeblendet, "
                             "weil die Zahl weniger als %(k)d Personen beschreibt oder sich aus ihr zusammen mit "
                             "anderen eine so kleine Gruppe errechnen ließe; sie zählt in keiner Summe mit.",
                             k=report.k)],
        # Whose figures, and counted when: a file forwarded or opened months later says it of itself.
        [_("Organisation"), report.scope.organisation_name or _("Netzwerk")],
        [_("Zeitraum"), f"{month_label(report.period[0])} – {month_label(report.period[-1])}"]
        if report.period
        else [_("Zeitraum"), "–"],
        [_("Datenstand"), localised_date(report.counted_at) if report.counted_at else "–"],
        [_("Kurs"), course],
        [_("Modulart"), kind],
        [_("Gruppe"), group],
        [],
    ]
    if report.overview is not None:
        rows.append([_("Überblick %(month)s", month=month_label(filters.last))])
        rows += _table_rows(report.overview, [str(METRIC_LABELS[m]) for m in report.metrics], report.k)
        rows.append([])
        rows.append([_("Verlauf: %(metric)s", metric=METRIC_LABELS[filters.metric])])
        rows += _table_rows(report.trend, [month_label(m) for m in report.period], report.k)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=spreadsheets.delimiter(), lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def mean_text(value: float) -> str:
    """A mean rating with one decimal, as the reader writes numbers (4,0 / 4.0)."""
    return format_decimal(value, format="0.0")


def no_module_reaches_k(k: int) -> str:
    """Why the network's satisfaction has no row: it counts only modules with K answers or more, and none has."""
    return _("Noch keine Zahlen: Mitgezählt werden nur Module mit mindestens %(k)d Rückmeldungen, und so viele hat "
             "noch keines.", k=k)


def completion_text(count: int | None) -> str:
    """Write the network's completions of a module kind, or "geschützt" when withheld – below K, or because the
    completions of all kinds minus the others would tell it (feedback.completions_by_kind): then "< K" is no
    longer true, and one mark for both does not tell which it was."""
    return str(_("geschützt")) if count is None else str(count)


def completions_withheld(k: int) -> str:
    """Say what "geschützt" means under the completions per module kind."""
    return _("„geschützt“ heißt: Die Zahl beschreibt weniger als %(k)d Personen, oder aus ihr ließe sich zusammen mit "
             "den anderen Zahlen eine so kleine Gruppe errechnen.", k=k)


def feedback_csv(modules: list, network: list | None, completions: dict | None, completed_in: str | None, k: int,
                 *, kinds: dict, formats: dict) -> str:
    """Return the feedback page's tables as CSV: the figures only, withheld below K as on the page. Comments stay
    on the page: copied into a file, free text outlives the random order and the context it is shown in."""
    header = [_("Antworten"), _("Nützlichkeit (1–5)"), _("Schwierigkeit (1–5)"),
              _("%(column)s (Anteil in %%)", column=_("würden weiterempfehlen"))]

    def figures(summary) -> list[str]:
        if not summary.shown:
            return [f"< {k}"] * 4
        return [str(summary.count), mean_text(summary.usefulness), mean_text(summary.difficulty),
                str(round(round(summary.recommend_share, 2) * 100))]

    rows: list[list[str]] = [[_("Rückmeldungen"), _("Nur zusammengefasst und erst ab %(k)d Antworten; darunter "
                                                     "„< %(k)d“. Ohne Kommentare.", k=k)], []]
    if network is not None:
        if completed_in:
            rows.append([_("Abschlüsse je Modulart im %(month)s (verschiedene Personen)", month=completed_in)])
            rows.append([_("Modulart"), _("Personen mit Abschluss")])
            rows += [[str(label), completion_text(completions.get(kind))] for kind, label in kinds.items()]
            rows.append([completions_withheld(k)])
        else:
            rows.append([_("Abschlüsse je Modulart erscheinen, sobald der erste Monat gezählt ist.")])
        rows.append([])
        rows.append([_("Zufriedenheit je Modulart und Format")])
        if network:
            rows.append([_("Modulart · Format"), *header])
            rows += [[f"{kinds.get(kind, kind)} · {formats.get(format_, format_)}", *figures(summary)]
                     for (kind, format_), summary in network]
        else:  # a heading over no rows read as a file cut short
            rows.append([no_module_reaches_k(k)])
        rows.append([])
    if modules:
        rows.append([_("Rückmeldungen je Modul")])
        rows.append([_("Modul"), *header])
        rows += [[summary.label, *figures(summary)] for _module, summary in modules]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=spreadsheets.delimiter(), lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return "\ufeff" + out.getvalue()
