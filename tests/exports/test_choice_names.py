"""Choice names from an XLSForm (``yes``/``no``) in the responses exports: text formats write the
name where the code would be, 0/1 columns are named after it, SPSS and Stata keep numeric codes."""

import csv
import io
import json
import re
from types import SimpleNamespace

import openpyxl
import pyreadstat
import pytest

from tests.conftest import create_user
from tests.conftest import login_as
from tests.definitions.test_xlsform import KOBO_FORM
from tests.definitions.test_xlsform import workbook

URL = "/console/surveys/pilot-form/results/export"


@pytest.fixture
def evaluator(app, client, runner, tmp_path):
    """The KoBo-style form imported, published and answered twice (yes, then no); an
    evaluator's client."""
    path = tmp_path / "pilot.xlsx"
    path.write_bytes(workbook(KOBO_FORM))
    result = runner.invoke(args=["survey", "import-xlsform", str(path), "--key", "pilot-form"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["survey", "publish", "pilot-form"]).exit_code == 0
    for answers in (
        {"used_service": "1", "channels": ["1", "3"], "visits": "12"}
        | {"rate_staff": "5", "rate_wait": "3"},
        {"used_service": "2"},
    ):
        public = app.test_client()  # one answer per browser
        page = public.get("/s/pilot-form").get_data(as_text=True)
        fields = dict(re.findall(r'name="(csrf_token|_st)"[^>]*?value="([^"]*)"', page))
        assert public.post("/s/pilot-form", data={**fields, **answers}).status_code == 303
    with app.app_context():
        user = SimpleNamespace(id=create_user("evaluator1", "evaluator").id)
    login_as(client, user)
    return client


def _download(client, fmt, **params):
    with client.get(URL, query_string={"format": fmt, **params}) as response:
        assert response.status_code == 200, response.status_code
        return response.get_data()


def _csv(client, **params):
    return list(csv.DictReader(io.StringIO(_download(client, "csv", **params).decode("utf-8-sig"))))


def test_csv_and_json_write_choice_names_and_name_the_flag_columns(evaluator):
    rows = _csv(evaluator)
    assert [r["used_service"] for r in rows] == ["yes", "no"]
    assert [(r["channels_online"], r["channels_phone"], r["channels_visit"]) for r in rows] == [
        ("1", "0", "1"),
        ("", "", ""),
    ]
    # A list whose names are integers keeps them as codes.
    assert rows[0]["rate_staff"] == "5" and rows[0]["rate_wait"] == "3"
    assert [r["used_service"] for r in _csv(evaluator, labels="1")] == ["是", "否"]
    array = json.loads(_download(evaluator, "json"))
    assert [r["used_service"] for r in array] == ["yes", "no"]
    assert array[0]["channels_visit"] == 1 and array[0]["rate_staff"] == 5


def test_xlsx_cells_hold_names_and_the_codebook_gives_name_code_and_label(evaluator, tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_bytes(_download(evaluator, "xlsx"))
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["responses"].iter_rows(values_only=True))
    column = rows[0].index("used_service")
    assert [r[column] for r in rows[1:]] == ["yes", "no"]
    codebook = {r[0]: r for r in book["codebook"].iter_rows(min_row=2, values_only=True)}
    assert codebook["used_service"][3] == "yes (1)=是; no (2)=否"
    assert codebook["rate_staff"][3].startswith("5=非常满意; 4=满意")
    book.close()


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_keep_numeric_codes_with_value_labels(evaluator, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(_download(evaluator, fmt))
    frame, meta = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(path))
    assert list(frame["used_service"]) == [1, 2]
    assert meta.variable_value_labels["used_service"] == {1: "是", 2: "否"}
    assert {"channels_online", "channels_phone", "channels_visit"} <= set(frame.columns)
