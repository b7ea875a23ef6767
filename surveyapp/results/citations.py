"""Citation-ready sentences (Chinese and English) for every figure, and the methods paragraph."""

from ..channels import channel_name
from ..i18n import text_in

METHOD_NAMES = {
    "logit": {"zh": "logit 变换区间", "en": "logit-transformed interval"},
    "korn-graubard": {"zh": "Korn–Graubard 区间", "en": "Korn–Graubard interval"},
    "wilson": {"zh": "Wilson 区间", "en": "Wilson interval"},
    "clopper-pearson": {"zh": "Clopper–Pearson 精确区间", "en": "Clopper–Pearson interval"},
    "wald": {"zh": "Wald 区间", "en": "Wald interval"},
    "t": {"zh": "t 分布区间", "en": "t interval"},
}
WEIGHTING_NAMES = {
    "rake": {
        "zh": "按区、年龄段和性别的人口边际分布进行迭代加权（raking）",
        "en": "raked to population margins of district, age group and gender",
    },
    "poststratify": {
        "zh": "按人口分布进行事后分层加权",
        "en": "post-stratified to population counts",
    },
    "none": {"zh": "未加权", "en": "unweighted"},
}


def pct(x):
    """A share as a percentage with one decimal (``39.0%``), or an en dash when unknown."""
    return "–" if x is None else f"{100 * x:.1f}%"


def pts(x):
    """A 0-100 score with one decimal."""
    return "–" if x is None else f"{x:.1f}"


def label_of(definition, question, category, lang):
    """The text for a question (or item) and, if given, one of its choice codes."""
    if question == "index":
        return {"zh": "城市管理满意度综合指数", "en": "the composite satisfaction index"}[lang]
    q = definition.question(question)
    if q is None:
        return question
    if q.items:
        item = next(i for i in q.items if i.key == question)
        name = text_in(item.label, lang)
    else:
        name = text_in(q.text, lang)
    if category and "-" not in category:
        choice = q.choice(int(category))
        if choice is not None:
            return text_in(choice.label, lang)
    return name


def domain_label(definition, domain, lang):
    """``宛城区`` for ``{"district": "1"}``; the channel name for a channel domain."""
    if not domain:
        return None
    ((var, value),) = domain.items()
    if var == "channel":
        return channel_name(value, lang)
    q = definition.question(var)
    choice = q.choice(int(value)) if q is not None else None
    return text_in(choice.label, lang) if choice else value


def sentence(row, definition, weighted, lang):
    """One ready-to-cite sentence for an estimate row of the results."""
    zh = lang == "zh"
    level = f"{round(row['level'] * 100)}%"
    lo, hi = row["ci"]
    share = row["kind"] in ("share", "rate", "improved")
    fmt = pct if share else pts
    ci = f"{level}置信区间：{fmt(lo)}–{fmt(hi)}" if zh else f"{level} CI {fmt(lo)}–{fmt(hi)}"
    neff = "–" if row["n_eff"] is None else f"{row['n_eff']:.0f}"
    if zh:
        basis = f"{'加权估计' if weighted else '未加权估计'}，n={row['n']}，有效样本量 {neff}"
    else:
        basis = (
            f"{'weighted' if weighted else 'unweighted'} estimate, n={row['n']}, effective n {neff}"
        )
    label = label_of(definition, row["question"], row["category"], lang)
    where = domain_label(definition, row["domain"], lang)
    value = fmt(row["estimate"])
    kind = row["kind"]
    if zh:
        who = (
            f"通过{where}渠道作答的受访市民中"
            if row["domain"] and "channel" in row["domain"]
            else f"{where}受访市民中"
            if where
            else "受访市民中"
        )
        if kind == "share" and row["category"] == "1-3":
            text = f"{who}，{value}（{ci}）知晓“数字城管”（非常了解、比较了解或仅听说过）"
        elif kind == "share":
            text = f"{who}，{value}（{ci}）表示{label}“数字城管”"
        elif kind == "rate":
            text = f"{who}，对“{label}”表示满意（非常满意或比较满意）的比例为{value}（{ci}）"
        elif kind == "improved":
            text = f"{who}，{value}（{ci}）认为与一年前相比城市环境有所改善或明显改善"
        elif kind == "index":
            text = f"{who}，城市管理满意度综合指数为{value}分（满分100分；{ci}）"
        else:
            text = f"{who}，“{label}”的平均得分为{value}分（满分100分；{ci}）"
        return f"{text}（{basis}）。"
    who = (
        f"Among respondents who answered via {where}"
        if row["domain"] and "channel" in row["domain"]
        else f"Among respondents in {where}"
        if where
        else "Among respondents"
    )
    if kind == "share" and row["category"] == "1-3":
        text = f"{who}, {value} ({ci}) had at least heard of the digital urban management programme"
    elif kind == "share":
        text = f"{who}, {value} ({ci}) said: “{label}”"
    elif kind == "rate":
        text = f"{who}, {value} ({ci}) were satisfied or very satisfied with “{label}”"
    elif kind == "improved":
        text = f"{who}, {value} ({ci}) felt the city environment had improved over the past year"
    elif kind == "index":
        text = f"{who}, the composite satisfaction index was {value} out of 100 ({ci})"
    else:
        text = f"{who}, the mean score for “{label}” was {value} out of 100 ({ci})"
    return f"{text} ({basis})."


