"""PNG export (kaleido 1.x drives a locally installed Chrome/Chromium; it never downloads one here)."""

from __future__ import annotations

import plotly.graph_objects as go


class PngExportUnavailable(RuntimeError):
    """Raised when a figure cannot be rendered to PNG (no kaleido, or no Chrome/Chromium found)."""


def png_export_problem() -> str | None:
    """``None`` if PNG export should work here, else why not (cheap: looks for kaleido and a browser)."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "the 'kaleido' package is not installed"
    path = None
    try:
        from choreographer.browsers.chromium import Chromium

        path = Chromium.find_browser(skip_local=False)
    except Exception:  # noqa: BLE001 - best-effort search; fall back to PATH
        path = None
    if not path:
        import shutil

        path = next((p for n in ("chromium", "chromium-browser", "google-chrome", "chrome")
                     if (p := shutil.which(n))), None)
    if not path:
        return "no Chrome or Chromium browser was found on the server (install one, e.g. 'apt-get install chromium')"
    return None


def to_png(fig: go.Figure, *, width: int = 1100, height: int | None = None, scale: float = 2.0) -> bytes:
    """Render a figure to PNG bytes with kaleido.

    Raises:
        PngExportUnavailable: With a plain explanation when kaleido or a browser is missing.
    """
    try:
        import kaleido  # noqa: F401
    except ImportError as exc:  # pragma: no cover - kaleido is a dependency
        raise PngExportUnavailable("PNG export needs the 'kaleido' package (pip install kaleido)") from exc
    h = height or int(fig.layout.height or 420)
    try:
        return fig.to_image(format="png", width=width, height=h, scale=scale)
    except Exception as exc:  # kaleido reports a missing browser in several ways
        raise PngExportUnavailable(
            "PNG export needs Chrome or Chromium installed on the server (e.g. 'apt-get install chromium'): "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from None
