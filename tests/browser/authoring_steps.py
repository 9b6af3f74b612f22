"""What a trainer does on the way to what a test of the authoring pages is about: a course, a module, a question
bank, each made through its form as a person makes it."""

from playwright.sync_api import expect


def create_course(page, slug: str = "probe", title: str = "Probekurs") -> None:
    """Create a draft course on /autoren/ (from there, or going there first); the page is its editor then."""
    if not page.url.endswith("/autoren/"):
        page.goto("/autoren/")
    page.get_by_label("Kürzel").fill(slug)
    page.get_by_label("Titel").fill(title)
    page.get_by_role("button", name="Kurs anlegen").click()
    expect(page.get_by_role("heading", level=1).first).to_have_text(title)


def add_module(page, number: int, slug: str, title: str) -> None:
    """Add a module on the course editor's page; the page is the module's editor then."""
    page.get_by_text("Modul hinzufügen").click()
    page.get_by_label("Nummer").fill(str(number))
    page.locator("#module input[name=slug]").fill(slug)
    page.locator("#module input[name=title]").fill(title)
    page.get_by_role("button", name="Modul anlegen").click()
    expect(page.get_by_role("heading", level=1).first).to_have_text(title)


def add_bank(page, name: str) -> None:
    """Add an empty question bank on the course editor's page; the page is the bank's editor then."""
    page.get_by_text("Fragensammlung hinzufügen").click()
    page.get_by_label("Name der Fragensammlung").fill(name)
    page.get_by_role("button", name="Fragensammlung anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fragensammlung fragen/{name}.gift")
