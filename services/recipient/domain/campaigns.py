"""Campaign rules (pure): statuses and their transitions, validation of a campaign
definition (steps, variants, tags), SMTP Message-ID normalisation and billing periods."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from services.recipient.domain.errors import InvalidArgument, InvalidTransition

MAX_NAME = 256
MAX_ITEMS = 100
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class CampaignStatus(IntEnum):
    """Values match ``emailtrack.v1.CampaignStatus``."""

    DRAFT = 1
    SCHEDULED = 2
    SENDING = 3
    PAUSED = 4
    COMPLETED = 5
    DELETED = 6


_ALLOWED: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.SCHEDULED, CampaignStatus.SENDING}),
    CampaignStatus.SCHEDULED: frozenset(
        {CampaignStatus.DRAFT, CampaignStatus.SENDING, CampaignStatus.PAUSED}
    ),
    CampaignStatus.SENDING: frozenset({CampaignStatus.PAUSED, CampaignStatus.COMPLETED}),
    CampaignStatus.PAUSED: frozenset(
        {CampaignStatus.SENDING, CampaignStatus.SCHEDULED, CampaignStatus.COMPLETED}
    ),
    CampaignStatus.COMPLETED: frozenset(),
    CampaignStatus.DELETED: frozenset(),
}


def status_name(status: CampaignStatus | None) -> str:
    return status.name.lower() if status is not None else ""


def check_transition(current: CampaignStatus, target: CampaignStatus) -> bool:
    """True when ``target`` is a change, False when it is the current status (a no-op);
    InvalidTransition when the rules forbid it. Deletion has its own RPC."""
    if target is current:
        return False
    if target is CampaignStatus.DELETED or target not in _ALLOWED[current]:
        raise InvalidTransition(
            f"cannot move a {status_name(current)} campaign to {status_name(target)}"
        )
    return True


@dataclass(frozen=True)
class Step:
    step_id: str
    name: str
    delay_hours: int


@dataclass(frozen=True)
class Variant:
    variant_id: str
    name: str
    weight: int


@dataclass(frozen=True)
class Definition:
    campaign_id: str
    name: str
    template_id: str
    tags: tuple[str, ...]
    steps: tuple[Step, ...]
    variants: tuple[Variant, ...]


def _unique_ids(ids: list[str], field: str) -> None:
    if len(ids) > MAX_ITEMS:
        raise InvalidArgument(f"at most {MAX_ITEMS} {field}")
    for position, value in enumerate(ids):
        if not value or len(value) > MAX_NAME:
            raise InvalidArgument(f"{field}[{position}] id must be 1..{MAX_NAME} characters")
    if len(set(ids)) != len(ids):
        raise InvalidArgument(f"{field} ids must be unique")


def validate(definition: Definition) -> Definition:
    """The definition with tags de-duplicated; InvalidArgument when it is not acceptable."""
    if not definition.name or len(definition.name) > MAX_NAME:
        raise InvalidArgument(f"name must be 1..{MAX_NAME} characters")
    _unique_ids([s.step_id for s in definition.steps], "steps")
    _unique_ids([v.variant_id for v in definition.variants], "variants")
    for position, step in enumerate(definition.steps):
        if step.delay_hours < 0:
            raise InvalidArgument(f"steps[{position}].delay_hours must not be negative")
    for position, variant in enumerate(definition.variants):
        if variant.weight < 0:
            raise InvalidArgument(f"variants[{position}].weight must not be negative")
    tags = tuple(dict.fromkeys(t.strip() for t in definition.tags if t.strip()))
    if len(tags) > MAX_ITEMS:
        raise InvalidArgument(f"at most {MAX_ITEMS} tags")
    return Definition(
        definition.campaign_id,
        definition.name,
        definition.template_id,
        tags,
        definition.steps,
        definition.variants,
    )


def check_registration(definition: Definition, step: str, variant: str, where: str) -> None:
    """A registration under a defined campaign must name one of its steps and variants."""
    if step and definition.steps and step not in {s.step_id for s in definition.steps}:
        raise InvalidArgument(f"{where}.sequence_step {step!r} is not a step of the campaign")
    if (
        variant
        and definition.variants
        and variant not in {v.variant_id for v in definition.variants}
    ):
        raise InvalidArgument(f"{where}.variant {variant!r} is not a variant of the campaign")


def smtp_message_id(value: str) -> str:
    """A Message-ID in its bracketed form (``<id@host>``), or "" when empty."""
    value = value.strip()
    if not value:
        return ""
    if not value.startswith("<"):
        value = f"<{value}>"
    if len(value) > 998 or " " in value or "@" not in value or not value.endswith(">"):
        raise InvalidArgument(f"smtp_message_id {value[:80]!r} is not a Message-ID")
    return value


def billing_period(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m}"


def period_bounds(period: str, now: datetime) -> tuple[str, datetime, datetime]:
    """(period, first instant, first instant of the next period); "" = the current one."""
    period = period or billing_period(now)
    match = _PERIOD.match(period)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise InvalidArgument(f"period must be YYYY-MM, got {period!r}")
    year, month = int(match.group(1)), int(match.group(2))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return period, start, end
