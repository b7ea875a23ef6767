"""Citation-ready sentences and the methods paragraph, worded from the definition and the data.

Wording comes from the survey definition (each question's report label, the survey's
``population``), the margins actually used and the channels actually present; the language
comes from the Babel catalogues (``results/translations``): one code path for zh and en.
"""

from flask_babel import force_locale
from flask_babel import gettext as _

from ..channels import channel_name
from ..i18n import text_in

LOCALES = {"zh": "zh_CN", "en": "en"}


def pct(x):
    """A share as a percentage with one decimal (``39.0%``), or an en dash when unknown."""
    return "–" if x is None else f"{100 * x:.1f}%"


def pts(x):
    """A score or mean with one decimal."""
    return "–" if x is None else f"{x:.1f}"


def fmt(figure, x):
    """A value of ``figure`` as it is shown (percentages for shares)."""
    return pct(x) if figure.is_share else pts(x)


def _join(parts):
    """Items of a list joined as the language lists them (``, `` or ``、``)."""
    # TRANSLATORS: the separator between items of a list.
    return _(", ").join(parts)


def label_of(results, question, lang):
    """The report label of a question, a Likert item or the plan's index."""
    plan = results.plan
    if plan.index is not None and question == plan.index.key:
        return text_in(plan.index.label, lang)
    q = plan.definition.question(question)
    if q is None:
        return question
    return text_in(q.label_for_report(question), lang)


def choice_labels(results, question, codes, lang):
    """The labels of ``codes`` of ``question``, joined."""
    q = results.plan.definition.question(question)
    names = []
    for code in codes:
        choice = q.choice(code) if q is not None else None
        names.append(text_in(choice.label, lang) if choice else str(code))
    return _join(names)


def domain_label(results, domain, lang):
    """``宛城区`` for ``Domain("district", "1")``; the channel name for a channel domain."""
    if domain is None:
        return None
    if domain.variable == "channel":
        return channel_name(domain.value, lang)
    q = results.plan.definition.question(domain.variable)
    try:
        choice = q.choice(int(domain.value)) if q is not None else None
    except ValueError:
        choice = None
    return text_in(choice.label, lang) if choice else domain.value


def what_of(results, figure, lang):
    """What a figure measures, as a phrase (``对“…”给出前两档回答``)."""
    with force_locale(LOCALES[lang]):
        return _what(results, figure, lang)


def _what(results, figure, lang):
    plan = results.plan
    question = label_of(results, figure.question, lang)
    stat = figure.statistic
    if stat == "share":
        for h in plan.headlines:
            if (
                h.question == figure.question
                and sorted(h.codes) == sorted(figure.codes)
                and h.label
            ):
                return text_in(h.label, lang)
        choices = choice_labels(results, figure.question, figure.codes, lang)
        if plan.qtype(figure.question).column_kind == "flags":
            return _("chose “%(choice)s” for “%(question)s”", choice=choices, question=question)
        return _("answered “%(choice)s” to “%(question)s”", choice=choices, question=question)
    if stat == "dist":
        choices = choice_labels(results, figure.question, figure.codes, lang)
        return _("answered “%(choice)s” to “%(question)s”", choice=choices, question=question)
    if stat == "top2":
        choices = choice_labels(results, figure.question, figure.codes, lang)
        return _(
            "gave one of the top two answers (%(choices)s) on “%(question)s”",
            choices=choices,
            question=question,
        )
    names = {
        "score": _("the mean score (0–100) of “%(question)s”", question=question),
        "index": _("the index “%(question)s” (0–100)", question=question),
        "mean": _("the mean of “%(question)s”", question=question),
        "nps": _(
            "the net promoter score of “%(question)s” (9–10 minus 0–6, in points)",
            question=question,
        ),
        "median": _("the median of “%(question)s”", question=question),
        "q1": _("the lower quartile of “%(question)s”", question=question),
        "q3": _("the upper quartile of “%(question)s”", question=question),
    }
    return names[stat]


def population_of(results, domain, lang):
    """Whom a figure describes: the survey's population, within a domain when there is one."""
    population = text_in(results.definition.population, lang) or _("the surveyed population")
    if domain is None:
        return population
    where = domain_label(results, domain, lang)
    if domain.variable == "channel":
        return _("respondents who answered via %(channel)s", channel=where)
    return _("%(population)s in %(domain)s", population=population, domain=where)


