"""analysis/ must stand alone: no Flask, no surveyapp, no logging set-up at import."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "analysis"
FORBIDDEN = ("flask", "surveyapp", "werkzeug", "jinja2", "sqlalchemy")


def test_import_in_fresh_interpreter_loads_no_web_framework():
    code = (
        "import sys, logging, analysis, analysis.__main__; "
        "bad = [m for m in sys.modules if m.split('.')[0] in %r]; "
        "assert not bad, bad; "
        "assert not logging.getLogger().handlers, 'logging configured at import'; "
        "print('ok')"
    ) % (FORBIDDEN,)
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_no_forbidden_imports_in_sources():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) >= 10
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
                names = [getattr(node.args[0], "value", "")] if node.args else []
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_public_api_is_listed_and_documented():
    import analysis

    for name in analysis.__all__:
        obj = getattr(analysis, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
    for name in (
        "Design",
        "mean",
        "total",
        "proportion",
        "ratio",
        "rake",
        "poststratify",
        "describe_items",
    ):
        assert name in analysis.__all__


def test_modules_stay_small():
    for path in PACKAGE.glob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 450, f"{path.name} has {lines} lines"


def test_public_functions_have_numpydoc_sections():
    import inspect

    import analysis

    for name in analysis.__all__:
        obj = getattr(analysis, name)
        if not inspect.isfunction(obj):
            continue
        doc = obj.__doc__
        for section in ("Parameters", "Returns", "Notes", "References"):
            assert section in doc, f"{name} lacks {section}"
