"""Bounce service process: wiring only."""

from __future__ import annotations

import sys
from pathlib import Path

from emailtrack.common.config import ServiceSettings
from emailtrack.common.grpc_server import ServiceRegistration
from emailtrack.common.service import ServiceParts, main
from emailtrack.v1 import bounce_pb2, bounce_pb2_grpc

NAME = "bounce"


def build(settings: ServiceSettings) -> ServiceParts:
    registration = ServiceRegistration(
        bounce_pb2_grpc.BounceServiceServicer(),
        bounce_pb2_grpc.add_BounceServiceServicer_to_server,
        bounce_pb2.DESCRIPTOR.services_by_name["BounceService"].full_name,
    )
    return ServiceParts([registration])


if __name__ == "__main__":
    sys.exit(main(NAME, Path(__file__).parent / "migrations", build))
