"""The SDK's own distribution (sdk/): the wheel holds only the client, the generated stubs and
the recipient-id helper, depends only on grpcio and protobuf, and imports without any of the
server's dependencies installed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SERVER_ONLY = ("sqlalchemy", "psycopg", "kafka", "opentelemetry", "starlette", "granian", "typer")
BLOCKER = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {server_only!r}:
            raise ImportError('server-only dependency imported: ' + name)
sys.meta_path.insert(0, Block())
sys.path.insert(0, {wheel!r})
import emailtrack.client as sdk
client = sdk.EmailtrackClient(sdk.ClientOptions(endpoints=sdk.Endpoints.single('127.0.0.1:9')))
client.close()
print(sdk.__file__)
print(sorted(m for m in sys.modules if m.startswith('emailtrack')))
"""


def test_wheel_has_only_the_client_and_imports_without_server_dependencies(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT / "sdk"),
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("emailtrack_client-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(archive.read(n) for n in names if n.endswith("METADATA")).decode()
    modules = {n for n in names if n.endswith(".py")}
    assert "emailtrack/client/sync_client.py" in modules
    assert "emailtrack/v1/tracking_edge_pb2_grpc.py" in modules
    assert {n for n in modules if n.startswith("emailtrack/common/")} == {
        "emailtrack/common/__init__.py",
        "emailtrack/common/identity.py",
    }
    requires = sorted(line for line in metadata.splitlines() if line.startswith("Requires-Dist"))
    assert requires == ["Requires-Dist: grpcio==1.85.1", "Requires-Dist: protobuf==7.36.2"]
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    script = BLOCKER.format(server_only=SERVER_ONLY, wheel=str(unpacked))
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(unpacked / "emailtrack" / "client"))
    assert "emailtrack.client.sync_client" in done.stdout
