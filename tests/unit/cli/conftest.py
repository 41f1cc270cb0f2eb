"""The CLI in-process (typer's CliRunner) against fake gRPC services on free ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner, Result

from emailtrack.cli import app
from tests.grpc_credentials import TEST_KEY
from tests.unit.cli.fake_services import TENANT, FakeStack, ada, start_fake_stack


@pytest.fixture(scope="module")
def stack() -> Iterator[FakeStack]:
    yield from start_fake_stack()


Invoke = Callable[..., Result]


@pytest.fixture
def cli(stack: FakeStack) -> Invoke:
    stack.log.clear()
    stack.recipients.people["ada@example.com"] = ada()
    env = {
        "EMAILTRACK_TENANT": TENANT,
        "EMAILTRACK_ANALYTICS_ADDR": stack.address("analytics"),
        "EMAILTRACK_RECIPIENT_ADDR": stack.address("recipient"),
        "EMAILTRACK_TRACKING_EDGE_ADDR": stack.address("tracking_edge"),
        "EMAILTRACK_BOUNCE_ADDR": stack.address("bounce"),
        "EMAILTRACK_API_KEY": TEST_KEY,
        "COLUMNS": "200",
    }

    def invoke(*args: str, code: int = 0, stdin: str | None = None) -> Result:
        result = CliRunner().invoke(app, list(args), env=env, input=stdin)
        assert result.exit_code == code, (result.exit_code, result.output)
        return result

    return invoke
