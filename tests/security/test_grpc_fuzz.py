"""gRPC fuzz: hypothesis over the request messages of every RPC of every service, sent with a
valid key (a tenant key with every scope; the service key for internal RPCs), through the real
interceptor to the real servicers. Bad input must get a clear status — never INTERNAL or
UNKNOWN (an unhandled exception, a traceback's worth of "failed unexpectedly")."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Sequence
from typing import Any

import grpc
import pytest
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import emailtrack.v1
from emailtrack.common.rpc_scopes import RPC_SCOPES, Scope
from tests.grpc_credentials import TEST_KEY
from tests.security.conftest import ADMIN, READ, SEND, Stack, channel_with
from tests.security.proto_strategies import messages

pytestmark = pytest.mark.integration
TENANT = "fuzzco"
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}
STREAM_DEADLINE_S = 2.0


def all_methods() -> list[MethodDescriptor]:
    found = []
    for module_info in pkgutil.iter_modules(emailtrack.v1.__path__):
        if module_info.name.endswith("_pb2"):
            module = importlib.import_module(f"emailtrack.v1.{module_info.name}")
            for service in module.DESCRIPTOR.services_by_name.values():
                found.extend(service.methods)
    return sorted(found, key=lambda m: m.full_name)


METHODS = all_methods()


@pytest.fixture(scope="module")
def channels(stack: Stack) -> Iterator[dict[str, grpc.Channel]]:
    tenant_key = stack.create_key(TENANT, SEND, READ, ADMIN)
    opened = {
        f"{address}|{key}": channel_with(address, key)
        for address in set(stack.addresses.values())
        for key in (tenant_key, TEST_KEY)
    }
    yield {"tenant": tenant_key, **opened}  # type: ignore[dict-item]  # fixture values of mixed types
    for channel in opened.values():
        channel.close()


def serialize(message: Message) -> bytes:
    return message.SerializeToString()


def call(channel: grpc.Channel, method: MethodDescriptor, requests: Sequence[Message]) -> None:
    path = f"/{method.containing_service.full_name}/{method.name}"
    reply_class = message_factory.GetMessageClass(method.output_type)
    kinds: dict[tuple[bool, bool], Any] = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }
    make = kinds[(method.client_streaming, method.server_streaming)]
    callable_ = make(path, serialize, reply_class.FromString)
    payload = iter(requests) if method.client_streaming else requests[0]
    try:
        reply = callable_(payload, timeout=STREAM_DEADLINE_S if method.server_streaming else 10)
        if method.server_streaming:
            list(reply)
    except grpc.RpcError as exc:
        code = exc.code()
        deadline_ok = method.server_streaming and code == grpc.StatusCode.DEADLINE_EXCEEDED
        assert code not in NEVER or deadline_ok, f"{path}: {code.name}: {exc.details()}"


@pytest.mark.parametrize(
    "method", METHODS, ids=lambda m: m.full_name.removeprefix("emailtrack.v1.")
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_request_makes_a_service_fail_unexpectedly(
    stack: Stack, channels: dict[str, grpc.Channel], method: MethodDescriptor, data: st.DataObject
) -> None:
    path = f"/{method.containing_service.full_name}/{method.name}"
    internal = RPC_SCOPES[path] is Scope.INTERNAL
    key = TEST_KEY if internal else channels["tenant"]
    channel = channels[f"{stack.addresses[method.containing_service.full_name]}|{key}"]
    strategy = messages(method.input_type, TENANT)
    count = 3 if method.client_streaming else 1
    requests = data.draw(st.lists(strategy, min_size=1, max_size=count))
    call(channel, method, requests)
