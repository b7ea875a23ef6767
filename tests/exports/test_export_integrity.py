"""SPSS and Stata files an analyst can trust: codes with value labels (also with ``--labels``),
non-substantive codes missing, real date-times, measurement levels; every timestamp in every
export says which time zone it is in."""

import csv
import io
import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import openpyxl
import pyreadstat
import pytest
from sqlalchemy import select

from surveyapp.models import Response
from tests.results.conftest import DEMO_N

BEIJING = timezone(timedelta(hours=8))


def _export(runner, tmp_path, fmt, *extra):
    path = tmp_path / f"out.{fmt}"
    args = ["survey", "export", "nanyang-dcm", "--format", fmt, "-o", str(path), *extra]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return path


def _csv_rows(runner, tmp_path):
    path = _export(runner, tmp_path, "csv")
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def _stored_times(demo):
    """Response id -> submitted_at as stored (naive UTC), read from the database."""
    with demo.app_context():
        db = demo.extensions["sqlalchemy"]
        return dict(db.session.execute(select(Response.id, Response.submitted_at)).all())


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_labels_keep_codes_with_value_labels(demo, runner, tmp_path, fmt):
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(_export(runner, tmp_path, fmt, "--labels")))
    assert len(frame) == DEMO_N
    codes = {int(v) for v in frame["awareness"].dropna()}
    assert codes == {1, 2, 3, 4}
    assert meta.variable_value_labels["awareness"][3] == "仅听说过"
    district = {int(v) for v in frame["district"].dropna()}
    assert district and all(
        meta.variable_value_labels["district"][code] for code in district
    )  # every district code has its label (卧龙区 among them)
    assert "卧龙区" in meta.variable_value_labels["district"].values()


def test_sav_declares_dont_know_missing_and_measurement_levels(demo, runner, tmp_path):
    path = _export(runner, tmp_path, "sav")
    rows = _csv_rows(runner, tmp_path)
    frame, meta = pyreadstat.read_sav(str(path))  # user-missing values read as missing
    raw, raw_meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert raw_meta.missing_ranges["sat_overall"] == [{"lo": 9.0, "hi": 9.0}]
    nines = [r for r in rows if r["sat_overall"] == "9"]
    assert nines, "the demo data has don't-know answers"
    assert (raw["sat_overall"] == 9).sum() == len(nines)
    assert not (frame["sat_overall"] == 9).any()
    # The mean SPSS computes is the mean of the substantive answers (independently, from CSV).
    substantive = [int(r["sat_overall"]) for r in rows if r["sat_overall"] not in ("", "9")]
    assert frame["sat_overall"].mean() == pytest.approx(sum(substantive) / len(substantive))
    measure = meta.variable_measure
    assert measure["sat_overall"] == "ordinal" and measure["recommend"] == "ordinal"
    assert measure["district"] == "nominal" and measure["heard_via_1"] == "nominal"
    assert measure["years_lived"] == "scale" and measure["weight"] == "scale"
    assert measure["submitted_at"] == "scale"


def test_dta_declares_dont_know_extended_missing(demo, runner, tmp_path):
    path = _export(runner, tmp_path, "dta")
    rows = _csv_rows(runner, tmp_path)
    frame, meta = pyreadstat.read_dta(str(path))
    raw, raw_meta = pyreadstat.read_dta(str(path), user_missing=True)
    nines = sum(1 for r in rows if r["sat_overall"] == "9")
    assert (raw["sat_overall"] == "a").sum() == nines
    assert raw_meta.variable_value_labels["sat_overall"]["a"] == "不清楚/未接触过"
    assert frame["sat_overall"].max() == 5


def test_submitted_at_is_a_datetime_in_the_survey_zone(demo, runner, tmp_path):
    stored = _stored_times(demo)
    rows = _csv_rows(runner, tmp_path)
    # Text formats carry the offset; the instant is the stored one.
    for row in rows[:50]:
        when = datetime.fromisoformat(row["submitted_at"])
        assert when.utcoffset() == timedelta(hours=8)
        instant = stored[int(row["response_id"])].replace(tzinfo=UTC)
        assert timedelta(0) <= instant - when < timedelta(seconds=1)
    first_id = int(rows[0]["response_id"])
    beijing = stored[first_id].replace(tzinfo=UTC).astimezone(BEIJING).replace(tzinfo=None)
    for fmt, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        frame, meta = reader(str(_export(runner, tmp_path, fmt)))
        assert str(frame["submitted_at"].dtype).startswith("datetime64")
        got = frame.loc[frame["response_id"] == first_id, "submitted_at"].iloc[0]
        assert abs(got.to_pydatetime() - beijing) < timedelta(seconds=1)
        labels = dict(zip(meta.column_names, meta.column_labels))
        assert "Asia/Shanghai" in labels["submitted_at"]
    array = json.loads(_export(runner, tmp_path, "json").read_text("utf-8"))
    assert array[0]["submitted_at"].endswith("+08:00")
    wb = openpyxl.load_workbook(_export(runner, tmp_path, "xlsx"), read_only=True)
    book = {row[0]: row for row in wb["codebook"].iter_rows(min_row=2, values_only=True)}
    values = next(wb["responses"].iter_rows(min_row=2, max_row=2, values_only=True))
    wb.close()
    assert "Asia/Shanghai" in book["submitted_at"][1]
    assert any(isinstance(v, str) and v.endswith("+08:00") for v in values)


def test_audit_export_timestamps_carry_their_offset(as_role):
    client = as_role("admin")
    with client.get("/console/audit/export.jsonl") as response:
        lines = response.get_data(as_text=True).splitlines()
    assert lines
    for line in lines:
        assert datetime.fromisoformat(json.loads(line)["at"]).utcoffset() is not None


def test_web_sav_with_labels_keeps_codes(as_role, tmp_path):
    client = as_role("evaluator")
    url = "/console/surveys/nanyang-dcm/results/export"
    with client.get(url, query_string={"format": "sav", "labels": "1"}) as response:
        assert response.status_code == 200
        path = tmp_path / "web.sav"
        path.write_bytes(response.get_data())
    frame, meta = pyreadstat.read_sav(str(path))
    assert {int(v) for v in frame["awareness"].dropna()} <= {1, 2, 3, 4}
    assert meta.variable_value_labels["awareness"][3] == "仅听说过"
