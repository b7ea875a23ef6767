"""The evaluation report (绩效评价报告) in government format, composed once for DOCX and Markdown.

Sections: 基本情况; 评价方法; 评价结果 (the three-level score table); 满意度与知晓度调查结果;
存在的问题; 建议; 附录 (questionnaire, full tables, provenance).
"""

from datetime import date

from flask_babel import force_locale

from ..definitions.store import get_survey
from ..reporting import blocks
from ..reporting.output import write
from ..reporting.survey_section import add_appendix
from ..reporting.survey_section import add_methods
from ..reporting.survey_section import add_results
from ..reporting.survey_source import survey_facts
from ..results.citations import LOCALES
from ..results.labels import flag_text
from . import services
from .scoring import Scorecard
from .survey_source import is_share

FIELD_NAMES = {
    "rate": "得分率",
    "score": "得分",
    "points": "得分",
    "points_low": "区间下限得分",
    "points_high": "区间上限得分",
    "weight": "分值",
    "grade": "等级",
    "name": "指标名称",
}
SOURCE_NAMES = {
    "manual": "评价组评分",
    "data": "数据计算",
    "survey": "问卷调查",
    "printed": "原报告分值",
}


def _g(x):
    return "–" if x is None else f"{x:g}"


def _rate(x):
    return "–" if x is None else f"{x:.2f}%"


def _count(value):
    if value is None:
        return "（未录入）"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def basis_text(leaf, level):
    """How a third-level indicator got its points, in one line."""
    ind = leaf.indicator
    if leaf.basis == "manual":
        who = f"（评分人：{ind.scored_by}）" if ind.scored_by else ""
        return (ind.evidence or "（未填写依据）") + who
    if leaf.basis == "data":
        value = (
            "（数据未录入）"
            if leaf.value is None
            else (f"{100 * leaf.value:.2f}%" if abs(leaf.value) <= 1.5 else f"{leaf.value:,.0f}")
        )
        return f"{ind.formula.text} = {value}"
    if leaf.basis == "survey":
        pct = is_share(ind.statistic)
        fmt = (lambda v: f"{100 * v:.1f}%") if pct else (lambda v: f"{v:.1f}")
        if leaf.value is None:
            return "调查结果中无此估计值"
        low, high = leaf.ci
        text = (
            f"调查估计 {fmt(leaf.value)}（{level}置信区间 {fmt(low)}–{fmt(high)}，n={leaf.n}）；"
            f"区间两端得分 {_g(leaf.points_low)}–{_g(leaf.points_high)}"
        )
        if leaf.flags:
            with force_locale(LOCALES["zh"]):
                reasons = flag_text(leaf.flags)
            text += f"；该估计值未达到发布标准（{reasons}），得分仅供参考"
        return text
    return "调查暂无有效问卷，采用原报告分值"


def _deductions(group):
    return [
        leaf.name
        for mid in group.children
        for leaf in mid.children
        if leaf.points is not None and leaf.points < leaf.weight - 1e-9
    ]


def _counts_section(doc, definition, card):
    rows = [(c.label, _count(c.value)) for c in definition.counts]
    rows += [
        (d.name, "（数据未录入）" if d.value is None else f"{100 * d.value:.2f}%")
        for d in card.derived
    ]
    if rows:
        doc.table("项目基础数据", ("项目", "数值"), rows, numeric=(False, True))


def _system_paragraph(doc, card: Scorecard):
    n2 = sum(len(g.children) for g in card.groups)
    n3 = sum(len(m.children) for g in card.groups for m in g.children)
    chain = "—".join(g.name for g in card.groups)
    sources = {}
    for level, node in card.rows():
        if level == 3:
            sources[node.indicator.source] = sources.get(node.indicator.source, 0) + 1
    doc.paragraph(
        f"评价指标按照“{chain}”的逻辑路径，由{len(card.groups)}个一级指标、{n2}个二级指标、"
        f"{n3}个三级指标构成，总分值{card.weight:g}分。三级指标中，由评价组依据佐证材料评分的"
        f"{sources.get('manual', 0)}个，由业务数据按公式计算的{sources.get('data', 0)}个，"
        f"由问卷调查结果计分的{sources.get('survey', 0)}个。"
    )
    grades = "、".join(f"{name}（{minimum:g}分及以上）" for name, minimum in card.definition.grades)
    doc.paragraph(f"评价等级分为{grades}和{card.definition.below_grades}。")


