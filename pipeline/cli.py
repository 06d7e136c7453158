"""The ``entity-pipeline`` command: a thin Typer layer over the library.

Each command checks its options, calls one library function and reports. Imports of spaCy,
pandas and the pipeline stages happen inside the commands, so ``--help`` and ``--version`` stay
instant. To add a command, write a function below, decorate it with ``@app.command()``, take its
options from the shared aliases (``ModelOption``, ``out_option(...)`` ...) and run the library
call inside ``with exit_codes():``.

Exit codes: 0 every article processed, 1 some articles (or the run) failed after writing all
that could be written, or the inputs held no article, 2 usage error (missing input path, bad
option, unknown model, unusable --out), 130 interrupted. ``EXIT_CODES`` maps the library's
errors to them, for every command. What the terminal shows besides (progress bar, summaries)
is in ``terminal``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from .about import __version__
from .analyse import ArticleNotFound
from .dask_engine import ClusterError, ClusterSetupError
from .model import ModelNotFoundError
from .report import DEFAULT_ARTICLES, NoTables, ReportUnavailable  # light: libraries load on use
from .training.conll import GoldFormatError
from .settings import DEFAULT_BATCH_SIZE
from .store import OutputBusy, OutputUnusable
from .formats import DEFAULT_FORMATS, choose_formats, format_choices
from .tables import DEFAULT_OUT, DEFAULT_TABLES, TABLES, choose_tables
from .terminal import HelpfulTyper, RunProgress, report_prune, report_run


app = HelpfulTyper(
    name="entity-pipeline",
    help="Find the people, places and organisations in German news articles and write them "
    "as tables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

log = logging.getLogger("pipeline")

# The errors a command can end with and their exit codes (first match wins; README "Exit codes").
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (ModelNotFoundError, 2),  # --model is neither an installed package nor a model folder
    (OutputUnusable, 2),  # --out cannot be created or written, or is an input
    (ClusterSetupError, 2),  # --scheduler: no Dask, no scheduler, or workers that differ
    (ClusterError, 1),  # the cluster failed during the run (stored results are kept)
    (OutputBusy, 1),  # another run holds --out
    (ArticleNotFound, 1),  # show: no such article in the file
    (GoldFormatError, 2),  # evaluate: the gold file is not NER gold
    (NoTables, 2),  # report: the folder holds no tables of a run
    (ReportUnavailable, 2),  # report: a library it draws with is missing
    (ImportError, 1),  # an optional dependency is missing (train: floret)
    (OSError, 1),  # writing failed (disk full ...): one line, not a traceback
)


@contextmanager
def exit_codes(interrupted: str = "Interrupted.") -> Iterator[None]:
    """End the command with one line on stderr and the exit code of a known error (or 130 with
    ``interrupted`` on Ctrl-C) instead of a traceback."""
    try:
        yield
    except KeyboardInterrupt:
        _stderr(interrupted)
        raise typer.Exit(code=130) from None
    except Exception as error:
        code = next((code for kind, code in EXIT_CODES if isinstance(error, kind)), None)
        if code is None:
            raise
        _stderr(f"Error: {error}")
        raise typer.Exit(code=code) from None


def _comma_list(choose):
    """An option callback: split a comma-separated value and check it with ``choose``."""

    def callback(value: str) -> tuple[str, ...]:
        try:
            return choose(value.split(","))
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None

    return callback


# --- options shared by the commands ------------------------------------------------------------

ModelOption = Annotated[Optional[str], typer.Option(
    "--model", "-m", show_default="embedded German model", metavar="NAME",
    help="spaCy pipeline with NER: an installed package such as de_core_news_lg, or a model "
    "folder.")]
NoNormalizeOption = Annotated[bool, typer.Option(
    "--no-normalize", help="Keep each mention's text as its name (no merging of variants).")]
FormatOption = Annotated[str, typer.Option(
    "--format", "-f", callback=_comma_list(choose_formats), metavar="LIST",
    help=f"Comma-separated table formats: {format_choices()}.")]
TablesOption = Annotated[str, typer.Option(
    "--tables", callback=_comma_list(choose_tables), metavar="LIST",
    help=f"Comma-separated tables to write: {', '.join(TABLES)}, or 'all' (errors is always "
    "written).")]
BatchSizeOption = Annotated[int, typer.Option(
    "--batch-size", min=1, metavar="N", help="Articles per spaCy batch.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Reprocess every article instead of reusing earlier results.")]


def out_option(help: str):
    return typer.Option("--out", "-o", file_okay=False, metavar="DIR", help=help)


def workers_option(help: str):
    return typer.Option("--workers", "-w", min=1, metavar="N", help=help)


def _existing_paths(paths):
    """An argument callback: every path must exist. A symbolic link counts even when it is
    broken or loops, so that the reader reports it with its own clear row; click's
    ``exists=True`` would call it missing."""
    if paths is None:
        return paths
    for path in paths if isinstance(paths, list) else [paths]:
        if not os.path.lexists(path):
            raise typer.BadParameter(f"'{path}' does not exist.")
    return paths


def _delimiter(value: str | None) -> str | None:
    """An option callback: one character, or the name ``tab``."""
    if value is None:
        return None
    delimiter = {"tab": "\t", "\\t": "\t"}.get(value.lower(), value)
    if len(delimiter) != 1 or delimiter.isalnum() or delimiter in "\"\r\n ":
        raise typer.BadParameter(f"'{value}' is not a delimiter: give one character such as "
                                 "';', ',' or '|', or 'tab'")
    return delimiter


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"entity-pipeline {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version_callback, is_eager=True,
                     help="Show the version and exit."),
    ] = None,
) -> None:
    """Find the people, places and organisations in German news articles."""


def _setup_logging(quiet: bool) -> None:
    from rich.logging import RichHandler
    from rich.console import Console

    handler = RichHandler(console=Console(stderr=True), show_time=False, show_path=False)
    log.handlers[:] = [handler]
    log.setLevel(logging.ERROR if quiet else logging.WARNING)


def _stderr(message: str) -> None:
    typer.echo(message, err=True)


@app.command("run")
def run_command(
    inputs: Annotated[
        list[Path],
        typer.Argument(callback=_existing_paths, show_default=False, metavar="INPUT",
                       help="Article files (.txt, .jsonl, .csv, .tsv, .parquet) or folders, "
                       "read recursively."),
    ],
    out: Annotated[Path, out_option("Folder for the tables.")] = Path(DEFAULT_OUT),
    formats: FormatOption = ",".join(DEFAULT_FORMATS),
    model: ModelOption = None,
    tables: TablesOption = ",".join(DEFAULT_TABLES),
    workers: Annotated[int, workers_option("Processes, each loading the model once.")] = 1,
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", metavar="ADDRESS",
        help="Analyse on a Dask cluster: a scheduler address (tcp://HOST:8786), or 'local' "
        "for a local cluster of --workers processes. Needs Dask: pip install "
        "'entity-pipeline\\[dask]'.")] = None,
    batch_size: BatchSizeOption = DEFAULT_BATCH_SIZE,
    csv_delimiter: Annotated[Optional[str], typer.Option(
        "--csv-delimiter", callback=_delimiter, metavar="CHAR",
        show_default="found from the header",
        help="Delimiter of .csv/.tsv files: one character, or 'tab'.")] = None,
    quiet: QuietOption = False,
    force: ForceOption = False,
    no_normalize: NoNormalizeOption = False,
    report: Annotated[bool, typer.Option(
        "--report", help="Also write OUT/report.html (as the report command does).")] = False,
) -> None:
    """Process articles into tables in --out; rerun to add articles or resume."""
    _setup_logging(quiet)
    from .runner import run

    interrupted = (f"Interrupted. Finished articles are saved in {out}; run the same command "
                   "again to resume. The previous tables are unchanged.")
    with exit_codes(interrupted), RunProgress(quiet, inputs, out) as advance:
        summary = run(inputs, out, model=model, normalize=not no_normalize, tables=tables,
                      formats=formats, workers=workers, scheduler=scheduler,
                      batch_size=batch_size, force=force, csv_delimiter=csv_delimiter,
                      progress=advance)
    if not quiet:
        report_run(summary)
    _report_after_run(out, report, quiet)
    raise typer.Exit(code=summary.exit_code)


@app.command("prune")
def prune_command(
    out: Annotated[Path, typer.Argument(
        file_okay=False, show_default=False, metavar="OUT",
        help="The --out folder of earlier runs.")],
    current_only: Annotated[bool, typer.Option(
        "--current-only", help="Keep only what the current tables use, not the latest "
        "results of other settings (--tables all, --no-normalize, another --model).")] = False,
) -> None:
    """Delete stored results no run will reuse: of articles no longer in the inputs, of
    changed articles, and of older versions or models."""
    from .pruning import prune

    with exit_codes():
        summary = prune(out, current_only=current_only)
    report_prune(summary)


@app.command("report")
def report_command(
    out: Annotated[Path, typer.Argument(
        file_okay=False, show_default=False,
        help="The --out folder of a run (its tables are read, report.html is written there).")],
    articles: Annotated[int, typer.Option(
        "--articles", min=0,
        help="How many of the articles with the most mentions to show, highlighted.")
    ] = DEFAULT_ARTICLES,
) -> None:
    """Write OUT/report.html: charts, network, entity table and highlighted articles, one
    file that opens offline in any browser."""
    _write_report(out, articles=articles)


def _report_after_run(out: Path, report: bool, quiet: bool) -> None:
    """``run --report`` writes the report; a plain run says when an old one is out of date."""
    if report:
        _write_report(out, quiet=quiet)
    elif (out / "report.html").exists() and not quiet:
        _stderr(f"{out / 'report.html'} is from an earlier run; update it with: "
                f"entity-pipeline report {out}")


def _write_report(target: Path, articles: int = DEFAULT_ARTICLES, quiet: bool = False,
                  article: tuple | None = None) -> None:
    """Write the report of the run in ``target``, or, given ``(article, mentions)``, the page
    of one article to ``target``. Exit 2 when there are no tables or a library is missing,
    1 when the file cannot be written."""
    from .report import write_article_page, write_report

    with exit_codes():
        try:
            if article is None:
                path = write_report(target, articles)
                message = f"Report: {path} ({path.stat().st_size / 1e6:.1f} MB); open it in a browser"
            else:
                message = f"Highlighted article: {write_article_page(target, *article)}"
        except OSError as error:
            _stderr(f"Error: cannot write {error.filename or target}: {error.strerror or error}")
            raise typer.Exit(code=1) from None
    if not quiet:
        _stderr(message)


@app.command("show")
def show_command(
    file: Annotated[Path, typer.Argument(
        callback=_existing_paths, dir_okay=False, show_default=False,
        help="An article file (.txt, .jsonl, .csv, .tsv or .parquet).")],
    doc_id: Annotated[Optional[str], typer.Option(
        "--id", help="Which article of a .jsonl/.csv file (default: the first).")] = None,
    model: ModelOption = None,
    no_normalize: NoNormalizeOption = False,
    html: Annotated[Optional[Path], typer.Option(
        "--html", dir_okay=False, metavar="PAGE.html",
        help="Also write the article with its mentions highlighted to this HTML page.")] = None,
) -> None:
    """Print one article's entities as a table (and, with --html, highlight them in the text)."""
    _setup_logging(quiet=False)
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .analyse import article_entities
    from .read import printable

    with exit_codes():
        article, mentions, entities = article_entities(file, doc_id, model,
                                                       normalize=not no_normalize)
    # Ids, names and dates are data: escaped, so that "[/]" in them is text, not rich markup.
    table = Table(title=escape(f"{printable(article['doc_id'])} "
                               f"({article['date'] or 'no date'}): {len(entities)} entities, "
                               f"{len(mentions)} mentions"))
    for column in ("name", "label", "mentions", "variants"):
        table.add_column(column, justify="right" if column == "mentions" else "left")
    for entity in sorted(entities, key=lambda e: (-e["mentions"], e["name"])):
        variants = entity.get("variants") or []
        if isinstance(variants, str):
            variants = variants.split(" | ")
        table.add_row(escape(entity["name"]), escape(entity["label"]), str(entity["mentions"]),
                      escape(", ".join(v for v in variants if v != entity["name"])))
    Console(width=120).print(table)
    if html is not None:
        _write_report(html, article=(article, mentions))


