"""Shared loader of data/r_reference_estimators.csv (written by data/r_reference_estimators.R)."""

import pandas as pd
import pytest

from analysis import poststratify

from .conftest import DATA

REL = 1e-6
POP_TYPES = {"E": 4421, "H": 755, "M": 1018}


def load_reference() -> dict:
    """``{(id, quantity): value}`` of every value R computed."""
    table = pd.read_csv(DATA / "r_reference_estimators.csv")
    return {(row.id, row.quantity): float(row.value) for row in table.itertuples()}


def api_designs(dstrat, dclus1) -> dict:
    """The designs the R script builds: dstrat, dclus1 and dclus1 post-stratified on stype."""
    return {"strat": dstrat, "clus1": dclus1, "clus1p": poststratify(dclus1, "stype", POP_TYPES)}


def near(actual, expected, rel=REL):
    return actual == pytest.approx(expected, rel=rel, abs=1e-12)
