"""What each table format costs to write: time, peak memory and size on disk.

Usage (from the repository root, with the package installed in the virtualenv):

    python benchmarks/formats.py [--data ../shared/data/10kgnad/test.csv] [--articles N]
                                 [--repeat 3] [--json benchmarks/results/formats.json]

Turns the 10kGNAD test set into a JSONL corpus (as ``throughput.py`` does) and, for the default
tables and for ``--tables all`` (with the 430,765-row tokens table), analyses it once, then
rewrites the tables from the stored results with each ``--format`` set below. Nothing is
analysed again in those runs, so their differences are the writing alone. Each is a subprocess (``entity-pipeline run --quiet``):
the wall time of the whole command counts (start-up, imports, reading the stored results,
writing, committing); the fastest of ``--repeat`` tries is kept (the least disturbed), with its
CPU time and the peak memory of the command. About 5 minutes on 2 cores for the whole corpus;
run it on an otherwise idle machine.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throughput import corpus_parser, load_texts, run_measured, write_corpus

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "formats.json"
FORMAT_SETS = ("csv,json", "parquet", "duckdb", "csv,json,parquet,duckdb")
TABLE_SETS = {"default": (), "all": ("--tables", "all")}


def rewrite(corpus: Path, out: Path, formats: str, tables: tuple[str, ...]) -> dict:
    """One run that only writes tables: wall seconds, CPU seconds, peak memory, file sizes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    measured = run_measured([sys.executable, "-m", "pipeline", "run", str(corpus), "--out",
                             str(out), "--format", formats, "--quiet", *tables])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    sizes: dict[str, int] = {}
    for path in out.iterdir():
        if path.is_file():
            kind = path.suffix.lstrip(".")
            sizes[kind] = sizes.get(kind, 0) + path.stat().st_size
    return {"seconds": measured["seconds"], "cpu_seconds": cpu,
            "peak_rss_mb": measured["peak_rss_mb"], "bytes": sizes}


def measure(corpus: Path, out: Path, repeat: int) -> dict:
    """For each table set: analyse (the stored results depend on whether tokens are kept), then
    the fastest rewrite in every format set."""
    figures: dict = {}
    for tables, options in TABLE_SETS.items():
        subprocess.run([sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
                        "--quiet", *options], check=True)
        for formats in FORMAT_SETS:
            tries = [rewrite(corpus, out, formats, options) for _ in range(repeat)]
            figures[f"{tables} {formats}"] = min(tries, key=lambda run: run["seconds"])
            print(f"{tables:7} {formats:24} {_line(figures[f'{tables} {formats}'])}",
                  file=sys.stderr)
    return figures


def _line(run: dict) -> str:
    sizes = ", ".join(f"{kind} {size / 1e6:.1f} MB" for kind, size in sorted(run["bytes"].items()))
    return (f"{run['seconds']:6.1f} s wall {run['cpu_seconds']:6.1f} s CPU "
            f"{run['peak_rss_mb']:5.0f} MB  {sizes}")


def main() -> None:
    parser = corpus_parser(__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="tries per run; the fastest counts")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write figures")
    args = parser.parse_args()

    texts = load_texts(args.data, args.articles)
    work = Path(tempfile.mkdtemp(prefix="formats-"))
    try:
        corpus = write_corpus(work / "corpus", texts, 1)
        print(f"{len(texts):,} articles from {args.data}; working in {work}", file=sys.stderr)
        started = time.strftime("%Y-%m-%d %H:%M")
        figures = {"command": "python benchmarks/formats.py " + " ".join(sys.argv[1:]),
                   "articles": len(texts), "date": started, "load_average": os.getloadavg()[0],
                   "runs": measure(corpus, work / "out", args.repeat)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
