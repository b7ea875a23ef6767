"""``flask survey demo-data``: realistic synthetic responses to any loaded survey.

:mod:`.draw` draws the answers from the definition (types, scales, required, relevance,
constraints, correlated satisfaction items, demographics from the margins); :mod:`.insert`
writes them with bulk inserts (COPY on PostgreSQL), so 100,000 responses take seconds.
"""

import click
from flask.cli import with_appcontext

from .. import audit
from ..cli import survey_cli
from ..definitions.store import get_survey
from ..extensions import db
from .insert import insert_demo_responses

__all__ = ["insert_demo_responses"]


@survey_cli.command("demo-data")
@click.argument("key")
@click.option("--n", "n", type=click.IntRange(1, 5_000_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=2021, show_default=True)
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    default=28,
    show_default=True,
    help="Length of the simulated fieldwork period.",
)
@with_appcontext
def demo_data_command(key, n, seed, days):
    """Add N synthetic responses to survey KEY (reproducible with --seed)."""
    survey = get_survey(key)
    if survey is None:
        raise click.ClickException(f"no survey with key {key!r}")
    insert_demo_responses(survey, n, seed, days=days)
    audit.record("demo.data", survey_id=survey.id, n=n, seed=seed, username="cli")
    db.session.commit()
    click.echo(f"{key}: added {n} synthetic responses (seed {seed})")
