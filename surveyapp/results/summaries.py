"""The summary of every question, by the summary its type declares (``QuestionType.summary``).

Each summariser adds :class:`~.model.Figure` rows through a :class:`Collector`; the statistics
themselves come from :mod:`analysis` (shares, scores, rates, means, index) and
:mod:`.quantiles`.
"""

import math

import numpy as np

import analysis

from ..definitions.qtypes import question_type
from .model import Domain
from .model import Figure
from .model import QuestionSummary
from .quantiles import quantiles

NPS_PROMOTER = 9  # 0-10 ratings: 9-10 promote, 0-6 detract (Reichheld 2003)
NPS_DETRACTOR = 6
QUARTILES = (("q1", 0.25), ("median", 0.5), ("q3", 0.75))


def share_column(key, codes):
    """Name of the derived 0/1 column: ``codes`` among the substantive answers to ``key``."""
    return f"__share__{key}__{'_'.join(map(str, codes))}"


def nps_column(key):
    """Name of the derived +1/0/-1 column of a 0-10 rating."""
    return f"__nps__{key}"


def _domain_value(value):
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _num(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


class Collector:
    """Turns :mod:`analysis` estimates into :class:`Figure` rows at the settings' CI level."""

    def __init__(self, level, method):
        self.level = float(level)
        self.method = method
        self.figures = []

    def add(self, question, statistic, est, codes=(), by=None, scale=1.0):
        """Add one :class:`analysis.Estimate` (or each of an EstimateSet) as figures."""
        many = not isinstance(est, analysis.Estimate)
        out = []
        for e in est if many else [est]:
            share = e.kind == "proportion"
            low, high = e.ci(self.level, self.method if share else None)
            domain = None if by is None else Domain(by, _domain_value(e.domain))
            out.append(
                self._append(
                    Figure(
                        question=question,
                        statistic=statistic,
                        estimate=_num(e.estimate * scale),
                        se=_num(e.se * abs(scale)),
                        ci_low=_num(low * scale),
                        ci_high=_num(high * scale),
                        n=int(e.n),
                        n_eff=_num(e.n_eff),
                        deff=_num(e.deff),
                        codes=tuple(codes),
                        domain=domain,
                        method=self.method if share else "t",
                        level=self.level,
                        flags=tuple(e.flags),
                    )
                )
            )
        return out

    def add_table(self, question, statistic, table, by=None, codes_of=None, only=None):
        """Add rows of an :func:`analysis.describe_items` table (``only``: one category)."""
        out = []
        for r in table.itertuples(index=False):
            if only is not None and r.category != only:
                continue
            codes = codes_of(r.category) if codes_of else (int(r.category),)
            domain = None if by is None else Domain(by, _domain_value(r.domain))
            out.append(
                self._append(
                    Figure(
                        question=question,
                        statistic=statistic,
                        estimate=_num(r.estimate),
                        se=_num(r.se),
                        ci_low=_num(r.ci_low),
                        ci_high=_num(r.ci_high),
                        n=int(r.n),
                        n_eff=_num(r.n_eff),
                        deff=_num(r.deff),
                        codes=tuple(codes),
                        domain=domain,
                        method=self.method,
                        level=self.level,
                        flags=tuple(r.flags),
                    )
                )
            )
        return out

    def add_value(self, question, statistic, values, by=None):
        """Add a figure from ``(estimate, se, low, high, n, flags)`` (quantiles)."""
        estimate, se, low, high, n, flags = values
        return [
            self._append(
                Figure(
                    question=question,
                    statistic=statistic,
                    estimate=_num(estimate),
                    se=_num(se),
                    ci_low=_num(low),
                    ci_high=_num(high),
                    n=int(n),
                    domain=by,
                    method="woodruff",
                    level=self.level,
                    flags=tuple(flags),
                )
            )
        ]

    def _append(self, figure):
        self.figures.append(figure)
        return figure


def derive_columns(frame, plan, shares):
    """Add the derived columns the summaries read: code-set indicators and NPS scores."""
    extra = {}
    for key, codes in shares:
        if key not in frame:
            continue
        q = plan.question(key)
        col = frame[key]
        substantive = col.isin(q.substantive_codes)
        extra[share_column(key, codes)] = np.where(
            substantive, col.isin(codes).astype(float), np.nan
        )
    for q in plan.definition.questions:
        if question_type(q.type).summary == "rating" and q.key in frame:
            y = frame[q.key].to_numpy()
            extra[nps_column(q.key)] = np.where(
                np.isnan(y),
                np.nan,
                np.where(y >= NPS_PROMOTER, 1.0, np.where(y <= NPS_DETRACTOR, -1.0, 0.0)),
            )
    if not extra:
        return frame
    import pandas as pd

    return pd.concat([frame, pd.DataFrame(extra, index=frame.index)], axis=1)


class Context:
    """What every summariser needs: design, plan, collector and the Likert score table."""

    def __init__(self, design, plan, collector, table):
        self.design = design
        self.plan = plan
        self.out = collector
        self.table = table
        self._distributions = None
        self._estimates = {}

    def estimate(self, function, *args, **kwargs):
        """``function(design, *args, **kwargs)`` of :mod:`analysis`, once per distinct call: the
        summaries and the headline figures ask for some of the same estimates."""
        key = (function.__name__, repr(args), repr(sorted(kwargs.items())))
        found = self._estimates.get(key)
        if found is None:
            found = self._estimates[key] = function(self.design, *args, **kwargs)
        return found

    def prefetch_distributions(self):
        """Every code column's whole-sample distribution in one :func:`analysis.describe_items`."""
        levels = {
            key: list(q.codes)
            for q in self.plan.definition.questions
            if question_type(q.type).column_kind == "code"
            for key in q.answer_keys
        }
        if levels and self.design is not None:
            table = analysis.describe_items(
                self.design,
                list(levels),
                level=self.out.level,
                method=self.out.method,
                levels=levels,
            )
            self._distributions = {key: rows for key, rows in table.groupby("item", sort=False)}

    def score_table(self, key):
        """The settings' score table when it scores every level of ``key``'s scale, else linear."""
        scale = self.plan.scale(key)
        return self.table if self.table and scale.covers(self.table) else None

    def distribution(self, key, codes, by=None):
        """Share of each code among all answers to ``key`` (non-substantive ones included)."""
        if by is None and self._distributions is not None and key in self._distributions:
            return self.out.add_table(key, "dist", self._distributions[key], by)
        table = analysis.describe_items(
            self.design,
            [key],
            by=by,
            level=self.out.level,
            method=self.out.method,
            levels={key: list(codes)},
        )
        return self.out.add_table(key, "dist", table, by)

    def code_share(self, key, codes, by=None):
        """Share of ``codes`` among the substantive answers to ``key``."""
        column = share_column(key, codes)
        table = analysis.describe_items(
            self.design,
            [column],
            by=by,
            level=self.out.level,
            method=self.out.method,
            levels={column: [0, 1]},
        )
        return self.out.add_table(key, "share", table, by, codes_of=lambda _c: codes, only=1)

    def likert(self, key, by=None, statistics=("score", "top2")):
        """0-100 score and top-two rate of a Likert item."""
        scale = self.plan.scale(key)
        out = []
        if "top2" in statistics:
            rate = self.estimate(
                analysis.satisfaction_rate, key, levels=scale.levels, top=2, exclude=(), by=by
            )
            out += self.out.add(key, "top2", rate, scale.top, by)
        if "score" in statistics:
            out += self.out.add(key, "score", self.score(key, by), (), by)
        return out

    def score(self, key, by=None):
        """The 0-100 score of a Likert item (an EstimateSet with ``by``)."""
        scale = self.plan.scale(key)
        return self.estimate(
            analysis.score,
            key,
            levels=scale.levels,
            table=self.score_table(key),
            exclude=(),
            by=by,
        )

    def index(self, key, items, by=None):
        """A weighted composite of Likert item scores (0-100), as an EstimateSet with ``by``."""
        levels = self.plan.scale(items[0][0]).levels
        table = self.score_table(items[0][0])
        est = self.estimate(
            analysis.dimension_index,
            dict(items),
            levels=levels,
            table=table,
            exclude=(),
            by=by,
            name=key,
        )
        return est, self.out.add(key, "index", est, (), by)


def _shares(ctx, q):
    figures = []
    for key in q.answer_keys:
        figures += ctx.distribution(key, q.codes)
    return figures


def _likert(ctx, q):
    figures = []
    for key in q.answer_keys:
        figures += ctx.likert(key)
        figures += ctx.distribution(key, q.codes)
    if len(q.answer_keys) > 1:
        figures += ctx.index(q.key, tuple((k, 1.0) for k in q.answer_keys))[1]
    return figures


def _multiple(ctx, q):
    columns = [f"{q.key}_{c.code}" for c in q.choices]
    table = analysis.describe_items(
        ctx.design,
        columns,
        level=ctx.out.level,
        method=ctx.out.method,
        levels={c: [0, 1] for c in columns},
    )
    table = table[table["category"] == 1]
    figures = []
    for choice, column in zip(q.choices, columns):
        rows = table[table["item"] == column]
        figures += ctx.out.add_table(
            q.key, "share", rows, codes_of=lambda _c, code=choice.code: (code,)
        )
    return figures


def _rating(ctx, q):
    figures = ctx.out.add(q.key, "mean", analysis.mean(ctx.design, q.key))
    figures += ctx.out.add(q.key, "nps", analysis.mean(ctx.design, nps_column(q.key)), scale=100.0)
    return figures


def _number(ctx, q):
    figures = ctx.out.add(q.key, "mean", analysis.mean(ctx.design, q.key))
    found = quantiles(ctx.design, q.key, [p for _statistic, p in QUARTILES], ctx.out.level)
    for (statistic, _p), values in zip(QUARTILES, found):
        figures += ctx.out.add_value(q.key, statistic, values)
    return figures


def _text(ctx, q):
    return []


SUMMARISERS = {
    "shares": _shares,
    "likert": _likert,
    "multiple": _multiple,
    "rating": _rating,
    "number": _number,
    "text": _text,
}


def summarise(ctx, q, text_counts):
    """Add the figures of question ``q``; returns its :class:`QuestionSummary`."""
    qtype = question_type(q.type)
    figures = [] if ctx.design is None else SUMMARISERS[qtype.summary](ctx, q)
    if qtype.summary == "text":
        n = int(text_counts.get(q.key, 0))
    else:
        n = max((f.n for f in figures), default=0)
    return QuestionSummary(
        key=q.key,
        type=q.type,
        summary=qtype.summary,
        label=q.label_for_report(),
        n=n,
        figures=tuple(f.key for f in figures),
    )
