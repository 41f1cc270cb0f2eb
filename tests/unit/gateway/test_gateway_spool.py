"""The on-disk spool: record framing, order across segments, the size bound, torn writes,
and adoption of the segments a crashed worker left behind."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from emailtrack.common.metrics import SPOOL_DROPPED
from gateway.tracking.spool import Spool, decode_records, encode_record


def drain(spool: Spool) -> list[bytes]:
    records: list[bytes] = []
    while (segment := spool.oldest()) is not None:
        records.extend(segment.records)
        spool.remove(segment)
    return records


def test_records_round_trip_in_order_across_segments(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20, segment_bytes=100)
    spool.open()
    payloads = [f"batch-{i}".encode() * 5 for i in range(40)]
    for payload in payloads:
        assert spool.append(payload, hits=1)
    assert spool.directory is not None
    assert len(list(spool.directory.glob("*.seg"))) > 5
    assert drain(spool) == payloads
    assert spool.empty and spool.bytes == 0
    assert list(spool.directory.glob("*.seg")) == []


def test_a_full_spool_refuses_and_counts_the_dropped_hits(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=200, segment_bytes=100)
    spool.open()
    before = SPOOL_DROPPED._value.get()
    accepted = 0
    while spool.append(b"x" * 40, hits=3):
        accepted += 1
    assert accepted == 4  # 4 records of 48 bytes fit in 200
    assert spool.full
    assert SPOOL_DROPPED._value.get() - before == 3
    drain(spool)
    assert not spool.full
    assert spool.append(b"x" * 40, hits=3)


def test_a_torn_tail_keeps_the_intact_records() -> None:
    data = encode_record(b"first") + encode_record(b"second") + encode_record(b"third")[:-2]
    assert decode_records(data) == ([b"first", b"second"], len(encode_record(b"third")) - 2)
    corrupt = bytearray(encode_record(b"first") + encode_record(b"second"))
    corrupt[-1] ^= 0xFF
    assert decode_records(bytes(corrupt))[0] == [b"first"]


def _append_then_die(root: str, count: int) -> None:
    spool = Spool(Path(root), max_bytes=1 << 20, segment_bytes=64, fsync_interval_s=0)
    spool.open()
    for i in range(count):
        spool.append(f"hit-{i}".encode(), hits=1)
    os._exit(0)  # no close(): like a SIGKILL, the lock goes with the process


def test_a_new_worker_adopts_a_dead_workers_segments_first(tmp_path: Path) -> None:
    child = multiprocessing.get_context("fork").Process(
        target=_append_then_die, args=(str(tmp_path), 30)
    )
    child.start()
    child.join(10)
    assert child.exitcode == 0
    spool = Spool(tmp_path, max_bytes=1 << 20)
    spool.open()
    spool.append(b"mine", hits=1)
    assert drain(spool) == [f"hit-{i}".encode() for i in range(30)] + [b"mine"]
    assert [p.name for p in tmp_path.iterdir()] == [spool.directory.name]  # type: ignore[union-attr]  # set up by the test itself


def test_a_live_workers_folder_is_left_alone(tmp_path: Path) -> None:
    first = Spool(tmp_path, max_bytes=1 << 20)
    first.open()
    first.append(b"first's", hits=1)
    second = Spool(tmp_path, max_bytes=1 << 20)
    second.open()
    assert second.empty
    assert drain(first) == [b"first's"]


def test_close_keeps_unsent_segments_and_removes_an_empty_folder(tmp_path: Path) -> None:
    kept = Spool(tmp_path, max_bytes=1 << 20)
    kept.open()
    kept.append(b"unsent", hits=1)
    kept.close()
    empty = Spool(tmp_path, max_bytes=1 << 20)
    empty.open()
    assert empty.directory is not None
    assert drain(empty) == [b"unsent"]
    empty.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("interval", [0.0, 3600.0])
def test_fsync_policy(tmp_path: Path, interval: float, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    spool = Spool(tmp_path, max_bytes=1 << 20, fsync_interval_s=interval)
    spool.open()
    for _ in range(3):
        spool.append(b"payload", hits=1)
    spool.sync_if_due()
    assert len(synced) == (3 if interval == 0 else 0)
    spool.close()  # sealing always syncs the data and the folder
    assert len(synced) >= 2
