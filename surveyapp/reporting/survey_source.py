"""THE adapter between a survey's results and the report (the only module here that reads them).

It turns today's results (plain dicts from :func:`surveyapp.results.compute.compute_results` and
the tables of :mod:`surveyapp.results.presentation`) into the small frozen dataclasses the report
composes. When the results become a typed object, only this module changes.
"""

from dataclasses import dataclass

import numpy as np

from ..channels import channel_name
from ..definitions.store import definition_of
from ..i18n import text_in
from ..results import settings as settings_service
from ..results.citations import METHOD_NAMES
from ..results.citations import WEIGHTING_NAMES
from ..results.citations import domain_label
from ..results.citations import label_of
from ..results.citations import methods_paragraph
from ..results.citations import pct
from ..results.citations import pts
from ..results.compute import compute_results
from ..results.data import load_frame
from ..results.presentation import sections
from .charts import Bar

SHARE_KINDS = ("share", "rate", "improved")


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
    sentence: str
    bar: Bar | None


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


def _fmt(kind):
    return pct if kind in SHARE_KINDS else pts


def _figure_row(row):
    share = row["kind"] in SHARE_KINDS
    bar = None
    if share and row["estimate"] is not None and None not in row["ci"]:
        bar = Bar(row["domain_label"] or row["label"], row["estimate"], *row["ci"])
    return FigureRow(
        label=row["label"],
        what=row["what"],
        domain=row["domain_label"] or "",
        value=row["value"],
        ci=row["ci_text"],
        n=int(row["n"]),
        n_eff=row["n_eff_text"],
        deff=row["deff_text"],
        sentence=row["sentence_zh"],
        bar=bar,
    )


def _margins(survey, definition, weighting):
    targets = weighting.get("targets") or {}
    achieved = weighting.get("achieved") or {}
    if not targets:
        return ()
    frame = load_frame(survey, definition=definition, only=set(targets))
    rows = []
    for var, cells in targets.items():
        question = definition.question(var)
        name = text_in(question.text, "zh") if question else var
        total = sum(cells.values()) or 1.0
        got = achieved.get(var, {})
        got_total = sum(got.values()) or 1.0
        column = frame[var].dropna() if var in frame else frame.iloc[0:0, 0]
        n = len(column)
        for code, count in cells.items():
            choice = question.choice(int(code)) if question else None
            sample = float(np.sum(column == float(code))) / n if n else None
            rows.append(
                MarginRow(
                    variable=name,
                    category=text_in(choice.label, "zh") if choice else str(code),
                    sample_share=sample,
                    population_share=count / total,
                    weighted_share=(got[code] / got_total) if code in got else None,
                )
            )
    return tuple(rows)


def _comparison_rows(results, definition, level):
    rows = []
    for d in results["differences"]["districts"]:
        c = d["comparison"]
        kind = "index" if c["question"] == "index" else "score"
        fmt = _fmt(kind)
        rows.append(
            Comparison(
                label=label_of(definition, c["question"], None, "zh"),
                a=domain_label(definition, {c["domain"]: c["a"]}, "zh"),
                b=domain_label(definition, {c["domain"]: c["b"]}, "zh"),
                difference=fmt(d["estimate"]),
                ci=f"{fmt(d['ci'][0])} – {fmt(d['ci'][1])}",
                p_value="–" if d["p_value"] is None else f"{d['p_value']:.3f}",
                significant=bool(d["significant"]),
            )
        )
    return tuple(rows)


