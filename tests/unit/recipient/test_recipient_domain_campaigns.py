"""Campaign status transitions, definition validation, Message-IDs and billing periods."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.recipient.domain.campaigns import (
    CampaignStatus as S,
)
from services.recipient.domain.campaigns import (
    Definition,
    Step,
    Variant,
    check_registration,
    check_transition,
    period_bounds,
    smtp_message_id,
    validate,
)
from services.recipient.domain.errors import InvalidArgument, InvalidTransition


def test_transitions() -> None:
    assert check_transition(S.DRAFT, S.SCHEDULED)
    assert check_transition(S.SENDING, S.PAUSED) and check_transition(S.PAUSED, S.SENDING)
    assert not check_transition(S.SENDING, S.SENDING)
    for current, target in ((S.COMPLETED, S.SENDING), (S.SENDING, S.DRAFT), (S.DRAFT, S.DELETED)):
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


def definition(**changes: object) -> Definition:
    values: dict[str, object] = {
        "campaign_id": "c",
        "name": "C",
        "template_id": "",
        "tags": (" a ", "a", "b", ""),
        "steps": (Step("s1", "", 0),),
        "variants": (Variant("A", "", 1), Variant("B", "", 1)),
    }
    values.update(changes)
    return Definition(**values)  # type: ignore[arg-type]  # test fields passed as keywords


def test_validation() -> None:
    assert validate(definition()).tags == ("a", "b")
    for bad in (
        definition(name=""),
        definition(variants=(Variant("A", "", 1), Variant("A", "", 1))),
        definition(steps=(Step("s1", "", -1),)),
    ):
        with pytest.raises(InvalidArgument):
            validate(bad)
    check_registration(definition(), "s1", "B", "messages[0]")
    check_registration(definition(), "", "", "messages[0]")
    with pytest.raises(InvalidArgument, match=r"messages\[2\]\.variant 'C'"):
        check_registration(definition(), "s1", "C", "messages[2]")


def test_message_ids_and_periods() -> None:
    assert smtp_message_id(" abc@host ") == "<abc@host>"
    assert smtp_message_id("") == ""
    with pytest.raises(InvalidArgument):
        smtp_message_id("no at sign")
    now = datetime(2025, 12, 15, tzinfo=UTC)
    assert period_bounds("", now) == (
        "2025-12",
        datetime(2025, 12, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(InvalidArgument):
        period_bounds("2025-13", now)
