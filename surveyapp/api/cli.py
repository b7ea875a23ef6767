"""``flask users token NAME`` (create an API token, printed once), ``users tokens NAME`` (list)
and ``users token-revoke ID``."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import audit
from ..auth.cli import users_cli
from ..extensions import db
from ..models import ApiToken
from ..models import User
from .tokens import create_token
from .tokens import token_state
from .tokens import tokens_of


def _user_named(name):
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    return user


def _when(value):
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


@users_cli.command("token")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Days until the token expires (default: API_TOKEN_DAYS, 90).",
)
@with_appcontext
def token_command(name, label, days):
    """Create an API token for user NAME; it has that user's role. Shown only once."""
    user = _user_named(name)
    if not user.active:
        raise click.ClickException(f"no active user named {name!r}")
    row, plain = create_token(user, label, days)
    audit.record(
        "api.token", user=user, token_id=row.id, label=label, expires_at=str(row.expires_at)
    )
    db.session.commit()
    click.echo(plain)
    click.echo(
        f"(token {row.id} for {name}, role {user.role}, expires {_when(row.expires_at)} UTC; "
        "store it now, it cannot be shown again)",
        err=True,
    )


@users_cli.command("tokens")
@click.argument("name")
@with_appcontext
def tokens_command(name):
    """List the API tokens of user NAME (id, label, state, created, last used, expires; UTC)."""
    user = _user_named(name)
    rows = tokens_of(user)
    if not rows:
        click.echo(f"{name} has no API tokens.")
        return
    click.echo(f"{'id':>5} {'label':<20} {'state':<8} {'created':<16} {'last used':<16} expires")
    for row in rows:
        click.echo(
            f"{row.id:>5} {row.name[:20]:<20} {token_state(row):<8} {_when(row.created_at):<16} "
            f"{_when(row.last_used_at):<16} {_when(row.expires_at)}"
        )


@users_cli.command("token-revoke")
@click.argument("token_id", metavar="ID", type=int)
@with_appcontext
def token_revoke_command(token_id):
    """Revoke the API token ID (see ``users tokens NAME``); it stops working at once."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise click.ClickException(f"no API token with id {token_id}")
    if row.revoked:
        click.echo(f"token {token_id} was already revoked")
        return
    row.revoked = True
    audit.record("api.token_revoke", user=row.user, token_id=row.id, username="cli", via="cli")
    db.session.commit()
    click.echo(f"token {token_id} of {row.user.username} revoked")
