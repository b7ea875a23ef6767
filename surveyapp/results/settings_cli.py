"""``flask survey settings KEY [--load PATH]``: analysis settings as a YAML file."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli import survey_cli
from ..definitions.store import get_survey
from ..extensions import db
from . import settings as settings_service


@survey_cli.command("settings")
@click.argument("key")
@click.option(
    "--load",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="Validate the settings in this YAML file and store them as a new version.",
)
@with_appcontext
def settings_command(key, path):
    """Print survey KEY's analysis settings as YAML, or store new ones from a file (--load).

    A file may hold every setting or only those to change; the rest stay as they are.
    """
    survey = get_survey(key)
    if survey is None:
        raise click.ClickException(f"no survey with key {key!r}")
    if path is None:
        _version, settings = settings_service.current(survey)
        click.echo(settings_service.as_yaml(settings), nl=False)
        return
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: cannot read the file ({exc})") from None
    try:
        changes = settings_service.parse_settings(text)
        row = settings_service.save(survey, changes, username="cli")
    except settings_service.SettingsError as exc:
        db.session.rollback()
        raise click.ClickException(f"{path}: {exc}") from None
    db.session.commit()
    click.echo(f"{key}: analysis settings version {row.number}")
