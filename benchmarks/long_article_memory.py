"""Peak memory of `entity-pipeline run` on one very long article, against a short one.

Usage: python benchmarks/long_article_memory.py [--repeat 20000] [--model M] [--tables all]

Writes one article of ``--repeat`` × "Angela Merkel traf Emmanuel Macron in Berlin. " (920,000
characters by default; the reader's limit is 1,000,000) as a JSONL file, runs the real command
on it in a fresh process (``--workers 1``), and prints that process's peak resident memory next
to the peak of the same command on a one-sentence article (the model alone). Issue 14 asks for
less than 1 GB. Each run is a separate process, so the figures do not mix.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCE = "Angela Merkel traf Emmanuel Macron in Berlin. "


def peak_of_run(text: str, folder: Path, name: str, options: list[str]) -> tuple[float, float]:
    """(peak resident MB, seconds) of one `entity-pipeline run` over ``text`` in a new process."""
    corpus = folder / f"{name}.jsonl"
    corpus.write_text(json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    code = ("import resource, sys\nfrom pipeline.cli import app\n"
            "try:\n    app(sys.argv[1:], prog_name='entity-pipeline')\n"
            "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, "run", str(corpus), "--out", str(folder / f"out-{name}"),
         "--quiet", "--workers", "1", *options], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"the run on the {name} article failed:\n{result.stderr}")
    kilobytes = int(result.stdout.split()[-1])  # ru_maxrss is in KB on Linux
    return kilobytes / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20_000,
                        help="sentences in the long article (20,000: 920,000 characters)")
    parser.add_argument("--model", default=None, help="model name or path (default: embedded)")
    parser.add_argument("--tables", default=None, help="e.g. 'all' to keep token rows as well")
    args = parser.parse_args()
    if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss == 0:
        sys.exit("this platform does not report peak memory (ru_maxrss)")
    options = (["--model", args.model] if args.model else []) + (
        ["--tables", args.tables] if args.tables else [])
    long_text = SENTENCE * args.repeat
    with tempfile.TemporaryDirectory() as folder:
        short_mb, short_s = peak_of_run(SENTENCE, Path(folder), "short", options)
        long_mb, long_s = peak_of_run(long_text, Path(folder), "long", options)
    print(f"model: {args.model or 'embedded'}  options: {' '.join(options) or '(default)'}")
    print(f"one sentence ({len(SENTENCE)} characters): peak {short_mb:,.0f} MB, {short_s:.1f} s")
    print(f"one article of {len(long_text):,} characters: peak {long_mb:,.0f} MB "
          f"({long_mb - short_mb:+,.0f} MB), {long_s:.1f} s")


if __name__ == "__main__":
    main()
