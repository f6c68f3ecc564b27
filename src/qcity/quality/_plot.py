"""Drawing a control chart to PNG, SVG or a self-contained HTML page (inline SVG, no network).

Uses matplotlib's object API (``Figure``, no pyplot state): PNG through Agg, SVG through the
SVG backend, so it works headless.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from qcity.errors import InputError
from qcity.spc.charts import ChartResult

PLOT_SUFFIXES = (".png", ".svg", ".html")
_TITLES = {
    "xbar-r": "X̄ chart",
    "xbar-s": "X̄ chart",
    "i-mr": "Individuals chart",
    "r": "R chart",
    "s": "S chart",
    "mr": "Moving-range chart",
    "cusum": "CUSUM (upper sums)",
    "cusum-lower": "CUSUM (lower sums)",
}


def check_plot_path(path: Path) -> None:
    """Refuse a plot file whose suffix is not .png, .svg or .html (before any work is done)."""
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise InputError(
            f"{path}: cannot draw a {path.suffix or 'suffix-less'} file; "
            f"use {', '.join(PLOT_SUFFIXES)}"
        )


def _limit_line(ax: Axes, x: np.ndarray, limit: object, label: str) -> None:
    values = np.broadcast_to(np.asarray(limit, dtype=np.float64), x.shape)
    if np.isfinite(values).any():
        ax.step(x, values, where="mid", color="tab:red", linestyle="--", linewidth=1, label=label)


def _panel(ax: Axes, result: ChartResult, mark: bool) -> None:
    points = np.asarray(result.points, dtype=np.float64)
    x = np.arange(1, points.size + 1)
    ax.plot(x, points, color="tab:blue", marker="o", markersize=3, linewidth=1)
    ax.axhline(result.center, color="tab:green", linewidth=1, label="center")
    _limit_line(ax, x, result.lcl, "LCL")
    _limit_line(ax, x, result.ucl, "UCL")
    if mark and result.violations.size:
        idx = result.violations[:, 1]
        ax.plot(x[idx], points[idx], "o", color="tab:red", markersize=7, fillstyle="none")
        for rule, i in result.violations.tolist():
            ax.annotate(str(rule), (x[i], points[i]), textcoords="offset points", xytext=(4, 4),
                        color="tab:red", fontsize=7)  # fmt: skip
    ax.set_title(_TITLES.get(result.chart_type, f"{result.chart_type} chart"), fontsize=10)
    ax.grid(alpha=0.3)


def _figure(result: ChartResult) -> Figure:
    panels = [result] if result.secondary is None else [result, result.secondary]
    fig = Figure(figsize=(9, 3.2 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for i, (ax, panel) in enumerate(zip(axes, panels, strict=True)):
        _panel(ax, panel, mark=i == 0 or panel.violations.size > 0)
    axes[-1].set_xlabel("point")
    return fig


def _html_page(svg: str, result: ChartResult, title: str) -> str:
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg[svg.index("<svg") :], flags=re.DOTALL)
    rows = (
        "".join(f"<tr><td>{i}</td><td>{r}</td></tr>" for r, i in result.violations.tolist())
        or '<tr><td colspan="2">none</td></tr>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:sans-serif;margin:1.5rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}</style>\n"
        f"</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{svg}\n"
        "<h2>Violations</h2>\n<table><tr><th>index (0-based)</th><th>rule</th></tr>"
        f"{rows}</table>\n</body>\n</html>\n"
    )


def draw_chart(result: ChartResult, path: Path, title: str = "") -> None:
    """Draw ``result`` (and its secondary chart) with violations circled and numbered by rule.

    Parameters
    ----------
    result : ChartResult
        The chart to draw.
    path : Path
        ``.png`` or ``.svg`` (an image), or ``.html`` (a page with the inline SVG).
    title : str
        Figure title (the file name by default).
    """
    check_plot_path(path)
    fig = _figure(result)
    fig.suptitle(title or path.stem)
    suffix = path.suffix.lower()
    try:
        if suffix == ".html":
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg")
            path.write_text(_html_page(buffer.getvalue(), result, title or path.stem), "utf-8")
        else:
            fig.savefig(path, format=suffix[1:], dpi=120)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the plot: {exc.strerror or exc}") from None
