"""Arranging typed results into titled tables with labels and sentences (page and reports)."""

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from ..i18n import text_in
from .citations import LOCALES
from .citations import choice_labels
from .citations import domain_label
from .citations import fmt
from .citations import label_of
from .citations import sentence
from .labels import flag_text

CHANNEL = "channel"


def statistic_name(statistic):
    """The name of a statistic in the current language."""
    return {
        "dist": _("share of answers"),
        "share": _("share"),
        "top2": _("top-two rate"),
        "score": _("mean score (0–100)"),
        "index": _("index (0–100)"),
        "mean": _("mean"),
        "nps": _("net promoter score"),
        "median": _("median"),
        "q1": _("lower quartile"),
        "q3": _("upper quartile"),
    }[statistic]


@dataclass(frozen=True)
class Row:
    """A figure as the page and the reports show it."""

    figure: object
    key: str
    label: str
    what: str
    domain_label: str | None
    value: str
    ci_text: str
    n_eff_text: str
    deff_text: str
    # None for a figure with reliability flags: it is shown, marked, but offered for no citation.
    sentence_zh: str | None
    sentence_en: str | None
    flag_text: str = ""

    def __getattr__(self, name):
        # estimate, ci_low, ci_high, n, ... of the figure
        return getattr(self.figure, name)


@dataclass(frozen=True)
class Section:
    """A titled table of rows (``kind``: headline, question, domain)."""

    id: str
    title: str
    kind: str
    rows: tuple
    question: str | None = None
    note: str | None = None


def _label(results, figure, lang, section_question):
    """The row label: the headline's own label, else question/item and choices.

    Inside a question's own section the question text is the section title, so the label keeps
    only the item and the choices.
    """
    plan = results.plan
    if figure.statistic == "share":
        for h in plan.headlines:
            if (h.question, sorted(h.codes)) == (figure.question, sorted(figure.codes)) and h.label:
                return text_in(h.label, lang)
    parts = []
    if figure.question != section_question:
        parts.append(label_of(results, figure.question, lang))
    if figure.codes and figure.statistic in ("dist", "share"):
        parts.append(choice_labels(results, figure.question, figure.codes, lang))
    return "：".join(parts) or statistic_name(figure.statistic)


def row_for(results, figure, lang, section_question=None):
    """A :class:`Row` with formatted values, labels and both sentences (none when flagged)."""
    with force_locale(LOCALES[lang]):
        label = _label(results, figure, lang, section_question)
        what = statistic_name(figure.statistic)
        if what == label:
            what = ""
        domain = domain_label(results, figure.domain, lang)
        flags = flag_text(figure.flags)
    cite = figure.reliable
    # A share fixed by the weighting margins has no sampling variance: no n_eff to show.
    exact = figure.deff is not None and figure.deff < 1e-6
    return Row(
        figure=figure,
        key=figure.key,
        label=label,
        what=what,
        domain_label=domain,
        value=fmt(figure, figure.estimate),
        ci_text=f"{fmt(figure, figure.ci_low)} – {fmt(figure, figure.ci_high)}",
        n_eff_text="–" if figure.n_eff is None or exact else f"{figure.n_eff:.0f}",
        deff_text="–" if figure.deff is None or exact else f"{figure.deff:.2f}",
        sentence_zh=sentence(results, figure, "zh") if cite else None,
        sentence_en=sentence(results, figure, "en") if cite else None,
        flag_text=flags,
    )


def headline_keys(results):
    """``(question, statistic, codes)`` of the plan's headline figures, in order."""
    plan = results.plan
    keys = []
    if plan.index is not None:
        keys.append((plan.index.key, "index", ()))
    if plan.overall is not None:
        keys.append((plan.overall, "top2", plan.scale(plan.overall).top))
        keys.append((plan.overall, "score", ()))
    keys += [(h.question, "share", h.codes) for h in plan.headlines]
    return keys


def headline_figures(results, domain=None):
    """The headline figures (whole sample or one domain) that exist in the results."""
    out = []
    for question, statistic, codes in headline_keys(results):
        try:
            out.append(results.estimate(question, statistic, codes, domain))
        except KeyError:
            continue
    return out


def domain_values(results, variable):
    """The values of a domain variable that have figures, in order of first appearance."""
    seen = []
    for f in results.figures:
        if f.domain is not None and f.domain.variable == variable and f.domain.value not in seen:
            seen.append(f.domain.value)
    return seen


def sections(results, lang):
    """The page's tables, in order: headline figures, every question, headline figures by domain.

    Arranged once per results object and language (the results are cached, so are these).
    """
    return results.memo(("sections", lang), lambda: _sections(results, lang))


def _sections(results, lang):
    by_key = {f.key: f for f in results.figures}
    out = []
    headline = headline_figures(results)
    if headline:
        with force_locale(LOCALES[lang]):
            title = _("Headline figures")
        out.append(
            Section(
                "headline", title, "headline", tuple(row_for(results, f, lang) for f in headline)
            )
        )
    for summary in results.summaries:
        rows = tuple(
            row_for(results, by_key[k], lang, summary.key) for k in summary.figures if k in by_key
        )
        q = results.definition.question(summary.key)
        out.append(
            Section(
                f"q-{summary.key}",
                text_in(q.text, lang),
                "question",
                rows,
                question=summary.key,
            )
        )
    for variable in (*results.plan.domains, CHANNEL):
        figures = [
            f
            for value in domain_values(results, variable)
            for f in headline_figures(results, (variable, value))
        ]
        if not figures:
            continue
        with force_locale(LOCALES[lang]):
            title = (
                _("By channel")
                if variable == CHANNEL
                else _("By %(variable)s", variable=label_of(results, variable, lang))
            )
        out.append(
            Section(
                f"by-{variable}", title, "domain", tuple(row_for(results, f, lang) for f in figures)
            )
        )
    return out
