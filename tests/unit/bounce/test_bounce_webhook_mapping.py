"""Per-ESP mapping rules of issue 14's webhook defects, each on a small event built from the
ESP's documented fields: what each event records (kind, hard/soft, reason), that one event
which cannot be mapped is set aside alone, and that a missing timestamp is the receive time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from services.bounce.webhooks import mailgun, mandrill, postmark, sendgrid, ses
from services.bounce.webhooks.freshness import ReplayPolicy
from services.bounce.webhooks.signatures import mailgun_signature, mandrill_signature

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
URL = "https://track.example.com/webhooks/mandrill/acme"
KEY = "test-key"


def mandrill_batch(events: list[object]) -> mandrill.Mapped:
    params = [("mandrill_events", json.dumps(events))]
    headers = {"X-Mandrill-Signature": mandrill_signature(KEY, URL, params)}
    return mandrill.parse("acme", urlencode(params).encode(), URL, headers, KEY, NOW)


def facts(mapped: mandrill.Mapped) -> list[tuple[str, str, str]]:
    return [(o.kind, o.bounce_type, o.reason) for o in mapped.outcomes]


def test_mandrill_sync_event_never_rejects_its_batch_and_a_bad_event_is_set_aside_alone():
    sync = {"type": "blacklist", "action": "add", "reject": {"email": "x@y.example"}, "ts": 1}
    events = [
        {"event": "delivered", "_id": "a", "ts": 1700000000, "msg": {"email": "a@x.example"}},
        sync,
        {"_id": "broken", "msg": {"email": "b@x.example"}},  # neither "event" nor "type"
        {"event": "open", "_id": "c", "ts": 1700000001, "msg": {"email": "c@x.example"}},
    ]
    mapped = mandrill_batch(events)
    assert [o.kind for o in mapped.outcomes] == ["delivered", "open"]
    (rejected,) = mapped.rejected
    assert rejected.index == 2 and json.loads(rejected.raw)["_id"] == "broken"
    assert "event" in rejected.error


@pytest.mark.parametrize(
    ("event", "diag", "expected"),
    [
        ("soft_bounce", "smtp;552 5.2.2 Over Quota", ("bounce", "soft", "mailbox_full")),
        ("soft_bounce", "", ("bounce", "soft", "undefined")),  # final, never "deferred"
        ("hard_bounce", "smtp;550 5.1.1 no such user", ("bounce", "hard", "user_unknown")),
        ("deferral", "", ("deferred", "soft", "undefined")),
        ("reject", "", ("bounce", "hard", "suppressed")),
    ],
)
def test_mandrill_failures(event, diag, expected):
    msg = {"email": "a@x.example", "diag": diag}
    assert facts(mandrill_batch([{"event": event, "_id": "m", "ts": 1, "msg": msg}])) == [expected]


def test_mandrill_event_without_ts_is_dated_by_its_receive_time():
    (outcome,) = mandrill_batch([{"event": "open", "msg": {"email": "a@x.example"}}]).outcomes
    assert outcome.occurred_at == NOW


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("Unsubscribed Address", ("unsubscribe", "", "")),
        ("Spam Reporting Address", ("complaint", "", "suppressed")),
        ("Bounced Address", ("bounce", "hard", "suppressed")),
        ("Invalid", ("bounce", "hard", "invalid_address")),
        ("Spam Content (if spam checker app enabled)", ("bounce", "soft", "spam_detected")),
        ("Recipient List over Package Quota", ("bounce", "soft", "undefined")),
    ],
)
def test_sendgrid_dropped_by_reason(reason, expected):
    event = {"event": "dropped", "email": "a@x.example", "reason": reason, "sg_event_id": "e"}
    mapped = sendgrid.parse("acme", json.dumps([event]).encode(), NOW)
    assert facts(mapped) == [expected]
    assert mapped.outcomes[0].occurred_at == NOW  # no timestamp: receive time


def test_sendgrid_blocked_bounce_is_soft():
    event = {"event": "bounce", "type": "blocked", "email": "a@x.example", "status": "5.7.1",
             "reason": "550 5.7.1 IP listed on a blocklist", "timestamp": 1}  # fmt: skip
    (fact,) = facts(sendgrid.parse("acme", json.dumps([event]).encode(), NOW))
    assert fact[:2] == ("bounce", "soft")


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"SuppressionReason": "HardBounce"}, [("bounce", "hard", "suppressed")]),
        ({"SuppressionReason": "SpamComplaint"}, [("complaint", "", "suppressed")]),
        ({"SuppressionReason": "ManualSuppression"}, [("unsubscribe", "", "")]),
        ({"SuppressionReason": None, "SuppressSending": False}, []),  # reactivated
    ],
)
def test_postmark_subscription_change_by_suppression_reason(record, expected):
    payload = {"RecordType": "SubscriptionChange", "Recipient": "a@x.example",
               "MessageID": "m", "SuppressSending": True, **record}  # fmt: skip
    mapped = postmark.parse("acme", json.dumps(payload).encode(), NOW)
    assert facts(mapped) == expected
    assert all(o.occurred_at == NOW for o in mapped.outcomes)  # no ChangedAt: receive time


@pytest.mark.parametrize(
    ("bounce_type", "expected"),
    [
        ("SoftBounce", ("bounce", "soft", "undefined")),
        ("Transient", ("deferred", "soft", "undefined")),
        ("DnsError", ("deferred", "soft", "network_error")),
        ("BadEmailAddress", ("bounce", "hard", "invalid_address")),
        ("ManuallyDeactivated", ("bounce", "hard", "suppressed")),
    ],
)
def test_postmark_bounce_types(bounce_type, expected):
    payload = {"RecordType": "Bounce", "Type": bounce_type, "Email": "a@x.example", "ID": 1,
               "BouncedAt": "2026-01-01T00:00:00Z"}  # fmt: skip
    assert facts(postmark.parse("acme", json.dumps(payload).encode(), NOW)) == [expected]


def ses_notice(kind: str, detail: dict[str, object] | None = None) -> dict[str, object]:
    notice: dict[str, object] = {
        "notificationType": kind,
        "mail": {"messageId": "ses-1", "destination": ["a@x.example"]},
    }
    if detail is not None:
        notice[kind[:1].lower() + kind[1:]] = detail
    return notice


def ses_bounce(bounce_type: str, subtype: str, status: str, diag: str) -> dict[str, object]:
    recipient = {"emailAddress": "a@x.example", "status": status, "diagnosticCode": diag}
    return ses_notice("Bounce", {"bounceType": bounce_type, "bounceSubType": subtype,
                                 "feedbackId": "f", "bouncedRecipients": [recipient]})  # fmt: skip


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        (ses_bounce("Transient", "MailboxFull", "4.2.2", "smtp; 452 4.2.2 over quota"),
         ("bounce", "soft", "mailbox_full")),
        (ses_bounce("Undetermined", "Undetermined", "5.0.0", "smtp; 550 5.0.0 failed"),
         ("bounce", "soft", "undefined")),
        (ses_bounce("Permanent", "OnAccountSuppressionList", "5.1.1", ""),
         ("bounce", "hard", "suppressed")),
        (ses_bounce("Permanent", "General", "5.1.1", "smtp; 550 5.1.1 user unknown"),
         ("bounce", "hard", "user_unknown")),
        (ses_notice("Reject", {"reason": "Bad content"}), ("bounce", "soft", "virus_detected")),
    ],
)  # fmt: skip
def test_ses_bounce_types_and_reject(notice, expected):
    mapped = ses.parse("acme", notice, NOW)
    assert facts(mapped) == [expected]
    assert mapped.outcomes[0].occurred_at == NOW  # no timestamp anywhere: receive time


def test_ses_opens_of_one_message_are_distinct_events():
    opens = [ses_notice("Open", {"timestamp": f"2026-01-01T00:0{i}:00Z"}) for i in range(2)]
    ids = {ses.parse("acme", notice, NOW).outcomes[0].event_id for notice in opens}
    assert len(ids) == 2


def mailgun_event(data: dict[str, object]) -> mailgun.Mapped:
    stamp = str(int(NOW.timestamp()))
    signature = {"timestamp": stamp, "token": "t", "signature": mailgun_signature(KEY, stamp, "t")}
    body = json.dumps({"signature": signature, "event-data": {"recipient": "a@x.example", **data}})
    mapped, nonce = mailgun.parse("acme", body.encode(), KEY, ReplayPolicy(), NOW)
    assert (nonce.scope, nonce.value) == ("mailgun", "t")
    return mapped


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"event": "rejected", "reject": {"reason": "Sandbox subdomains are for test purposes"}},
         [("bounce", "soft", "undefined")]),
        ({"event": "failed", "severity": "permanent", "reason": "suppress-bounce"},
         [("bounce", "hard", "suppressed")]),
        ({"event": "failed", "severity": "permanent", "reason": "suppress-complaint"},
         [("complaint", "", "suppressed")]),
        ({"event": "failed", "severity": "permanent", "reason": "suppress-unsubscribe"},
         [("unsubscribe", "", "suppressed")]),
        ({"event": "accepted"}, []),
    ],
)  # fmt: skip
def test_mailgun_rejected_and_suppressions(data, expected):
    assert facts(mailgun_event(data)) == expected
