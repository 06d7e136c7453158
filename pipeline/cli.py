"""The ``entity-pipeline`` command: a thin Typer layer over the library.

Each command checks its options, calls one library function and reports. Imports of spaCy,
pandas and the pipeline stages happen inside the commands, so ``--help`` and ``--version`` stay
instant. To add a command, write a function below and decorate it with ``@app.command()``.

Exit codes: 0 every article processed, 1 some articles (or the run) failed after writing all
that could be written, 2 usage error (missing input path, bad option), 130 interrupted.
"""

from __future__ import annotations

import logging
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__

app = typer.Typer(
    name="entity-pipeline",
    help="Find the people, places and organisations in German news articles and write them "
    "as tables (CSV and JSON).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

log = logging.getLogger("pipeline")
DEFAULT_TABLES = "documents,mentions,entities,cooccurrences,errors"
ERRORS_SHOWN = 5


class OutputFormat(str, Enum):
    csv = "csv"
    json = "json"
    both = "both"


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
        typer.Argument(exists=True, show_default=False, metavar="INPUT...",
                       help="Article files (.txt, .jsonl, .csv) or folders, read recursively."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", file_okay=False,
                                      help="Folder for the tables.")] = Path("outputs"),
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Table format: csv, json or both.")] = OutputFormat.both,
    model: Annotated[Optional[str], typer.Option(
        "--model", "-m", show_default="embedded German model",
        help="spaCy pipeline with NER: an installed package such as de_core_news_lg, or a "
        "model folder.")] = None,
    tables: Annotated[str, typer.Option(
        "--tables", help="Comma-separated tables to write: documents, mentions, entities, "
        "cooccurrences, tokens, errors, or 'all' (errors is always written).")] = DEFAULT_TABLES,
    workers: Annotated[int, typer.Option(
        "--workers", "-w", min=1, help="Processes, each loading the model once.")] = 1,
    batch_size: Annotated[int, typer.Option(
        "--batch-size", min=1, help="Articles per spaCy batch.")] = 16,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="No progress bar and no summary.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Reprocess every article instead of reusing earlier results.")] = False,
    no_normalize: Annotated[bool, typer.Option(
        "--no-normalize", help="Keep each mention's text as its name (no merging of variants).",
    )] = False,
) -> None:
    """Process articles into tables in --out; rerun to add articles or resume."""
    _setup_logging(quiet)
    from .write import TABLES

    chosen = [name.strip() for name in tables.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in TABLES and name != "all"]
    if unknown or not chosen:
        raise typer.BadParameter(
            f"unknown table {', '.join(unknown) or '(none)'}; choose from {', '.join(TABLES)} "
            "or all", param_hint="--tables")
    formats = ["csv", "json"] if output_format is OutputFormat.both else [output_format.value]

    from . import batch
    from .model import ModelNotFoundError

    try:
        with _progress(quiet) as advance:
            summary = batch.run(inputs, out, model=model, normalize=not no_normalize,
                                tables=chosen, formats=formats, workers=workers,
                                batch_size=batch_size, force=force, progress=advance)
    except ModelNotFoundError as error:
        _stderr(f"Error: {error}")
        raise typer.Exit(code=2) from None
    except batch.OutputBusy as error:
        _stderr(f"Error: {error}")
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        _stderr(f"Interrupted. Finished articles are saved in {out}; run the same command "
                "again to resume. The previous tables are unchanged.")
        raise typer.Exit(code=130) from None
    if not quiet:
        _report(summary)
    raise typer.Exit(code=summary.exit_code)


