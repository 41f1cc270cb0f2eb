"""The shared service lifecycle: settings and the service's config are read before any wiring
(a bad one exits 2 without building anything); extra operator commands are dispatched by name."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from emailtrack.common.config import ConfigError, ServiceSettings
from emailtrack.common.service import Service, ServiceCommands, ServiceParts, main


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """main() installs the JSON log handler on the root logger: undo it for later tests."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _never_built(settings: ServiceSettings, config: object) -> ServiceParts:
    raise AssertionError("build must not run")


def _bad_config() -> object:
    raise ConfigError("EMAILTRACK_EXAMPLE must be an integer, got 'x'")


def test_bad_service_config_exits_2_before_wiring(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EMAILTRACK_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/x")
    service = Service("example", Path("."), _bad_config, _never_built)
    assert main(service, ["serve"]) == 2
    assert "configuration error: EMAILTRACK_EXAMPLE" in capsys.readouterr().err


def test_bad_shared_setting_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAILTRACK_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/x")
    monkeypatch.setenv("EMAILTRACK_GRPC_PORT", "fifty")
    service = Service("example", Path("."), lambda: object(), _never_built)
    assert main(service, []) == 2


def test_extra_commands_and_unknown_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAILTRACK_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/x")
    seen: list[Sequence[str]] = []

    def run(name: str, argv: Sequence[str]) -> int:
        seen.append(argv)
        return 7

    service = Service(
        "example", Path("."), lambda: object(), _never_built, ServiceCommands(("tidy",), run)
    )
    assert main(service, ["tidy", "--now"]) == 7
    assert seen == [["tidy", "--now"]]
    assert main(service, ["explode"]) == 2
