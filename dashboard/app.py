"""Entry point of the dashboard: ``streamlit run dashboard/app.py`` (or ``bash scripts/dashboard.sh``).

Six pages, switchable from the sidebar, with the interface language (English, 简体中文, 日本語)
chosen in the sidebar at any time. The landing page compares China-in-China with Japan-in-Japan.

Server settings come from ``dashboard/.streamlit/config.toml`` (read whatever the working folder);
the app refuses to serve when the server listens beyond this machine without
``SIM_DASHBOARD_ALLOW_REMOTE=1`` or accepts uploads above 1 MB (see :mod:`dashboard.settings`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402
import streamlit.commands.navigation as _nav  # noqa: E402

from dashboard import common as C  # noqa: E402
from dashboard.settings import server_problem  # noqa: E402
from dashboard.text import streamlit_text_css  # noqa: E402

C.init_language()
st.set_page_config(page_title=C.T("app.title"), page_icon=":material/hub:", layout="wide")
st.set_option("client.showErrorDetails", "none")
st.set_option("client.toolbarMode", "minimal")

# A browser connection has request headers; a bare script or AppTest (no server listening) has none.
problem = bool(st.context.headers) and server_problem(st.get_option("server.address") or "",
                                              int(st.get_option("server.maxUploadSize")))
if problem:
    st.error(C.T("app.unsafe_server", setting=problem))
    st.stop()


def _not_found(ctx: object) -> None:
    """Streamlit's English "Page not found" dialog replaced by a translated notice on the landing page."""
    st.session_state["_page_not_found"] = True


if hasattr(_nav, "send_page_not_found"):
    _nav.send_page_not_found = _not_found

C.language_selector()
st.html(streamlit_text_css())  # only our own translations, never user text
_VIEWS = Path(__file__).resolve().parent / "views"
pages = [
    st.Page(_VIEWS / "compare.py", title=C.T("nav.compare"), icon=":material/compare_arrows:", url_path="compare",
            default=True),
    st.Page(_VIEWS / "whatif.py", title=C.T("nav.whatif"), icon=":material/tune:", url_path="what-if"),
    st.Page(_VIEWS / "explore.py", title=C.T("nav.explore"), icon=":material/travel_explore:", url_path="explore"),
    st.Page(_VIEWS / "decide.py", title=C.T("nav.decide"), icon=":material/balance:", url_path="decide"),
    st.Page(_VIEWS / "journeys.py", title=C.T("nav.journeys"), icon=":material/route:", url_path="journeys"),
    st.Page(_VIEWS / "learn.py", title=C.T("nav.learn"), icon=":material/school:", url_path="learn"),
    st.Page(_VIEWS / "editor.py", title=C.T("nav.editor"), icon=":material/edit_document:", url_path="editor"),
]
page = st.navigation(pages)
# the default page also answers to its own path (/compare), which Streamlit reports as not found
_asked = urlparse(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
if st.session_state.pop("_page_not_found", False) and _asked not in ("", "compare"):
    st.warning(C.T("app.not_found"), icon=":material/help:")
with st.sidebar:
    st.caption(C.T("app.about"))
    st.caption(C.caps_note())
    if C.test_mode():
        st.caption(C.T("app.test_mode"))
page.run()
