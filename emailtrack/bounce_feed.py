"""``emailtrack bounce-feed``: streams an mbox file or a Maildir folder to
BounceService.IngestInboundMessages, with a progress bar and a summary (or JSON)."""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc

from emailtrack.common.grpc_server import client_channel
from emailtrack.v1 import bounce_pb2, bounce_pb2_grpc

SUMMARY_FIELDS = (
    "messages",
    "bounces",
    "complaints",
    "auto_replies",
    "delivery_reports",
    "unrecognised",
    "events_published",
    "duplicates",
)


class FeedError(Exception):
    """The folder cannot be read, or the server refused or failed the stream;
    ``bad_input`` tells the operator's mistakes (exit 2) from service failures (exit 1)."""

    def __init__(self, message: str, bad_input: bool) -> None:
        super().__init__(message)
        self.bad_input = bad_input


def open_mailbox(path: Path) -> mailbox.Mailbox:
    """A Maildir if ``path`` is a directory with cur/ and new/, else an mbox file."""
    if path.is_dir():
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise FeedError(f"{path} is a folder but not a Maildir (no cur/ and new/)", True)
        return mailbox.Maildir(path, factory=None, create=False)
    if not path.is_file():
        raise FeedError(f"{path} does not exist", True)
    return mailbox.mbox(path, factory=None, create=False)


def _requests(
    box: mailbox.Mailbox, tenant_id: str, advance: Callable[[], None]
) -> Iterator[bounce_pb2.IngestInboundMessagesRequest]:
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        yield bounce_pb2.IngestInboundMessagesRequest(raw_message=raw, tenant_id=tenant_id)
        advance()


def feed(
    path: Path,
    tenant_id: str,
    address: str,
    advance: Callable[[], None] = lambda: None,
    timeout_s: float = 3600.0,
    api_key: str | None = None,
) -> dict[str, int]:
    """Sends every message of the folder; returns the server's counts by field name."""
    box = open_mailbox(path)
    try:
        with client_channel(address, api_key=api_key) as channel:
            stub = bounce_pb2_grpc.BounceServiceStub(channel)
            reply = stub.IngestInboundMessages(
                _requests(box, tenant_id, advance), timeout=timeout_s
            )
    except grpc.RpcError as exc:
        code = exc.code()
        message = f"{code.name}: {exc.details()}"
        raise FeedError(message, code == grpc.StatusCode.INVALID_ARGUMENT) from exc
    finally:
        box.close()
    return {name: getattr(reply, name) for name in SUMMARY_FIELDS}


def message_count(path: Path) -> int:
    box = open_mailbox(path)
    try:
        return len(box)
    finally:
        box.close()
