"""The platform's ports: defaults outside Linux's ephemeral range, one variable per port, and
a start-up that names every busy port and the variable to change (tested by occupying them)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emailtrack.cli import app
from emailtrack.platform import ports
from emailtrack.platform.ports import chosen_ports, free_port, refuse_busy_ports, wait_for_port
from emailtrack.platform.supervisor import DEFAULT_PORTS

EPHEMERAL = range(32768, 61000)  # /proc/sys/net/ipv4/ip_local_port_range on Linux


@pytest.fixture
def occupied() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def test_default_ports_are_outside_the_ephemeral_range() -> None:
    assert [n for n, port in DEFAULT_PORTS.items() if port in EPHEMERAL] == []


def test_each_port_moves_with_its_variable_and_bad_values_are_named() -> None:
    env = {"EMAILTRACK_PORT_TRACKING_EDGE": "25051"}
    chosen = chosen_ports(DEFAULT_PORTS, auto=False, env=env)
    assert chosen["tracking-edge"] == 25051 and chosen["gateway"] == DEFAULT_PORTS["gateway"]
    with pytest.raises(ValueError, match="EMAILTRACK_PORT_KAFKA='99999' is not a TCP port"):
        chosen_ports(DEFAULT_PORTS, auto=False, env={"EMAILTRACK_PORT_KAFKA": "99999"})
    picked = chosen_ports(DEFAULT_PORTS, auto=True, env={})
    assert len(set(picked.values())) == len(DEFAULT_PORTS)


def test_a_busy_port_is_named_with_the_variable_to_change(occupied: int) -> None:
    with pytest.raises(RuntimeError) as refused:
        refuse_busy_ports({"gateway": occupied})
    assert f"port {occupied} (gateway) is already in use" in str(refused.value)
    assert "EMAILTRACK_PORT_GATEWAY" in str(refused.value)


def test_every_busy_port_is_named_at_once_with_its_variable(occupied: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as second:
        second.bind(("127.0.0.1", 0))
        second.listen()
        other = int(second.getsockname()[1])
        ports = {"gateway": occupied, "postgres": free_port(), "tracking-edge": other}
        with pytest.raises(RuntimeError) as refused:
            refuse_busy_ports(ports)
    message = str(refused.value)
    assert message.startswith("2 ports are already in use: ")
    assert f"{occupied} (gateway, EMAILTRACK_PORT_GATEWAY)" in message
    assert f"{other} (tracking-edge, EMAILTRACK_PORT_TRACKING_EDGE)" in message
    assert "postgres" not in message


def test_emailtrack_up_stops_before_starting_anything_on_a_busy_port(
    occupied: int, tmp_path: Path
) -> None:
    external = ["--database-url", "postgresql://db.invalid/postgres", "--kafka", "k.invalid:1"]
    result = CliRunner().invoke(
        app,
        ["up", "--state-dir", str(tmp_path), *external],
        env={"EMAILTRACK_PORT_GATEWAY": str(occupied), "COLUMNS": "200"},
    )
    assert result.exit_code == 1, result.output
    assert f"port {occupied} (gateway) is already in use" in result.output
    assert "set EMAILTRACK_PORT_GATEWAY to a free port" in result.output
    bad = CliRunner().invoke(app, ["up", "--state-dir", str(tmp_path), *external],
                             env={"EMAILTRACK_PORT_GATEWAY": "http"})  # fmt: skip
    assert bad.exit_code == 2 and "EMAILTRACK_PORT_GATEWAY='http'" in bad.output


def test_free_ports_are_below_the_ephemeral_range_and_never_handed_out_twice() -> None:
    """Outgoing connections take their source ports from the ephemeral range: a server port
    chosen there can be taken between the choice and the bind, or while a killed server is
    restarted on it (seen as "Address already in use" in the fault suite)."""
    picked = [free_port() for _ in range(200)]
    assert [port for port in picked if port in EPHEMERAL] == []
    assert len(set(picked)) == len(picked)


def test_a_port_something_listens_on_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = int(holder.getsockname()[1])
        draws = iter([busy, busy, 24999])
        monkeypatch.setattr(ports.random, "randrange", lambda low, high: next(draws))
        monkeypatch.setattr(ports, "_handed_out", set())
        assert free_port() == 24999


def test_waiting_for_a_port_stops_when_its_process_exits_first(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()
    with pytest.raises(RuntimeError, match=r"exited with code 3 before listening .* see "):
        wait_for_port(free_port(), 30, process=process, log_path=tmp_path / "x.log")
