"""`make up` installs only when pyproject.toml changed since the last install (stamp file), and
never the system packages the tests need (apt-get wants root; the README promises none)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def _planned(folder: Path) -> str:
    """What `make up` would run (dry run), in a copy of the Makefile."""
    done = subprocess.run(
        ["make", "-n", "up"], cwd=folder, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_make_up_skips_the_install_until_pyproject_changes(tmp_path: Path) -> None:
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()
    assert "pip install --quiet -e" in _planned(tmp_path)  # never installed
    stamp = tmp_path / ".venv" / ".installed"
    stamp.touch()
    os.utime(tmp_path / "pyproject.toml", (1_000_000, 1_000_000))
    unchanged = _planned(tmp_path)
    assert "pip install" not in unchanged and "emailtrack up" in unchanged
    os.utime(stamp, (900_000, 900_000))  # pyproject.toml edited after the last install
    assert "pip install --quiet -e" in _planned(tmp_path)


def test_make_up_never_runs_apt_get(tmp_path: Path) -> None:
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    planned = _planned(tmp_path)
    assert "emailtrack up" in planned and "apt-get" not in planned
    tests = subprocess.run(
        ["make", "-n", "install"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert "apt-get" in tests  # the test tools still come with `make install` / `make test`
