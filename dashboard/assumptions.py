"""The assumptions panel of each page: what the numbers shown rest on, with the model documentation.

Each assumption is one translated sentence and the section of ``docs/MODEL.md`` that states it in
full; the panel shows the sentence, the section's number and title, and the section's own text
on demand (read from the file shipped with the project, so the link can never point elsewhere).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import streamlit as st

from dashboard.text import T

MODEL_DOC = Path(__file__).resolve().parents[1] / "docs" / "MODEL.md"

#: Assumption id -> the section number of docs/MODEL.md that states it.
SECTIONS: dict[str, str] = {
    "ledger": "3.4",
    "kpis": "3.5",
    "messaging": "3.3.8",
    "referral": "3.3.9",
    "membership": "3.3.7",
    "compliance": "3.3.10",
    "acquisition": "3.3.3",
    "auction": "3.3.2",
    "purchase": "3.3.4",
    "joining": "3.3.6",
    "scale": "1.2",
    "limits": "3.7",
    "parameters": "3.8",
}

#: The assumptions behind each page, most important first.
PAGES: dict[str, tuple[str, ...]] = {
    "compare": ("scale", "ledger", "kpis", "messaging", "referral", "membership", "compliance", "limits"),
    "whatif": ("scale", "acquisition", "auction", "messaging", "referral", "membership", "compliance", "limits"),
    "explore": ("parameters", "kpis", "scale", "limits"),
    "journeys": ("scale", "joining", "purchase", "messaging", "referral"),
    "learn": ("messaging", "referral", "membership", "compliance", "limits"),
    "editor": ("parameters", "scale", "limits"),
    "decide": ("ledger", "kpis", "scale", "parameters", "compliance", "limits"),
}


@lru_cache(maxsize=1)
def _doc_sections() -> dict[str, tuple[str, str]]:
    """Section number -> (heading, text) of docs/MODEL.md."""
    try:
        text = MODEL_DOC.read_text(encoding="utf-8")
    except OSError:
        return {}
    out: dict[str, tuple[str, str]] = {}
    heads = list(re.finditer(r"^(#{2,4}) (\d+(?:\.\d+)*)\.? (.+)$", text, flags=re.MULTILINE))
    for i, m in enumerate(heads):
        end = len(text)
        for n in heads[i + 1:]:
            if len(n.group(1)) <= len(m.group(1)):
                end = n.start()
                break
        out[m.group(2)] = (m.group(3).strip(), text[m.end():end].strip())
    return out


def section(number: str) -> tuple[str, str] | None:
    """(heading, text) of a numbered section of docs/MODEL.md, or ``None``."""
    return _doc_sections().get(number)


def panel(page: str) -> None:
    """The assumptions panel of ``page`` (an expander at the foot of the page)."""
    with st.expander(T("assume.title"), icon=":material/fact_check:"):
        st.caption(T("assume.intro"))
        for aid in PAGES[page]:
            num = SECTIONS[aid]
            sec = section(num)
            ref = T("assume.ref", number=num, title=sec[0] if sec else "")
            st.markdown(f"- {T(f'assume.{aid}')} — *{ref}*")
        pick = st.selectbox(T("assume.read"), [SECTIONS[a] for a in PAGES[page]], index=None,
                            key=f"assume_{page}", placeholder=T("assume.read_pick"),
                            format_func=lambda n: f"§{n} {section(n)[0] if section(n) else ''}")
        if pick and section(pick):
            st.markdown(section(pick)[1])
