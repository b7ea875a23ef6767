"""Report charts: horizontal bars with confidence intervals, drawn with a local CJK font.

The font is found among the installed fonts (Debian: fonts-noto-cjk); nothing is fetched. The
figures are rendered at print resolution for the DOCX and kept as files beside a Markdown report.
"""

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

DPI = 200


@dataclass(frozen=True)
class Bar:
    """One bar: label, estimate and interval (shares in 0..1, or 0-100 scores)."""

    label: str
    estimate: float
    low: float
    high: float


def _font(size):
    # Imported here: the results package imports the reporting package for its report view.
    from ..results.charts import cjk_font

    font = cjk_font()
    if font is None:
        return {"fontsize": size}
    prop = font.copy()
    prop.set_size(size)
    return {"fontproperties": prop}


def bar_chart(bars, percent=True, note=""):
    """PNG bytes of a horizontal bar chart with error bars (no title: the caption names it)."""
    scale = 100.0 if percent else 1.0
    fig = Figure(figsize=(6.2, 0.42 * max(len(bars), 2) + 0.9), dpi=DPI)
    ax = fig.add_subplot()
    values = [scale * b.estimate for b in bars]
    low = [max(v - scale * b.low, 0) for v, b in zip(values, bars)]
    high = [max(scale * b.high - v, 0) for v, b in zip(values, bars)]
    pos = list(range(len(bars)))[::-1]
    ax.barh(pos, values, xerr=[low, high], color="#2f6f9f", ecolor="#222222", capsize=3, height=0.6)
    ax.set_yticks(pos)
    labels = [b.label if len(b.label) <= 18 else b.label[:17] + "…" for b in bars]
    ax.set_yticklabels(labels, **_font(10))
    ax.set_xlim(0, 100)
    ax.tick_params(axis="x", labelsize=9)
    ax.set_xlabel("%" if percent else "", fontsize=9)
    for p, v, hi in zip(pos, values, high):
        ax.text(min(v + hi + 1.5, 92), p, f"{v:.1f}", fontsize=9, va="center")
    ax.spines[["top", "right"]].set_visible(False)
    if note:
        fig.text(0.01, 0.01, note, **_font(8))
    fig.tight_layout(rect=(0, 0.05 if note else 0, 1, 1))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()
