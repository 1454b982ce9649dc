"""Text for a terminal: what the data holds is shown, never obeyed (no escape sequence reaches the
screen).
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text safe for a terminal: control characters (escape sequences among them) dropped, tabs and newlines kept.

    Examples:
        >>> printable("Title\\x1b]0;owned\\x07 here")
        'Title]0;owned here'
    """
    return _CONTROL.sub("", text)
