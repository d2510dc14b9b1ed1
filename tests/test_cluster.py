"""Scale-out on Dask (issue 16, part 2): ``--cluster local[:N]`` and ``tcp://HOST:PORT``
run the local pool's code path on a real ``distributed`` cluster, byte for byte.

Before: ``analyze`` and ``corpus`` ran on one machine's processes only.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import soundfile as sf

from core.app.batch import analyze_files
from core.classify import resolve_model
from core.cli import main
from core.cli.parser import FORMATS as CLI_FORMATS
from core.corpus import generate_corpus
from core.descriptors import load_dictionary
from core.parallel import ClusterError, open_executor
from tests.fixtures.signals import SR, section

FORMATS = list(CLI_FORMATS)  # every format the command line writes by default
ROOT = Path(__file__).resolve().parents[1]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tracks(tmp_path_factory) -> list[Path]:
    """Four 14 s songs in different keys and tempi (two folders)."""
    d = tmp_path_factory.mktemp("tracks")
    out = []
    for i, (key, minor, bpm) in enumerate([(57, True, 96), (60, False, 120), (62, True, 140),
                                           (65, False, 108)]):
        path = d / f"album{i % 2}" / f"{i:02d} song.wav"
        path.parent.mkdir(exist_ok=True)
        sf.write(path, section(key, minor, bpm, 14.0, seed=i), SR, subtype="PCM_16")
        out.append(path)
    return out


@pytest.fixture(scope="module")
def pool_outputs(tracks, tmp_path_factory) -> dict[str, bytes]:
    """What the local pool (two forked processes) writes, with the shipped model."""
    out = tmp_path_factory.mktemp("pool")
    results = list(analyze_files(tracks, out, FORMATS, jobs=2, model=resolve_model("default")))
    assert all(r.status == "analysed" for r in results)
    return _tree(out)


@pytest.fixture(scope="module")
def scheduler():
    """A running scheduler with two one-thread worker processes, as ``dask scheduler``
    and two ``dask worker --nthreads 1`` would be; yields its tcp:// address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def test_a_local_cluster_writes_what_the_pool_writes(tracks, pool_outputs, tmp_path):
    seen: list[tuple] = []
    results = list(analyze_files(tracks, tmp_path, FORMATS, cluster="local:2",
                                 model=resolve_model("default"),
                                 progress=lambda *item: seen.append(item)))
    assert sorted(r.index for r in results) == [0, 1, 2, 3]
    assert all(r.status == "analysed" for r in results), [r.error for r in results]
    assert len(pool_outputs) == 4 * len(FORMATS)
    assert _tree(tmp_path) == pool_outputs  # every output, byte for byte
    # the workers' progress reached this thread, from every file
    assert {i for i, _, _ in seen} == {0, 1, 2, 3}
    assert any(0.0 < f < 1.0 for _, f, _ in seen)


