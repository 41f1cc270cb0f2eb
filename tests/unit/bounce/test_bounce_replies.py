"""Reply hints from inbound mail and the choice of the replied message."""

from __future__ import annotations

from email.message import EmailMessage

from services.bounce.domain import parse_bounce_message
from services.bounce.domain.replies import KnownMessage, choose_match, reply_hints


def message(**headers: str) -> EmailMessage:
    built = EmailMessage()
    built["From"] = "Ada <ada@example.com>"
    built["Subject"] = "Re: hello"
    for name, value in headers.items():
        built[name.replace("_", "-")] = value
    built.set_content("Thanks!\n> X-Emailtrack-Message: m9\n")
    return built


def test_hints_order_in_reply_to_then_newest_reference() -> None:
    hints = reply_hints(message(In_Reply_To="<b@x>", References="<a@x> <c@x> <b@x>"))
    assert hints.sender == "ada@example.com"
    assert hints.answered == (("<b@x>", "in_reply_to"), ("<c@x>", "references"),
                              ("<a@x>", "references"))  # fmt: skip
    assert hints.quoted_message_ids == ("m9",)


def test_choose_match_prefers_headers_then_quotes() -> None:
    hints = reply_hints(message(References="<a@x> <c@x>"))
    known = [KnownMessage("m1", "<a@x>", "camp"), KnownMessage("m9", "", "camp")]
    match = choose_match(hints, known)
    assert match is not None and (match.message.message_id, match.matched_by) == (
        "m1",
        "references",
    )
    quoted = choose_match(reply_hints(message()), known)
    assert quoted is not None and (quoted.message.message_id, quoted.matched_by) == ("m9", "quoted")
    assert choose_match(reply_hints(message()), []) is None


def test_human_reply_is_unknown_with_hints_and_auto_reply_is_told_apart() -> None:
    human = parse_bounce_message(message(In_Reply_To="<b@x>").as_bytes())
    assert human.kind == "unknown" and human.reply
    auto = parse_bounce_message(
        message(In_Reply_To="<b@x>", Auto_Submitted="auto-replied").as_bytes()
    )
    assert auto.kind == "auto_reply"
