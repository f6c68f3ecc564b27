"""``qcity users``: accounts, roles, scopes and the development demo administrator."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from qcity import _cli_support as support
from qcity.accounts import service
from qcity.db import unit_of_work
from qcity.errors import InputError
from qcity.settings import get_settings

app = support.sub_app("Accounts: users, roles (admin, analyst, inspector, enterprise), scopes.")


def _read_password(password_stdin: bool, username: str) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise InputError("--password-stdin: standard input held no password")
        return password
    return str(typer.prompt(f"password for {username}", hide_input=True, confirmation_prompt=True))


def _split(codes: str | None) -> list[str]:
    return [c.strip() for c in (codes or "").split(",") if c.strip()]


@app.command("create")
def create(
    username: str = typer.Argument(..., help="Lower-case login name."),
    role: str = typer.Option(..., help="admin, analyst, inspector or enterprise."),
    towns: str | None = typer.Option(None, help="Inspectors: town codes, comma-separated."),
    uscc: str | None = typer.Option(None, help="Enterprise users: their credit code."),
    grant: list[str] = typer.Option([], help="Extra permission, e.g. unmask_personal_data."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Create a user with a role and scope (the password is prompted or read from stdin)."""
    parsed_role = service.parse_role(role)
    password = _read_password(password_stdin, username)
    with unit_of_work(support.engine()) as session:
        user = service.create_user(
            session,
            username,
            parsed_role,
            password,
            towns=_split(towns),
            uscc=uscc,
            permissions=grant,
        )
        name, role_name = user.username, user.role
    typer.echo(f"created {role_name} {name}")


@app.command("list")
def list_users() -> None:
    """List users with their role, scope and status."""
    with unit_of_work(support.engine()) as session:
        users = service.list_users(session)
        table = Table("user", "role", "scope", "permissions", "status", "last login")
        for user in users:
            scope = ", ".join(user.towns or ()) or (user.uscc or "")
            table.add_row(
                user.username,
                user.role,
                scope,
                ", ".join(user.permissions or ()),
                "disabled" if user.disabled else "active",
                user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "",
            )
    support.console.print(table)


@app.command("set-password")
def set_password(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Set a user's password; their sessions end."""
    password = _read_password(password_stdin, username)
    with unit_of_work(support.engine()) as session:
        user = service.set_password(session, username, password)
        name = user.username
    typer.echo(f"password of {name} changed; their sessions ended")


@app.command("disable")
def disable(username: str = typer.Argument(...)) -> None:
    """Disable a user: their sessions and API tokens stop working."""
    with unit_of_work(support.engine()) as session:
        user = service.disable_user(session, username)
        name = user.username
    typer.echo(f"disabled {name}")


@app.command("grant")
def grant(
    username: str = typer.Argument(...),
    permission: str = typer.Argument(..., help="e.g. unmask_personal_data"),
) -> None:
    """Grant a permission (unmask_personal_data) to a user."""
    with unit_of_work(support.engine()) as session:
        service.grant_permission(session, username, permission)
    typer.echo(f"granted {permission} to {username}")


@app.command("revoke")
def revoke(
    username: str = typer.Argument(...),
    permission: str = typer.Argument(...),
) -> None:
    """Take back a granted permission."""
    with unit_of_work(support.engine()) as session:
        service.revoke_permission(session, username, permission)
    typer.echo(f"revoked {permission} from {username}")


@app.command("ensure-demo-admin")
def ensure_demo_admin() -> None:
    """Development only: create `admin` with a random password, printed once (else silent)."""
    settings = get_settings()
    if settings.env != "development":
        return
    with unit_of_work(support.engine()) as session:
        password = service.ensure_demo_admin(session, settings.env)
    if password is not None:
        typer.echo(f"demo administrator: admin / {password}  (shown once; log in at /login)")
