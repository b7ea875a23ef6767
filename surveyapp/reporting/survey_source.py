"""THE adapter between a survey's results and the report (the only module here that reads them).

It turns the typed :class:`~surveyapp.results.model.Results` of
:func:`surveyapp.results.compute.compute_results` (with the sentences, labels and tables of
:mod:`surveyapp.results.citations` and :mod:`surveyapp.results.presentation`) into the small
frozen dataclasses the report composes.
"""

from dataclasses import dataclass

import numpy as np
from flask_babel import force_locale
from flask_babel import gettext as _

from ..channels import channel_name
from ..i18n import text_in
from ..results import settings as settings_service
from ..results.citations import LOCALES
from ..results.citations import domain_label
from ..results.citations import label_of
from ..results.citations import method_name
from ..results.citations import methods_paragraph
from ..results.citations import pct
from ..results.citations import pts
from ..results.compute import compute_results
from ..results.data import load_frame
from ..results.labels import p_text
from ..results.model import SHARE_STATISTICS
from ..results.model import Domain
from ..results.presentation import sections
from .charts import Bar

LANG = "zh"


@dataclass(frozen=True)
class FigureRow:
    """One published estimate, formatted."""

    label: str
    what: str
    domain: str
    value: str
    ci: str
    n: int
    n_eff: str
    deff: str
    sentence: str  # "" for a flagged figure: it is cited nowhere
    bar: Bar | None
    flagged: bool = False


@dataclass(frozen=True)
class FigureTable:
    """A titled group of estimates (whole sample, or one domain variable)."""

    title: str
    rows: tuple[FigureRow, ...]
    by_domain: bool


@dataclass(frozen=True)
class MarginRow:
    """One cell of a weighting margin: sample, population and weighted shares."""

    variable: str
    category: str
    sample_share: float | None
    population_share: float | None
    weighted_share: float | None


@dataclass(frozen=True)
class Comparison:
    """A difference between two domains or two waves, with its interval and significance."""

    label: str
    a: str
    b: str
    difference: str
    ci: str
    p_value: str
    significant: bool


@dataclass(frozen=True)
class Indicator:
    """A survey rubric indicator with points at the estimate and at the CI ends."""

    name: str
    value: str
    ci: str
    weight: float
    points: float | None
    points_low: float | None
    points_high: float | None
    settled: bool


@dataclass(frozen=True)
class Question:
    """A questionnaire entry for the appendix."""

    number: int
    text: str
    answers: str


@dataclass(frozen=True)
class SurveyFacts:
    """Everything the survey section of a report states."""

    key: str
    title: str
    n: int
    first: str | None
    last: str | None
    channels: tuple[tuple[str, int], ...]
    n_excluded: int
    methods: str
    weighting: str
    weighting_error: str | None
    margins: tuple[MarginRow, ...]
    deff: float | None
    n_eff: float | None
    weight_ratio: float | None
    interval_method: str
    level: float
    tables: tuple[FigureTable, ...]
    domain_comparisons: tuple[Comparison, ...]
    waves: tuple[Comparison, ...]
    wave_note: str
    indicators: tuple[Indicator, ...]
    questionnaire: tuple[Question, ...]
    provenance: tuple[tuple[str, str], ...]


#: Marks a figure that falls short of the presentation standards (the table's note says so).
FLAG_MARK = "‡"


def _fmt(statistic):
    return pct if statistic in SHARE_STATISTICS else pts


def _interval(fmt, low, high):
    return "–" if low is None or high is None else f"{fmt(low)} – {fmt(high)}"


def _figure_row(row):
    figure = row.figure
    bar = None
    if figure.is_share and None not in (figure.estimate, figure.ci_low, figure.ci_high):
        bar = Bar(row.domain_label or row.label, figure.estimate, figure.ci_low, figure.ci_high)
    return FigureRow(
        label=row.label,
        what=row.what,
        domain=row.domain_label or "",
        value=row.value + (FLAG_MARK if row.flag_text else ""),
        ci=row.ci_text,
        n=int(figure.n),
        n_eff=row.n_eff_text,
        deff=row.deff_text,
        sentence=row.sentence_zh or "",
        bar=bar,
        flagged=bool(row.flag_text),
    )


def _tables(results):
    return tuple(
        FigureTable(
            title=sec.title,
            rows=tuple(_figure_row(r) for r in sec.rows),
            by_domain=sec.kind == "domain",
        )
        for sec in sections(results, LANG)
        if sec.rows
    )


def _weighting_text(results):
    w = results.weighting
    if w is None or not w.weighted:
        return "未加权"
    with force_locale(LOCALES[LANG]):
        method = _("raked") if w.method == "rake" else _("post-stratified")
    names = "、".join(label_of(results, v, LANG) for v in w.variables)
    return f"按{names}的人口分布进行{method}"


