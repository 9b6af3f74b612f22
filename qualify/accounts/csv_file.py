"""Reading a CSV file as Excel and HR systems write it: encoding, delimiter, records and the header row.

Nothing here knows about people in the database; csv_import checks the rows and works out the changes.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

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
# The heading of each field as the messages name it, in the reader's language: each is one the file may carry.
HEADINGS = {
    "email": _l("E-Mail"), "display_name": _l("Name"), "first_name": _l("Vorname"), "last_name": _l("Nachname"),
    "personnel_number": _l("Personalnummer"), "unit": _l("Einheit"), "roles": _l("Rollen"), "language": _l("Sprache"),
}
MAX_LINES_NAMED = 10


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
        elif b"\x00" in data:
            text = "\x00"
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = _decode_legacy(data)
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:  # a spreadsheet (.xlsx is a ZIP archive) or another binary file
        raise ImportFileError(_("Die Datei ist keine lesbare CSV-Datei. Bitte speichern Sie die Tabelle "
                                "als „CSV UTF-8“ oder „CSV (Trennzeichen-getrennt)“."))
    return text


def _decode_legacy(data: bytes) -> str:
    """Read a file that is not UTF-8 as Windows-1252, as Excel writes "CSV (Trennzeichen-getrennt)".

    Refused, naming the lines: a UTF-8 file into which lines of another encoding were pasted (read as
    Windows-1252, each of its umlauts would become two letters: "JÃ¶rg"). A line with letters beyond ASCII that
    reads as UTF-8 is that file's mark; a Windows-1252 line almost never does (in UTF-8 a byte such as "ä", 0xE4,
    must be followed by bytes from 0x80 to 0xBF, in Windows-1252 rare characters such as "€", "“" and "©").
    Refused, naming the line and position: a byte that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90,
    0x9D). In ISO-8859-1 these are control characters, not letters: such a file has another encoding (in DOS
    code page 850, 0x81 is "ü"), and read as Latin-1 its names would lose letters.
    """
    lines = data.splitlines()  # at \n, \r\n and \r, as the CSV reader counts lines
    utf8, other = [], []
    for number, line in enumerate(lines, 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8.append(number)
        except UnicodeDecodeError:
            other.append(number)
    if utf8:
        named = ", ".join(str(number) for number in other[:MAX_LINES_NAMED])
        if len(other) > MAX_LINES_NAMED:
            named = _("%(lines)s und %(more)d weitere", lines=named, more=len(other) - MAX_LINES_NAMED)
        raise ImportFileError(ngettext(
            "Die Datei ist als UTF-8 gespeichert, Zeile %(lines)s aber in einer anderen Zeichenkodierung "
            "(etwa Windows-1252): Umlaute darin würden verfälscht. Bitte speichern Sie die Tabelle noch einmal "
            "als „CSV UTF-8“.",
            "Die Datei ist als UTF-8 gespeichert, die Zeilen %(lines)s aber in einer anderen Zeichenkodierung "
            "(etwa Windows-1252): Umlaute darin würden verfälscht. Bitte speichern Sie die Tabelle noch einmal "
            "als „CSV UTF-8“.", len(other), lines=named), line=other[0])
    for number, line in enumerate(lines, 1):
        try:
            line.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportFileError(_("Das Zeichen an Stelle %(position)d dieser Zeile (Byte %(byte)s) gibt es "
                                    "weder in UTF-8 noch in Windows-1252: Die Datei hat eine andere "
                                    "Zeichenkodierung. Bitte speichern Sie die Tabelle als „CSV UTF-8“.",
                                    position=error.start + 1, byte=f"0x{line[error.start]:02X}"),
                                  line=number) from error
    return data.decode("cp1252")


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
    if len(cells) == 1 and not columns and (problem := delimiter_problem(cells[0])):
        header.ignored = []  # not a column called "E-Mail|Name|Einheit"
        header.problems.append(Problem(line, problem))
        return header
    if "email" not in columns:
        header.problems.append(Problem(line, _("Die Pflichtspalte „%(column)s“ fehlt.", column=HEADINGS["email"]),
                                       str(HEADINGS["email"]), hint=columns_hint()))
    if "display_name" not in columns and not {"first_name", "last_name"} <= columns.keys():
        header.problems.append(Problem(line, _("Die Pflichtspalte „%(name)s“ fehlt (oder die Spalten „%(first)s“ "
                                               "und „%(last)s“).", name=HEADINGS["display_name"],
                                               first=HEADINGS["first_name"], last=HEADINGS["last_name"]),
                                       str(HEADINGS["display_name"]), hint=columns_hint()))
    return header


def delimiter_problem(heading: str) -> str | None:
    """Say that the header line was not split into columns, if its one heading holds several ("E-Mail|Name"),
    and by what character it seems to be split; None if it does not."""
    for char in dict.fromkeys(ch for ch in heading if not ch.isalnum()):
        if sum(1 for part in heading.split(char) if header_key(part) in COLUMNS) < 2:
            continue
        if char.isspace():
            return _("Das Trennzeichen wurde nicht erkannt: Zwischen den Spalten wird Semikolon, Komma oder "
                     "Tabulator erwartet.")
        return _("Das Trennzeichen wurde nicht erkannt: Die Spalten sind durch „%(found)s“ getrennt, erwartet "
                 "wird Semikolon, Komma oder Tabulator.", found=char)
    return None


def columns_hint() -> str:
    return _("Mögliche Spalten: %(email)s, %(name)s oder %(first)s und %(last)s (Pflicht); %(optional)s. Andere "
             "Spalten werden nicht übernommen.", email=HEADINGS["email"], name=HEADINGS["display_name"],
             first=HEADINGS["first_name"], last=HEADINGS["last_name"],
             optional=", ".join(str(HEADINGS[name]) for name in ("personnel_number", "unit", "roles", "language")))
