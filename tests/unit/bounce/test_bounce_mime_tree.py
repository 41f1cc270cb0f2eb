"""mime_tree.parse_message builds the tree email.message_from_bytes builds (every corpus
file; the fields as stored, since they are read unfolded), and IndexedMessage.get and ``in``
(and the content type and parameters it keeps) answer as Message's do after each way Message
changes its fields."""

from __future__ import annotations

import email
import email.policy
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from services.bounce.domain.mime_tree import IndexedMessage, parse_message

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bounces"
FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".eml", ".msg"))


def _tree(msg: Any) -> Any:
    body = [_tree(part) for part in msg.get_payload()] if msg.is_multipart() else msg.get_payload()
    defects = [type(defect) for defect in msg.defects]
    return list(msg.raw_items()), msg.get_unixfrom(), msg.preamble, msg.epilogue, defects, body


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_same_tree_as_the_stdlib_parse(path: Path) -> None:
    raw = path.read_bytes()
    ours = parse_message(raw)
    assert _tree(ours) == _tree(email.message_from_bytes(raw, policy=email.policy.compat32))
    assert all(isinstance(part, IndexedMessage) for part in ours.walk())


NAMES = ["content-type", "Received", "X-Absent", "subject", "TO"]


def _both() -> tuple[Message, Message]:
    text = (
        "Received: one\nReceived: two\nSubject: first\nsubject: second\n"
        'Content-Type: text/plain; charset="us-ascii"\n\nbody\n'
    )
    return (
        email.message_from_string(text, IndexedMessage, policy=email.policy.compat32),
        email.message_from_string(text, policy=email.policy.compat32),
    )


CHANGES = {
    "append": lambda m: m.__setitem__("To", "a@b.example"),
    "delete": lambda m: m.__delitem__("subject"),
    "replace": lambda m: m.replace_header("Received", "three"),
    "set_param": lambda m: m.set_param("charset", "utf-8"),
    "set_type": lambda m: m.set_type("text/html"),
    "delete_then_add": lambda m: (m.__delitem__("subject"), m.add_header("Subject", "new")),
    "set_boundary": lambda m: (m.set_type("multipart/mixed"), m.set_boundary("b")),
    "delete_type": lambda m: m.__delitem__("content-type"),
    "default_type": lambda m: (m.__delitem__("content-type"), m.set_default_type("message/rfc822")),
    "raw_type": lambda m: m.set_raw("Content-Type", "text/html; charset=latin-1"),
    "replace_type": lambda m: m.replace_header("Content-Type", "text/html; charset=latin-1"),
    "type_added_to_none": lambda m: (
        m.__delitem__("content-type"),
        _answers(m),  # (asked while the new field list has none)
        m.set_raw("Content-Type", "text/html; charset=latin-1"),
    ),
}


def _answers(msg: Message) -> list[Any]:
    """What the cached lookups of IndexedMessage answer (content type, parameters)."""
    return [
        msg.get_content_type(),
        msg.get_content_maintype(),
        msg.get_param("charset"),
        msg.get_params(),
        msg.get_params(unquote=False),
        msg.get_content_charset(),
        msg.get_boundary(),
        msg.get_param("x", header="received"),
    ]


@pytest.mark.parametrize("change", CHANGES)
def test_get_follows_every_change_of_the_fields(change: str) -> None:
    indexed, plain = _both()
    assert [indexed.get(n, "-") for n in NAMES] == [plain.get(n, "-") for n in NAMES]
    assert _answers(indexed) == _answers(plain)  # (answers now cached)
    CHANGES[change](indexed)
    CHANGES[change](plain)
    assert [indexed.get(n, "-") for n in NAMES] == [plain.get(n, "-") for n in NAMES]
    assert [n in indexed for n in NAMES] == [n in plain for n in NAMES]
    assert _answers(indexed) == _answers(plain)


def test_a_cached_parameter_list_is_not_shared_with_the_caller() -> None:
    indexed, plain = _both()
    params = indexed.get_params(unquote=False)
    assert params is not None
    params.append(("x", "y"))
    assert indexed.get_params(unquote=False) == plain.get_params(unquote=False)


def test_a_value_with_surrogates_is_wrapped_on_every_lookup():
    raw = "Subject: caf\u00e9 ol\u00e9\nTo: a@b.example\n\nbody\n".encode("latin-1")
    indexed = parse_message(raw)
    plain = email.message_from_bytes(raw, policy=email.policy.compat32)
    for _ in range(2):  # the second lookup must not return a stored object
        got, expected = indexed.get("subject"), plain.get("subject")
        assert type(got) is type(expected) and str(got) == str(expected)
        assert indexed.get("to") == plain.get("to") == "a@b.example"
    same_object = indexed.get("subject") is indexed.get("subject")
    assert same_object == (plain.get("subject") is plain.get("subject")) is False
    indexed.replace_header("To", "c@d.example")
    assert indexed.get("to") == "c@d.example"


def test_field_values_are_read_unfolded():
    raw = b"Subject: Automatic\r\n reply:\r\n\tout\nX-Id: a\n  b\nTo: c@d.example\n\nbody\n"
    msg = parse_message(raw)
    assert msg.get("subject") == "Automatic reply:\tout"
    assert msg.items()[1:] == [("X-Id", "a  b"), ("To", "c@d.example")]
