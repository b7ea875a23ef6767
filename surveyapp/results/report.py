"""Downloadable reports (Markdown and DOCX): tables, charts, sentences, methods, score tables, provenance."""

import base64
import io
import json

from docx import Document
from docx.shared import Cm

from ..i18n import text_in
from . import charts
from .citations import methods_paragraph
from .citations import pct
from .model import public_settings
from .presentation import sections

HEADERS = {
    "zh": ["指标", "估计值", "置信区间", "n", "有效样本量", "设计效应"],
    "en": ["Figure", "Estimate", "CI", "n", "Effective n", "Design effect"],
}
IND_HEADERS = {
    "zh": [
        "效益指标",
        "估计值",
        "置信区间",
        "分值",
        "得分",
        "区间下限得分",
        "区间上限得分",
        "是否确定",
    ],
    "en": ["Indicator", "Estimate", "CI", "Points", "Score", "At CI low", "At CI high", "Settled"],
}
TABLE_HEADERS = {
    "zh": ["指标", "权重分值", "得分", "得分率"],
    "en": ["Indicator", "Weight", "Score", "Rate"],
}


def _value(ind):
    v = ind.estimate
    if v is None:
        return "–", "–"
    if not ind.is_share:
        return f"{v:.1f}", f"{ind.ci_low:.1f} – {ind.ci_high:.1f}"
    return pct(v), f"{pct(ind.ci_low)} – {pct(ind.ci_high)}"


def _num(x):
    return "–" if x is None else f"{x:g}"


def indicator_rows(results, lang):
    """Rows of the indicator points table."""
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    return [
        [
            text_in(ind.name, lang),
            *_value(ind),
            _num(ind.max_points),
            _num(ind.points),
            _num(ind.points_low),
            _num(ind.points_high),
            yes if ind.settled else no,
        ]
        for ind in results.indicators
    ]


def score_table_rows(table):
    """Rows of the evaluation score table (indented by level), then the total."""
    rows = [
        [
            "\u3000" * (r["level"] - 1) + r["name"],
            _num(r["weight"]),
            _num(r["score"]),
            "–" if r["rate"] is None else f"{r['rate']:.2f}%",
        ]
        for r in table["rows"]
    ]
    t = table["total"]
    rows.append(
        [
            "合计",
            _num(t["weight"]),
            _num(t["score"]),
            "–" if t["rate"] is None else f"{t['rate']:.2f}%",
        ]
    )
    return rows


def _title(results, lang):
    return text_in(results.title, lang)


def _provenance_lines(results, lang):
    p = results.provenance
    zh = lang == "zh"
    return [
        ("问卷版本" if zh else "Questionnaire version(s)")
        + f": {', '.join(map(str, p['survey_versions']))}",
        ("纳入问卷数" if zh else "Responses included") + f": {p['n_responses']}",
        (
            "问卷编号 SHA-256（排序后以逗号连接）"
            if zh
            else "SHA-256 of the sorted response ids (comma-joined)"
        )
        + f": {p['response_ids_sha256']}",
        ("分析设置版本" if zh else "Analysis settings version") + f": {p['settings_version']}",
        ("分析设置" if zh else "Analysis settings")
        + ": "
        + json.dumps(public_settings(results.settings), ensure_ascii=False, sort_keys=True),
        ("软件版本" if zh else "Software") + f": {p['software']}",
    ]


def _figure_rows(section):
    """The figure-table rows (label, estimate, CI, n, effective n, design effect) of a section."""
    return [
        [
            (f"{r.label}（{r.what}）" if r.what else r.label)
            + (f" — {r.domain_label}" if r.domain_label else ""),
            r.value,
            r.ci_text,
            r.n,
            r.n_eff_text,
            r.deff_text,
        ]
        for r in section.rows
    ]


def _md_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(results, table, problems, lang="zh"):
    """The report as Markdown text (charts embedded as PNG data URIs)."""
    zh = lang == "zh"
    out = [
        f"# {_title(results, lang)}",
        "",
        "## " + ("方法说明" if zh else "Methods"),
        "",
        methods_paragraph(results, lang),
        "",
    ]
    for name in charts.available(results):
        png = base64.b64encode(charts.render(results, name, "png", lang)).decode()
        out += [f"![{charts.chart_title(name, lang)}](data:image/png;base64,{png})", ""]
    for sec in sections(results, lang):
        if not sec.rows:
            continue
        out += [
            f"## {sec.title}",
            "",
            _md_table(HEADERS[lang], _figure_rows(sec)),
            "",
        ]
        out += ["### " + ("可引用的表述" if zh else "Citable sentences"), ""]
        out += [f"- {r.sentence_zh if zh else r.sentence_en}" for r in sec.rows] + [""]
    out += [
        "## " + ("效益指标得分" if zh else "Benefit indicator points"),
        "",
        _md_table(IND_HEADERS[lang], indicator_rows(results, lang)),
        "",
    ]
    out += [
        "## " + (table["title"] if zh else "Evaluation score table"),
        "",
        _md_table(TABLE_HEADERS[lang], score_table_rows(table)),
        "",
        ("评价等级" if zh else "Grade") + f": {table.get('grade') or '–'}",
        "",
    ]
    if problems:
        out += [
            "**" + ("一致性检查发现问题：" if zh else "Consistency check found problems:") + "**",
            "",
        ]
        out += [f"- {p['row']} {p['field']}: {p['stated']} ≠ {p['computed']}" for p in problems] + [
            ""
        ]
    out += ["## " + ("数据来源与可复现信息" if zh else "Provenance"), ""]
    out += [f"- {line}" for line in _provenance_lines(results, lang)]
    return "\n".join(out) + "\n"


def _docx_table(doc, headers, rows):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = str(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = str(text)


def docx(results, table, problems, lang="zh"):
    """The report as DOCX bytes (python-docx)."""
    zh = lang == "zh"
    doc = Document()
    doc.add_heading(_title(results, lang), level=0)
    doc.add_heading("方法说明" if zh else "Methods", level=1)
    doc.add_paragraph(methods_paragraph(results, lang))
    for name in charts.available(results):
        doc.add_picture(io.BytesIO(charts.render(results, name, "png", lang)), width=Cm(15))
    for sec in sections(results, lang):
        if not sec.rows:
            continue
        doc.add_heading(sec.title, level=1)
        _docx_table(doc, HEADERS[lang], _figure_rows(sec))
        for r in sec.rows:
            doc.add_paragraph(r.sentence_zh if zh else r.sentence_en, style="List Bullet")
    doc.add_heading("效益指标得分" if zh else "Benefit indicator points", level=1)
    _docx_table(doc, IND_HEADERS[lang], indicator_rows(results, lang))
    doc.add_heading(table["title"] if zh else "Evaluation score table", level=1)
    _docx_table(doc, TABLE_HEADERS[lang], score_table_rows(table))
    doc.add_paragraph(("评价等级" if zh else "Grade") + f": {table.get('grade') or '–'}")
    for p in problems:
        doc.add_paragraph(
            f"{p['row']} {p['field']}: {p['stated']} ≠ {p['computed']}", style="List Bullet"
        )
    doc.add_heading("数据来源与可复现信息" if zh else "Provenance", level=1)
    for line in _provenance_lines(results, lang):
        doc.add_paragraph(line, style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
