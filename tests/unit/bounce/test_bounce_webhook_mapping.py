"""Per-ESP mapping rules of issue 14's webhook defects, each on a small event built from the
ESP's documented fields: what each event records (kind, hard/soft, reason), that one event
which cannot be mapped is set aside alone, and that a missing timestamp is the receive time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from services.bounce.webhooks import mailgun, mandrill, postmark, sendgrid, ses
from services.bounce.webhooks.common import map_each
from services.bounce.webhooks.freshness import ReplayPolicy
from services.bounce.webhooks.handler import InvalidSignature, WebhookHandler, WebhookSecrets
from services.bounce.webhooks.signatures import mailgun_signature, mandrill_signature
from services.bounce.webhooks.sns import SnsVerifier

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


@pytest.mark.parametrize("bounce_type", ["blocked", "expired"])
def test_sendgrid_blocked_or_expired_bounce_is_soft(bounce_type):
    event = {"event": "bounce", "type": bounce_type, "email": "a@x.example", "status": "5.1.1",
             "reason": "550 5.1.1 user unknown", "timestamp": 1}  # fmt: skip
    (fact,) = facts(sendgrid.parse("acme", json.dumps([event]).encode(), NOW))
    assert fact[:2] == ("bounce", "soft")
    event["type"] = "bounce"  # the same reply in a plain bounce is hard
    (fact,) = facts(sendgrid.parse("acme", json.dumps([event]).encode(), NOW))
    assert fact[:2] == ("bounce", "hard")


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
        (ses_bounce("Transient", "MessageTooLarge", "", ""), ("bounce", "soft", "message_too_big")),
        (ses_bounce("Permanent", "NoEmail", "", ""), ("bounce", "hard", "user_unknown")),
        (ses_notice("Complaint", {"complaintSubType": "OnAccountSuppressionList",
                                  "complainedRecipients": [{"emailAddress": "a@x.example"}]}),
         ("complaint", "", "suppressed")),
        (ses_notice("Complaint", {"complaintSubType": None, "complaintFeedbackType": "abuse",
                                  "complainedRecipients": [{"emailAddress": "a@x.example"}]}),
         ("complaint", "", "feedback")),
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
         [("bounce", "soft", "rejected")]),
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


def test_an_event_of_a_shape_no_rule_foresaw_is_set_aside_alone():
    def one(item: dict[str, object], index: int) -> list[object]:
        return [] if item["ok"] else [item["missing"]]  # KeyError on the second event

    mapped = map_each([{"ok": True}, {"ok": False}, {"ok": True}], one)  # type: ignore[arg-type]  # minimal stand-in events
    (rejected,) = mapped.rejected
    assert rejected.index == 1 and "KeyError" in rejected.error


@pytest.mark.parametrize(
    "notice",
    [
        {"notificationType": "Bounce", "mail": {"destination": 5}, "bounce": [1]},
        {"notificationType": "Delivery", "mail": {}, "delivery": {"recipients": 3}},
        {"notificationType": "Complaint", "mail": {"headers": "x"}, "complaint": "y"},
    ],
)
def test_ses_odd_nested_shapes_record_nothing_and_raise_nothing(notice):
    mapped = ses.parse("acme", notice, NOW)
    assert mapped.outcomes == [] and mapped.rejected == []


def legacy_fields(**event: str) -> list[tuple[str, str]]:
    stamp = str(int(NOW.timestamp()))
    signature = mailgun_signature(KEY, stamp, "legacy-token")
    return [("recipient", "a@x.example"), ("Message-Id", "<m1@x.example>"), *event.items(),
            ("timestamp", stamp), ("token", "legacy-token"), ("signature", signature)]  # fmt: skip


def legacy_handler() -> WebhookHandler:
    secrets = WebhookSecrets(mailgun_signing_key=KEY)
    return WebhookHandler(
        secrets, SnsVerifier(lambda url: b""), lambda url: None, clock=lambda: NOW
    )


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"event": "delivered"}, [("delivered", "", "")]),
        ({"event": "bounced", "code": "550", "error": "5.1.1 user unknown"},
         [("bounce", "hard", "user_unknown")]),
        ({"event": "dropped", "code": "605", "reason": "hardfail"},
         [("bounce", "hard", "suppressed")]),
        ({"event": "dropped", "code": "606"}, [("unsubscribe", "", "suppressed")]),
        ({"event": "dropped", "code": "607"}, [("complaint", "", "suppressed")]),
        ({"event": "dropped", "reason": "old", "code": "498"}, [("bounce", "soft", "expired")]),
        ({"event": "complained"}, [("complaint", "", "feedback")]),
        ({"event": "stored"}, []),
    ],
)  # fmt: skip
def test_mailgun_legacy_form_webhooks(event, expected):
    body = urlencode(legacy_fields(**event)).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    result = legacy_handler().handle("mailgun", "acme", headers, body, "")
    assert facts(mandrill.Mapped(result.outcomes)) == expected
    assert result.nonce is not None and result.nonce.value == "legacy-token"


def test_mailgun_legacy_multipart_with_attachment_and_header_variables():
    variables = json.dumps({"emailtrack_campaign_id": "c-7"})
    headers_json = json.dumps([["X-Mailgun-Variables", variables], ["Subject", "hi"]])
    fields = legacy_fields(event="bounced", code="550", error="no such user")
    fields.append(("message-headers", headers_json))
    boundary = "b0undary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             for k, v in fields]  # fmt: skip
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="attachment-1"; '
                 f'filename="message.eml"\r\nContent-Type: message/rfc822\r\n\r\nFrom: x\r\n\r\n'
                 f"body\r\n--{boundary}--\r\n")  # fmt: skip
    content_type = f"multipart/form-data; boundary={boundary}"
    result = legacy_handler().handle(
        "mailgun", "acme", {"content-type": content_type}, "".join(parts).encode(), ""
    )
    (outcome,) = result.outcomes
    assert (outcome.kind, outcome.bounce_type, outcome.campaign_id) == ("bounce", "hard", "c-7")


def test_mailgun_legacy_forged_or_stale_is_refused():
    fields = legacy_fields(event="delivered")
    forged = [(k, "0" * 64 if k == "signature" else v) for k, v in fields]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with pytest.raises(InvalidSignature):
        legacy_handler().handle("mailgun", "acme", headers, urlencode(forged).encode(), "")
    stale = WebhookHandler(
        WebhookSecrets(mailgun_signing_key=KEY), SnsVerifier(lambda url: b""), lambda url: None
    )  # the real clock: NOW is months away
    with pytest.raises(InvalidSignature, match="outside"):
        stale.handle("mailgun", "acme", headers, urlencode(fields).encode(), "")
