"""Typed results: one :class:`Results` object read by the page, charts, API, CLI, report, exports.

Every figure is a :class:`Figure` named by ``(question, statistic, codes, domain)``:

- ``question``: a question or Likert item key, or the index key of the plan;
- ``statistic``: ``share`` (of ``codes`` among substantive answers; multiple choice: share
  choosing the option), ``top2`` (top-two rate of a Likert item; ``codes`` are the top two),
  ``score`` (0-100), ``index`` (composite, 0-100), ``mean``, ``nps`` (-100..100), ``median``,
  ``q1``, ``q3``;
- ``domain``: ``None`` for the whole sample or a :class:`Domain` ``(variable, value)``.

:meth:`Results.estimate` looks one up and raises :class:`MissingEstimate` (a ``KeyError``) when
there is none.
"""

import math
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field

SHARE_STATISTICS = ("share", "top2", "dist")


class MissingEstimate(KeyError):
    """No such estimate in the results; the message names what was asked for."""

    def __str__(self):
        return str(self.args[0]) if self.args else "missing estimate"


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


@dataclass(frozen=True)
class Domain:
    """A domain of estimation: a categorical variable and one of its values (a code or channel)."""

    variable: str
    value: str

    def to_dict(self):
        return {self.variable: self.value}


@dataclass(frozen=True)
class Figure:
    """One published estimate with its interval and bases."""

    question: str
    statistic: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_eff: float | None = None
    deff: float | None = None
    codes: tuple = ()
    domain: Domain | None = None
    method: str = "t"
    level: float = 0.95
    # Why it falls short of the presentation standards (``analysis.RELIABILITY_FLAGS``).
    flags: tuple = ()

    @property
    def reliable(self):
        """True when the figure meets the NCHS presentation standards: fit to cite."""
        return not self.flags

    @property
    def is_share(self):
        """True for shares and rates (shown as percentages)."""
        return self.statistic in SHARE_STATISTICS

    @property
    def key(self):
        """``question|codes|variable=value|statistic``: stable id for pages, tests, copy buttons."""
        codes = ",".join(map(str, self.codes))
        domain = "" if self.domain is None else f"{self.domain.variable}={self.domain.value}"
        return f"{self.question}|{codes}|{domain}|{self.statistic}"

    @property
    def ci(self):
        return (self.ci_low, self.ci_high)

    def to_dict(self):
        """JSON shape of one estimate (``survey analyze --json``, API, estimates export)."""
        return {
            "question": self.question,
            "statistic": self.statistic,
            "codes": list(self.codes),
            "domain": None if self.domain is None else self.domain.to_dict(),
            "estimate": _num(self.estimate),
            "se": _num(self.se),
            "ci": [_num(self.ci_low), _num(self.ci_high)],
            "method": self.method,
            "level": self.level,
            "n": int(self.n),
            "n_eff": _num(self.n_eff),
            "deff": _num(self.deff),
            "flags": list(self.flags),
            "reliable": self.reliable,
        }


@dataclass(frozen=True)
class QuestionSummary:
    """What the results hold for one question: its figures' keys and its base."""

    key: str
    type: str
    summary: str
    label: dict
    n: int
    figures: tuple = ()  # Figure.key of its whole-sample figures, in display order

    def to_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class Difference:
    """``a - b`` of one figure between two domains or two waves, with its test."""

    question: str
    statistic: str
    a: str
    b: str
    estimate_a: float | None
    estimate_b: float | None
    ci_a: tuple
    ci_b: tuple
    difference: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool
    variable: str | None = None
    codes: tuple = ()

    def to_dict(self):
        out = asdict(self)
        out["ci"] = [_num(self.ci_low), _num(self.ci_high)]
        return out


@dataclass(frozen=True)
class WaveComparison:
    """Wave B against wave A (``by`` is ``dates``, ``versions`` or ``none``)."""

    by: str = "none"
    a: tuple = ()
    b: tuple = ()
    label_a: str = ""
    label_b: str = ""
    n_a: int = 0
    n_b: int = 0
    rows: tuple = ()
    error: str | None = None

    def to_dict(self):
        out = asdict(self)
        out["rows"] = [r.to_dict() for r in self.rows]
        return out


@dataclass(frozen=True)
class IndicatorScore:
    """A rubric indicator scored at the estimate and at both CI ends."""

    id: str
    name: dict
    max_points: float
    question: str
    statistic: str
    codes: tuple
    rule: dict
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_eff: float | None
    points: float | None
    points_low: float | None
    points_high: float | None
    flags: tuple = ()  # the estimate's reliability flags (Figure.flags)

    @property
    def settled(self):
        """True when the points at the estimate and at both CI ends agree."""
        return self.points is not None and self.points_low == self.points == self.points_high

    @property
    def is_share(self):
        return self.statistic in SHARE_STATISTICS

    def to_dict(self):
        out = asdict(self)
        out["ci"] = [_num(self.ci_low), _num(self.ci_high)]
        out["settled"] = self.settled
        return out


