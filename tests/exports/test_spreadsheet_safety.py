"""Spreadsheet formula injection: a citizen's text never becomes a formula in an export."""

import csv
import io
import secrets
from datetime import datetime

import openpyxl
import pytest

from surveyapp.definitions.store import definition_of
from surveyapp.definitions.store import get_survey
from surveyapp.exports.columns import columns_for
from surveyapp.extensions import db as _db
from surveyapp.models import Answer
from surveyapp.models import Response
from surveyapp.spreadsheet import csv_cell
from surveyapp.spreadsheet import looks_like_formula

ATTACKS = (
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
)
URL = "/console/surveys/nanyang-dcm/results/export"


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_like_text_is_recognised(text):
    assert looks_like_formula(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-2", "+3.5", "1e5", "a=b", "正常的意见", "", "100%", " -"])
def test_plain_text_and_numbers_are_left_alone(text):
    assert csv_cell(text) == text
    assert csv_cell(-2) == -2 and csv_cell(None) == ""


def _text_column(app):
    with app.app_context():
        columns = columns_for(definition_of(get_survey("nanyang-dcm").latest_version))
    return next(c for c in columns if c.kind == "text" and c.source)


@pytest.fixture
def hostile(app):
    """One response per attack, each with the attack as its open-text answer."""
    column = _text_column(app)
    with app.app_context():
        survey = get_survey("nanyang-dcm")
        for text in ATTACKS:
            response = Response(
                survey_id=survey.id,
                version_id=survey.latest_version.id,
                submission_token=secrets.token_hex(16),
                submitted_at=datetime(2026, 3, 1, 8),
                duration_seconds=-5.0,
            )
            response.answers = [
                Answer(survey_id=survey.id, question=column.source, text=text, demographic=False)
            ]
            _db.session.add(response)
        _db.session.commit()
    return column.name


def _csv_values(data, name):
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return [r[name] for r in rows], rows


def _xlsx_cells(data, name):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet = wb["responses"]
    head = [c.value for c in sheet[1]]
    col = head.index(name)
    durations = head.index("duration_seconds")
    cells = [row[col] for row in sheet.iter_rows(min_row=2)]
    numbers = [row[durations] for row in sheet.iter_rows(min_row=2)]
    return cells, numbers


def test_web_exports_write_answers_as_text(app, client, users, hostile):
    from tests.conftest import login_as

    login_as(client, users["evaluator"])
    with client.get(URL, query_string={"format": "csv"}) as response:
        values, rows = _csv_values(response.get_data(), hostile)
    assert values == ["'" + text for text in ATTACKS]
    # Numbers stay numbers, a negative one included.
    assert {r["duration_seconds"] for r in rows} == {"-5.0"}
    with client.get(URL, query_string={"format": "xlsx"}) as response:
        cells, numbers = _xlsx_cells(response.get_data(), hostile)
    assert [c.value for c in cells] == list(ATTACKS)
    assert {c.data_type for c in cells} == {"s"} and all(c.quotePrefix for c in cells)
    assert {(c.data_type, c.value) for c in numbers} == {("n", -5)}


def test_cli_exports_write_answers_as_text(app, runner, hostile, tmp_path):
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"out.{fmt}"
        result = runner.invoke(
            args=["survey", "export", "nanyang-dcm", "--format", fmt, "-o", str(path)]
        )
        assert result.exit_code == 0, result.output
        if fmt == "csv":
            values, _rows = _csv_values(path.read_bytes(), hostile)
            assert values == ["'" + text for text in ATTACKS]
        else:
            cells, _numbers = _xlsx_cells(path.read_bytes(), hostile)
            assert [c.value for c in cells] == list(ATTACKS)
            assert {c.data_type for c in cells} == {"s"}
