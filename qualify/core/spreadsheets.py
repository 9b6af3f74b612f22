"""CSV for the spreadsheet its reader opens it in: German Excel splits lines at semicolons and reads 30.11.2026;
English Excel splits at commas and would take 30.11.2026 for text (or a wrong date), so it gets 2026-11-30."""

from datetime import datetime

from qualify.core.templating import page_language


def _german() -> bool:
    return page_language() == "de"


def delimiter() -> str:
    """The column separator the reader's spreadsheet expects."""
    return ";" if _german() else ","


def datetime_cell(value: datetime) -> str:
    """A local date and time as the reader's spreadsheet reads one."""
    return value.strftime("%d.%m.%Y %H:%M" if _german() else "%Y-%m-%d %H:%M")
