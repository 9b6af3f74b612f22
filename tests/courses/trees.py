"""Write small course trees into a folder from dicts, so each test shows the files it is about."""

from pathlib import Path

from qualify.courses.loader import load_tree
from qualify.courses.sources import Problem

COURSE_MD = "---\ntitle: Kurs\n---\n\n# Kurs\n"
MODULE_MD = "---\ntitle: Start\n---\n\n# Start\n\nText.\n"


def page(*front_matter: str, body: str = "") -> str:
    """Return a Markdown file: front matter lines from line 2 on, then the body after the closing ---."""
    return "---\n" + "".join(line + "\n" for line in front_matter) + "---\n" + body


def lines(*text: str) -> str:
    """Join lines with newlines, so a test can count them: the nth argument is line n of its block."""
    return "".join(line + "\n" for line in text)


def write_tree(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write {relative path: text or bytes} under root (None leaves the file out) and return root."""
    for name, content in files.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def write_course(root: Path, files: dict[str, str | bytes | None] | None = None, *, slug: str = "kurs"
                 ) -> Path:
    """Write one valid course (course.md, 01-start.md) under root/slug, changed by files; return root."""
    merged = {"course.md": COURSE_MD, "01-start.md": MODULE_MD, **(files or {})}
    return write_tree(root, {f"{slug}/{name}": content for name, content in merged.items()})


def problems(root: Path) -> list[Problem]:
    """Return what the loader finds wrong with the tree under root."""
    return load_tree(root).problems


def only_problem(root: Path) -> tuple[str, int, str]:
    """Return (file, line, message) of the one problem in the tree; fail when there are none or several."""
    found = problems(root)
    assert len(found) == 1, [str(problem) for problem in found]
    return found[0].file, found[0].line, found[0].message