def _margins(survey, results):
    report = results.weighting.report if results.weighting else {}
    targets = report.get("targets") or {}
    achieved = report.get("achieved") or {}
    if not targets:
        return ()
    definition = results.definition
    frame = load_frame(survey, definition=definition, only=set(targets))
    rows = []
    for var, cells in targets.items():
        name = label_of(results, var, LANG)
        total = sum(cells.values()) or 1.0
        got = achieved.get(var, {})
        got_total = sum(got.values()) or 1.0
        column = frame[var].dropna() if var in frame else frame.iloc[0:0, 0]
        n = len(column)
        for code, count in cells.items():
            rows.append(
                MarginRow(
                    variable=name,
                    category=domain_label(results, Domain(var, str(code)), LANG),
                    sample_share=float(np.sum(column == float(code))) / n if n else None,
                    population_share=count / total,
                    weighted_share=(got[code] / got_total) if code in got else None,
                )
            )
    return tuple(rows)


def _domain_comparisons(results):
    rows = []
    for d in results.domain_differences:
        fmt = _fmt(d.statistic)
        rows.append(
            Comparison(
                label=label_of(results, d.question, LANG),
                a=domain_label(results, Domain(d.variable, d.a), LANG),
                b=domain_label(results, Domain(d.variable, d.b), LANG),
                difference=fmt(d.difference),
                ci=_interval(fmt, d.ci_low, d.ci_high),
                p_value=p_text(d.p_value),
                significant=bool(d.significant),
            )
        )
    return tuple(rows)


def _wave_rows(results):
    waves = results.waves
    if waves.by == "none":
        return (), "未设置调查轮次比较（可在“分析设置”中按日期或问卷版本指定两轮调查）。"
    if waves.error:
        return (), f"调查轮次比较未能完成：{waves.error}"
    rows = []
    for d in waves.rows:
        fmt = _fmt(d.statistic)
        rows.append(
            Comparison(
                label=label_of(results, d.question, LANG),
                # A wave difference is wave B minus wave A: its ``a`` is the second wave.
                a=fmt(d.estimate_b),
                b=fmt(d.estimate_a),
                difference=fmt(d.difference),
                ci=_interval(fmt, d.ci_low, d.ci_high),
                p_value=p_text(d.p_value),
                significant=bool(d.significant),
            )
        )
    note = f"第一轮：{waves.label_a}（n={waves.n_a}）；第二轮：{waves.label_b}（n={waves.n_b}）。"
    return tuple(rows), note


def _indicators(results):
    out = []
    for ind in results.indicators:
        fmt = _fmt(ind.statistic)
        out.append(
            Indicator(
                name=text_in(ind.name, LANG),
                value=fmt(ind.estimate),
                ci=_interval(fmt, ind.ci_low, ind.ci_high),
                weight=ind.max_points,
                points=ind.points,
                points_low=ind.points_low,
                points_high=ind.points_high,
                settled=ind.settled,
            )
        )
    return tuple(out)


def _questionnaire(definition):
    out = []
    for number, q in enumerate(definition.questions, start=1):
        parts = []
        if q.items:
            parts.append("；".join(text_in(i.label, LANG) for i in q.items))
        if q.choices:
            parts.append("　".join(f"{c.code}. {text_in(c.label, LANG)}" for c in q.choices))
        out.append(Question(number, text_in(q.text, LANG), " ／ ".join(parts) or "（开放作答）"))
    return tuple(out)


def survey_facts(survey):
    """The :class:`SurveyFacts` of a survey under its current analysis settings."""
    version, settings = settings_service.current(survey)
    results = compute_results(survey, settings, version)
    w = results.weighting
    report = w.report if w is not None else {}
    fw = results.fieldwork
    prov = results.provenance
    waves, wave_note = _wave_rows(results)
    with force_locale(LOCALES[LANG]):
        interval_method = method_name(settings["ci_method"])
    return SurveyFacts(
        key=survey.key,
        title=text_in(results.title, LANG),
        n=int(results.n),
        first=fw.get("first"),
        last=fw.get("last"),
        channels=tuple((channel_name(k, LANG), int(v)) for k, v in fw.get("channels", {}).items()),
        n_excluded=int(fw.get("n_excluded", 0)),
        methods=methods_paragraph(results, LANG),
        weighting=_weighting_text(results),
        weighting_error=w.error if w is not None else None,
        margins=_margins(survey, results) if w is not None and w.weighted else (),
        deff=report.get("kish_deff"),
        n_eff=report.get("n_eff"),
        weight_ratio=report.get("weight_ratio"),
        interval_method=interval_method,
        level=results.ci_level,
        tables=_tables(results),
        domain_comparisons=_domain_comparisons(results),
        waves=waves,
        wave_note=wave_note,
        indicators=_indicators(results),
        questionnaire=_questionnaire(results.definition),
        provenance=(
            ("问卷版本", "、".join(map(str, prov.get("survey_versions", []))) or "–"),
            ("纳入问卷数", str(prov.get("n_responses", results.n))),
            ("问卷集哈希（SHA-256）", prov.get("response_ids_sha256", "–")),
            ("分析设置版本", str(prov.get("settings_version"))),
            ("软件版本", prov.get("software", "–")),
        ),
    )
