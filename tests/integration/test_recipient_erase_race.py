"""An erasure and an event about the same person, applied at the same moment on the real
PostgreSQL: the person stays erased. Without a lock between the two, the event batch reads
the erasures before the erasure commits, its insert of the person waits for the erasure's
delete, then succeeds: the person erased a moment ago is back."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from emailtrack.common.db import make_engine
from services.recipient.__main__ import stores
from services.recipient.config import RecipientSettings
from services.recipient.domain.addresses import normalise
from services.recipient.store import privacy
from services.recipient.store.rows import Database
from tests.integration.test_recipient_kafka import bounce

pytestmark = pytest.mark.integration
TENANT = "tk"


def test_an_event_applied_during_an_erasure_does_not_bring_the_person_back(
    fresh_database, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(fresh_database("recipient"))
    parts = stores(Database(engine), RecipientSettings.from_env({}))
    person = normalise(TENANT, "ida@example.com")
    parts.recipients.upsert(TENANT, [(person, {})])

    inside, go = threading.Event(), threading.Event()
    original_enqueue = privacy.enqueue

    def enqueue_then_wait(*args, **kwargs) -> None:
        original_enqueue(*args, **kwargs)
        inside.set()  # the erasure's rows are deleted, its transaction not yet committed
        assert go.wait(30)

    monkeypatch.setattr(privacy, "enqueue", enqueue_then_wait)
    erasing = threading.Thread(target=parts.privacy.erase, args=(TENANT, person.recipient_id))
    erasing.start()
    assert inside.wait(30)

    applied: list[int] = []
    late_bounce = bounce("during-erase", "ida@example.com", True, datetime.now(UTC))
    applying = threading.Thread(
        target=lambda: applied.append(parts.suppression.apply_events([late_bounce]))
    )
    applying.start()
    time.sleep(0.5)  # the batch reaches the point where it waits for the erasure
    go.set()
    erasing.join(30)
    applying.join(30)

    assert applied == [0]  # the bounce of an erased person is not applied
    with engine.connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM recipients WHERE recipient_id = :r"),
            {"r": person.recipient_id},
        ).scalar_one()
    assert left == 0
    engine.dispose()
