"""Geometry of the dashboard's small SVG charts, computed here and drawn by ``_charts.html``.

The SVG is inline in the page, so it carries classes and presentation attributes only (the
content security policy forbids style attributes); colours come from console.css.
"""

import math

from flask_babel import get_locale

from ..i18n import text_in

WIDTH = 360
FONT_PX = 11


def label_of(choice):
    """A choice's label in the current language."""
    return text_in(choice.label, get_locale())


def _text_width(text):
    # Wide (CJK) characters take about a font size, Latin ones a little over half.
    return sum(FONT_PX if ord(ch) > 0x2E80 else FONT_PX * 0.58 for ch in str(text))


def _fit(text, width):
    text = str(text)
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def bars(rows, targets=None):
    """Horizontal bars for ``[(label, value)]``, with an optional dashed target box per row."""
    targets = list(targets or [None] * len(rows))
    # The label column fits the longest label, within limits, so short labels leave room for bars.
    longest = max((_text_width(label) for label, _v in rows), default=0)
    label_w = int(min(max(longest + 12, 60), 150))
    value_w, row_h, bar_h, top = 48, 26, 15, 4
    plot_w = WIDTH - label_w - value_w
    scale_max = max([v for _l, v in rows] + [t for t in targets if t], default=0) or 1
    items = []
    for i, ((label, value), target) in enumerate(zip(rows, targets, strict=True)):
        y = top + i * row_h
        items.append(
            {
                "label": _fit(label, label_w - 8),
                "full_label": str(label),
                "value": value,
                "target": target,
                "y": y,
                "text_y": y + bar_h - 3,
                "w": round(plot_w * value / scale_max, 1),
                "target_w": round(plot_w * target / scale_max, 1) if target else None,
                "full": bool(target) and value >= target,
                "value_x": label_w + round(plot_w * max(value, target or 0) / scale_max, 1) + 4,
            }
        )
    return {
        "width": WIDTH,
        "height": top * 2 + max(len(rows), 1) * row_h,
        "x0": label_w,
        "bar_h": bar_h,
        "items": items,
    }


def columns(series):
    """Vertical columns for ``[(date, count)]``, with a few date labels along the bottom."""
    height, left, bottom, top = 150, 30, 20, 10
    plot_w, plot_h = WIDTH - left - 6, height - top - bottom
    n = len(series)
    peak = max([v for _d, v in series], default=0)
    scale_max = max(peak, 1)
    slot = plot_w / n if n else plot_w
    gap = min(2, slot * 0.2)
    step = max(1, math.ceil(n / 6))
    items = []
    for i, (day, value) in enumerate(series):
        h = round(plot_h * value / scale_max, 1)
        x = round(left + i * slot + gap / 2, 1)
        items.append(
            {
                "x": x,
                "y": round(top + plot_h - h, 1),
                "w": round(max(slot - gap, 1), 1),
                "h": h,
                "value": value,
                "day": day.isoformat(),
                "label": day.strftime("%m-%d") if i % step == 0 else None,
                "label_x": round(x + (slot - gap) / 2, 1),
            }
        )
    return {
        "width": WIDTH,
        "height": height,
        "left": left,
        "top": top,
        "base_y": top + plot_h,
        "right": WIDTH - 6,
        "peak": peak,
        "items": items,
        "label_y": height - 5,
    }