@dataclass(frozen=True)
class Weighting:
    """How the weights were made: requested and applied method, report, and any failure."""

    requested: str
    method: str
    variables: tuple = ()
    error: str | None = None
    report: dict = field(default_factory=dict)

    @property
    def weighted(self):
        return self.method != "none"

    def to_dict(self):
        return {
            "requested": self.requested,
            "method": self.method,
            "variables": list(self.variables),
            "error": self.error,
            **self.report,
        }


@dataclass(frozen=True)
class Results:
    """Everything computed for one survey under one settings version and data state."""

    survey_key: str
    title: dict
    definition: object = field(repr=False, compare=False)
    plan: object = field(repr=False, compare=False)
    settings: dict = field(repr=False)
    settings_version: int = 0
    n: int = 0
    figures: tuple = ()
    summaries: tuple = ()
    indicators: tuple = ()
    weighting: Weighting | None = None
    domain_differences: tuple = ()
    waves: WaveComparison = WaveComparison()
    text_counts: dict = field(default_factory=dict)
    fieldwork: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    weights_sum: float | None = None
    fingerprint: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "_by_key", {f.key: f for f in self.figures})
        object.__setattr__(self, "_memo", {})

    def memo(self, key, make):
        """``make()`` once per results object (the page's arranged tables, per language)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def estimate(self, question, statistic, codes=(), domain=None):
        """The :class:`Figure` for these keys; raises :class:`MissingEstimate` when there is none.

        ``codes`` may be any iterable of codes (order matters only as the plan gives it for
        ``top2``: best first); ``domain`` a :class:`Domain` or ``(variable, value)``.
        """
        if statistic == "top2" and not codes and self.plan is not None:
            codes = self.plan.scale(question).top
        if domain is not None and not isinstance(domain, Domain):
            domain = Domain(str(domain[0]), str(domain[1]))
        wanted = Figure(
            question, statistic, None, None, None, None, 0, codes=tuple(codes), domain=domain
        )
        found = self._by_key.get(wanted.key)
        if found is None and len(wanted.codes) > 1:
            # Same codes in another order (a share of {1, 2, 3} asked as [3, 1, 2]).
            for figure in self.figures:
                if (figure.question, figure.statistic, figure.domain) == (
                    question,
                    statistic,
                    domain,
                ) and sorted(figure.codes) == sorted(wanted.codes):
                    return figure
        if found is None:
            where = "" if domain is None else f" in {domain.variable}={domain.value}"
            codes_text = f" of codes {list(wanted.codes)}" if wanted.codes else ""
            raise MissingEstimate(
                f"no {statistic} estimate{codes_text} for {question!r}{where} in these results"
            )
        return found

    def figures_of(self, question=None, statistic=None, domain_variable=None, whole=None):
        """Figures filtered by question, statistic and domain variable (``whole``: no domain)."""
        out = []
        for f in self.figures:
            if question is not None and f.question != question:
                continue
            if statistic is not None and f.statistic != statistic:
                continue
            if whole is True and f.domain is not None:
                continue
            if domain_variable is not None and (
                f.domain is None or f.domain.variable != domain_variable
            ):
                continue
            out.append(f)
        return out

    def summary(self, key):
        """The :class:`QuestionSummary` of question ``key`` (raises when there is none)."""
        for s in self.summaries:
            if s.key == key:
                return s
        raise MissingEstimate(f"no summary for question {key!r}")

    def indicator(self, indicator_id):
        """The :class:`IndicatorScore` with this id (raises when there is none)."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise MissingEstimate(f"no indicator {indicator_id!r}")

    @property
    def ci_level(self):
        return float(self.settings["ci_level"])

    def to_dict(self):
        """The documented JSON shape (CLI ``--json``, API)."""
        return {
            "survey": {"key": self.survey_key, "title": self.title},
            "settings": {**public_settings(self.settings), "version": self.settings_version},
            "n": self.n,
            "estimates": [f.to_dict() for f in self.figures],
            "summaries": [s.to_dict() for s in self.summaries],
            "text_answers": dict(self.text_counts),
            "indicators": [i.to_dict() for i in self.indicators],
            "weighting": self.weighting.to_dict() if self.weighting else None,
            "differences": {
                "domains": [d.to_dict() for d in self.domain_differences],
                "waves": self.waves.to_dict(),
            },
            "fieldwork": self.fieldwork,
            "provenance": self.provenance,
            "weights_summary": {"sum": _num(self.weights_sum)},
        }


PUBLIC_SETTINGS = (
    "weighting",
    "poststratify_variable",
    "margins",
    "ci_method",
    "ci_level",
    "scoring",
    "score_table",
    "comparison",
)


def public_settings(settings):
    """The settings that shape the figures (not the rubric)."""
    return {k: settings[k] for k in PUBLIC_SETTINGS if k in settings}
