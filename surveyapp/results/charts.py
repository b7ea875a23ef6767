"""Server-rendered charts (matplotlib, Agg) of shares with CI error bars, in SVG and PNG.

Chinese labels need a CJK font installed on the system (Debian: fonts-noto-cjk); nothing is ever
fetched at run time. Without one the labels fall back to English and a footnote says why, so
no chart ever shows boxes instead of characters.
"""

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ..i18n import text_in  # noqa: E402
from .citations import label_of  # noqa: E402

CJK_NAMES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "SimHei",
)
CHARTS = ("awareness", "satisfaction", "districts")


@lru_cache(maxsize=1)
def cjk_font():
    """A FontProperties for an installed CJK font, or None."""
    installed = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for name in CJK_NAMES:
        if name in installed:
            return font_manager.FontProperties(fname=installed[name])
    for f in font_manager.findSystemFonts():
        if "CJK" in f or "cjk" in f:
            return font_manager.FontProperties(fname=f)
    return None


def _series(results, definition, name, lang):
    rows = results["estimates"]
    if name == "awareness":
        chosen = [
            r
            for r in rows
            if r["question"] == "awareness" and r["domain"] is None and r["category"] != "1-3"
        ]
        labels = [label_of(definition, "awareness", r["category"], lang) for r in chosen]
        title = {"zh": "对“数字城管”的知晓程度", "en": "Awareness of the programme"}[lang]
    elif name == "satisfaction":
        chosen = [r for r in rows if r["kind"] == "rate" and r["domain"] is None]
        labels = [label_of(definition, r["question"], None, lang) for r in chosen]
        title = {"zh": "满意率（非常满意+比较满意）", "en": "Satisfaction rate (top two)"}[lang]
    else:
        from .citations import domain_label

        chosen = [
            r
            for r in rows
            if r["kind"] == "rate"
            and r["question"] == "sat_overall"
            and r["domain"]
            and "district" in r["domain"]
        ]
        labels = [domain_label(definition, r["domain"], lang) for r in chosen]
        title = {"zh": "各区总体满意率", "en": "Overall satisfaction rate by district"}[lang]
    labels = [lab if len(lab) <= 22 else lab[:21] + "…" for lab in labels]
    return chosen, labels, title


def chart_language(lang, font):
    """(language to draw in, footnote): Chinese needs a CJK font, else English with a note."""
    if lang == "zh" and font is None:
        return (
            "en",
            "No CJK font installed (apt-get install fonts-noto-cjk): labels shown in English.",
        )
    return lang, None


def render(results, definition, name, fmt, lang="zh"):
    """The chart ``name`` as SVG text or PNG bytes."""
    font = cjk_font() if lang == "zh" else None
    lang, footnote = chart_language(lang, font)
    chosen, labels, title = _series(results, definition, name, lang)
    fig = Figure(figsize=(6.0, 0.5 * max(len(chosen), 2) + 1.4), dpi=100)
    ax = fig.add_subplot()
    values = [100 * (r["estimate"] or 0) for r in chosen]
    low = [v - 100 * (r["ci"][0] or 0) for v, r in zip(values, chosen)]
    high = [100 * (r["ci"][1] or 0) - v for v, r in zip(values, chosen)]
    pos = list(range(len(chosen)))[::-1]
    ax.barh(pos, values, xerr=[low, high], color="#2f6f9f", ecolor="#222222", capsize=3, height=0.6)
    ax.set_yticks(pos)

    def styled(size):
        if font is None:
            return {"fontsize": size}
        prop = font.copy()
        prop.set_size(size)
        return {"fontproperties": prop}

    ax.set_yticklabels(labels, **styled(12))
    ax.tick_params(axis="x", labelsize=11)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%", fontsize=11)
    ax.set_title(title, **styled(14))
    for p, v, hi in zip(pos, values, high):
        ax.text(min(v + hi + 1.5, 90), p, f"{v:.1f}", fontsize=11, va="center")
    ax.spines[["top", "right"]].set_visible(False)
    level = round(results["settings"]["ci_level"] * 100)
    note = (
        f"误差线：{level}%置信区间"
        if lang == "zh" and font is not None
        else f"Error bars: {level}% confidence intervals"
    )
    fig.text(
        0.01,
        0.01,
        note if footnote is None else f"{note}. {footnote}",
        **(styled(10) if lang == "zh" else {"fontsize": 10}),
    )
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    data = buf.getvalue()
    return data.decode("utf-8") if fmt == "svg" else data


def chart_title(name, lang):
    """The alt text of a chart."""
    return text_in(
        {
            "awareness": {"zh": "知晓程度图", "en": "Awareness chart"},
            "satisfaction": {"zh": "满意率图", "en": "Satisfaction chart"},
            "districts": {"zh": "各区满意率图", "en": "District chart"},
        }[name],
        lang,
    )