def methods_paragraph(results, lang):
    """The methods paragraph: fieldwork, channels, n, weighting, CI method, exclusions."""
    zh = lang == "zh"
    fw = results["fieldwork"]
    st = results["settings"]
    w = results["weighting"]
    method = METHOD_NAMES.get(st["ci_method"], {"zh": st["ci_method"], "en": st["ci_method"]})
    level = f"{round(st['ci_level'] * 100)}%"
    channels = ("、" if zh else ", ").join(
        f"{channel_name(k, lang)} {n}" for k, n in fw["channels"].items()
    )
    weighting = text_in(WEIGHTING_NAMES[w["method"]], lang)
    prov = results["provenance"]
    if zh:
        parts = [
            f"调查于{fw['first'] or '—'}至{fw['last'] or '—'}在线开展，共获得有效问卷{results['n']}份"
            f"（按渠道：{channels or '—'}）。"
        ]
        if fw["n_excluded"]:
            reasons = "；".join(f"{e['reason'] or '未注明'} {e['n']}份" for e in fw["excluded"])
            parts.append(f"经数据质量审核剔除问卷{fw['n_excluded']}份（{reasons}）。")
        if w["method"] != "none":
            parts.append(
                f"估计值{weighting}，权重比为{w['weight_ratio']:.2f}，"
                f"加权设计效应 {w['kish_deff']:.2f}，有效样本量约 {w['n_eff']:.0f}。"
            )
        else:
            parts.append(
                "估计值未加权。" + (f"（加权失败：{w['error']}）" if w.get("error") else "")
            )
        parts.append(
            f"比例的{level}置信区间采用{method['zh']}，得分和指数采用 t 分布区间，"
            "标准误按泰勒线性化方法计算；“不清楚/未接触过”“说不清”等非实质性回答不计入分母。"
        )
        parts.append(
            f"（问卷版本 {', '.join(map(str, prov['survey_versions'])) or '—'}，"
            f"分析设置第 {prov['settings_version']} 版，{prov['software']}。）"
        )
        return "".join(parts)
    parts = [
        f"The survey ran online from {fw['first'] or '—'} to {fw['last'] or '—'} and received "
        f"{results['n']} valid responses (by channel: {channels or '—'})."
    ]
    if fw["n_excluded"]:
        reasons = "; ".join(f"{e['reason'] or 'no reason given'}: {e['n']}" for e in fw["excluded"])
        parts.append(f" Data-quality review excluded {fw['n_excluded']} responses ({reasons}).")
    if w["method"] != "none":
        parts.append(
            f" Estimates are {weighting} (weight ratio {w['weight_ratio']:.2f}, design effect "
            f"of weighting {w['kish_deff']:.2f}, effective sample size about {w['n_eff']:.0f})."
        )
    else:
        parts.append(
            " Estimates are unweighted."
            + (f" (Weighting failed: {w['error']})" if w.get("error") else "")
        )
    parts.append(
        f" {level} intervals for shares use the {method['en']}, scores and the index a t interval; "
        "standard errors are Taylor-linearised. Non-substantive answers (don't know / can't say) "
        "are left out of the bases."
    )
    parts.append(
        f" (Questionnaire version(s) {', '.join(map(str, prov['survey_versions'])) or '—'}, "
        f"analysis settings version {prov['settings_version']}, {prov['software']}.)"
    )
    return "".join(parts)
