"""Where tests find the second shipped example survey (read from the folder, not named)."""

from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file

SURVEYS = builtin_path("nanyang-dcm").parent


def second_survey_path():
    """The shipped survey definition that is not the default one."""
    others = [
        p
        for p in sorted(SURVEYS.glob("*.yaml"))
        if p.name.count(".") == 1 and p != builtin_path("nanyang-dcm")
    ]
    assert len(others) == 1, others
    return others[0]


def load_second(runner):
    """Load and publish the second survey with ``flask survey load``/``publish``; its definition."""
    path = second_survey_path()
    result = runner.invoke(args=["survey", "load", str(path)])
    assert result.exit_code == 0, result.output
    definition = load_file(path)
    result = runner.invoke(args=["survey", "publish", definition.key])
    assert result.exit_code == 0, result.output
    return definition
