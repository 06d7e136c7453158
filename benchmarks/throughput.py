"""Throughput and memory of `entity-pipeline run` against the model's own limit.

Usage (from the repository root, with the package installed in the virtualenv):

    python benchmarks/throughput.py [--data ../shared/data/10kgnad/test.csv] [--articles N]
                                    [--repeat 2] [--memory-workers 1,2] [--no-dask]
                                    [--json benchmarks/results/throughput.json]

About 8 minutes on 2 cores. Run it on an otherwise idle machine: the model alone and the runs on
the corpus once are tried ``--repeat`` times and the fastest try counts (the least disturbed).

Turns the 10kGNAD test set (``category;text``, ``;``-separated, quoted with ``'``) into a JSONL
corpus in a temporary folder and measures, in one run on this machine:

1. the limit: the model alone, ``nlp.pipe`` over the same texts in one fresh process, no I/O,
   with the components a default run uses (``load_model`` minus what ``Analyser`` disables),
   the model already loaded (load time excluded), the CLI's default batch size;
2. ``entity-pipeline run`` end to end as a subprocess (fresh ``--out``, default tables and
   formats, ``--quiet --force``) with ``--workers 1``, ``--workers 2`` and (with the dask extra
   installed) ``--scheduler local --workers 2``: wall-clock time of the whole command, so
   interpreter start, cluster start, model loading, reading and writing the tables all count;
3. peak memory (RSS) of the run's whole process tree (the command and its worker processes),
   sampled from ``/proc`` every 20 ms and summed over the tree, for the corpus once and repeated
   four times. The repeats get distinct ids and distinct texts (copy k ends in k-1 extra line
   breaks, which are whitespace tokens and change no token count or mention), so the four
   copies are really analysed, not deduplicated by content (``--memory-workers`` says with
   which ``--workers`` values);
4. ``entity-pipeline --help`` wall time (median of 5).

Tokens are spaCy's non-whitespace tokens, the count the pipeline reports. Prints a table and
writes the figures to a JSON file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "10kgnad" / "test.csv"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "throughput.json"
SAMPLE_SECONDS = 0.02
BARS = {"end_to_end_1_worker_vs_limit": 0.80, "workers_2_vs_1": 1.6,
        "memory_4x_vs_1x": 1.2, "help_seconds": 0.5, "dask_local_2_vs_workers_2": 0.9}
# The runs on the corpus once, tried --repeat times: (--workers, --scheduler).
RUNS_1X = [(1, None), (2, None)]
DASK_RUN = (2, "local")  # with Dask installed, unless --no-dask


# --- the corpus --------------------------------------------------------------------------------

def load_texts(path: Path, articles: int | None) -> list[str]:
    import pandas as pd

    frame = pd.read_csv(path, sep=";", quotechar="'", header=None, names=["category", "text"])
    texts = [text for text in frame["text"].astype(str) if text.strip()]
    return texts[:articles] if articles else texts


def write_corpus(folder: Path, texts: list[str], copies: int) -> Path:
    folder.mkdir(parents=True)
    with open(folder / "news.jsonl", "w", encoding="utf-8") as stream:
        for copy in range(copies):
            for number, text in enumerate(texts):
                record = {"id": f"gnad-{copy + 1}-{number:05d}", "text": text + "\n" * copy}
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


# --- peak memory of a process tree -------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as stream:
                found.extend(int(child) for child in stream.read().split())
    except OSError:
        pass
    return found


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


class TreeMemory:
    """Samples the summed RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            pids, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo.extend(_children(pid))
            total = sum(_rss_bytes(pid) for pid in pids)
            if total > self.peak:
                self.peak, self.peak_processes = total, len(pids)
            self._stop.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(command: list[str], env: dict | None = None) -> dict:
    """Run a command; its wall time, summed peak RSS of its process tree and its output."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    memory = TreeMemory(process.pid)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed ({process.returncode}):\n"
                         f"{stderr[-3000:]}")
    return {"seconds": seconds, "peak_rss_mb": memory.peak / 2**20,
            "processes_at_peak": memory.peak_processes, "stdout": stdout, "stderr": stderr}


# --- the measurements --------------------------------------------------------------------------

def model_limit(corpus: Path) -> dict:
    """Run in a fresh process: nlp.pipe over the corpus texts, no I/O, load time excluded."""
    from pipeline.analyse import Analyser
    from pipeline.settings import DEFAULT_BATCH_SIZE, RunSettings

    texts = [json.loads(line)["text"] for line in open(corpus / "news.jsonl", encoding="utf-8")]
    analyser = Analyser(RunSettings())  # the same model and disabled components as a default run
    nlp, disable = analyser.nlp, analyser.disable
    list(nlp.pipe(texts[:8], disable=disable))  # first-call set-up, not throughput
    started = time.perf_counter()
    tokens = 0
    with nlp.memory_zone():
        for doc in nlp.pipe(texts, batch_size=DEFAULT_BATCH_SIZE, disable=disable):
            tokens += sum(1 for token in doc if not token.is_space)
    seconds = time.perf_counter() - started
    pipes = [name for name in nlp.pipe_names if name not in disable]
    return {"seconds": seconds, "tokens": tokens, "articles": len(texts), "pipes": pipes,
            "batch_size": DEFAULT_BATCH_SIZE}


def end_to_end(corpus: Path, out: Path, workers: int, scheduler: str | None = None) -> dict:
    command = [str(Path(sys.executable).with_name("entity-pipeline")), "run", str(corpus),
               "--out", str(out), "--workers", str(workers), "--quiet", "--force"]
    if scheduler:
        command += ["--scheduler", scheduler]
    result = run_measured(command)
    documents = json.loads((out / "documents.json").read_text(encoding="utf-8"))
    errors = json.loads((out / "errors.json").read_text(encoding="utf-8"))
    if errors:
        raise SystemExit(f"the run recorded errors, e.g. {errors[0]}")
    tokens = sum(document["tokens"] for document in documents)
    return {"workers": workers, "scheduler": scheduler, "articles": len(documents),
            "tokens": tokens, "seconds": result["seconds"],
            "tokens_per_second": tokens / result["seconds"], "peak_rss_mb": result["peak_rss_mb"],
            "processes_at_peak": result["processes_at_peak"]}


def run_name(run: dict) -> str:
    scheduler = f"--scheduler {run['scheduler']} " if run.get("scheduler") else ""
    return f"entity-pipeline run, {run['corpus']} corpus, {scheduler}--workers {run['workers']}"


def help_seconds(repeats: int = 5) -> float:
    command = [str(Path(sys.executable).with_name("entity-pipeline")), "--help"]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine() -> dict:
    from importlib.metadata import version

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as stream:
            cpu = next((line.split(":", 1)[1].strip() for line in stream
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as stream:
            memory_gb = int(stream.readline().split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        memory_gb = None
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": memory_gb,
            "python": platform.python_version(), "spacy": version("spacy"),
            "system": f"{platform.system()} {platform.release()}",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def model_identity() -> dict:
    from pipeline.model import EMBEDDED_MODEL_PATH

    meta = json.loads((EMBEDDED_MODEL_PATH / "meta.json").read_text(encoding="utf-8"))
    modified = max(path.stat().st_mtime for path in EMBEDDED_MODEL_PATH.rglob("*")
                   if path.is_file())
    return {"name": meta.get("name"), "version": meta.get("version"),
            "pipeline": meta.get("pipeline"),
            "vectors": "{mode} {vectors} x {width}".format_map(
                {"mode": "", "vectors": 0, "width": 0, **meta.get("vectors", {})}),
            "files_modified": datetime.datetime.fromtimestamp(
                modified, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


# --- report ------------------------------------------------------------------------------------

def report(figures: dict) -> str:
    limit = figures["limit"]
    lines = [f"{'measurement':<46} {'tokens':>9} {'seconds':>8} {'tokens/s':>9} {'peak RSS':>9}",
             f"{'model alone (nlp.pipe, 1 process, no I/O)':<46} {limit['tokens']:>9,} "
             f"{limit['seconds']:>8.1f} {limit['tokens_per_second']:>9,.0f} "
             f"{limit['peak_rss_mb']:>6.0f} MB"]
    for run in figures["runs"]:
        lines.append(f"{run_name(run):<46} {run['tokens']:>9,} {run['seconds']:>8.1f} "
                     f"{run['tokens_per_second']:>9,.0f} {run['peak_rss_mb']:>6.0f} MB")
    ratios = figures["ratios"]
    lines.append("")
    lines.append(f"end-to-end 1 worker / model alone: {ratios['end_to_end_1_worker_vs_limit']:.2f} "
                 f"(bar >= {BARS['end_to_end_1_worker_vs_limit']})")
    lines.append(f"2 workers / 1 worker:              {ratios['workers_2_vs_1']:.2f} "
                 f"(bar >= {BARS['workers_2_vs_1']})")
    if "dask_local_2_vs_workers_2" in ratios:
        lines.append(f"--scheduler local / --workers 2:   {ratios['dask_local_2_vs_workers_2']:.2f} "
                     f"(bar >= {BARS['dask_local_2_vs_workers_2']})")
    for workers, ratio in ratios.get("memory_4x_vs_1x", {}).items():
        lines.append(f"peak RSS 4x / 1x, --workers {workers}:   {ratio:.2f} "
                     f"(bar <= {BARS['memory_4x_vs_1x']})")
    lines.append(f"entity-pipeline --help:            {figures['help_seconds']:.2f} s "
                 f"(bar < {BARS['help_seconds']} s)")
    host, model = figures["machine"], figures["model"]
    lines.append(f"machine: {host['cores']} cores ({host['cpu']}), Python {host['python']}, "
                 f"spaCy {host['spacy']}, {host['date']}, load average before/after "
                 f"{figures['load_average'][0]:.2f}/{figures['load_average'][1]:.2f}")
    lines.append(f"model: {model['name']} {model['version']} {model['pipeline']}, "
                 f"vectors {model['vectors']}, files of {model['files_modified']}")
    return "\n".join(lines)


def corpus_parser(description: str) -> argparse.ArgumentParser:
    """A parser with the corpus options (``--data``, ``--articles``) of the benchmarks."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="10kGNAD-style CSV (category;text)")
    parser.add_argument("--articles", type=int, default=None,
                        help="use only the first N articles (for a quick try)")
    return parser


