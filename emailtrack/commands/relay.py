"""``emailtrack relay`` (run the SMTP relay; settings from the environment, see docs/relay.md)
and ``emailtrack relay-password`` (the scrypt hash to put in EMAILTRACK_RELAY_USERS). The relay
is imported by the command that runs it, so that other commands start without it."""

from __future__ import annotations

import typer


def relay() -> None:
    """Run the SMTP relay until SIGTERM/Ctrl-C: each message is instrumented per recipient,
    registered, and relayed synchronously to EMAILTRACK_RELAY_UPSTREAM_HOST."""
    from emailtrack.relay.__main__ import main

    raise typer.Exit(main())


def relay_password(
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Print the scrypt hash of a relay AUTH password (for EMAILTRACK_RELAY_USERS=user:HASH)."""
    from emailtrack.relay.passwords import hash_password

    typer.echo(hash_password(password))
