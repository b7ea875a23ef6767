"""Synthetic answers for any survey definition, drawn column by column with numpy.

Every respondent has a latent satisfaction (normal, shifted by their demographic cells); every
ordinal question (a scale item, a rating) is a noisy ordered cut of it, so the satisfaction items
correlate as real ones do, with a few non-substantive answers where the scale has one.
Demographics follow the survey's population margins when it has them, tilted so that weighting
has work to do, and the shares of other choices differ by demographic cell, so that weighting
changes the estimates. Other choices, multiple choices, numbers and texts are drawn within the
question's constraints. Questions are drawn in questionnaire order and a question is answered
only where its ``relevant`` condition holds over the answers drawn before it, as on the form;
required questions are always answered where relevant, others now and then skipped.
"""

from dataclasses import dataclass

import numpy as np

from ..definitions.conditions import holds_columns
from ..definitions.conditions import parse
from ..definitions.qtypes import question_type

SAMPLE_TEXTS = (
    "希望服务更便捷一些。",
    "总体不错，继续保持。",
    "处理速度还可以更快。",
    "建议加强宣传，让更多人知道。",
    "More information online, please.",
)
# Chance that a relevant, optional question is answered.
# (Someone shown a "choose all that apply" ticks something.)
ANSWER_RATE = {"code": 0.93, "flags": 1.0, "number": 0.85, "text": 0.07}
NON_SUBSTANTIVE_RATE = 0.03
ITEM_LOADING = 0.85
ITEM_NOISE = 0.6
# How the sample's demographic shares differ from the population's (log scale): the first-listed
# cell over-represented by this much, the last one under-represented as much (as online samples
# over-represent the young when age bands are listed youngest first).
SAMPLE_TILT = 0.4
# How much later-listed demographic cells lean towards later-listed answers of other choices.
CELL_LEAN = 1.2


@dataclass
class Column:
    """The answers of ``n`` respondents to one answer key (the shape conditions read).

    ``number`` holds the code or number (NaN when not answered); a multiple choice keeps its
    ticks (respondents x ``codes``) and a text the index of its sample text.
    """

    answered: np.ndarray
    number: np.ndarray
    stored_as: str = "code"
    ticks: np.ndarray | None = None
    codes: tuple = ()
    text: np.ndarray | None = None

    def has(self, code):
        """Whether each respondent's answer includes ``code``."""
        if self.ticks is None:
            return self.number == code
        if code not in self.codes:
            return np.zeros(len(self.answered), dtype=bool)
        return self.ticks[:, self.codes.index(code)]


def draw_answers(definition, n, rng, margins=None):
    """``{answer key: Column}`` for ``n`` respondents; ``margins`` as in the analysis settings."""
    margins = margins or {}
    columns, drawn = {}, {}
    latent = rng.normal(0.0, 1.0, n)
    # Demographics first (they often come last on the form), so they can shift the latent and
    # the other choices: then weighting changes estimates, as it does with real samples.
    cells = []
    for q in definition.questions:
        if q.weighting:
            index = _categorical(q, n, rng, margins.get(q.key))
            latent = latent + rng.normal(0.0, 0.3, len(q.codes))[index]
            drawn[q.key] = np.asarray(q.codes)[index]
            cells.append(_position(index, len(q.codes)))
    draw = {"cells": cells, "drawn": drawn, "latent": latent}
    for q in definition.questions:
        qtype = question_type(q.type)
        relevant = (
            holds_columns(parse(q.relevant), columns, n) if q.relevant else np.ones(n, dtype=bool)
        )
        for key in q.answer_keys:
            rate = 1.0 if q.required else ANSWER_RATE[qtype.column_kind]
            answered = relevant & (rng.random(n) < rate)
            columns[key] = _DRAW[qtype.column_kind](q, qtype, n, rng, answered, draw)
    return columns


