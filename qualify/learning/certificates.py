"""The certificate of a completed course as an A4 PDF, in the language of whoever downloads it (its holder)."""

from pathlib import Path

from flask import current_app
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _

from qualify.learning.models import Certificate

# DejaVu covers the names of everyone in the region's workforce (ł, ş, ğ, ő …), not just Latin-1.
FONTS = Path(__file__).parent / "fonts"
BRAND = (11, 83, 148)
LANGUAGE_TAGS = {"de": "de-DE", "en": "en-GB"}


def _duration(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    parts = [ngettext("%(num)d Stunde", "%(num)d Stunden", hours)] if hours else []
    if rest:
        parts.append(ngettext("%(num)d Minute", "%(num)d Minuten", rest))
    return " ".join(parts)


def _centred_with_link(pdf, sentence: str, url: str) -> None:
    """One centred line of a sentence in which the address (at "\x00") is a link a PDF reader follows."""
    before, _slot, after = sentence.partition("\x00")
    parts = [(before, ""), (url, url), (after, "")]
    pdf.set_x((pdf.w - sum(pdf.get_string_width(text) for text, _link in parts)) / 2)
    for text, link in parts:
        if not text:
            continue
        pdf.set_text_color(*(BRAND if link else (30, 30, 30)))
        pdf.set_font(style="U" if link else "")
        pdf.cell(pdf.get_string_width(text), 6, text, link=link)
    pdf.set_text_color(30, 30, 30)
    pdf.set_font(style="")
    pdf.ln(6)


def render_pdf(certificate: Certificate) -> bytes:
    """Draw the certificate: name, course, date, duration and the verification code with its address."""
    # Imported here, not at the top: fpdf2 is a fifth of the app's import time; only this download needs it.
    from fpdf import FPDF
    from fpdf.prefs import ViewerPreferences

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(_("Teilnahmezertifikat – %(course)s", course=certificate.course_title))
    pdf.set_author("Qualify")
    pdf.set_lang(LANGUAGE_TAGS.get(get_locale().language, "de-DE"))  # screen readers read it with a matching voice
    pdf.set_display_mode("fullwidth")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)  # the title in the window, not the file name
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, 186, 273)

    pdf.set_y(45)
    pdf.set_font("DejaVu", "B", 30)
    pdf.set_text_color(*BRAND)
    pdf.cell(0, 14, _("Zertifikat"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(30, 30, 30)
    pdf.set_font("DejaVu", "", 13)
    pdf.ln(12)
    pdf.cell(0, 8, _("Hiermit wird bestätigt, dass"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 22)
    pdf.multi_cell(0, 11, certificate.holder_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 13)
    pdf.cell(0, 8, _("den Kurs"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 17)
    pdf.multi_cell(0, 9, certificate.course_title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 13)
    issued = format_date(certificate.issued_at, "medium")
    pdf.cell(0, 8, _("am %(date)s erfolgreich abgeschlossen hat.", date=issued), align="C",
             new_x="LMARGIN", new_y="NEXT")
    if certificate.duration_minutes:
        pdf.ln(2)
        pdf.cell(0, 8, _("Umfang: %(duration)s", duration=_duration(certificate.duration_minutes)), align="C",
                 new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(235)
    pdf.set_font("DejaVu", "", 10)
    base = current_app.config["BASE_URL"].rstrip("/")
    pdf.cell(0, 6, _("Prüfcode: %(code)s", code=certificate.code), align="C", new_x="LMARGIN", new_y="NEXT")
    _centred_with_link(pdf, _("Echtheit prüfen: %(url)s", url="\x00"), f"{base}/verify/{certificate.code}")
    pdf.ln(4)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 6, _("Qualify · Lernen und Qualifizieren im Wandel der Fahrzeugindustrie"), align="C")
    return bytes(pdf.output())
