"""Characters no text may carry: control characters and the marks that reorder text on screen.

A value a clerk wrote reaches pages, file names and the messages `portal check` prints to a
terminal. C0 and C1 control characters (an ANSI escape `\\x1b[2J` clears a terminal, a carriage
return overwrites the line it is on) and Unicode's bidirectional controls (U+202E makes
`gpj.exe` read `exe.jpg`) are refused in every text field (`validate`), and escaped in every
message (`problems`), so the one definition here serves both.

>>> controls("罗某\\u202e某", allow_newline=False)
[(2, '\\u202e')]
>>> escape("a\\x1b[2Jb\\u202ec")
'a\\\\x1b[2Jb\\\\u202ec'
"""

from __future__ import annotations

import unicodedata

#: Bidirectional formatting characters: embeddings and overrides (U+202A-U+202E), isolates
#: (U+2066-U+2069) and the direction marks (U+200E, U+200F, U+061C).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

UNSEEN = r"\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
"""Control, zero-width, line-separator and direction characters (a regex class body): never in a
name that becomes part of a page address (a place in regions.yaml, a picture's file name)."""

#: Allowed in every text: a tab. A newline only where a field is multi-line (schema: Text(multiline=True)).
TAB, NEWLINE = "\t", "\n"


def is_control(char: str) -> bool:
    """A C0 or C1 control character or DEL (Unicode category Cc), or a bidirectional control."""
    return unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS


def controls(text: str, allow_newline: bool) -> list[tuple[int, str]]:
    """(position, character) of every character in `text` that a text field may not hold."""
    if text.isprintable():  # C speed: no Cc and no Cf character at all (the common case)
        return []
    return [
        (index, char)
        for index, char in enumerate(text)
        if is_control(char) and char != TAB and not (allow_newline and char == NEWLINE)
    ]


def code_point(char: str) -> str:
    """`U+202E` with its Unicode name when it has one: how a message names a character it refuses."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def escape(text: str) -> str:
    """`text` safe to print on a terminal or in a CI log: every control character (newlines and tabs
    included, so a value cannot forge a line of its own) written as a Python escape."""
    if text.isprintable():
        return text
    return "".join(_escaped(char) if is_control(char) else char for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
