"""Exports: every format from the console and the CLI, labels intact, statuses and weights included."""

import csv
import io
import json

import openpyxl
import pyreadstat
import pytest
from sqlalchemy import func
from sqlalchemy import select

from surveyapp.models import AuditEntry
from tests.results.conftest import DEMO_N

URL = "/console/surveys/nanyang-dcm/results/export"


def _download(client, fmt, **params):
    with client.get(URL, query_string={"format": fmt, **params}) as response:
        assert response.status_code == 200, response.status_code
        return response.get_data()


def test_csv_has_bom_codes_flags_statuses_and_weights(as_role, demo):
    data = _download(as_role("evaluator"), "csv")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == DEMO_N
    assert {"heard_via_1", "heard_via_5", "sat_parking", "weight", "status"} <= set(rows[0])
    excluded = [r for r in rows if r["status"] == "excluded"]
    valid = [r for r in rows if r["status"] == "valid"]
    assert excluded and all(r["weight"] == "" and r["status_reason"] for r in excluded)
    assert abs(sum(float(r["weight"]) for r in valid) - 1_200_000) < 1
    assert {r["awareness"] for r in rows} <= {"1", "2", "3", "4"}
    unaware = [r for r in rows if r["awareness"] == "4"]
    assert all(r["heard_via_1"] == "" for r in unaware)
    aware = [r for r in rows if r["awareness"] in ("1", "2", "3")]
    assert all(r["heard_via_1"] in ("0", "1") for r in aware)


def test_csv_with_labels(as_role):
    data = _download(as_role("evaluator"), "csv", labels="1")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["awareness"] for r in rows} == {"非常了解", "比较了解", "仅听说过", "完全不了解"}


def test_sav_and_dta_keep_variable_and_value_labels(as_role, tmp_path):
    client = as_role("evaluator")
    for fmt, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        path = tmp_path / f"out.{fmt}"
        path.write_bytes(_download(client, fmt))
        frame, meta = reader(str(path))
        assert len(frame) == DEMO_N
        labels = meta.variable_value_labels
        assert labels["awareness"][3] == "仅听说过"
        # Don't know: a user-missing 9 in SPSS, the extended missing .a in Stata.
        assert labels["sat_overall"][9 if fmt == "sav" else "a"] == "不清楚/未接触过"
        assert "heard_via_1" in frame.columns
        names = dict(zip(meta.column_names, meta.column_labels))
        assert names["district"].startswith("您目前居住在哪个区")
        assert set(frame["status"]) == {"valid", "excluded"}


def test_xlsx_has_codebook(as_role, tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_bytes(_download(as_role("evaluator"), "xlsx"))
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ["responses", "codebook"]
    head = next(wb["responses"].iter_rows(max_row=1, values_only=True))
    assert head[0] == "response_id" and "weight" in head
    assert sum(1 for _ in wb["responses"].iter_rows(values_only=True)) == DEMO_N + 1
    book = {row[0]: row for row in wb["codebook"].iter_rows(min_row=2, values_only=True)}
    assert "3=仅听说过" in book["awareness"][3]
    wb.close()


def test_json_array_and_lines(as_role):
    client = as_role("evaluator")
    array = json.loads(_download(client, "json"))
    assert len(array) == DEMO_N and {"response_id", "awareness", "weight"} <= set(array[0])
    lines = _download(client, "jsonl").decode().splitlines()
    assert len(lines) == DEMO_N and json.loads(lines[0])["response_id"] == array[0]["response_id"]


def test_estimates_table_exports(as_role):
    client = as_role("evaluator")
    with client.get("/console/surveys/nanyang-dcm/results/estimates.csv") as response:
        rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert any(
        r["question"] == "awareness"
        and r["statistic"] == "dist"
        and r["codes"] == "3"
        and r["domain"] == ""
        for r in rows
    )
    assert any(r["question"] == "awareness" and r["codes"] == "1,2,3" for r in rows)
    with client.get("/console/surveys/nanyang-dcm/results/estimates.json") as response:
        assert json.loads(response.get_data())[0]["question"] == "district"


def test_every_export_is_audited_and_needs_evaluator(as_role, demo):
    viewer = as_role("viewer")
    with viewer.get(URL, query_string={"format": "csv"}) as response:
        assert response.status_code == 403
    client = as_role("evaluator")
    _download(client, "csv")
    _download(client, "sav")
    with client.get(URL, query_string={"format": "exe"}) as response:
        assert response.status_code == 404
    with demo.app_context():
        db = demo.extensions["sqlalchemy"]
        details = db.session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "export")
        ).all()
    assert [(d["what"], d["format"]) for d in details] == [
        ("responses", "csv"),
        ("responses", "sav"),
    ]


def _row_count(path, fmt):
    """The number of response rows in an exported file."""
    if fmt == "csv":
        return len(list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig")))))
    if fmt == "json":
        return len(json.loads(path.read_text("utf-8")))
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return sum(1 for _ in wb["responses"].iter_rows(min_row=2, values_only=True))
        finally:
            wb.close()
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    return len(reader(str(path))[0])


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "dta", "json"])
def test_cli_export(demo, runner, tmp_path, fmt):
    path = tmp_path / f"cli.{fmt}"
    result = runner.invoke(
        args=["survey", "export", "nanyang-dcm", "--format", fmt, "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert f"{DEMO_N} responses" in result.output and path.stat().st_size > 1000
    with demo.app_context():
        db = demo.extensions["sqlalchemy"]
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export")
            )
            == 1
        )
    assert _row_count(path, fmt) == DEMO_N


def test_cli_estimates_export(demo, runner, tmp_path):
    path = tmp_path / "est.json"
    result = runner.invoke(
        args=["survey", "export", "nanyang-dcm", "--format", "json", "-o", str(path), "--estimates"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())[0]["statistic"] == "dist"
    bad = runner.invoke(
        args=["survey", "export", "nanyang-dcm", "--format", "sav", "-o", str(path), "--estimates"]
    )
    assert bad.exit_code != 0
