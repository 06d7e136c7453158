"""Real Dask clusters for tests/test_dask.py: `dask scheduler` and `dask worker` processes on
127.0.0.1, each in a process group of its own, with bounded waits, stopped whatever happens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import distributed

DASK = Path(sys.executable).with_name("dask")
LOOPBACK = "127.0.0.1"
STARTUP_SECONDS = 120  # a worker's start on a loaded 2-core machine, bounded


class Cluster:
    """`dask scheduler` and `dask worker` processes, each in its own process group, so that
    stopping one stops its nanny's worker too."""

    def __init__(self, folder: Path, env: dict | None = None):
        self.folder = folder
        self.env = env
        self.processes: list[subprocess.Popen] = []
        self.address = ""
        self.client = None

    def start_scheduler(self) -> None:
        scheduler_file = self.folder / "scheduler.json"
        self._start("scheduler", "--host", LOOPBACK, "--port", "0", "--dashboard-address",
                    f"{LOOPBACK}:0", "--scheduler-file", scheduler_file)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not (address := written_address(scheduler_file)):
            assert time.monotonic() < deadline, "the scheduler did not start"
            assert self.processes[0].poll() is None, self._logs()
            time.sleep(0.1)
        self.address = address
        assert self.address.startswith(f"tcp://{LOOPBACK}:")

    def start_workers(self, count: int, *options: str) -> None:
        for _ in range(count):
            self.start_worker(*options)
        if self.client is None:
            self.client = distributed.Client(self.address, timeout=STARTUP_SECONDS)
        self.client.wait_for_workers(count, timeout=STARTUP_SECONDS)

    def worker_pids(self) -> dict[str, int]:
        return self.client.run(os.getpid)

    def start_worker(self, *options) -> subprocess.Popen:
        return self._start("worker", self.address, "--host", LOOPBACK, "--nthreads", "1",
                           "--no-dashboard", *options)

    def _start(self, *args) -> subprocess.Popen:
        log = open(self.folder / f"{args[0]}-{len(self.processes)}.log", "w")
        self.processes.append(subprocess.Popen(
            [str(DASK), *map(str, args)], stdout=log, stderr=subprocess.STDOUT,
            cwd=self.folder, env=self.env, start_new_session=True))
        log.close()
        return self.processes[-1]

    def _logs(self) -> str:
        return "\n".join(path.read_text()[-2000:] for path in sorted(self.folder.glob("*.log")))

    def stop_process(self, process: subprocess.Popen) -> None:
        stop_group(process)
        self.processes.remove(process)

    def stop(self) -> None:
        """Stop every process (also when the cluster did not start), the client first."""
        if self.client is not None:
            self.client.close(timeout=10)
        for process in reversed(self.processes):
            stop_group(process)


def written_address(scheduler_file: Path) -> str | None:
    """The address in the scheduler's file, or None while the scheduler has not written it
    whole (the file appears before its text)."""
    try:
        return json.loads(scheduler_file.read_text())["address"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return None


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL when it is still there after 15 s."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            continue


def start_cluster(folder: Path, workers: int, *worker_options: str,
                  env: dict | None = None) -> Cluster:
    folder.mkdir(exist_ok=True)
    cluster = Cluster(folder, env)
    try:
        cluster.start_scheduler()
        cluster.start_workers(workers, *worker_options)
    except BaseException:
        cluster.stop()
        raise
    return cluster
