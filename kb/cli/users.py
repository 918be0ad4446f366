"""`kb users` and `kb tokens`: staff accounts and their API tokens."""

from __future__ import annotations

import sys

import click

from kb.cli.common import fail, load_settings


def _accounts():
    from kb.ops.accounts import Accounts
    from kb.ops.database import Store, StoreUnavailable

    settings = load_settings()
    try:
        return Accounts(Store(settings.database_url))
    except (StoreUnavailable, ValueError) as exc:  # ValueError: KB_DATABASE_URL is not a database URL
        fail(str(exc))


def _account_call(method: str, *args):
    """Run one Accounts method; its AccountError becomes a clear message and exit code 2."""
    from kb.ops.accounts import AccountError

    try:
        return getattr(_accounts(), method)(*args)
    except AccountError as exc:
        fail(str(exc), 2)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group()
def users() -> None:
    """Agent and editor accounts (customers never need one)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "editor"]), default="agent", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
def users_add(username, role, password_stdin) -> None:
    """Create an account; asks for the password twice."""
    user = _account_call("add", username, role, _password(password_stdin))
    click.echo(f"Added {user.role} '{user.username}'.")


@users.command("list")
def users_list() -> None:
    """All accounts with their role."""
    rows = _accounts().list()
    if not rows:
        click.echo("No accounts yet: add one with 'kb users add NAME --role editor'.")
    for user, created in rows:
        click.echo(f"{user.username:<24} {user.role:<7} created {created}")


@users.command("remove")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Remove without asking.")
def users_remove(username, yes) -> None:
    """Remove an account and its API tokens; asks first, once the account is found."""
    if not any(user.username == username for user, _created in _accounts().list()):
        fail(f"no user '{username}'", 2)  # said before asking whether to remove it
    if not yes:
        click.confirm("Remove this account and its API tokens?", abort=True)
    _account_call("remove", username)
    click.echo(f"Removed '{username}' and revoked its API tokens.")


@users.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
def users_passwd(username, password_stdin) -> None:
    """Set a new password."""
    _account_call("set_password", username, _password(password_stdin))
    click.echo(f"Password of '{username}' changed.")


@click.group()
def tokens() -> None:
    """API tokens for agents' tools (Authorization: Bearer ...)."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for.")
def tokens_create(username, name) -> None:
    """Create a token; it is shown once, only a hash is stored."""
    token, secret = _account_call("create_token", username, name)
    click.echo(f"Token {token.id} for '{username}' ({token.name}); copy it now, it is not shown again:")
    click.echo(secret)


@tokens.command("list")
def tokens_list() -> None:
    for t in _accounts().tokens():
        state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
        click.echo(f"{t.id:>4}  {t.username:<24} {t.name:<20} created {t.created_at}  {state}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id) -> None:
    _account_call("revoke_token", token_id)
    click.echo(f"Token {token_id} revoked.")