def parse_args() -> argparse.Namespace:
    parser = corpus_parser(__doc__.splitlines()[0])
    parser.add_argument("--memory-workers", default="1,2",
                        help="--workers values for the 4x corpus runs (comma-separated; "
                        "'' skips them)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="tries of the model alone and the 1x runs; the fastest counts")
    parser.add_argument("--no-dask", action="store_true",
                        help="skip the --scheduler local run (it needs the dask extra)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write figures")
    parser.add_argument("--limit-only", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def runs_1x(no_dask: bool) -> list[tuple[int, str | None]]:
    """The runs on the corpus once; the Dask one only where Dask is installed."""
    import importlib.util

    if no_dask:
        return RUNS_1X
    if importlib.util.find_spec("distributed") is None:
        print("note: Dask is not installed (pip install '.[dask]'): no --scheduler local run",
              file=sys.stderr)
        return RUNS_1X
    return RUNS_1X + [DASK_RUN]


def measure_once(corpus: Path, work: Path, repeat: int, runs: list) -> tuple[dict, list, dict]:
    """The model alone and each run on the corpus once, ``repeat`` times; the fastest try of
    each (the least disturbed by other processes) with the highest memory of its tries."""
    limits, tries = [], {}
    for attempt in range(repeat):
        print(f"model alone (try {attempt + 1}) ...", file=sys.stderr)
        limit = run_measured([sys.executable, __file__, "--limit-only", str(corpus)])
        limits.append({**json.loads(limit["stdout"]), "peak_rss_mb": limit["peak_rss_mb"]})
        for workers, scheduler in runs:
            name = run_name({"corpus": "1x", "workers": workers, "scheduler": scheduler})
            print(f"{name} (try {attempt + 1}) ...", file=sys.stderr)
            out = work / f"out-1x-{workers}-{scheduler or 'local'}-{attempt}"
            tries.setdefault((workers, scheduler), []).append(
                end_to_end(corpus, out, workers, scheduler))
    best_limit = dict(min(limits, key=lambda limit: limit["seconds"]),
                      peak_rss_mb=max(limit["peak_rss_mb"] for limit in limits))
    best_limit["tokens_per_second"] = best_limit["tokens"] / best_limit["seconds"]
    tries_seconds = {"limit": [limit["seconds"] for limit in limits]}
    best_runs = []
    for (workers, scheduler), runs_tried in tries.items():
        label = f"1x_workers_{workers}" + (f"_scheduler_{scheduler}" if scheduler else "")
        tries_seconds[label] = [run["seconds"] for run in runs_tried]
        best = dict(min(runs_tried, key=lambda run: run["seconds"]),
                    peak_rss_mb=max(run["peak_rss_mb"] for run in runs_tried))
        best_runs.append({"corpus": "1x", **best})
    return best_limit, best_runs, tries_seconds


def ratios_of(limit: dict, runs: list[dict], memory_workers: list[int]) -> dict:
    by_key = {(run["corpus"], run["workers"], run.get("scheduler")): run for run in runs}
    ratios = {
        "end_to_end_1_worker_vs_limit": (by_key["1x", 1, None]["tokens_per_second"]
                                         / limit["tokens_per_second"]),
        "workers_2_vs_1": (by_key["1x", 2, None]["tokens_per_second"]
                           / by_key["1x", 1, None]["tokens_per_second"]),
    }
    if ("1x", *DASK_RUN) in by_key:
        ratios["dask_local_2_vs_workers_2"] = (by_key["1x", *DASK_RUN]["tokens_per_second"]
                                               / by_key["1x", 2, None]["tokens_per_second"])
    if memory_workers:
        ratios["memory_4x_vs_1x"] = {
            str(workers): by_key["4x", workers, None]["peak_rss_mb"]
            / by_key["1x", workers, None]["peak_rss_mb"] for workers in memory_workers}
    return ratios


def main() -> None:
    args = parse_args()
    if args.limit_only:  # the child process that measures the model alone
        print(json.dumps(model_limit(args.limit_only)))
        return

    texts = load_texts(args.data, args.articles)
    memory_workers = [int(value) for value in args.memory_workers.split(",") if value]
    work = Path(tempfile.mkdtemp(prefix="throughput-"))
    try:
        corpus = write_corpus(work / "corpus-1x", texts, 1)
        print(f"{len(texts):,} articles from {args.data}; working in {work}", file=sys.stderr)
        if os.getloadavg()[0] > 0.5:
            print(f"warning: load average {os.getloadavg()[0]:.2f}: other processes are "
                  "running, so the figures will be low (the 2-worker ones most)", file=sys.stderr)
        figures: dict = {"command": "python benchmarks/throughput.py " + " ".join(sys.argv[1:]),
                         "data": str(args.data), "articles": len(texts),
                         "machine": machine(),
                         "model": model_identity(), "load_average": [os.getloadavg()[0]]}
        figures["limit"], runs, figures["tries_seconds"] = measure_once(
            corpus, work, args.repeat, runs_1x(args.no_dask))
        for workers in memory_workers:
            corpus_4x = work / "corpus-4x"
            if not corpus_4x.exists():
                write_corpus(corpus_4x, texts, 4)
            print(f"entity-pipeline run, 4x corpus, --workers {workers} ...", file=sys.stderr)
            run = end_to_end(corpus_4x, work / f"out-4x-{workers}", workers)
            runs.append({"corpus": "4x", **run})
        for run in runs:
            if run["corpus"] == "1x" and run["tokens"] != figures["limit"]["tokens"]:
                print(f"warning: the run counted {run['tokens']:,} tokens, the model alone "
                      f"{figures['limit']['tokens']:,}", file=sys.stderr)
        figures["runs"] = runs
        figures["ratios"] = ratios_of(figures["limit"], runs, memory_workers)
        figures["help_seconds"] = help_seconds()
        figures["load_average"].append(os.getloadavg()[0])
        figures["bars"] = BARS
        figures["memory_method"] = ("summed RSS of the command and all its descendant "
                                    f"processes, sampled from /proc every {SAMPLE_SECONDS} s")
        print(report(figures))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        print(f"figures written to {args.json}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
