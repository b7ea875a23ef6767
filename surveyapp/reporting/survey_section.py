"""The survey parts of a report, composed from :class:`~.survey_source.SurveyFacts`.

Used by the evaluation report (评价方法, 满意度与知晓度调查结果, 附录) and by the survey report
alone; it works for any survey because it only reads the facts' generic tables.
"""

from .blocks import Document
from .charts import bar_chart
from .survey_source import FLAG_MARK
from .survey_source import SurveyFacts

FIGURE_HEADERS = ("指标", "估计值", "置信区间", "样本量", "有效样本量", "设计效应")
FIGURE_NUMERIC = (False, True, True, True, True, True)


def _pct(x):
    return "–" if x is None else f"{100 * x:.1f}%"


def _named(row):
    """A figure's label with what it measures in brackets (when that adds anything)."""
    return f"{row.label}（{row.what}）" if row.what else row.label


def _level(facts):
    return f"{round(facts.level * 100)}%"


def add_methods(doc: Document, facts: SurveyFacts, number="（一）"):
    """Sample, fieldwork dates and channels, weighting table, design effect, interval method."""
    doc.heading(f"{number}问卷调查的样本与方法", 2)
    channels = "、".join(f"{name}{n}份" for name, n in facts.channels) or "—"
    doc.paragraph(
        f"问卷调查《{facts.title}》于{facts.first or '—'}至{facts.last or '—'}开展，"
        f"共回收有效问卷{facts.n}份，按渠道分：{channels}。"
        + (f"经数据质量审核剔除问卷{facts.n_excluded}份。" if facts.n_excluded else "")
    )
    if facts.margins:
        doc.paragraph(
            f"为使样本结构与总体一致，估计值{facts.weighting}。各加权变量的样本构成与总体构成见下表；"
            f"加权后权重比为{facts.weight_ratio:.2f}，加权设计效应为{facts.deff:.2f}，"
            f"有效样本量约为{facts.n_eff:.0f}。"
        )
        doc.table(
            "加权变量的样本构成与总体构成",
            ("变量", "类别", "样本占比", "总体占比", "加权后占比"),
            [
                (
                    "" if i and facts.margins[i - 1].variable == m.variable else m.variable,
                    m.category,
                    _pct(m.sample_share),
                    _pct(m.population_share),
                    _pct(m.weighted_share),
                )
                for i, m in enumerate(facts.margins)
            ],
            numeric=(False, False, True, True, True),
            merge_down=(0,),
            note="注：总体构成为分析设置中录入的人口边际分布；加权后占比应与总体占比一致。",
        )
    else:
        doc.paragraph(
            "估计值未加权。"
            + (f"加权未能完成：{facts.weighting_error}。" if facts.weighting_error else "")
        )
    doc.paragraph(
        f"比例的{_level(facts)}置信区间采用{facts.interval_method}，得分和指数采用t分布区间，"
        "标准误按泰勒线性化方法计算；非实质性回答（问卷中标为不计入分母的选项）不计入分母。"
        "每个估计值均给出样本量（分母）与有效样本量，以便判断其精度。"
    )


def _flag_note(doc, table):
    """Under a table with flagged figures: what the mark means."""
    if any(r.flagged for r in table.rows):
        doc.paragraph(
            f"注：标“{FLAG_MARK}”的估计值未达到发布标准（有效样本量不足30、自由度不足8、"
            "置信区间宽度达30个百分点或超过比例本身的130%，或相对标准误超过30%），"
            "仅供参考，不宜引用。"
        )


