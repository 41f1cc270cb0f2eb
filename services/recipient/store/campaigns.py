"""Campaigns: definitions (steps, variants, tags), status changes and deletion, each
published as a CAMPAIGN_STATUS_CHANGE event through the outbox in the same transaction;
plus the check that registrations name a live campaign's steps and variants."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, text

from emailtrack.common import topics
from services.recipient.domain.campaign_events import campaign_status_event
from services.recipient.domain.campaigns import (
    CampaignStatus,
    Definition,
    Step,
    Variant,
    check_registration,
    check_transition,
    status_name,
)
from services.recipient.domain.errors import AlreadyExists, InvalidTransition, NotFound
from services.recipient.outbox import enqueue
from services.recipient.store import usage
from services.recipient.store.rows import Database

COLUMNS = (
    "campaign_id, name, template_id, tags, steps, variants, status, changes, created_at, updated_at"
)


@dataclass(frozen=True)
class CampaignRow:
    tenant_id: str
    definition: Definition
    status: CampaignStatus
    changes: int
    created_at: datetime
    updated_at: datetime


def _row(tenant_id: str, row: Any) -> CampaignRow:
    definition = Definition(
        row.campaign_id,
        row.name,
        row.template_id,
        tuple(row.tags),
        tuple(Step(**s) for s in row.steps),
        tuple(Variant(**v) for v in row.variants),
    )
    return CampaignRow(
        tenant_id,
        definition,
        CampaignStatus(row.status),
        row.changes,
        row.created_at,
        row.updated_at,
    )


class Registered(Protocol):
    @property
    def campaign_id(self) -> str: ...
    @property
    def sequence_step(self) -> str: ...
    @property
    def variant(self) -> str: ...


def check_campaigns(conn: Connection, tenant_id: str, registrations: Sequence[Registered]) -> None:
    """Registrations may not name a deleted campaign, nor steps/variants a defined campaign
    lacks (campaigns never created are accepted as plain ids)."""
    ids = sorted({r.campaign_id for r in registrations if r.campaign_id})
    if not ids:
        return
    rows = conn.execute(
        text(f"SELECT {COLUMNS} FROM campaigns WHERE tenant_id = :t AND campaign_id = ANY(:c)"),
        {"t": tenant_id, "c": ids},
    ).all()
    campaigns = {row.campaign_id: _row(tenant_id, row) for row in rows}
    for position, reg in enumerate(registrations):
        campaign = campaigns.get(reg.campaign_id)
        if campaign is None:
            continue
        if campaign.status is CampaignStatus.DELETED:
            raise InvalidTransition(f"campaign {reg.campaign_id!r} was deleted")
        check_registration(
            campaign.definition, reg.sequence_step, reg.variant, f"messages[{position}]"
        )


class CampaignStore:
    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.on_outbox = db.on_outbox

    def _lock(self, conn: Connection, tenant_id: str, campaign_id: str) -> CampaignRow | None:
        row = conn.execute(
            text(
                f"SELECT {COLUMNS} FROM campaigns "
                "WHERE tenant_id = :t AND campaign_id = :c FOR UPDATE"
            ),
            {"t": tenant_id, "c": campaign_id},
        ).one_or_none()
        return _row(tenant_id, row) if row else None

    def _publish(
        self, conn: Connection, campaign: CampaignRow, previous: str, at: datetime
    ) -> None:
        event = campaign_status_event(
            campaign.tenant_id,
            campaign.definition.campaign_id,
            campaign.definition.name,
            status_name(campaign.status),
            previous,
            campaign.changes,
            at,
        )
        enqueue(conn, topics.RECIPIENT_EVENTS, [event], key_of="campaign_id")

    def create(self, tenant_id: str, d: Definition) -> CampaignRow:
        """Creates a draft campaign; the same id again returns the existing campaign."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            inserted = conn.execute(
                text(
                    "INSERT INTO campaigns (tenant_id, campaign_id, name, template_id, tags, "
                    "steps, variants, status, created_at, updated_at) VALUES (:t, :c, :n, :tp, "
                    ":tags, CAST(:s AS jsonb), CAST(:v AS jsonb), :st, :now, :now) "
                    "ON CONFLICT DO NOTHING RETURNING campaign_id"
                ),
                {
                    "t": tenant_id,
                    "c": d.campaign_id,
                    "n": d.name,
                    "tp": d.template_id,
                    "tags": list(d.tags),
                    "s": json.dumps([s.__dict__ for s in d.steps]),
                    "v": json.dumps([v.__dict__ for v in d.variants]),
                    "st": int(CampaignStatus.DRAFT),
                    "now": now,
                },
            ).scalar()
            campaign = self._lock(conn, tenant_id, d.campaign_id)
            assert campaign is not None  # inserted or already there
            if campaign.status is CampaignStatus.DELETED:
                raise AlreadyExists(f"campaign {d.campaign_id!r} was deleted; use another id")
            if inserted:
                self._publish(conn, campaign, "", now)
                usage.add_counts(conn, tenant_id, now, {usage.CAMPAIGNS: 1})
        if inserted:
            self.on_outbox()
        return campaign

    def get(self, tenant_id: str, campaign_id: str) -> CampaignRow:
        with self.engine.connect() as conn:
            row = conn.execute(
                text(f"SELECT {COLUMNS} FROM campaigns WHERE tenant_id = :t AND campaign_id = :c"),
                {"t": tenant_id, "c": campaign_id},
            ).one_or_none()
        if row is None or row.status == CampaignStatus.DELETED:
            raise NotFound(f"campaign {campaign_id!r} does not exist")
        return _row(tenant_id, row)

    def find(
        self, tenant_id: str, status: CampaignStatus | None, tag: str, after: str, limit: int
    ) -> list[CampaignRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    f"SELECT {COLUMNS} FROM campaigns WHERE tenant_id = :t AND campaign_id > :a "
                    "AND status <> :deleted AND (CAST(:s AS smallint) IS NULL OR status = :s) "
                    "AND (:tag = '' OR tags @> ARRAY[CAST(:tag AS text)]) "
                    "ORDER BY campaign_id LIMIT :l"
                ),
                {
                    "t": tenant_id,
                    "a": after,
                    "deleted": int(CampaignStatus.DELETED),
                    "s": int(status) if status else None,
                    "tag": tag,
                    "l": limit,
                },
            ).all()
        return [_row(tenant_id, row) for row in rows]

    def set_status(self, tenant_id: str, campaign_id: str, target: CampaignStatus) -> CampaignRow:
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            campaign = self._lock(conn, tenant_id, campaign_id)
            if campaign is None or campaign.status is CampaignStatus.DELETED:
                raise NotFound(f"campaign {campaign_id!r} does not exist")
            if not check_transition(campaign.status, target):
                return campaign
            conn.execute(
                text(
                    "UPDATE campaigns SET status = :s, changes = changes + 1, updated_at = :now "
                    "WHERE tenant_id = :t AND campaign_id = :c"
                ),
                {"s": int(target), "now": now, "t": tenant_id, "c": campaign_id},
            )
            changed = CampaignRow(
                tenant_id,
                campaign.definition,
                target,
                campaign.changes + 1,
                campaign.created_at,
                now,
            )
            self._publish(conn, changed, status_name(campaign.status), now)
        self.on_outbox()
        return changed

    def delete(self, tenant_id: str, campaign_id: str) -> int:
        """Marks the campaign deleted (ids are not reused), deletes its registrations and
        publishes the "deleted" status; returns the messages deleted. A campaign id known
        only from registrations can be deleted too."""
        now = datetime.now(UTC)
        params = {"t": tenant_id, "c": campaign_id}
        with self.engine.begin() as conn:
            campaign = self._lock(conn, tenant_id, campaign_id)
            if campaign is not None and campaign.status is CampaignStatus.DELETED:
                raise NotFound(f"campaign {campaign_id!r} does not exist")
            deleted = (
                conn.execute(
                    text(
                        "DELETE FROM messages WHERE tenant_id = :t AND campaign_id = :c "
                        "RETURNING message_id"
                    ),
                    params,
                )
                .scalars()
                .all()
            )
            if campaign is None and not deleted:
                raise NotFound(f"campaign {campaign_id!r} does not exist")
            conn.execute(
                text(
                    "DELETE FROM message_recipients WHERE tenant_id = :t AND message_id = ANY(:m)"
                ),
                {"t": tenant_id, "m": list(deleted)},
            )
            conn.execute(
                text(
                    "INSERT INTO campaigns (tenant_id, campaign_id, name, template_id, tags, "
                    "steps, variants, status) VALUES (:t, :c, :c, '', '{}', '[]', '[]', :s) "
                    "ON CONFLICT (tenant_id, campaign_id) DO UPDATE SET status = :s, "
                    "changes = campaigns.changes + 1, updated_at = now()"
                ),
                {**params, "s": int(CampaignStatus.DELETED)},
            )
            gone = self._lock(conn, tenant_id, campaign_id)
            assert gone is not None
            previous = status_name(campaign.status) if campaign else ""
            self._publish(conn, gone, previous, now)
        self.on_outbox()
        return len(deleted)
