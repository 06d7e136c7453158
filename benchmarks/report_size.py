"""Size and build time of `entity-pipeline report` for the tables of a run.

Usage (from the repository root, with the package installed in the virtualenv):

    python benchmarks/report_size.py OUT [--repeat 2] [--articles 10]
                                         [--screenshot docs/report.png]

OUT is the --out folder of a run, e.g. the 1,028 articles of 10kGNAD
(``entity-pipeline run /work/gnad/news.jsonl --out /tmp/gnad``; about a minute). Its tables
and stored results are copied to a temporary folder (the original is not touched), and
``entity-pipeline report`` runs there as a subprocess ``--repeat`` times: the wall time of the
whole command counts (interpreter start, imports, reading the tables, writing the page), the
fastest try is printed (the least disturbed by other work on the machine), with the size of
report.html and the peak memory of the command. The target: at most 10 MB, at most 30 s on
2 cores.

``--screenshot PNG`` also opens the report in headless Chromium (the system's, through
Playwright, offline) and saves the top of the page (1280 × 1400 pixels): the README's picture.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCREENSHOT_SIZE = {"width": 1280, "height": 1400}


def measure(out: Path, repeat: int, articles: int) -> dict:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "report", str(out),
                        "--articles", str(articles)], check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": min(seconds), "tries": seconds, "bytes": (out / "report.html").stat().st_size,
            "peak_mb": peak}


def screenshot(report: Path, png: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        sys.exit("no Chromium on the PATH: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(offline=True, viewport=SCREENSHOT_SIZE).new_page()
        page.goto(report.as_uri(), wait_until="load")
        page.wait_for_selector("table#entity-table.dataTable", timeout=60_000)
        page.screenshot(path=png)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the --out folder of a run")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--screenshot", type=Path, help="save the top of the page as PNG")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        copy = Path(temporary) / args.out.resolve().name
        shutil.copytree(args.out, copy, ignore=shutil.ignore_patterns("report.html", "lock"))
        figures = measure(copy, args.repeat, args.articles)
        print(f"report.html for {args.out}: {figures['bytes'] / 1e6:.2f} MB, "
              f"built in {figures['seconds']:.1f} s (fastest of "
              f"{', '.join(f'{s:.1f}' for s in figures['tries'])} s), "
              f"peak memory {figures['peak_mb']:.0f} MB")
        if args.screenshot:
            screenshot(copy / "report.html", args.screenshot)
            print(f"screenshot: {args.screenshot} ({args.screenshot.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
