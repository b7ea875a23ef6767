"""Fixtures for the analysis tests (no Flask needed).

Makes the repository root importable and turns every warning into an error
(``filterwarnings = error`` semantics) for these tests only.
"""

import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every warning raised in these tests is an error (only for tests/analysis)."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.filterwarnings("error"))


@pytest.fixture(scope="session")
def reference():
    with open(DATA / "r_survey_reference.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def apistrat():
    return pd.read_csv(DATA / "apistrat.csv")


@pytest.fixture(scope="session")
def apiclus1():
    return pd.read_csv(DATA / "apiclus1.csv")


@pytest.fixture(scope="session")
def dstrat(apistrat):
    from analysis import Design

    return Design(apistrat, weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="session")
def dclus1(apiclus1):
    from analysis import Design

    return Design(apiclus1, weights="pw", clusters="dnum", fpc="fpc")
