"""Generates the Python protobuf/gRPC code in ``emailtrack/v1`` from ``protos/`` (grpcio-tools).

Run ``python -m emailtrack.protogen`` after editing a .proto file; the generated code is
committed and a test fails when it is out of date.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
OUTPUT_PACKAGE = ROOT / "emailtrack" / "v1"


def proto_files() -> list[Path]:
    return sorted((PROTO_ROOT / "emailtrack" / "v1").glob("*.proto"))


def generate(output_root: Path) -> None:
    """Writes generated modules for every .proto under ``output_root/emailtrack/v1``."""
    import grpc_tools
    from grpc_tools import protoc

    include = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={output_root}",
        f"--pyi_out={output_root}",
        f"--grpc_python_out={output_root}",
        *[str(p) for p in proto_files()],
    ]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed")
    (output_root / "emailtrack" / "v1" / "__init__.py").write_text(
        '"""Generated protobuf and gRPC code for package emailtrack.v1 (do not edit)."""\n'
    )


def generated_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.glob("*.py*")) if p.is_file()}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        fresh = Path(tmp) / "emailtrack" / "v1"
        if OUTPUT_PACKAGE.exists():
            shutil.rmtree(OUTPUT_PACKAGE)
        shutil.copytree(fresh, OUTPUT_PACKAGE)
    print(f"generated {len(proto_files())} proto files into {OUTPUT_PACKAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
