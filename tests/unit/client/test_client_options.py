"""Pure parts of the SDK: retry backoff, batching, option checks."""

from __future__ import annotations

import random

import grpc
import pytest

from emailtrack.client import ClientOptions, Endpoints, RetryPolicy, registration
from emailtrack.client.requests import batches, resolve_recipient_id
from emailtrack.v1 import recipient_pb2


def test_backoff_grows_exponentially_with_full_jitter_and_a_ceiling() -> None:
    policy = RetryPolicy(initial_backoff_s=0.1, max_backoff_s=1.0, multiplier=2.0)
    rng = random.Random(1)
    for attempt, ceiling in ((1, 0.1), (2, 0.2), (3, 0.4), (5, 1.0), (9, 1.0)):
        pauses = [policy.backoff_s(attempt, rng) for _ in range(200)]
        assert min(pauses) >= 0 and max(pauses) <= ceiling
        assert max(pauses) > ceiling * 0.8


def test_unavailable_and_resource_exhausted_are_retried_only_up_to_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry(grpc.StatusCode.UNAVAILABLE, 2)
    assert policy.should_retry(grpc.StatusCode.RESOURCE_EXHAUSTED, 2)
    assert not policy.should_retry(grpc.StatusCode.UNAVAILABLE, 3)
    assert not policy.should_retry(grpc.StatusCode.INVALID_ARGUMENT, 1)
    assert not policy.should_retry(grpc.StatusCode.DEADLINE_EXCEEDED, 1)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_batches_cut_lazily_into_fixed_sizes() -> None:
    assert [len(b) for b in batches(range(2_501), 1_000)] == [1_000, 1_000, 501]
    assert list(batches([], 3)) == []
    with pytest.raises(ValueError):
        list(batches([1], 0))


def test_api_key_in_clear_text_is_refused_off_loopback() -> None:
    remote = Endpoints.single("mail.example.com:50051")
    with pytest.raises(ValueError, match="tls=True"):
        ClientOptions(endpoints=remote, api_key="k")
    assert ClientOptions(endpoints=remote, api_key="k", tls=True).metadata() == (
        ("authorization", "Bearer k"),
    )
    assert ClientOptions(endpoints=remote, api_key="k", allow_plaintext_api_key=True)
    assert ClientOptions(endpoints=Endpoints.single("[::1]:1"), api_key="k")
    assert ClientOptions().metadata() == ()
    with pytest.raises(ValueError):
        ClientOptions(deadline_s=0)


def test_registration_and_recipient_id_helpers() -> None:
    reg = registration("m-1", "c", ["a@x.example"], cc=["b@x.example"], bcc=["c@x.example"])
    assert [(r.email, r.role) for r in reg.recipients] == [
        ("a@x.example", recipient_pb2.RECIPIENT_ROLE_TO),
        ("b@x.example", recipient_pb2.RECIPIENT_ROLE_CC),
        ("c@x.example", recipient_pb2.RECIPIENT_ROLE_BCC),
    ]
    with pytest.raises(ValueError):
        resolve_recipient_id("t", "a@x.example", "r_1")
    assert resolve_recipient_id("t", "", "r_1") == "r_1"
