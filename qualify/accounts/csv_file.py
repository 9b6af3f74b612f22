"""Reading a CSV file as Excel and HR systems write it: encoding, delimiter, records and the header row.

Nothing here knows about people in the database; csv_import checks the rows and works out the changes.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

MAX_BYTES = 2 * 1024 * 1024
DELIMITERS = (";", ",", "\t")  # on a tie the first wins: German Excel writes ";"
SEPARATOR_LINE = re.compile(r'sep=([^"\r\n])\1*[ \r]*', re.IGNORECASE)  # Excel's "sep=;" before the header

# Header spellings, compared by their letters and digits only: "Pers.-Nr." and "pers nr" are both "persnr".
# "Abteilung", "Bereich" and "Kostenstelle" are deliberately not read as the unit: an HR system's departments
# rarely are the platform's units, and one that is not would stop the whole file. Like every other column
# not listed here they are ignored, and the preview names them; renaming the column to "Einheit" opts in.
# Two columns for one field stop the file, so spellings that exports often carry beside each other (Vorname
# and Rufname, say) are not both listed.
COLUMNS = {
    **dict.fromkeys(("email", "emailadresse", "emailaddress", "mail", "mailadresse", "dienstlicheemail",
                     "dienstlicheemailadresse"), "email"),
    **dict.fromkeys(("personalnummer", "personalnr", "persnr", "personnelnumber", "mitarbeiternummer",
                     "mitarbeiternr", "employeenumber"), "personnel_number"),
    **dict.fromkeys(("name", "displayname", "anzeigename", "vollständigername", "vorundnachname",
                     "vorundzuname", "fullname"), "display_name"),
    **dict.fromkeys(("vorname", "firstname", "givenname"), "first_name"),
    **dict.fromkeys(("nachname", "familienname", "zuname", "lastname", "surname", "familyname"), "last_name"),
    **dict.fromkeys(("einheit", "unit"), "unit"),
    **dict.fromkeys(("rollen", "rolle", "roles", "role"), "roles"),
    **dict.fromkeys(("sprache", "language"), "language"),
}


class ImportFileError(ValueError):
    """The file cannot be read (from line on, if given); the message is for the person who uploaded it."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Problem:
    """Why a line cannot be imported; line is None when the file as a whole is unusable.

    hint names what would be possible (the known roles, say); the preview says it once, not on every line.
    """

    line: int | None
    message: str
    column: str | None = None
    hint: str | None = None


@dataclass
class Header:
    """Which field each column holds, and the headings of the columns that are not imported."""

    line: int
    width: int
    columns: dict[str, int] = field(default_factory=dict)  # field name -> index of its column
    ignored: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Return the text of an upload: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (Excel)."""
    if not data.strip():
        raise ImportFileError(_("Die Datei ist leer."))
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("Die Datei ist größer als %(mb)d MB; bitte teilen Sie sie auf.",
                                mb=MAX_BYTES // (1024 * 1024)))
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:  # a spreadsheet (.xlsx is a ZIP archive) or another binary file
        raise ImportFileError(_("Die Datei ist keine lesbare CSV-Datei. Bitte speichern Sie die Tabelle "
                                "als „CSV UTF-8“ oder „CSV (Trennzeichen-getrennt)“."))
    return text


def separator_line(text: str) -> str | None:
    """Return the delimiter named by a first line such as "sep=;" (Excel writes and reads it), else None."""
    match = SEPARATOR_LINE.fullmatch(text.partition("\n")[0])
    return match.group(1) if match else None


def sniff_delimiter(text: str) -> str:
    """Guess the delimiter from the header line."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(DELIMITERS, key=header.count)


def records(text: str):
    """Yield (line number the record starts on, cells) for every record that is not blank."""
    delimiter = separator_line(text)
    # strict: an unclosed quote is an error instead of a cell that swallows the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(text), strict=True)
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if line == 1 and delimiter:
                continue
            if any(cell.strip() for cell in cells):  # Excel writes ";;;;" for rows it considers used
                yield line, cells
    except csv.Error as error:  # in strict mode only quotes cause errors (or a quote-swallowed giant cell)
        raise ImportFileError(_("Ab hier ist die Datei nicht lesbar: Ein Anführungszeichen wird nicht "
                                "geschlossen oder steht mitten in einer Zelle."), line=start) from error


def fit_to_header(cells: list[str], width: int) -> list[str] | None:
    """Pad a record that lacks trailing cells (they count as empty); None if it has more filled cells."""
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        return None
    return (cells + [""] * (width - len(cells)))[:width]


def filled_width(cells: list[str]) -> int:
    """The number of cells up to the last one that is not empty."""
    return max((index + 1 for index, cell in enumerate(cells) if cell.strip()), default=0)


def header_key(cell: str) -> str:
    return "".join(ch for ch in cell.casefold() if ch.isalnum())


def read_header(line: int, cells: list[str]) -> Header:
    """Map each known field to its column; note the other columns and report doubled and missing ones."""
    # Empty headings at the end are Excel's stray cells. Counted, they widened every row to match: a header of a
    # million separators made each of 9,000 short rows a million cells long (a minute of one worker's time).
    cells = cells[:filled_width(cells)]
    header = Header(line, len(cells))
    headings: dict[str, str] = {}
    ignored: list[tuple[int, str]] = []
    for index, cell in enumerate(cells):
        heading = cell.strip()
        if not heading:
            continue  # a column without a heading is ignored silently (Excel adds them for stray cells)
        name = COLUMNS.get(header_key(heading))
        if name is None:
            ignored.append((index, heading))
        elif name in header.columns:
            header.problems.append(Problem(line, _("Die Spalte „%(column)s“ kommt doppelt vor.", column=heading),
                                           heading))
        else:
            header.columns[name], headings[name] = index, heading
    columns = header.columns
    if "first_name" in columns and "display_name" in columns and header_key(headings["display_name"]) == "name":
        if "last_name" not in columns:  # "Name; Vorname", as many German HR exports write the surname
            columns["last_name"] = columns.pop("display_name")
    if "display_name" in columns:  # a full name wins over its parts
        ignored.extend((columns.pop(part), headings[part]) for part in ("first_name", "last_name")
                       if part in columns)
    header.ignored = [heading for _index, heading in sorted(ignored)]
    if "email" not in columns:
        header.problems.append(Problem(line, _("Die Pflichtspalte „%(column)s“ fehlt.", column="E-Mail"),
                                       "E-Mail", hint=columns_hint()))
    if "display_name" not in columns and not {"first_name", "last_name"} <= columns.keys():
        header.problems.append(Problem(line, _("Die Pflichtspalte „Name“ fehlt (oder die Spalten „Vorname“ "
                                               "und „Nachname“)."), "Name", hint=columns_hint()))
    return header


def columns_hint() -> str:
    return _("Mögliche Spalten: E-Mail, Name oder Vorname und Nachname (Pflicht); Personalnummer, Einheit, "
             "Rollen, Sprache. Andere Spalten werden nicht übernommen.")
