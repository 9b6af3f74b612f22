"""What a person copying part of a page gets: the text of an element as the browser selects it."""

_SELECT_ALL_OF = """element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  return getSelection().toString();
}"""


def copied_text(locator) -> str:
    """Select the whole element (as a drag over it would) and return the selection's text: what a copy holds."""
    return locator.evaluate(_SELECT_ALL_OF)