def add_results(
    doc: Document, facts: SurveyFacts, numbers=("（一）", "（二）", "（三）", "（四）")
):
    """Headline estimates with CI and base, charts, domain comparisons, wave comparison."""
    level = _level(facts)
    if facts.n < 2:
        doc.paragraph("调查尚无足够的有效问卷，暂无估计结果。")
        return
    doc.heading(f"{numbers[0]}主要调查结果", 2)
    for table in (t for t in facts.tables if not t.by_domain):
        cited = [r.sentence for r in table.rows if r.sentence][:3]
        if cited:
            doc.paragraph(f"{table.title}：" + "".join(cited))
        doc.table(
            f"{table.title}（全体受访者，{level}置信区间）",
            FIGURE_HEADERS,
            [(_named(r), r.value, r.ci, r.n, r.n_eff, r.deff) for r in table.rows],
            numeric=FIGURE_NUMERIC,
        )
        _flag_note(doc, table)
        bars = [r.bar for r in table.rows if r.bar is not None]
        if len(bars) >= 2:
            doc.figure(
                f"{table.title}（误差线为{level}置信区间）",
                bar_chart(bars),
                f"{facts.key}-{len(doc.blocks)}",
            )
    doc.heading(f"{numbers[1]}分组比较", 2)
    domain_tables = [t for t in facts.tables if t.by_domain]
    for table in domain_tables[:1]:
        # One share across the domains: the first row that has a bar, in every domain.
        first = next((r for r in table.rows if r.bar is not None), None)
        bars = [
            r.bar
            for r in table.rows
            if first is not None and r.bar is not None and _named(r) == _named(first)
        ]
        if len(bars) >= 2:
            doc.figure(
                f"{_named(first)}（{table.title}，误差线为{level}置信区间）",
                bar_chart(bars),
                f"{facts.key}-{len(doc.blocks)}",
            )
    if facts.domain_comparisons:
        significant = [c for c in facts.domain_comparisons if c.significant]
        doc.paragraph(
            f"两两比较共{len(facts.domain_comparisons)}组，其中{len(significant)}组差异在"
            f"{100 - round(facts.level * 100)}%水平上显著"
            + (
                "：" + "；".join(f"{c.a}与{c.b}相差{c.difference}" for c in significant[:6])
                if significant
                else ""
            )
            + "。完整的分组估计见附录。"
        )
        doc.table(
            f"分组两两比较（{facts.domain_comparisons[0].label}，差值 = 前者 − 后者）",
            ("比较", "差值", f"{level}置信区间", "p值", "是否显著"),
            [
                (f"{c.a} − {c.b}", c.difference, c.ci, c.p_value, "是" if c.significant else "否")
                for c in facts.domain_comparisons
            ],
            numeric=(False, True, True, True, True),
        )
    else:
        doc.paragraph("样本不足以进行分组比较，或调查未包含分组变量。")
    doc.heading(f"{numbers[2]}与上一轮调查的比较", 2)
    doc.paragraph(facts.wave_note)
    if facts.waves:
        doc.table(
            "两轮调查主要指标比较（差值 = 第二轮 − 第一轮）",
            ("指标", "第一轮", "第二轮", "差值", f"{level}置信区间", "p值", "是否显著"),
            [
                (w.label, w.a, w.b, w.difference, w.ci, w.p_value, "是" if w.significant else "否")
                for w in facts.waves
            ],
            numeric=(False, True, True, True, True, True, True),
        )
    if facts.indicators:
        doc.heading(f"{numbers[3]}调查指标得分", 2)
        doc.table(
            "由调查结果计分的指标（估计值及置信区间两端的得分）",
            ("指标", "估计值", f"{level}置信区间", "分值", "得分", "下限得分", "上限得分"),
            [
                (
                    i.name,
                    i.value,
                    i.ci,
                    f"{i.weight:g}",
                    _num(i.points),
                    _num(i.points_low),
                    _num(i.points_high),
                )
                for i in facts.indicators
            ],
            numeric=(False, True, True, True, True, True, True),
            note="注：置信区间两端得分不同时，该指标得分在统计上尚不确定。",
        )


def _num(x):
    return "–" if x is None else f"{x:g}"


def add_appendix(
    doc: Document, facts: SurveyFacts, letters=("（一）", "（二）", "（三）"), extra=()
):
    """The questionnaire, the full domain tables and the provenance table (with ``extra`` rows)."""
    doc.heading(f"{letters[0]}调查问卷", 2)
    doc.table(
        f"调查问卷《{facts.title}》",
        ("序号", "题目", "选项"),
        [(q.number, q.text, q.answers) for q in facts.questionnaire],
        numeric=(True, False, False),
    )
    doc.heading(f"{letters[1]}分组估计完整表", 2)
    domain_tables = [t for t in facts.tables if t.by_domain]
    if not domain_tables:
        doc.paragraph("无分组估计。")
    for table in domain_tables:
        # Figure by figure, each across the domains (so that the figure's name is merged down).
        order = {}
        for r in table.rows:
            order.setdefault(_named(r), len(order))
        ordered = sorted(table.rows, key=lambda r: order[_named(r)])
        rows = []
        for i, r in enumerate(ordered):
            same = i and _named(ordered[i - 1]) == _named(r)
            rows.append(
                (
                    "" if same else _named(r),
                    r.domain,
                    r.value,
                    r.ci,
                    r.n,
                    r.n_eff,
                    r.deff,
                )
            )
        doc.table(
            f"{table.title}（{_level(facts)}置信区间）",
            ("指标", "分组", *FIGURE_HEADERS[1:]),
            rows,
            numeric=(False, *FIGURE_NUMERIC),
            merge_down=(0,),
        )
        _flag_note(doc, table)
    doc.heading(f"{letters[2]}数据来源与可复现信息", 2)
    doc.table("数据来源与可复现信息", ("项目", "内容"), (*facts.provenance, *extra))
