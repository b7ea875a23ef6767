"""``flask survey load`` and ``list``: versions, errors naming the key."""

from sqlalchemy import select

from surveyapp.definitions import builtin_path
from surveyapp.models import SurveyVersion
from tests.conftest import SAT_ITEMS


def test_loading_a_changed_definition_makes_a_new_version(runner, tmp_path, db):
    text = builtin_path("nanyang-dcm").read_text(encoding="utf-8")
    same = tmp_path / "same.yaml"
    same.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["survey", "load", str(same)])
    assert result.exit_code == 0 and "unchanged, still version 1" in result.output

    changed = tmp_path / "changed.yaml"
    changed.write_text(text.replace("您的年龄段", "您的年龄"), encoding="utf-8")
    result = runner.invoke(args=["survey", "load", str(changed)])
    assert result.exit_code == 0 and "loaded as version 2" in result.output
    numbers = db.session.scalars(select(SurveyVersion.number).order_by(SurveyVersion.number)).all()
    assert numbers == [1, 2]


def test_loaded_new_version_is_what_respondents_get(runner, tmp_path, client):
    text = builtin_path("nanyang-dcm").read_text(encoding="utf-8")
    changed = tmp_path / "changed.yaml"
    changed.write_text(text.replace("您的年龄段", "请选择您的年龄段"), encoding="utf-8")
    assert runner.invoke(args=["survey", "load", str(changed)]).exit_code == 0
    assert "请选择您的年龄段" in client.get("/s/nanyang-dcm").get_data(as_text=True)


def test_invalid_file_is_refused_naming_file_and_question(runner, tmp_path, db):
    text = builtin_path("nanyang-dcm").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        text.replace(
            "key: heard_via_other\n    type: text", "key: heard_via_other\n    type: essay"
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["survey", "load", str(broken)])
    assert result.exit_code != 0
    line = broken.read_text(encoding="utf-8").splitlines().index("    type: essay") + 1
    assert (
        f"broken.yaml: line {line}, column 5: question heard_via_other: "
        "unknown question type 'essay'"
    ) in result.output
    assert len(db.session.scalars(select(SurveyVersion)).all()) == 1


def test_list_shows_status_version_and_responses(runner, client):
    import re

    page = client.get("/s/nanyang-dcm").get_data(as_text=True)
    data = dict(re.findall(r'name="(csrf_token|_st)"[^>]*?value="([^"]*)"', page))
    assert set(data) == {"csrf_token", "_st"}
    items = SAT_ITEMS
    answers = {
        "district": "1",
        "awareness": "4",
        "sat_overall": "3",
        "env_improved": "9",
        "willing_report": "4",
        "age_group": "1",
        "gender": "2",
        **{item: "9" for item in items},
    }
    assert client.post("/s/nanyang-dcm", data={**data, **answers}).status_code == 303
    result = runner.invoke(args=["survey", "list"])
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.startswith("nanyang-dcm"))
    assert line.split() == ["nanyang-dcm", "open", "1", "1"]
