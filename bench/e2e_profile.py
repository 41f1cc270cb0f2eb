"""py-spy profiles of the platform's Python components during an end-to-end phase of
bench/e2e.py (``--profile-rate``): one sampling profiler per component (process tree, so the
gateway's granian workers are included) writing collapsed stacks, and the functions that
take the most of each component's samples (self time, and time under them)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import TracebackType

NOT_PYTHON = ("postgresql", "broker (tansu)")
LINE_NUMBER = re.compile(r":\d+\)$")


def py_spy() -> str | None:
    return shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))


class Profiles:
    """Samples every Python component for ``duration_s`` into ``directory/<component>.txt``:
    only threads holding the GIL (``--gil``: Python running, not threads waiting in a poll,
    a lock or libpq), without pausing the processes (``--nonblocking``)."""

    def __init__(self, roots: dict[str, int], directory: Path, duration_s: int) -> None:
        self.roots = {name: pid for name, pid in roots.items() if name not in NOT_PYTHON}
        self.directory = directory
        self.duration_s = duration_s
        self._profilers: list[subprocess.Popen[bytes]] = []

    def path(self, name: str) -> Path:
        return self.directory / f"{name.replace(' ', '-')}.txt"

    def __enter__(self) -> Profiles:
        tool = py_spy()
        if tool is None:
            raise RuntimeError("py-spy is not installed: pip install py-spy")
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, pid in self.roots.items():
            command = [
                tool,
                "record",
                "--pid",
                str(pid),
                "--subprocesses",
                "--nonblocking",
                "--gil",
            ]
            command += ["--rate", "100", "--duration", str(self.duration_s), "--format", "raw"]
            command += ["--output", str(self.path(name))]
            self._profilers.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for profiler in self._profilers:
            profiler.wait(self.duration_s + 60)

    def report(self, top: int = 8) -> list[str]:
        lines = []
        for name in self.roots:
            path = self.path(name)
            if not path.exists():
                lines.append(f"{name}: no profile (py-spy could not attach?)")
                continue
            total, own, under = summarise(path)
            lines += ["", f"{name}: {total} samples (py-spy, collapsed stacks in {path})"]
            lines += ["| function | self % | total % |", "|---|---|---|"]
            for function, samples in own.most_common(top):
                share = 100 / max(1, total)
                lines.append(
                    f"| `{function}` | {samples * share:.1f} | {under[function] * share:.1f} |"
                )
        return lines


def summarise(path: Path) -> tuple[int, Counter[str], Counter[str]]:
    """Samples in total, per function in the innermost frame (self) and per function anywhere
    on the stack (total; counted once per stack): shares of the time the component ran
    Python."""
    total = 0
    own: Counter[str] = Counter()
    under: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [LINE_NUMBER.sub(")", frame) for frame in stack.split(";")]
        frames = [f for f in frames if not f.startswith("process ") and not f.startswith("thread ")]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            under[frame] += count
    return total, own, under
