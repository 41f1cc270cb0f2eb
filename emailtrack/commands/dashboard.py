"""``emailtrack dashboard set-password``: stores a dashboard user's scrypt password hash in
the users file the gateway reads (``EMAILTRACK_DASHBOARD_USERS_FILE``). The gateway picks the
change up without a restart and ends the sessions opened with the old password."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from emailtrack.commands.common import EXIT_BAD_INPUT, command_group, console, fail
from emailtrack.common.dashboard_users import DashboardUser, write_user
from emailtrack.common.passwords import MAX_PASSWORD_BYTES, hash_password
from emailtrack.common.request_fields import InvalidRequest, check_id

app = command_group("Dashboard logins.")
MIN_PASSWORD_LENGTH = 12
DEFAULT_USERS_FILE = Path(".emailtrack/dashboard-logins")


@app.command("set-password")
def set_password(
    user: Annotated[str, typer.Option("--user", help="Login name.")],
    tenant: Annotated[str, typer.Option("--tenant", help="The tenant the user sees.")],
    users_file: Annotated[
        Path,
        typer.Option(
            "--users-file",
            envvar="EMAILTRACK_DASHBOARD_USERS_FILE",
            help="The gateway's users file (emailtrack up: .emailtrack/dashboard-logins).",
        ),
    ] = DEFAULT_USERS_FILE,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Sets (or changes) a user's password; only its scrypt hash is stored."""
    try:
        check_id("user", user)
        check_id("tenant", tenant)
    except InvalidRequest as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from exc
    if ":" in user or "," in user or ":" in tenant or "," in tenant:
        raise fail("user and tenant must not contain ':' or ','", EXIT_BAD_INPUT)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail(f"the password needs at least {MIN_PASSWORD_LENGTH} characters", EXIT_BAD_INPUT)
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise fail(f"the password is longer than {MAX_PASSWORD_BYTES} bytes", EXIT_BAD_INPUT)
    write_user(users_file, DashboardUser(user, hash_password(password), tenant))
    console.print(f"password of {user} (tenant {tenant}) stored as a scrypt hash in {users_file}")
