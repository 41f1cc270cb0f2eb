"""What the operator commands share: options for the tenant and service addresses, the API
key every call carries (``--api-key`` / EMAILTRACK_API_KEY, else the key ``emailtrack up``
saved in ``.emailtrack/admin-key``), JSON output, running a service's own operator command,
ISO 8601 time options, and gRPC failures turned into a message on stderr and a meaningful
exit code: 0 done,
1 service unavailable or failed, 2 bad input, 3 not found, 4 refused (in this state, or to
this key)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import grpc
import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.models import CommandFunctionType

from emailtrack.common.config import GrpcTls

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 3
EXIT_REFUSED = 4
EXIT_CODES = {
    grpc.StatusCode.INVALID_ARGUMENT: EXIT_BAD_INPUT,
    grpc.StatusCode.OUT_OF_RANGE: EXIT_BAD_INPUT,
    grpc.StatusCode.NOT_FOUND: EXIT_NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION: EXIT_REFUSED,
    grpc.StatusCode.ALREADY_EXISTS: EXIT_REFUSED,
    grpc.StatusCode.UNAUTHENTICATED: EXIT_REFUSED,
    grpc.StatusCode.PERMISSION_DENIED: EXIT_REFUSED,
}
LOCAL_ADMIN_KEY = Path(".emailtrack") / "admin-key"
_api_key: ContextVar[str] = ContextVar("api_key", default="")

console = Console()
errors = Console(stderr=True)

Tenant = Annotated[
    str, typer.Option("--tenant", envvar="EMAILTRACK_TENANT", help="Tenant to act for.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
AnalyticsAddr = Annotated[
    str,
    typer.Option("--analytics", envvar="EMAILTRACK_ANALYTICS_ADDR", help="Analytics gRPC address."),
]
RecipientAddr = Annotated[
    str,
    typer.Option("--recipient", envvar="EMAILTRACK_RECIPIENT_ADDR", help="Recipient gRPC address."),
]
TrackingEdgeAddr = Annotated[
    str,
    typer.Option(
        "--tracking-edge",
        envvar="EMAILTRACK_TRACKING_EDGE_ADDR",
        help="Tracking-edge gRPC address.",
    ),
]
BounceAddr = Annotated[
    str, typer.Option("--bounce", envvar="EMAILTRACK_BOUNCE_ADDR", help="Bounce gRPC address.")
]
ANALYTICS = "127.0.0.1:15054"
RECIPIENT = "127.0.0.1:15052"
TRACKING_EDGE = "127.0.0.1:15051"
BOUNCE = "127.0.0.1:15053"
WEBHOOKS = "127.0.0.1:15055"


ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="EMAILTRACK_API_KEY",
        help="API key for every call (default: .emailtrack/admin-key when present).",
        show_default=False,
    ),
]


def use_api_key(api_key: str | None) -> None:
    """Called once by the root command with ``--api-key`` / EMAILTRACK_API_KEY."""
    if not api_key and LOCAL_ADMIN_KEY.is_file():
        api_key = LOCAL_ADMIN_KEY.read_text().strip()
    _api_key.set(api_key or "")


def api_key() -> str:
    return _api_key.get()


def cli_channel(address: str) -> grpc.Channel:
    """A channel to ``address`` whose calls carry the command's API key (the gRPC plumbing,
    with its health, reflection and tracing modules, is imported on the first call only)."""
    from emailtrack.common.grpc_server import client_channel

    return client_channel(address, api_key=api_key() or None, tls=GrpcTls.from_env())


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def fail(message: str, code: int) -> typer.Exit:
    """Prints ``message`` on stderr; returns the Exit to raise."""
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@contextmanager
def service_call(what: str) -> Iterator[None]:
    """Turns a gRPC error inside the block into a message and the matching exit code."""
    try:
        yield
    except grpc.RpcError as exc:
        code: grpc.StatusCode = exc.code()
        details = exc.details()
        raise fail(f"{what}: {code.name}: {details}", EXIT_CODES.get(code, EXIT_FAILED)) from exc


def _flags_as_flags(command: TyperCommand | TyperGroup, ctx: Any) -> None:
    """Typer (0.29, pinned) labels every flag ``<bool>`` in the help, which reads as if
    ``--json true`` were needed: a flag takes no value, so its type column stays empty."""
    for param in command.get_params(ctx):
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""


class FlagHelpCommand(TyperCommand):
    """A command whose ``--help`` shows flags (``--json``, ``--help``) without a value type."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _flags_as_flags(self, ctx)
        super().format_help(ctx, formatter)


class FlagHelpGroup(TyperGroup):
    """A command group whose ``--help`` shows flags without a value type."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _flags_as_flags(self, ctx)
        super().format_help(ctx, formatter)


class CommandGroup(typer.Typer):
    """A Typer app whose commands are FlagHelpCommands unless one asks for another class."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **options: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or FlagHelpCommand, **options)


def command_group(help_text: str) -> typer.Typer:
    """A command group whose help reads docstrings as Markdown (lines wrapped in the source
    join into sentences; Typer's default keeps every source line break in the listing) and
    shows flags as flags."""
    return CommandGroup(
        help=help_text, no_args_is_help=True, rich_markup_mode="markdown", cls=FlagHelpGroup
    )


def counted(count: int, noun: str) -> str:
    """``1 campaign``, ``2 campaigns``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def percent(rate: float, base: int | None = None) -> str:
    """``12.5%``; ``—`` when the rate's ``base`` (messages sent or delivered) is 0: a 0.0%
    open rate beside an open would read as a contradiction (the dashboard shows ``—`` too)."""
    return "—" if base == 0 else f"{rate * 100:.1f}%"


def run_service_command(
    service: str, arguments: Sequence[str], env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs ``python -m services.<service> ARGUMENTS`` (a service's own operator command: the
    CLI never imports a service): stdout captured as UTF-8 text, stderr passed through."""
    return subprocess.run(
        [sys.executable, "-m", f"services.{service}", *arguments],
        env={**os.environ, **(env or {}), "PYTHONIOENCODING": "utf-8"},
        stdout=subprocess.PIPE,
        encoding="utf-8",
        check=False,
    )


def instant(value: str | None) -> datetime | None:
    """An ISO 8601 time option (UTC when it has no offset); None when not given."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