def test_cli_on_a_scheduler_uses_the_cache_and_writes_the_report(
        tracks, pool_outputs, scheduler, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("core.app.batch_cache.default_cache_dir", lambda: tmp_path / "records")
    # the pool's outputs were made with the engine's plain settings, not the CLI's
    # defaults (tags, automatic vocal suppression)
    args = ["analyze", *map(str, tracks), "--out-dir", str(tmp_path / "out"), "--quiet",
            "--no-tags", "--vocal-suppression", "off",
            "--cluster", scheduler, "--report", str(tmp_path / "report.jsonl")]
    assert main(args) == 0
    assert _tree(tmp_path / "out") == pool_outputs
    assert main(args) == 0  # again: every file is up to date, on the workers' check
    lines = [json.loads(x) for x in (tmp_path / "report.jsonl").read_text().splitlines()]
    assert [x["status"] for x in lines] == ["skipped"] * 4
    assert [x["path"] for x in lines] == list(map(str, tracks))
    assert re.search(r"^skipped +4 ", capsys.readouterr().err, re.M)


def test_a_stopped_cluster_batch_reports_every_file_and_writes_only_whole_ones(
        tracks, scheduler, tmp_path):
    stop = threading.Event()
    results = []
    many = tracks * 3  # 12 inputs; the same audio under three output names each
    inputs = [tmp_path / "in" / f"{i:02d}.wav" for i in range(len(many))]
    (tmp_path / "in").mkdir()
    for src, dst in zip(many, inputs):
        dst.hardlink_to(src)
    for result in analyze_files(inputs, tmp_path / "out", ["json"], cluster=scheduler,
                                model=None, cancelled=stop.is_set):
        results.append(result)
        stop.set()  # stop once the first file is done: at most 4 were ever queued
    assert sorted(r.index for r in results) == list(range(12))
    stopped = [r for r in results if r.cancelled]
    assert len(stopped) >= 8 and all(r.error for r in stopped)
    done = [r for r in results if not r.cancelled]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{r.path.stem}.json" for r in done)


def test_a_corpus_on_a_cluster_is_the_corpus_of_the_pool(scheduler, tmp_path):
    active = load_dictionary().active()
    kw = dict(per_descriptor=2, durations=(4.0, 12.0), descriptors=[active[0].name])
    generate_corpus(tmp_path / "pool", jobs=2, **kw)
    info = generate_corpus(tmp_path / "cluster", cluster=scheduler, **kw)
    assert info.n_sources == 2 and not info.errors
    pool, cluster = _tree(tmp_path / "pool"), _tree(tmp_path / "cluster")
    shards = [k for k in pool if k.startswith("shards/") or k == "features.parquet"]
    assert len(shards) == 3 and {k: pool[k] for k in shards} == {k: cluster[k] for k in shards}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_a_clear_message(tracks, tmp_path, capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    code = main(["analyze", str(tracks[0]), "--out-dir", str(tmp_path / "out"), "--quiet",
                 "--cluster", address])
    err = capsys.readouterr().err
    assert code == 1
    assert f"cannot reach the Dask scheduler at {address}" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("spec", ["local:0", "local:two", "tcp://nohost", "dask://x:1"])
def test_a_malformed_cluster_is_refused_by_the_parser(spec, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "x.wav", "--cluster", spec])
    assert exc.value.code == 2
    assert "expected local, local:N" in capsys.readouterr().err
    with pytest.raises(ClusterError, match="tcp://HOST:PORT"):
        open_executor(jobs=1, cluster=spec)


def test_ctrl_c_in_a_terminal_stops_a_local_cluster_batch_cleanly(tracks, tmp_path):
    """SIGINT to the whole process group, as a terminal sends it: the LocalCluster's
    workers ignore it, the batch stops, nothing is half-written, the summary says so."""
    inputs = []
    for i in range(16):
        inputs.append(tmp_path / "in" / f"{i:02d}.wav")
        inputs[-1].parent.mkdir(exist_ok=True)
        inputs[-1].hardlink_to(tracks[i % len(tracks)])
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "analyze", *map(str, inputs), "--out-dir", str(out),
         "--cluster", "local:2", "--model", "none", "--format", "json", "--quiet", "--force"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    first = proc.stdout.readline()  # the first file is done
    assert "analysed" in first
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=300)
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    assert proc.returncode == 130, stderr
    analysed = [first] + [line for line in stdout.splitlines() if "analysed" in line]
    assert 0 < len(analysed) < len(inputs)
    assert f"interrupted: {len(analysed)} of 16 files" in stderr and "Traceback" not in stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{Path(line.split(':')[0]).stem}.json" for line in analysed)


def test_dask_is_imported_only_for_a_cluster():
    code = ("import sys; import core.app.batch, core.corpus, core.cli.commands; "
            "from core.cli.parser import build_parser; "
            "build_parser().parse_args(['analyze', 'x.wav', '--cluster', 'local:2']); "
            "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"
