"""What the command shows on the terminal: --help, the progress bar and the summaries.
Everything but --help goes to stderr; stdout carries data only.

The progress bar appears only when stderr is a terminal (and not with ``--quiet``). It counts
input records (articles, reused or analysed, and error rows) against a total from a quick count
of the inputs (``read.estimate_records``), made in a background thread so that the run starts
at once; until the count is in, the bar has no total. A run whose stderr is not a terminal
never counts, so scripts and pipes pay nothing for the bar.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable

import typer
from typer.core import TyperCommand, TyperGroup

from .formats import FORMATS


class _FlagsWithoutType:
    """Flags take no value, so --help shows no type for them (typer 0.2x shows ``<bool>``)."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class _Command(_FlagsWithoutType, TyperCommand):
    pass


class _Group(_FlagsWithoutType, TyperGroup):
    pass


class HelpfulTyper(typer.Typer):
    """A Typer app whose --help, for the app and every command, shows flags without a type."""

    def __init__(self, **kwargs):
        kwargs.setdefault("cls", _Group)
        super().__init__(**kwargs)

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class RunProgress:
    """``with RunProgress(quiet, inputs, out) as advance:`` gives the run's progress callback
    (None when no bar is shown)."""

    def __init__(self, quiet: bool, inputs: Iterable[str | os.PathLike], out: str | os.PathLike):
        self.enabled = not quiet and sys.stderr.isatty()
        self.inputs, self.out = list(inputs), out
        self.display = None

    def __enter__(self) -> Callable[[int], None] | None:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import (BarColumn, Progress, SpinnerColumn, TaskProgressColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self.display = Progress(SpinnerColumn(), _count_column(), BarColumn(),
                                TaskProgressColumn(), TimeElapsedColumn(), "ETA",
                                TimeRemainingColumn(), console=Console(stderr=True),
                                transient=True)
        self.display.__enter__()
        task = self.display.add_task("articles", total=None)
        threading.Thread(target=self._count, args=(task,), daemon=True).start()
        return lambda count: self.display.advance(task, count)

    def _count(self, task) -> None:
        from . import read

        try:
            total = read.estimate_records(self.inputs, skip=[self.out])
        except Exception:  # noqa: BLE001 - no total, no ETA; the run reports the inputs itself
            return
        self.display.update(task, total=total)

    def __exit__(self, *exc_info) -> bool:
        if self.display is not None:
            self.display.__exit__(*exc_info)
        return False


def _count_column():
    """A column "1,234/10,280 articles" ("1,234/? articles" before the count is in)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class CountColumn(ProgressColumn):
        def render(self, task) -> Text:
            total = "?" if task.total is None else f"{task.total:,.0f}"
            return Text(f"{task.completed:,.0f}/{total} {task.description}",
                        style="progress.download")

    return CountColumn()


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 article``, ``2 articles``, ``1,028 entities``."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def report_run(summary) -> None:
    """The summary of a run: what the tables hold; what this run did (analysed, at what speed,
    reused, removed), so that an incremental run does not look slow; the first errors."""
    if summary.kept_earlier is not None:
        _stderr(f"No articles in the inputs: the tables in {summary.out} "
                f"({count(summary.kept_earlier, 'article')}) are unchanged. Check the input "
                "paths (to empty the tables, delete the folder).")
    else:
        _stderr(f"{count(summary.articles, 'article')}, {count(summary.tokens, 'token')}, "
                f"{count(summary.mentions, 'mention')}, "
                f"{count(summary.entities, 'entity', 'entities')}, "
                f"{count(summary.errors, 'error')} in {summary.seconds:.1f} s")
        speed = f" ({summary.tokens_per_second:,.0f} tokens/s)" if summary.processed else ""
        _stderr(f"{summary.processed:,} analysed{speed}, {summary.reused:,} reused, "
                f"{summary.removed:,} removed")
        _stderr(f"Tables in {summary.out}: {', '.join(summary.tables)}")
        if not summary.articles:
            _stderr("No articles in the inputs: the tables are empty. Check the input paths.")
    if summary.errors:
        _report_errors(summary)


def _report_errors(summary) -> None:
    could_not = f"{count(summary.errors, 'input')} could not be processed"
    if summary.kept_earlier is None:
        files = " or ".join(str(path) for name in summary.formats
                            for path in FORMATS[name].paths(summary.out, "errors"))
        _stderr(f"{could_not}; see {files}, for example:")
    else:
        _stderr(f"{could_not} (not written to the unchanged errors table):")
    for row in summary.first_errors:
        line = f":{row['line']}" if row.get("line") else ""
        _stderr(f"  {row['source']}{line}: {row['error']}: {row['message']}")
    if summary.errors > len(summary.first_errors) and summary.kept_earlier is not None:
        _stderr(f"  … and {summary.errors - len(summary.first_errors):,} more")


def report_prune(summary) -> None:
    megabytes = summary.removed_bytes / 1e6
    others = (f", and the latest results of {count(summary.other_settings, 'other setting')} "
              "(--current-only drops those)" if summary.other_settings else "")
    _stderr(f"Removed {count(summary.removed, 'stored result')} ({megabytes:,.1f} MB) from "
            f"{summary.out}; kept {summary.kept:,}: those of the current tables{others}.")
