"""Shared servicer helpers: request validation and row → proto conversion (domain
errors become status codes through ``emailtrack.common.rpc``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from emailtrack.common.request_fields import check_id
from emailtrack.v1 import recipient_pb2
from services.recipient.domain.addresses import Address, normalise
from services.recipient.domain.errors import InvalidArgument
from services.recipient.store.rows import RecipientRow

MAX_BATCH = 10_000


def require_id(value: str, field: str, required: bool = True) -> str:
    """The id when it passes the shared id rules (characters, length); else INVALID_ARGUMENT.
    ``""`` passes only when not ``required``."""
    return check_id(field, value, required)


def tenant_of(request: Any) -> str:
    return require_id(request.tenant_id, "tenant_id")


def addresses(tenant_id: str, emails: Sequence[str], field: str = "emails") -> list[Address]:
    if not emails:
        raise InvalidArgument(f"{field} must not be empty")
    if len(emails) > MAX_BATCH:
        raise InvalidArgument(f"at most {MAX_BATCH} {field} per call")
    result = []
    for position, email in enumerate(emails):
        try:
            result.append(normalise(tenant_id, email))
        except InvalidArgument as exc:
            raise InvalidArgument(f"{field}[{position}]: {exc}") from exc
    return result


def timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def recipient_proto(row: RecipientRow) -> recipient_pb2.Recipient:
    return recipient_pb2.Recipient(
        tenant_id=row.tenant_id,
        recipient_id=row.recipient_id,
        email=row.email or "",
        status=int(row.status),  # type: ignore[arg-type]  # an enum value stored as int
        hard_bounces=row.hard_bounces,
        soft_bounces=row.soft_bounces,
        first_seen_at=timestamp(row.first_seen_at),
        last_seen_at=timestamp(row.last_seen_at),
        metadata=row.metadata,
        tracking_opt_out=row.tracking_opt_out,
    )