def _wave_rows(results, definition):
    waves = results["differences"]["waves"]
    if waves.get("by") == "none":
        return (), "未设置调查轮次比较（可在“分析设置”中按日期或问卷版本指定两轮调查）。"
    if waves.get("error"):
        return (), f"调查轮次比较未能完成：{waves['error']}"
    rows = []
    for d in waves["rows"]:
        q = d["comparison"]["question"]
        fmt = pts if q == "index" else pct
        rows.append(
            Comparison(
                label=label_of(definition, q, None, "zh"),
                a=fmt(d["a"]),
                b=fmt(d["b"]),
                difference=fmt(d["estimate"]),
                ci=f"{fmt(d['ci'][0])} – {fmt(d['ci'][1])}",
                p_value="–" if d["p_value"] is None else f"{d['p_value']:.3f}",
                significant=bool(d["significant"]),
            )
        )
    note = (
        f"第一轮：{'、'.join(map(str, waves['a']))}（n={waves['n_a']}）；"
        f"第二轮：{'、'.join(map(str, waves['b']))}（n={waves['n_b']}）。"
    )
    return tuple(rows), note


def _indicators(results):
    out = []
    for ind in results["indicators"]:
        fmt = pts if ind["kind"] == "index" else pct
        out.append(
            Indicator(
                name=text_in(ind["name"], "zh"),
                value=fmt(ind["estimate"]),
                ci=f"{fmt(ind['ci'][0])} – {fmt(ind['ci'][1])}"
                if ind["estimate"] is not None
                else "–",
                weight=ind["max_points"],
                points=ind["points"],
                points_low=ind["points_low"],
                points_high=ind["points_high"],
                settled=bool(ind["settled"]),
            )
        )
    return tuple(out)


def _questionnaire(definition):
    out = []
    for number, q in enumerate(definition.questions, start=1):
        parts = []
        if q.items:
            parts.append("；".join(text_in(i.label, "zh") for i in q.items))
        if q.choices:
            parts.append("　".join(f"{c.code}. {text_in(c.label, 'zh')}" for c in q.choices))
        out.append(Question(number, text_in(q.text, "zh"), " ／ ".join(parts) or "（开放作答）"))
    return tuple(out)


def survey_facts(survey):
    """The :class:`SurveyFacts` of a survey under its current analysis settings."""
    version, settings = settings_service.current(survey)
    results = compute_results(survey, settings, version)
    definition = definition_of(survey.latest_version)
    w = results["weighting"]
    fw = results["fieldwork"]
    st = results["settings"]
    prov = results["provenance"]
    tables = tuple(
        FigureTable(
            title=sec["title"],
            rows=tuple(_figure_row(r) for r in sec["rows"]),
            by_domain=any(r["domain"] for r in sec["rows"]),
        )
        for sec in sections(results, definition, "zh")
    )
    waves, wave_note = _wave_rows(results, definition)
    return SurveyFacts(
        key=survey.key,
        title=text_in(definition.title, "zh"),
        n=int(results["n"]),
        first=fw["first"],
        last=fw["last"],
        channels=tuple((channel_name(k, "zh"), int(v)) for k, v in fw["channels"].items()),
        n_excluded=int(fw["n_excluded"]),
        methods=methods_paragraph(results, "zh"),
        weighting=text_in(WEIGHTING_NAMES[w["method"]], "zh"),
        weighting_error=w.get("error"),
        margins=_margins(survey, definition, w),
        deff=w.get("kish_deff"),
        n_eff=w.get("n_eff"),
        weight_ratio=w.get("weight_ratio"),
        interval_method=METHOD_NAMES.get(st["ci_method"], {"zh": st["ci_method"]})["zh"],
        level=float(st["ci_level"]),
        tables=tables,
        domain_comparisons=_comparison_rows(results, definition, st["ci_level"]),
        waves=waves,
        wave_note=wave_note,
        indicators=_indicators(results),
        questionnaire=_questionnaire(definition),
        provenance=(
            ("问卷版本", "、".join(map(str, prov["survey_versions"])) or "–"),
            ("纳入问卷数", str(prov["n_responses"])),
            ("问卷集哈希（SHA-256）", prov["response_ids_sha256"]),
            ("分析设置版本", str(prov["settings_version"])),
            ("软件版本", prov["software"]),
        ),
    )
