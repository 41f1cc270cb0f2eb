"""Recipient service process: wiring only."""

from __future__ import annotations

import sys
from pathlib import Path

from emailtrack.common.config import ServiceSettings
from emailtrack.common.grpc_server import ServiceRegistration
from emailtrack.common.service import ServiceParts, main
from emailtrack.v1 import recipient_pb2, recipient_pb2_grpc

NAME = "recipient"


def build(settings: ServiceSettings) -> ServiceParts:
    registration = ServiceRegistration(
        recipient_pb2_grpc.RecipientServiceServicer(),
        recipient_pb2_grpc.add_RecipientServiceServicer_to_server,
        recipient_pb2.DESCRIPTOR.services_by_name["RecipientService"].full_name,
    )
    return ServiceParts([registration])


if __name__ == "__main__":
    sys.exit(main(NAME, Path(__file__).parent / "migrations", build))