def _code_column(q, qtype, n, rng, answered, draw):
    if q.key in draw["drawn"]:
        codes = draw["drawn"][q.key]
    elif qtype.ordinal:
        codes = _ordinal(q, qtype, n, rng, draw["latent"])
    else:
        codes = np.asarray(q.codes)[_by_cells(q, n, rng, draw["cells"])]
    number = np.where(answered, codes, np.nan)
    return Column(answered=answered, number=number)


def _ordinal(q, qtype, n, rng, latent):
    """An ordered cut of the latent, with the rare non-substantive answer the scale offers."""
    worst_first = [c.code for c in reversed(qtype.ranked_choices(q))]
    k = len(worst_first)
    # Mostly satisfied, as such surveys are: shares rise towards the best answer.
    shares = (1 + 8 * (np.arange(k) / max(k - 1, 1)) ** 1.5) * np.exp(rng.normal(0, 0.3, k))
    y = ITEM_LOADING * latent + rng.normal(0.0, ITEM_NOISE, n)
    cuts = np.quantile(y, np.cumsum(shares)[:-1] / shares.sum())
    codes = np.asarray(worst_first)[np.searchsorted(cuts, y)]
    other = [c.code for c in q.choices if not c.substantive]
    if other:
        swap = rng.random(n) < NON_SUBSTANTIVE_RATE
        codes = np.where(swap, rng.choice(other, n), codes)
    return codes


def _position(index, k):
    """Listed position scaled to -0.5 (first) .. 0.5 (last)."""
    return index / max(k - 1, 1) - 0.5


def _categorical(q, n, rng, cells):
    """Choice indices drawn from the tilted population shares in ``cells``, else at random."""
    k = len(q.codes)
    if cells:
        counts = np.array([float(cells.get(str(c), 0.0)) for c in q.codes])
        weights = counts * np.exp(-2 * SAMPLE_TILT * _position(np.arange(k), k))
        weights[counts == 0] = 0.02 * weights.sum() / k
    else:
        weights = rng.dirichlet(np.full(k, 2.0))
    return rng.choice(k, n, p=weights / weights.sum())


def _by_cells(q, n, rng, cells):
    """Choice indices whose shares differ by demographic cell (multinomial logit, Gumbel-max)."""
    k = len(q.codes)
    logits = np.log(rng.dirichlet(np.full(k, 2.0)))[None, :] + rng.gumbel(size=(n, k))
    lean = 4 * CELL_LEAN * _position(np.arange(k), k)
    for position in cells:
        logits += position[:, None] * (lean + rng.normal(0.0, 0.2, k))[None, :]
    return logits.argmax(axis=1)


def _codes_column(q, qtype, n, rng, answered, draw):
    k = len(q.choices)
    cap = q.max_choices or k
    ratio = rng.random((n, k)) / rng.uniform(0.15, 0.55, k)
    # Ticked: the options whose ratio is below 1, at most ``cap`` of them, at least one.
    rank = np.argsort(np.argsort(ratio, axis=1), axis=1)
    ticks = (ratio < 1) & (rank < cap)
    ticks |= rank == 0
    ticks &= answered[:, None]
    return Column(
        answered=answered,
        number=np.full(n, np.nan),
        stored_as="flags",
        ticks=ticks,
        codes=q.codes,
    )


def _number_column(q, qtype, n, rng, answered, draw):
    low = 0.0 if q.min is None else float(q.min)
    if q.max is None:
        values = low + rng.gamma(2.0, 8.0, n)
    else:
        values = low + (float(q.max) - low) * rng.beta(1.5, 4.0, n)
    whole = all(v is None or float(v).is_integer() for v in (q.min, q.max))
    if whole:
        values = np.rint(values)
    values = np.clip(values, q.min, q.max) if (q.min, q.max) != (None, None) else values
    return Column(answered=answered, number=np.where(answered, values, np.nan), stored_as="number")


def _text_column(q, qtype, n, rng, answered, draw):
    text = np.where(answered, rng.integers(0, len(SAMPLE_TEXTS), n), -1)
    return Column(answered=answered, number=np.full(n, np.nan), stored_as="text", text=text)


_DRAW = {
    "code": _code_column,
    "flags": _codes_column,
    "number": _number_column,
    "text": _text_column,
}
