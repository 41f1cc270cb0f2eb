"""Recipients, lists and memberships: upserts without duplicates, keyset-paged listings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from services.recipient.domain.addresses import Address
from services.recipient.domain.errors import NotFound
from services.recipient.domain.suppression import RecipientStatus
from services.recipient.store.rows import (
    RECIPIENT_COLUMNS,
    Database,
    RecipientRow,
    ensure_recipients,
)


@dataclass(frozen=True)
class MailingList:
    tenant_id: str
    list_id: str
    name: str
    member_count: int
    created_at: datetime


@dataclass(frozen=True)
class RecipientFilter:
    status: RecipientStatus | None = None
    list_id: str = ""
    # lower-cased search texts ("" for none)
    email_prefix: str = ""
    email_contains: str = ""


def like_pattern(text: str, anchored: bool) -> str:
    """A LIKE pattern matching ``text`` literally (``%``, ``_`` and backslash escaped by a
    backslash, LIKE's default escape) at the start (``anchored``) or anywhere."""
    literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{literal}%" if anchored else f"%{literal}%"


def _require_list(conn: Connection, tenant_id: str, list_id: str) -> None:
    found = conn.execute(
        text("SELECT 1 FROM lists WHERE tenant_id = :t AND list_id = :l"),
        {"t": tenant_id, "l": list_id},
    ).scalar()
    if not found:
        raise NotFound(f"list {list_id!r} does not exist")


class RecipientStore:
    def __init__(self, db: Database) -> None:
        self.engine = db.engine

    def upsert(
        self, tenant_id: str, inputs: Sequence[tuple[Address, dict[str, str]]]
    ) -> list[RecipientRow]:
        """Creates or updates recipients (metadata merged, later keys win); one row per
        address however many callers upsert it at once."""
        merged: dict[str, tuple[Address, dict[str, str]]] = {}
        for address, metadata in inputs:
            previous = merged.get(address.recipient_id)
            merged[address.recipient_id] = (
                address,
                {**(previous[1] if previous else {}), **metadata},
            )
        ordered = sorted(merged.values(), key=lambda item: item[0].recipient_id)
        with self.engine.begin() as conn:
            ensure_recipients(conn, tenant_id, [address for address, _ in ordered])
            rows = conn.execute(
                text(
                    f"""
                    UPDATE recipients AS r
                    SET email = u.e, metadata = r.metadata || CAST(u.m AS jsonb),
                        last_seen_at = now()
                    FROM unnest(CAST(:ids AS text[]), CAST(:emails AS text[]),
                                CAST(:meta AS text[])) AS u(i, e, m)
                    WHERE r.tenant_id = :t AND r.recipient_id = u.i
                    RETURNING {", ".join("r." + c.strip() for c in RECIPIENT_COLUMNS.split(","))}
                    """
                ),
                {
                    "t": tenant_id,
                    "ids": [a.recipient_id for a, _ in ordered],
                    "emails": [a.email for a, _ in ordered],
                    "meta": [json.dumps(m) for _, m in ordered],
                },
            ).all()
        by_id = {row.recipient_id: RecipientRow.from_row(row) for row in rows}
        return [by_id[address.recipient_id] for address, _ in inputs]

    def get(self, tenant_id: str, recipient_id: str) -> RecipientRow:
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    f"SELECT {RECIPIENT_COLUMNS} FROM recipients "
                    "WHERE tenant_id = :t AND recipient_id = :r"
                ),
                {"t": tenant_id, "r": recipient_id},
            ).one_or_none()
        if row is None:
            raise NotFound("recipient not found")
        return RecipientRow.from_row(row)

    def list_recipients(
        self, tenant_id: str, where: RecipientFilter, after: str, limit: int
    ) -> list[RecipientRow]:
        """Recipients ordered by id after ``after``, optionally of one status or list and with
        an address starting with or containing a (lower-cased) text."""
        membership = (
            "AND EXISTS (SELECT 1 FROM list_members m WHERE m.tenant_id = r.tenant_id "
            "AND m.list_id = :l AND m.recipient_id = r.recipient_id)"
            if where.list_id
            else ""
        )
        columns = ", ".join("r." + c.strip() for c in RECIPIENT_COLUMNS.split(","))
        query = text(
            f"""
            SELECT {columns} FROM recipients r
            WHERE r.tenant_id = :t AND r.recipient_id > :after
              AND (CAST(:s AS smallint) IS NULL OR r.status = :s) {membership}
              AND (CAST(:prefix AS text) IS NULL OR lower(r.email) LIKE :prefix)
              AND (CAST(:contains AS text) IS NULL OR lower(r.email) LIKE :contains)
            ORDER BY r.recipient_id LIMIT :limit
            """
        )
        params = {
            "t": tenant_id,
            "after": after,
            "s": int(where.status) if where.status else None,
            "l": where.list_id,
            "prefix": like_pattern(where.email_prefix, True) if where.email_prefix else None,
            "contains": (
                like_pattern(where.email_contains, False) if where.email_contains else None
            ),
            "limit": limit,
        }
        with self.engine.connect() as conn:
            if where.list_id:
                _require_list(conn, tenant_id, where.list_id)
            return [RecipientRow.from_row(row) for row in conn.execute(query, params)]

    def create_list(self, tenant_id: str, list_id: str, name: str) -> MailingList:
        """Creates the list, or returns it unchanged when it exists (idempotent retries)."""
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO lists (tenant_id, list_id, name) VALUES (:t, :l, :n) "
                    "ON CONFLICT DO NOTHING"
                ),
                {"t": tenant_id, "l": list_id, "n": name},
            )
            return self._lists(conn, tenant_id, list_id, "", 1)[0]

    def lists(self, tenant_id: str, after: str, limit: int) -> list[MailingList]:
        with self.engine.connect() as conn:
            return self._lists(conn, tenant_id, None, after, limit)

    @staticmethod
    def _lists(
        conn: Connection, tenant_id: str, only: str | None, after: str, limit: int
    ) -> list[MailingList]:
        rows = conn.execute(
            text(
                """
                SELECT l.tenant_id, l.list_id, l.name,
                       (SELECT count(*) FROM list_members m
                        WHERE m.tenant_id = l.tenant_id AND m.list_id = l.list_id)
                         AS member_count,
                       l.created_at
                FROM lists l
                WHERE l.tenant_id = :t AND l.list_id > :after
                  AND (CAST(:only AS text) IS NULL OR l.list_id = :only)
                ORDER BY l.list_id LIMIT :limit
                """
            ),
            {"t": tenant_id, "only": only, "after": after, "limit": limit},
        ).all()
        return [MailingList(**row._asdict()) for row in rows]

    def add_members(self, tenant_id: str, list_id: str, addresses: Sequence[Address]) -> int:
        ids = sorted({a.recipient_id for a in addresses})
        with self.engine.begin() as conn:
            _require_list(conn, tenant_id, list_id)
            ensure_recipients(conn, tenant_id, addresses)
            return conn.execute(
                text(
                    """
                    INSERT INTO list_members (tenant_id, list_id, recipient_id)
                    SELECT :t, :l, r FROM unnest(CAST(:ids AS text[])) AS u(r)
                    ON CONFLICT DO NOTHING
                    """
                ),
                {"t": tenant_id, "l": list_id, "ids": ids},
            ).rowcount

    def remove_members(self, tenant_id: str, list_id: str, recipient_ids: Sequence[str]) -> int:
        with self.engine.begin() as conn:
            _require_list(conn, tenant_id, list_id)
            return conn.execute(
                text(
                    "DELETE FROM list_members "
                    "WHERE tenant_id = :t AND list_id = :l AND recipient_id = ANY(:ids)"
                ),
                {"t": tenant_id, "l": list_id, "ids": list(recipient_ids)},
            ).rowcount
