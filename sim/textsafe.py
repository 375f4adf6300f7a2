"""User text shown literally: control characters as visible escapes (no heavy imports: the CLI's consoles use it)."""

from __future__ import annotations

import re

# C0 and C1 control characters, DEL, and the Unicode bidirectional marks and overrides (which reorder what is shown).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def literal(text: object) -> str:
    r"""``text`` with every control character shown as a visible escape (``\\x1b``, ``\\r``, ``\\u202e``).

    Newlines and tabs are kept; markup is not touched (see :func:`sim.format.md_escape` for Markdown).
    """

    def esc(m: re.Match[str]) -> str:
        c = ord(m.group(0))
        return f"\\x{c:02x}" if c <= 0xFF else f"\\u{c:04x}"

    return _CONTROL.sub(esc, str(text))