def _results_section(doc, card: Scorecard, problems, level):
    d = card.definition
    for g in card.groups:
        n3 = sum(len(m.children) for m in g.children)
        cut = _deductions(g)
        scored = (
            f"实际得{_g(g.points)}分，得分率为{_rate(g.rate)}。"
            if g.points is not None
            else "尚有指标未评分。"
        )
        doc.paragraph(
            f"{g.name}指标包括{len(g.children)}个二级指标及{n3}个三级指标，"
            f"总分值{g.weight:g}分，{scored}" + (f"主要扣分项为：{'、'.join(cut)}。" if cut else "")
        )
    doc.table(
        f"{d.programme or d.title}绩效评价得分表",
        ("一级指标", "权重分值", "得分", "得分率"),
        [(g.name, _g(g.weight), _g(g.points), _rate(g.rate)) for g in card.groups]
        + [("合计", _g(card.weight), _g(card.points), _rate(card.rate))],
        numeric=(False, True, True, True),
        bold_rows=(len(card.groups),),
    )
    rows = []
    for g in card.groups:
        for i, mid in enumerate(g.children):
            for j, leaf in enumerate(mid.children):
                rows.append(
                    (
                        g.name if i == 0 and j == 0 else "",
                        mid.name if j == 0 else "",
                        leaf.name,
                        _g(leaf.weight),
                        _g(leaf.points),
                        basis_text(leaf, level)
                        if leaf.basis == "manual"
                        else f"{SOURCE_NAMES[leaf.basis]}：{basis_text(leaf, level)}",
                    )
                )
    doc.table(
        "三级指标得分明细",
        ("一级指标", "二级指标", "三级指标", "分值", "得分", "计分依据"),
        rows,
        numeric=(False, False, False, True, True, False),
        merge_down=(0, 1),
        note=f"注：一级指标的分值与得分见表{doc.tables}，二级指标见正文。",
    )
    if card.points_low != card.points_high:
        doc.paragraph(
            f"由问卷调查计分的指标按置信区间两端计分时，总分在{_g(card.points_low)}分至"
            f"{_g(card.points_high)}分之间。"
        )
    if card.points is not None:
        doc.paragraph(
            f"经综合评价，该项目综合评价得分为{_g(card.points)}分，评价等级为“{card.grade}”。"
        )
    else:
        doc.paragraph("尚有指标未评分，暂不能给出综合评价得分和评价等级。")
    if problems:
        doc.heading("（一）得分表一致性检查", 2)
        doc.paragraph(
            "对得分表逐行复核：各级小计是否等于下级之和、得分率是否等于得分除以分值、"
            "得分是否超过分值，以及录入的原报告得分表是否与计算结果一致。发现以下问题："
        )
        doc.table(
            "得分表一致性检查结果",
            ("指标", "项目", "表列值", "计算值", "说明"),
            [
                (
                    p.row,
                    FIELD_NAMES.get(p.field, p.field),
                    _g(p.stated) if not isinstance(p.stated, str) else p.stated,
                    _g(p.computed) if not isinstance(p.computed, str) else p.computed,
                    p.explanation,
                )
                for p in problems
            ],
            numeric=(False, False, True, True, False),
        )


def compose(evaluation):
    """The evaluation report as a :class:`~surveyapp.reporting.blocks.Document`."""
    card, problems = services.scorecard(evaluation)
    d = card.definition
    survey = get_survey(d.survey) if d.survey else None
    facts = survey_facts(survey) if survey is not None and survey.latest_version else None
    level = f"{round(facts.level * 100)}%" if facts else "95%"
    doc = blocks.Document(title=d.title)
    lines = tuple(
        x
        for x in (d.organisation, f"评价基准日：{d.reference_date}" if d.reference_date else "")
        if x
    )
    doc.add(blocks.Cover(d.title, lines, date.today().strftime("%Y年%m月%d日")))
    doc.add(blocks.Contents())
    doc.heading("一、基本情况")
    doc.heading("（一）项目概况", 2)
    doc.paragraph(d.background or f"{d.programme}（{d.year}年度）。")
    doc.heading("（二）项目基础数据", 2)
    _counts_section(doc, d, card)
    doc.heading("二、评价方法")
    doc.heading("（一）评价指标体系", 2)
    _system_paragraph(doc, card)
    if facts is not None and facts.n >= 2:
        add_methods(doc, facts, "（二）")
    doc.heading("三、评价结果")
    _results_section(doc, card, problems, level)
    doc.heading("四、满意度与知晓度调查结果")
    if facts is not None and facts.n >= 2:
        add_results(doc, facts)
    else:
        doc.paragraph("问卷调查尚无有效问卷，效益类指标暂采用原报告分值。")
    doc.heading("五、存在的问题")
    doc.paragraph(d.problems_text or "（评价人员尚未填写。）")
    doc.heading("六、建议")
    doc.paragraph(d.suggestions_text or "（评价人员尚未填写。）")
    doc.heading("附录")
    versions = (
        ("评价", d.key),
        ("评价版本", str(evaluation.latest_version.number)),
        ("效益指标来源", "问卷调查结果" if card.survey_used else "原报告分值"),
    )
    if facts is not None:
        add_appendix(doc, facts, extra=versions)
    else:
        doc.table("数据来源与可复现信息", ("项目", "内容"), versions)
    return doc


def write_report(evaluation, fmt, path):
    """Write the evaluation report as ``docx``, ``md`` or ``zip``; returns the paths written."""
    return write(compose(evaluation), fmt, path)
