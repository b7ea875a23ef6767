"""``flask evaluation ...``: load, score and report performance evaluations."""

import json

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from . import services
from .jsonout import as_dict
from .schema import EvaluationError

evaluation_cli = AppGroup("evaluation", help="Load, score and report performance evaluations.")


def _fail(exc):
    raise click.ClickException("invalid evaluation\n" + "\n".join(exc.problems)) from None


def _load(path, note):
    try:
        doc = services.read_file(path)
        version, created = services.save_document(doc, note)
    except EvaluationError as exc:
        _fail(exc)
    db.session.commit()
    state = "loaded as version" if created else "unchanged, still version"
    click.echo(f"{doc['key']}: {state} {version.number}")


@evaluation_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
def load_command(path):
    """Validate the evaluation YAML at PATH and store it as a new version if it changed."""
    _load(path, f"file {path}"[:255])


@evaluation_cli.command("load-default")
@click.option("--if-absent", is_flag=True, help="Do nothing when the evaluation already exists.")
def load_default_command(if_absent):
    """Load the evaluation shipped with the application (DEFAULT_EVALUATION)."""
    key = current_app.config["DEFAULT_EVALUATION"]
    if if_absent and services.get_evaluation(key) is not None:
        click.echo(f"{key}: already loaded")
        return
    _load(services.builtin_path(key), f"builtin:{key}")


def _evaluation(key):
    evaluation = services.get_evaluation(key)
    if evaluation is None:
        raise click.ClickException(f"no evaluation with key {key!r} (try: flask evaluation list)")
    return evaluation


@evaluation_cli.command("list")
def list_command():
    """List the stored evaluations with their newest version."""
    for evaluation in services.all_evaluations():
        click.echo(
            f"{evaluation.key:<28} v{evaluation.latest_version.number:<4} {evaluation.title}"
        )


@evaluation_cli.command("score")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the scorecard and checks as JSON.")
def score_command(key, as_json):
    """Score evaluation KEY: points per indicator, subtotals, 得分率, total, grade and checks."""
    card, problems = services.scorecard(_evaluation(key))
    if as_json:
        click.echo(json.dumps(as_dict(card, problems), ensure_ascii=False, indent=1))
        return
    for level, node in card.rows():
        pts = "–" if node.points is None else f"{node.points:g}"
        click.echo(f"{'  ' * (level - 1)}{node.name}: {pts} / {node.weight:g}")
    total = "–" if card.points is None else f"{card.points:g}"
    rate = "–" if card.rate is None else f"{card.rate:.2f}%"
    click.echo(f"合计: {total} / {card.weight:g}  {rate}  {card.grade or '–'}")
    for p in problems:
        click.echo(f"! {p.row} {p.field}: {p.stated} ≠ {p.computed} ({p.explanation})")


@evaluation_cli.command("import-counts")
@click.argument("key")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
def import_counts_command(key, path):
    """Set the counts of evaluation KEY from a CSV file with the columns name,value."""
    evaluation = _evaluation(key)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            values = services.parse_counts_csv(fh.read())
        version, created = services.set_counts(evaluation, values, note=f"counts from {path}"[:255])
    except EvaluationError as exc:
        _fail(exc)
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text") from None
    db.session.commit()
    state = "saved as version" if created else "unchanged, still version"
    click.echo(f"{key}: {state} {version.number}")


@evaluation_cli.command("report")
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["docx", "md"]), default="docx")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def report_command(key, fmt, output):
    """Write the evaluation report of KEY (DOCX, or Markdown with its images beside it)."""
    from .report import write_report

    written = write_report(_evaluation(key), fmt, output)
    for path in written:
        click.echo(path)