def sentence(results, figure, lang):
    """One ready-to-cite sentence for a figure, stating a population estimate."""
    with force_locale(LOCALES[lang]):
        weighted = results.weighting is not None and results.weighting.weighted
        values = {
            "population": population_of(results, figure.domain, lang),
            "what": _what(results, figure, lang),
            "value": fmt(figure, figure.estimate),
            "low": fmt(figure, figure.ci_low),
            "high": fmt(figure, figure.ci_high),
            "level": f"{round(figure.level * 100)}%",
            "n": figure.n,
            "neff": "–" if figure.n_eff is None else f"{figure.n_eff:.0f}",
        }
        if figure.is_share and weighted:
            return _(
                "By weighted estimate, about %(value)s of %(population)s %(what)s "
                "(%(level)s CI %(low)s–%(high)s; n=%(n)s, effective n %(neff)s).",
                **values,
            )
        if figure.is_share:
            return _(
                "By unweighted estimate, about %(value)s of %(population)s %(what)s "
                "(%(level)s CI %(low)s–%(high)s; n=%(n)s, effective n %(neff)s).",
                **values,
            )
        if weighted:
            return _(
                "By weighted estimate, %(what)s among %(population)s is %(value)s "
                "(%(level)s CI %(low)s–%(high)s; n=%(n)s, effective n %(neff)s).",
                **values,
            )
        return _(
            "By unweighted estimate, %(what)s among %(population)s is %(value)s "
            "(%(level)s CI %(low)s–%(high)s; n=%(n)s, effective n %(neff)s).",
            **values,
        )


def method_name(method):
    """The name of a share-interval method (one of ``settings_check.CI_METHODS``)."""
    return {
        "logit": _("the logit-transformed interval"),
        "korn-graubard": _("the Korn–Graubard interval"),
        "wilson": _("the Wilson interval"),
        "clopper-pearson": _("the Clopper–Pearson interval"),
        "wald": _("the Wald interval"),
        "likelihood": _("the design-scaled profile-likelihood interval"),
        "asin": _("the arcsine-square-root interval"),
    }[method]


def methods_paragraph(results, lang):
    """The methods paragraph: fieldwork, channels, n, weighting (variables used), intervals."""
    with force_locale(LOCALES[lang]):
        return _methods(results, lang)


def _methods(results, lang):
    fw = results.fieldwork
    w = results.weighting
    parts = []
    channels = _join(
        [
            _("%(channel)s %(n)s", channel=channel_name(k, lang), n=n)
            for k, n in fw.get("channels", {}).items()
        ]
    )
    parts.append(
        _(
            "The survey ran from %(first)s to %(last)s (%(tz)s) and received %(n)s valid "
            "responses (by channel: %(channels)s).",
            first=fw.get("first") or "—",
            last=fw.get("last") or "—",
            tz=fw.get("timezone", ""),
            n=results.n,
            channels=channels or "—",
        )
    )
    if fw.get("n_excluded"):
        reasons = _join(
            [
                _("%(reason)s %(n)s", reason=e["reason"] or _("no reason given"), n=e["n"])
                for e in fw["excluded"]
            ]
        )
        parts.append(
            _(
                "Data-quality review excluded %(n)s responses (%(reasons)s).",
                n=fw["n_excluded"],
                reasons=reasons,
            )
        )
    if w is not None and w.weighted:
        names = _join([label_of(results, v, lang) for v in w.variables])
        method = _("raked") if w.method == "rake" else _("post-stratified")
        parts.append(
            _(
                "Estimates are %(method)s to population counts by %(variables)s (weight ratio "
                "%(ratio)s, design effect of weighting %(deff)s, effective sample size about "
                "%(neff)s).",
                method=method,
                variables=names,
                ratio=f"{w.report.get('weight_ratio', 0):.2f}",
                deff=f"{w.report.get('kish_deff', 0):.2f}",
                neff=f"{w.report.get('n_eff', 0):.0f}",
            )
        )
    elif w is not None and w.error:
        parts.append(
            _(
                "Weighting failed (%(error)s): the estimates are unweighted and describe the "
                "respondents only.",
                error=w.error,
            )
        )
    else:
        parts.append(_("Estimates are unweighted and describe the respondents only."))
    parts.append(
        _(
            "%(level)s intervals for shares use %(method)s, other figures a t interval "
            "(quantiles: Woodruff); standard errors are Taylor-linearised. Answers marked as "
            "not substantive (such as “don't know”) are left out of the bases of scores, rates "
            "and shares of chosen answers.",
            level=f"{round(results.ci_level * 100)}%",
            method=method_name(results.settings["ci_method"]),
        )
    )
    flagged = sum(1 for f in results.figures if not f.reliable)
    if flagged:
        parts.append(
            _(
                "%(n)s figures fall short of the NCHS data presentation standards (effective "
                "sample size under 30, fewer than 8 degrees of freedom, an interval 30 points "
                "wide or wider than 130%% of a share, or a relative standard error above 30%%): "
                "they are marked ‡, shown for reference and offered for no citation.",
                n=flagged,
            )
        )
    prov = results.provenance
    parts.append(
        _(
            "(Questionnaire version(s) %(versions)s, analysis settings version %(settings)s, "
            "%(software)s.)",
            versions=", ".join(map(str, prov.get("survey_versions", []))) or "—",
            settings=prov.get("settings_version"),
            software=prov.get("software"),
        )
    )
    return (" " if lang == "en" else "").join(parts)