@app.command("train")
def train_command(
    data: Annotated[Path, typer.Argument(
        exists=True, file_okay=False,
        help="Folder with the gold corpora, one subfolder per corpus (see MODEL_CARD.md).")],
    out: Annotated[Path, out_option("Where to write the trained model folder.")
                   ] = Path("training/model"),
    work: Annotated[Path, typer.Option("--work", file_okay=False,
                    help="Cache for converted corpora and vectors.")] = Path("training/work"),
    seed: Annotated[int, typer.Option(help="Random seed for the data split and training.")] = 0,
    student_seed: Annotated[Optional[int], typer.Option(
        help="Seed of the final model's training run only (default: --seed).")] = None,
    vectors: Annotated[bool, typer.Option("--vectors/--no-vectors",
                       help="Train and use floret static vectors.")] = True,
    max_steps: Annotated[Optional[int], typer.Option(min=1,
                         help="Stop after this many steps (default: the config's).")] = None,
    teachers: Annotated[int, typer.Option(
        min=0, help="Teacher models whose agreed tags on Wikipedia become silver data; "
        "0: gold only.")] = 2,
    silver_lines: Annotated[int, typer.Option(min=1,
                            help="Wikipedia lines the teachers tag.")] = 120000,
    workers: Annotated[int, workers_option(
        "Processes for teachers, tagging and vectors (one per core).")] = 2,
    knowledge: Annotated[bool, typer.Option("--knowledge/--no-knowledge",
                         help="Feed name lists to the model as token features.")] = True,
    pretrain: Annotated[bool, typer.Option("--pretrain/--no-pretrain", help=(
        "Pretrain the tok2vec on the encyclopedic text first (about an hour)."))] = False,
) -> None:
    """Train the German NER model from the open gold corpora (CPU, about an hour)."""
    from .training.pretrain import PretrainSettings
    from .training.silver import SilverSettings
    from .training.train import train

    _setup_logging(quiet=False)
    log.setLevel(logging.INFO)
    silver = SilverSettings(teachers=teachers, sentences=silver_lines)
    with exit_codes():
        model_dir = train(data, out, work, seed=seed, vectors=vectors, max_steps=max_steps,
                          workers=workers, silver=silver, knowledge=knowledge,
                          pretrain=PretrainSettings() if pretrain else None,
                          student_seed=student_seed)
    _stderr(f"model written to {model_dir}; score it with: "
            f"entity-pipeline evaluate GOLD --model {model_dir}")


@app.command("evaluate")
def evaluate_command(
    gold: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                    help="Gold NER file: GermEval 2014 TSV or CoNLL 'token tag'.")],
    model: ModelOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Precision, recall and F1 per label (PER, LOC, ORG) and micro, exact spans, raw text."""
    import json

    from .training.evaluate import evaluate

    with exit_codes():
        result = evaluate(gold, model)
    if json_output:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"{result['gold']}: {result['sentences']} sentences, model {model or 'embedded'}")
    typer.echo(f"{'label':<6} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
    for label, row in result["scores"].items():
        typer.echo(f"{label:<6} {row['precision']:>9.3f} {row['recall']:>7.3f} "
                   f"{row['f1']:>7.3f} {row['support']:>8}")
