"""``flask survey ...`` commands: load and list survey definitions."""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from . import audit
from .console.surveys import TransitionError
from .console.surveys import set_status
from .console.surveys import survey_overview
from .definitions import DefinitionError
from .definitions import builtin_path
from .definitions import load_file
from .definitions.store import get_survey
from .definitions.store import save_definition
from .extensions import db

survey_cli = AppGroup("survey", help="Load, list and inspect surveys.")


@survey_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
def load_command(path):
    """Validate the YAML definition at PATH and store it as a new version if it changed.

    A new survey starts as a draft: publish it with ``survey publish KEY``.
    """
    try:
        with force_locale("en"):  # the command line speaks English, like its other messages
            definition = load_file(path)
    except DefinitionError as exc:
        raise click.ClickException(f"invalid survey definition\n{exc}") from None
    version, created = save_definition(definition, source_name=str(path))
    if created:
        audit.record(
            "survey.load", survey_id=version.survey_id, version=version.number, source=str(path)
        )
    db.session.commit()
    state = "loaded as version" if created else "unchanged, still version"
    click.echo(f"{definition.key}: {state} {version.number}")


@survey_cli.command("load-default")
@click.option("--if-absent", is_flag=True, help="Do nothing when the survey already exists.")
def load_default_command(if_absent):
    """Load the survey shipped with the application (nanyang-dcm)."""
    from flask import current_app

    key = current_app.config["DEFAULT_SURVEY"]
    if if_absent and get_survey(key) is not None:
        click.echo(f"{key}: already loaded")
        return
    definition = load_file(builtin_path(key))
    version, created = save_definition(definition, source_name=f"builtin:{key}")
    if created:
        audit.record(
            "survey.load", survey_id=version.survey_id, version=version.number, source="builtin"
        )
    # The shipped survey is served as soon as it is loaded (make run promises /s/<key>).
    if version.survey.status == "draft":
        set_status(version.survey, "open")
    db.session.commit()
    click.echo(f"{key}: version {version.number}, {version.survey.status}")


def _transition(key, status, done):
    survey = get_survey(key)
    if survey is None:
        raise click.ClickException(f"no survey {key!r} (see: flask --app surveyapp survey list)")
    try:
        changed = set_status(survey, status)
    except TransitionError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{key}: {done}" if changed else f"{key}: already {status}")


@survey_cli.command("publish")
@click.argument("key")
def publish_command(key):
    """Publish draft survey KEY (or reopen it when closed): the public form accepts answers."""
    _transition(key, "open", "open: the public form accepts responses")


@survey_cli.command("reopen")
@click.argument("key")
def reopen_command(key):
    """Reopen closed survey KEY."""
    _transition(key, "open", "open again: the public form accepts responses")


@survey_cli.command("close")
@click.argument("key")
def close_command(key):
    """Close survey KEY: the public form stops accepting responses."""
    _transition(key, "closed", "closed: the public form no longer accepts responses")


@survey_cli.command("import-xlsform")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--key", help="The survey key (default: the form_id of the settings sheet).")
def import_xlsform_command(path, key):
    """Read the XLSForm at PATH and store it as a draft survey (or a new version of KEY)."""
    from .definitions.xlsform_in import read_xlsform_with_version

    try:
        with open(path, "rb") as handle:
            definition, label = read_xlsform_with_version(handle.read(), Path(path).name, key=key)
    except DefinitionError as exc:
        raise click.ClickException(f"invalid XLSForm\n{exc}") from None
    # The form's own version label travels in the source name (versions are numbered here).
    source = f"xlsform:{Path(path).name}" + (f" (version {label})" if label else "")
    version, created = save_definition(definition, source_name=source)
    if created:
        audit.record(
            "survey.load", survey_id=version.survey_id, version=version.number, source=source
        )
    db.session.commit()
    state = "loaded as version" if created else "unchanged, still version"
    click.echo(f"{definition.key}: {state} {version.number} ({version.survey.status})")


@survey_cli.command("export-definition")
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(("yaml", "xlsform", "json")), default="yaml")
@click.option("--version", "number", type=int, help="A version number (default: the newest).")
@click.option("-o", "--output", "path", type=click.Path(dir_okay=False, writable=True))
def export_definition_command(key, fmt, number, path):
    """Write survey KEY's definition as YAML, XLSForm or JSON (standard output without -o)."""
    from .definitions.exporting import render_definition

    survey = get_survey(key)
    if survey is None:
        raise click.ClickException(f"no survey {key!r} (see: flask --app surveyapp survey list)")
    version = next((v for v in survey.versions if v.number == number), None)
    if number is None:
        version = survey.latest_version
    if version is None:
        raise click.ClickException(f"{key} has no version {number}")
    data, _mimetype, _suffix = render_definition(version, fmt)
    if path:
        Path(path).write_bytes(data)
        click.echo(f"{key}: version {version.number} written to {path}", err=True)
    elif fmt == "xlsform":
        raise click.ClickException("an XLSForm is a binary workbook: give -o PATH.xlsx")
    else:
        click.echo(data.decode("utf-8"), nl=False)


@survey_cli.command("list")
def list_command():
    """List surveys with their status, newest version and number of responses."""
    rows = survey_overview()
    if not rows:
        click.echo("No surveys loaded. Try: flask --app surveyapp survey load-default")
        return
    click.echo(f"{'key':<24} {'status':<8} {'version':>7} {'responses':>9}")
    for survey, latest, count in rows:
        click.echo(
            f"{survey.key:<24} {survey.status:<8} {latest.number if latest else '-':>7} {count:>9}"
        )
