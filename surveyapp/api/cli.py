"""``flask users token NAME``: create an API token for a console user (printed once)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import audit
from ..auth.cli import users_cli
from ..extensions import db
from ..models import User
from .tokens import create_token


@users_cli.command("token")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
@with_appcontext
def token_command(name, label):
    """Create an API token for user NAME; it has that user's role. Shown only once."""
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None or not user.active:
        raise click.ClickException(f"no active user named {name!r}")
    row, plain = create_token(user, label)
    audit.record("api.token", user=user, token_id=row.id, label=label)
    db.session.commit()
    click.echo(plain)
    click.echo(
        f"(token {row.id} for {name}, role {user.role}; store it now, it cannot be shown again)",
        err=True,
    )
