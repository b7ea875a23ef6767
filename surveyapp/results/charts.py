"""Server-rendered charts (matplotlib, Agg) of shares with CI error bars, in SVG and PNG.

Chinese labels need a CJK font installed on the system (Debian: fonts-noto-cjk); nothing is ever
fetched at run time. Without one the labels fall back to English and a footnote says why, so
no chart ever shows boxes instead of characters.
"""

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from flask_babel import force_locale  # noqa: E402
from flask_babel import gettext as _  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .citations import LOCALES  # noqa: E402
from .citations import domain_label  # noqa: E402
from .citations import label_of  # noqa: E402
from .presentation import headline_figures  # noqa: E402
from .presentation import row_for  # noqa: E402

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
CHARTS = ("headline", "likert", "domains")


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


def _series(results, name, lang):
    """(figures, labels, title) of chart ``name``: shares and rates with their intervals."""
    with force_locale(LOCALES[lang]):
        if name == "headline":
            chosen = [f for f in headline_figures(results) if f.is_share]
            labels = [row_for(results, f, lang).label for f in chosen]
            title = _("Headline shares")
        elif name == "likert":
            chosen = [
                results.estimate(k, "top2") for k in results.plan.likert_keys if _has(results, k)
            ]
            labels = [label_of(results, f.question, lang) for f in chosen]
            title = _("Top-two rate of each rated item")
        else:
            chosen, labels, title = _domain_series(results, lang)
    labels = [lab if len(lab) <= 22 else lab[:21] + "…" for lab in labels]
    return chosen, labels, title


def _has(results, key):
    try:
        results.estimate(key, "top2")
    except KeyError:
        return False
    return True


def _domain_series(results, lang):
    """The first share headline figure by the first comparison domain."""
    shares = [f for f in headline_figures(results) if f.is_share]
    if not results.plan.domains or not shares:
        return [], [], _("By domain")
    variable, first = results.plan.domains[0], shares[0]
    chosen = [
        f
        for f in results.figures
        if (f.question, f.statistic, f.codes) == (first.question, first.statistic, first.codes)
        and f.domain is not None
        and f.domain.variable == variable
    ]
    labels = [domain_label(results, f.domain, lang) for f in chosen]
    title = _(
        "%(figure)s by %(variable)s",
        figure=row_for(results, first, lang).label,
        variable=label_of(results, variable, lang),
    )
    return chosen, labels, title


def available(results):
    """The charts that have something to draw."""
    if results.n < 2:
        return ()
    return tuple(name for name in CHARTS if _series(results, name, "en")[0])


def chart_language(lang, font):
    """(language to draw in, footnote): Chinese needs a CJK font, else English with a note."""
    if lang == "zh" and font is None:
        return (
            "en",
            "No CJK font installed (apt-get install fonts-noto-cjk): labels shown in English.",
        )
    return lang, None


def render(results, name, fmt, lang="zh"):
    """The chart ``name`` as SVG text or PNG bytes."""
    font = cjk_font() if lang == "zh" else None
    lang, footnote = chart_language(lang, font)
    chosen, labels, title = _series(results, name, lang)
    fig = Figure(figsize=(6.0, 0.5 * max(len(chosen), 2) + 1.4), dpi=100)
    ax = fig.add_subplot()
    values = [100 * (f.estimate or 0) for f in chosen]
    low = [max(v - 100 * (f.ci_low or 0), 0) for v, f in zip(values, chosen)]
    high = [max(100 * (f.ci_high or 0) - v, 0) for v, f in zip(values, chosen)]
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
    with force_locale(LOCALES[lang]):
        note = _(
            "Error bars: %(level)s confidence intervals", level=f"{round(results.ci_level * 100)}%"
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
    with force_locale(LOCALES[lang]):
        return {
            "headline": _("Chart of the headline shares"),
            "likert": _("Chart of the top-two rates"),
            "domains": _("Chart by domain"),
        }[name]