class _progress:
    """A rich progress display on stderr, only when stderr is a terminal and not --quiet."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()
        self.display = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TimeElapsedColumn

        # The total is unknown while the inputs stream in, so count up instead of a bar.
        self.display = Progress(SpinnerColumn(), "{task.completed:,.0f}",
                                "[progress.description]{task.description}", TimeElapsedColumn(),
                                console=Console(stderr=True), transient=True)
        self.display.__enter__()
        task = self.display.add_task("articles analysed", total=None)
        return lambda count: self.display.advance(task, count)

    def __exit__(self, *exc_info):
        if self.display is not None:
            self.display.__exit__(*exc_info)
        return False


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def _report(summary) -> None:
    _stderr(
        f"{_count(summary.articles, 'article')} ({summary.processed:,} analysed, "
        f"{summary.reused:,} reused), {_count(summary.tokens, 'token')}, "
        f"{_count(summary.mentions, 'mention')}, "
        f"{_count(summary.entities, 'entity', 'entities')}, {_count(summary.errors, 'error')} in "
        f"{summary.seconds:.1f} s ({summary.tokens_per_second:,.0f} tokens/s)"
    )
    _stderr(f"Tables in {summary.out}: {', '.join(summary.tables)}")
    if summary.errors:
        _stderr(f"{summary.errors} input(s) could not be processed; see "
                f"{summary.out / 'errors.csv'} or errors.json, for example:")
        _show_errors(summary.out)


def _show_errors(out: Path) -> None:
    import json

    path = out / "errors.json"
    if path.exists():
        rows = json.loads(path.read_text(encoding="utf-8"))
    else:
        import csv

        with open(out / "errors.csv", encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
    for row in rows[:ERRORS_SHOWN]:
        line = f":{row['line']}" if row.get("line") else ""
        _stderr(f"  {row['source']}{line}: {row['error']}: {row['message']}")


@app.command("show")
def show_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="An article file (.txt, .jsonl or .csv).")],
    doc_id: Annotated[Optional[str], typer.Option(
        "--id", help="Which article of a .jsonl/.csv file (default: the first).")] = None,
    model: Annotated[Optional[str], typer.Option(
        "--model", "-m", show_default="embedded German model",
        help="spaCy pipeline with NER (package name or folder).")] = None,
    no_normalize: Annotated[bool, typer.Option(
        "--no-normalize", help="Keep each mention's text as its name.")] = False,
) -> None:
    """Print one article's entities as a table."""
    _setup_logging(quiet=False)
    from rich.console import Console
    from rich.table import Table

    from .batch import article_entities
    from .model import ModelNotFoundError

    try:
        article, mentions, entities = article_entities(file, doc_id, model,
                                                       normalize=not no_normalize)
    except ModelNotFoundError as error:
        _stderr(f"Error: {error}")
        raise typer.Exit(code=2) from None
    except LookupError as error:
        _stderr(f"Error: {error}")
        raise typer.Exit(code=1) from None
    table = Table(title=f"{article['doc_id']} ({article['date'] or 'no date'}): "
                  f"{len(entities)} entities, {len(mentions)} mentions")
    for column in ("name", "label", "mentions", "variants"):
        table.add_column(column, justify="right" if column == "mentions" else "left")
    for entity in sorted(entities, key=lambda e: (-e["mentions"], e["name"])):
        variants = entity.get("variants") or []
        if isinstance(variants, str):
            variants = variants.split(" | ")
        table.add_row(entity["name"], entity["label"], str(entity["mentions"]),
                      ", ".join(v for v in variants if v != entity["name"]))
    Console(width=120).print(table)


@app.command("train")
def train_command(
    data: Annotated[Path, typer.Argument(exists=True, file_okay=False,
                    help="Folder with the gold corpora, one subfolder per corpus (see MODEL_CARD.md).")],
    out: Annotated[Path, typer.Option("--out", "-o", file_okay=False,
                   help="Where to write the trained model folder.")] = Path("training/model"),
    work: Annotated[Path, typer.Option("--work", file_okay=False,
                    help="Cache for converted corpora and vectors.")] = Path("training/work"),
    seed: Annotated[int, typer.Option(help="Random seed for the data split and training.")] = 0,
    vectors: Annotated[bool, typer.Option("--vectors/--no-vectors",
                       help="Train and use floret static vectors.")] = True,
    max_steps: Annotated[Optional[int], typer.Option(min=1,
                         help="Stop after this many steps (default: the config's).")] = None,
    teachers: Annotated[int, typer.Option(min=0,
                        help="Teacher models whose agreed tags on Wikipedia become silver data; 0: gold only.")] = 2,
    silver_lines: Annotated[int, typer.Option(min=1,
                            help="Wikipedia lines the teachers tag.")] = 120000,
    workers: Annotated[int, typer.Option(min=1,
                       help="Processes for teachers, tagging and vectors (one per core).")] = 2,
    knowledge: Annotated[bool, typer.Option("--knowledge/--no-knowledge",
                         help="Feed name lists to the model as token features.")] = True,
    pretrain: Annotated[bool, typer.Option("--pretrain/--no-pretrain",
                        help="Pretrain the tok2vec on the encyclopedic text first (about an hour).")] = False,
) -> None:
    """Train the German NER model from the open gold corpora (CPU, about an hour)."""
    from .training.pretrain import PretrainSettings
    from .training.silver import SilverSettings
    from .training.train import train

    _setup_logging(quiet=False)
    log.setLevel(logging.INFO)
    silver = SilverSettings(teachers=teachers, sentences=silver_lines)
    try:
        model_dir = train(data, out, work, seed=seed, vectors=vectors, max_steps=max_steps,
                          workers=workers, silver=silver, knowledge=knowledge,
                          pretrain=PretrainSettings() if pretrain else None)
    except ImportError as error:
        _stderr(f"Error: {error}")
        raise typer.Exit(code=1) from None
    _stderr(f"model written to {model_dir}; score it with: entity-pipeline evaluate GOLD --model {model_dir}")


@app.command("evaluate")
def evaluate_command(
    gold: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                    help="Gold NER file: GermEval 2014 TSV or CoNLL 'token tag'.")],
    model: Annotated[Optional[str], typer.Option(
        help="Installed spaCy model name or model folder (default: the embedded model).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Precision, recall and F1 per label (PER, LOC, ORG) and micro, exact spans, raw text."""
    import json

    from .model import ModelNotFoundError
    from .training.conll import GoldFormatError
    from .training.evaluate import evaluate

    try:
        result = evaluate(gold, model)
    except (ModelNotFoundError, GoldFormatError) as error:
        _stderr(f"Error: {error}")
        raise typer.Exit(code=2) from None
    if json_output:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"{result['gold']}: {result['sentences']} sentences, model {model or 'embedded'}")
    typer.echo(f"{'label':<6} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
    for label, row in result["scores"].items():
        typer.echo(f"{label:<6} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>7.3f} {row['support']:>8}")
