"""A newcomer's first minutes: the README's commands run as written from a fresh clone (no
activated virtualenv), ``make run`` says where things are, and the README names every Debian
package a fresh machine needs."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def readme_commands():
    """Shell lines of the README: ``sh`` blocks and inline code that starts with a program."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        lines += [line for line in block.splitlines() if line.strip()]
    for inline in re.findall(r"`([^`\n]+)`", README):
        if re.match(r"(\S+/)?(flask|python|make|pip|gunicorn|pytest)\b", inline):
            lines.append(inline)
    return lines


def invocations(program):
    """Each call of ``program`` in the README's commands (pipes and ``;`` split)."""
    found = []
    for line in readme_commands():
        for part in re.split(r"\||;|&&", line.split("  #")[0]):
            words = part.split()
            if words and words[0] == "sudo":
                words = words[1:]
            if words and words[0].rsplit("/", 1)[-1] == program:
                found.append(words)
    return found


def test_commands_do_not_need_an_activated_virtualenv():
    for words in invocations("flask") + invocations("python") + invocations("pip"):
        assert words[0].startswith(".venv/bin/"), " ".join(words)


def test_documented_cli_commands_exist(runner):
    calls = invocations("flask")
    assert len(calls) > 10
    checked = set()
    for words in calls:
        assert words[1:3] == ["--app", "surveyapp"], " ".join(words)
        command = [w for w in words[3:5] if re.fullmatch(r"[a-z][a-z-]*", w)]
        if command and command[0] in ("db", "run"):
            command = command[:1]
        if tuple(command) in checked:
            continue
        checked.add(tuple(command))
        result = runner.invoke(args=[*command, "--help"])
        assert result.exit_code == 0, (words, result.output)


def test_documented_make_targets_exist():
    targets = set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, flags=re.M))
    named = set(re.findall(r"\bmake ([a-z][a-z-]*)", README))
    assert {"run", "test", "admin"} <= named
    assert named <= targets, named - targets


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_says_where_things_are_before_serving():
    planned = subprocess.run(
        ["make", "-n", "run", "PORT=5123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    serve = next(i for i, line in enumerate(planned) if " run --host" in line)
    said = "\n".join(planned[:serve])
    assert "http://127.0.0.1:5123/s/" in said and "http://127.0.0.1:5123/console" in said
    assert "make admin NAME=" in said
    assert "survey list" in said  # the keys of the open surveys, from the database
    admin = subprocess.run(
        ["make", "-n", "admin", "NAME=li"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "flask --app surveyapp users create li --role admin" in admin


def test_readme_names_every_debian_package_needed():
    commands = " ".join(" ".join(w) for w in invocations("apt-get"))
    for package in (
        "python3-venv",
        "make",
        "chromium",
        "fonts-noto-cjk",
        "r-base-core",
        "r-cran-survey",
        "r-cran-mass",
        "libreoffice-writer-nogui",
    ):
        assert package in shlex.split(commands), package
