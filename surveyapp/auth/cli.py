"""``flask users ...``: create the first admin and manage console accounts from a shell."""

import sys

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models.user import ROLES
from .users import UserError
from .users import create_user
from .users import get_user
from .users import list_users
from .users import set_active
from .users import set_password
from .users import set_role

users_cli = AppGroup("users", help="Create and manage console users.")


def _user_or_fail(name):
    user = get_user(name)
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    return user


def _run(operation):
    """Apply a service call, commit, and turn a refusal into a clean CLI error."""
    try:
        result = operation()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    return result


def _read_password(from_stdin):
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input.",
)
def create_command(name, role, password_stdin):
    """Create the user NAME (the password is prompted twice unless --password-stdin)."""
    password = _read_password(password_stdin)
    user = _run(lambda: create_user(name, role, password))
    click.echo(f"created {user.username} ({user.role})")


@users_cli.command("set-password")
@click.argument("name")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input.",
)
def set_password_command(name, password_stdin):
    """Give the user NAME a new password (prompted twice unless --password-stdin)."""
    user = _user_or_fail(name)
    password = _read_password(password_stdin)
    _run(lambda: set_password(user, password))
    click.echo(f"{user.username}: password changed")


@users_cli.command("list")
def list_command():
    """List users with role and state."""
    users = list_users()
    if not users:
        click.echo(
            "No users yet. Create the first admin: "
            "flask --app surveyapp users create NAME --role admin"
        )
        return
    click.echo(f"{'username':<24} {'role':<10} {'state':<8} created")
    for user in users:
        state = "active" if user.active else "inactive"
        click.echo(
            f"{user.username:<24} {user.role:<10} {state:<8} {user.created_at:%Y-%m-%d %H:%M} UTC"
        )


@users_cli.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def set_role_command(name, role):
    """Give the user NAME the role ROLE."""
    user = _user_or_fail(name)
    _run(lambda: set_role(user, role))
    click.echo(f"{user.username}: {user.role}")


@users_cli.command("deactivate")
@click.argument("name")
def deactivate_command(name):
    """Stop the user NAME from logging in (the account and its history stay)."""
    user = _user_or_fail(name)
    _run(lambda: set_active(user, False))
    click.echo(f"{user.username}: deactivated")


@users_cli.command("reactivate")
@click.argument("name")
def reactivate_command(name):
    """Allow the deactivated user NAME to log in again."""
    user = _user_or_fail(name)
    _run(lambda: set_active(user, True))
    click.echo(f"{user.username}: active")
