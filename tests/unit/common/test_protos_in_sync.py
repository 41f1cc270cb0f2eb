"""Generated code in emailtrack/v1 must match what grpcio-tools makes from protos/."""

import tempfile
from pathlib import Path

from emailtrack import protogen


def test_generated_code_is_up_to_date() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        protogen.generate(Path(tmp))
        fresh = protogen.generated_files(Path(tmp) / "emailtrack" / "v1")
    committed = protogen.generated_files(protogen.OUTPUT_PACKAGE)
    stale = sorted(n for n in fresh.keys() | committed.keys() if fresh.get(n) != committed.get(n))
    assert not stale, f"run `make proto`: out of date: {stale}"


def test_enums_follow_buf_style() -> None:
    from emailtrack.v1 import analytics_pb2, bounce_pb2, events_pb2, recipient_pb2

    for module in (events_pb2, analytics_pb2, bounce_pb2, recipient_pb2):
        for enum in module.DESCRIPTOR.enum_types_by_name.values():
            zero = enum.values_by_number[0].name
            assert zero.endswith("_UNSPECIFIED"), zero
            prefix = zero.removesuffix("UNSPECIFIED")
            assert all(v.name.startswith(prefix) for v in enum.values), enum.name
