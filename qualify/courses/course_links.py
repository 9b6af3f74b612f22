"""What a link or image in a course's text may point to, and what the loader says when it may not."""

import re
from pathlib import PurePosixPath
from urllib.parse import unquote

from flask_babel import gettext as _

from qualify.core.markdown import links


def link_problems(body: str, body_line: int, files, link_targets: set[str]) -> list[tuple[int, str, str]]:
    """(line, message, target) for each link and image in a Markdown text (its first line the file's
    `body_line`) that the renderer would drop, or that points to a file the course does not publish:
    `link_targets` are those it does, `files` all its files (a question bank among them stays hidden: it holds
    the answers). `target`: the file a link points to, "" for one dropped."""
    problems = []
    for link in links(body):
        if link.dropped:
            problems.append((body_line + link.line, _dropped(link), ""))
        elif link.relative:
            problem = _target_problem(link.url, files, link_targets)
            if problem:
                problems.append((body_line + link.line, *problem))
    return problems


def _target_problem(url: str, files, link_targets: set[str]) -> tuple[str, str] | None:
    """(message, target) when a link within the course points where it may not, else None."""
    target = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if not target:
        return None
    shown = unquote(url)
    if ".." in PurePosixPath(target).parts:
        message = _("Der Link „%(url)s“ verlässt den Kursordner: Verweisen Sie nur auf Dateien im "
                    "Kurs.", url=shown)
    elif target in files and target not in link_targets:
        message = _("Der Link „%(url)s“ zeigt auf eine Fragensammlung. Die bleibt verborgen, weil "
                    "sie die Antworten enthält; verlinken Sie Dateien aus medien/.", url=shown)
    elif target not in link_targets and _meant(target, link_targets):
        message = _("Der Link „%(url)s“ zeigt auf eine Datei, die es im Kurs nicht gibt. Meinten Sie "
                    "„%(guess)s“?", url=shown, guess=_meant(target, link_targets))
    elif target not in link_targets:
        message = _("Der Link „%(url)s“ zeigt auf eine Datei, die es im Kurs nicht gibt.", url=shown)
    else:
        return None
    return message, target


def _meant(target: str, link_targets: set[str]) -> str | None:
    """The file a link most likely meant: written with ./ in front, or in other capitals (which a
    computer that ignores them showed as it should, before the course came here)."""
    written = re.sub(r"^(\./)+", "", target).lower()
    return next((path for path in sorted(link_targets) if path.lower() == written), None)


def _dropped(link) -> str:
    """Say that a link or image would be left out, and which ones are kept."""
    url = unquote(link.url)
    url = url if len(url) <= 60 else url[:59] + "…"
    if link.image:
        return _("Das Bild „%(url)s“ würde nicht angezeigt: Bilder zeigen Dateien des Kurses (medien/…), "
                 "Adressen mit http:// oder https:// oder eingebettete Bilder (data:image/png, jpeg, gif, webp).",
                 url=url)
    return _("Der Link „%(url)s“ würde entfernt: Erlaubt sind Links mit http://, https://, mailto: und tel: "
             "und Links auf Dateien des Kurses.", url=url)
