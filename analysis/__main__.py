"""Command line: estimates with confidence intervals from a responses CSV.

Usage::

    python -m analysis responses.csv design.yaml [--json] [--level 0.95]

The YAML file describes the design, optional weighting to population
margins, and the estimates wanted::

    design:                 # every key optional
      weights: pw           # weight column
      strata: stype         # stratum column
      clusters: dnum        # PSU column
      fpc: fpc              # population PSUs per stratum, or sampling fraction
      lonely_psu: adjust    # fail | remove | adjust | certainty | average
    weighting:              # optional
      method: rake          # rake | poststratify
      margins:              # variable -> category -> population count
        stype: {E: 4421, H: 755, M: 1018}
        sch.wide: {"No": 1072, "Yes": 5122}
      bounds: [10, 100]     # optional weight trimming bounds (rake only)
    level: 0.95             # optional confidence level
    estimates:
      - {type: mean, variable: api00, by: stype}
      - {type: total, variable: enroll}
      - {type: proportion, variable: awards, method: korn-graubard}
      - {type: ratio, numerator: api00, denominator: api99}
      - {type: score, variable: q1, levels: [1, 2, 3, 4, 5]}
      - {type: satisfaction_rate, variable: q1, levels: [1, 2, 3, 4, 5], top: 2}
      - {type: quantile, variable: api00, probs: [0.25, 0.5, 0.75], by: stype}
      - {type: counts, variable: awards}
      - {type: variance, variable: api00}

``weighting.method: calibrate`` takes ``population`` (``{column: {category:
count}}`` or ``{column: total}``), ``calfun`` (linear | raking | logit) and
``bounds`` instead of ``margins``.

Quote YAML keys such as ``"No"``/``"Yes"`` so they stay text.  The table
printed has one row per estimate (and per category/domain); ``--json``
prints the same rows, plus the weighting report, as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from ._calibrate import calibrate
from ._calibration import poststratify
from ._calibration import rake
from ._counts import counts
from ._counts import population_variance
from ._design import Design
from ._errors import SurveyError
from ._estimators import mean
from ._estimators import proportion
from ._estimators import ratio
from ._estimators import total
from ._quantiles import quantile
from ._results import Estimate
from ._scoring import satisfaction_rate
from ._scoring import score


def _load_yaml(path: str) -> dict:
    import yaml

    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    if not isinstance(config, dict):
        raise SurveyError("the YAML file must hold a mapping")
    return config


def build_design(frame: pd.DataFrame, config: dict) -> Design:
    """Design (and weighting) described by a parsed YAML configuration."""
    spec = config.get("design") or {}
    design = Design(
        frame,
        weights=spec.get("weights"),
        strata=spec.get("strata"),
        clusters=spec.get("clusters"),
        fpc=spec.get("fpc"),
        lonely_psu=spec.get("lonely_psu", "fail"),
    )
    weighting = config.get("weighting")
    if weighting:
        margins = weighting.get("margins") or {}
        if weighting.get("method") == "calibrate":
            bounds = weighting.get("bounds") or (float("-inf"), float("inf"))
            design = calibrate(
                design,
                weighting.get("population") or {},
                calfun=weighting.get("calfun", "linear"),
                bounds=tuple(bounds),
            )
        elif weighting.get("method", "rake") == "poststratify":
            if len(margins) != 1:
                raise SurveyError("poststratify takes exactly one margin")
            ((variable, population),) = margins.items()
            design = poststratify(design, variable, population)
        else:
            bounds = weighting.get("bounds")
            design = rake(design, margins, bounds=tuple(bounds) if bounds else None)
    return design


def run_estimates(design: Design, config: dict) -> list[dict]:
    """Compute every estimate listed in the configuration; one dict per row."""
    level = float(config.get("level", 0.95))
    rows: list[dict] = []
    for spec in config.get("estimates") or []:
        kind = spec.get("type")
        by = spec.get("by")
        method = spec.get("method")
        if kind == "mean":
            result = mean(design, spec["variable"], by=by)
        elif kind == "total":
            result = total(design, spec["variable"], by=by)
        elif kind == "ratio":
            result = ratio(design, spec["numerator"], spec["denominator"], by=by)
        elif kind == "proportion":
            result = proportion(design, spec["variable"], by=by, levels=spec.get("levels"))
        elif kind == "score":
            result = score(
                design, spec["variable"], levels=spec.get("levels"), table=spec.get("table"), by=by
            )
        elif kind == "satisfaction_rate":
            result = satisfaction_rate(
                design,
                spec["variable"],
                levels=spec.get("levels"),
                top=int(spec.get("top", 2)),
                by=by,
            )
        elif kind == "counts":
            result = counts(design, spec["variable"], by=by, levels=spec.get("levels"))
        elif kind == "variance":
            result = population_variance(design, spec["variable"], by=by)
        elif kind == "quantile":
            found = quantile(design, spec["variable"], spec.get("probs", [0.5]), by=by, level=level)
            rows.extend(q.to_dict() for q in found)
            continue
        else:
            raise SurveyError(f"unknown estimate type {kind!r}")
        items = [result] if isinstance(result, Estimate) else list(result)
        rows.extend(e.to_dict(level, method if e.kind == "proportion" else None) for e in items)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis", description="Design-based survey estimates with CIs."
    )
    parser.add_argument("responses", help="responses CSV (one row per respondent)")
    parser.add_argument("config", help="YAML file: design, weighting and estimates")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--level", type=float, help="confidence level (overrides the YAML)")
    args = parser.parse_args(argv)
    try:
        config = _load_yaml(args.config)
        if args.level is not None:
            config["level"] = args.level
        frame = pd.read_csv(args.responses)
        design = build_design(frame, config)
        rows = run_estimates(design, config)
    except (SurveyError, KeyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        out = {"design": repr(design), "estimates": rows}
        if design.weighting_report is not None:
            out["weighting"] = design.weighting_report.to_dict()
        print(json.dumps(out, indent=2, default=str))
    else:
        table = pd.DataFrame(rows)
        for label in ("domain", "category"):
            if label in table.columns:
                table[label] = [
                    "" if v is None or (isinstance(v, float) and v != v) else v
                    for v in table[label]
                ]
        columns = [
            c
            for c in (
                "name",
                "kind",
                "domain",
                "category",
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "n",
                "deff",
            )
            if c in table.columns
        ]
        print(repr(design))
        with pd.option_context("display.max_rows", None, "display.width", 200):
            print(table[columns].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
