"""Offline parsing of bounce mail files with the service's own parser (no server, no
database): ``python -m services.bounce parse FILE...``, which ``emailtrack bounce parse`` runs.

Each FILE is an .eml message, an mbox file (first line "From ") or a Maildir folder (cur/ and
new/). Every message becomes one result: its kind and, per recipient, the address, the
original recipient, the reason (ours and its Sisimai 5 name), hard or not, the enhanced status,
the SMTP reply code, what happened (bounce / deferred / delivered / complaint) and the
diagnostic text. Exit status: 0 every message parsed as a report, 1 some message is not a
bounce (an auto-reply, a human message), 2 some input could not be read (2 wins over 1).
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from services.bounce.domain import ParsedBounce, parse_bounce_message
from services.bounce.domain.outcomes import outcome_kind

MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # as BounceService.ParseBounceMessage
REPORT_KINDS = frozenset({"bounce", "delivery_report", "complaint"})


class UnreadableInput(Exception):
    """A FILE that is missing, unreadable, too large or not a mailbox."""


@dataclass(frozen=True, slots=True)
class MessageResult:
    """One message of one FILE: where it came from and what the parser made of it."""

    file: str
    index: int  # position in an mbox or Maildir, 0 for a single message
    parsed: ParsedBounce | None = None
    error: str = ""

    @property
    def is_report(self) -> bool:
        return self.parsed is not None and self.parsed.kind in REPORT_KINDS

    def as_dict(self) -> dict[str, object]:
        if self.parsed is None:
            return {"file": self.file, "index": self.index, "error": self.error}
        parsed = self.parsed
        return {
            "file": self.file,
            "index": self.index,
            "kind": parsed.kind,
            "format": parsed.format,
            "original_message_id": parsed.original_message_id,
            "recipients": [
                {
                    "recipient": r.address,
                    "original_recipient": r.original_recipient,
                    "reason": r.classification.reason,
                    "sisimai_reason": r.classification.sisimai_reason,
                    "hard": r.classification.bounce_type == "hard",
                    "status": r.status,
                    "smtp_code": r.smtp_code,
                    "kind": outcome_kind(parsed, r) or parsed.kind,
                    "action": r.action,
                    "diagnostic": r.diagnostic,
                }
                for r in parsed.recipients
            ],
        }


def _checked(raw: bytes, where: str) -> bytes:
    if len(raw) > MAX_MESSAGE_BYTES:
        raise UnreadableInput(f"{where} is larger than {MAX_MESSAGE_BYTES} bytes")
    return raw


def _messages(path: Path) -> Iterator[bytes]:
    """The raw messages of one FILE (a Maildir, an mbox or a single message)."""
    if path.is_dir():
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise UnreadableInput(f"{path} is a folder but not a Maildir (no cur/ and new/)")
        box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
    else:
        with path.open("rb") as handle:
            head = handle.read(5)
            if head != b"From ":
                yield _checked(head + handle.read(MAX_MESSAGE_BYTES), str(path))
                return
        box = mailbox.mbox(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        yield _checked(box.get_bytes(key), f"{path} message {key}")


def parse_files(paths: list[Path]) -> list[MessageResult]:
    """One result per message of every path; an unreadable path yields one error result."""
    results: list[MessageResult] = []
    for path in paths:
        found: list[MessageResult] = []
        try:
            for index, raw in enumerate(_messages(path)):
                found.append(MessageResult(str(path), index, parse_bounce_message(raw)))
        except (OSError, UnreadableInput, mailbox.Error) as exc:
            message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            found = [MessageResult(str(path), 0, error=f"{path}: {message}")]
        results += found
    return results


def describe(result: MessageResult) -> str:
    """Human-readable lines for one result: the message, then one block per recipient."""
    if result.parsed is None:
        return f"{result.file}: unreadable: {result.error}"
    parsed = result.parsed
    lines = [f"{result.file}#{result.index}: {parsed.kind} ({parsed.format or 'no format'})"]
    for r in parsed.recipients:
        c = r.classification
        original = f" (originally {r.original_recipient})" if r.original_recipient else ""
        lines += [
            f"  {r.address}{original}: {outcome_kind(parsed, r) or parsed.kind}",
            f"    reason {c.reason} (Sisimai {c.sisimai_reason}), "
            f"{'hard' if c.bounce_type == 'hard' else 'not hard'}, "
            f"status {r.status or '-'}, SMTP code {r.smtp_code or '-'}",
        ]
        if r.diagnostic:
            lines.append(f"    {r.diagnostic[:300]}")
    return "\n".join(lines)


def exit_status(results: list[MessageResult]) -> int:
    """2 if any input was unreadable, else 1 if any message is not a report, else 0."""
    if any(r.parsed is None for r in results):
        return 2
    return 0 if all(r.is_report for r in results) else 1
