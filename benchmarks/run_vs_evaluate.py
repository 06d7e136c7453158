"""The model's score through `entity-pipeline evaluate` and through a real `entity-pipeline run`
of the same sentences (one sentence per article, normalisation on), side by side.

Usage: python benchmarks/run_vs_evaluate.py [--gold ../shared/data/germeval2014/dev.tsv]
       [--model M] [--limit N] [--workers 2]
Prints P/R/F1 per label for both and the micro-F1 difference (issue 11: within 0.01). The run
goes through the command line in a temporary folder, so it scores exactly what users get.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.training.corpora import LABELS
from pipeline.training.evaluate import Scores, evaluate, read_gold

DEFAULT_GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "germeval2014" / "dev.tsv"


def run_scores(sentences: list, model: str | None, workers: int, folder: Path) -> dict:
    """Write the sentences as a JSONL corpus, run the pipeline on it, score its mentions table."""
    corpus = folder / "sentences.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for number, (text, _) in enumerate(sentences):
            out.write(json.dumps({"id": f"s{number:05d}", "text": text}, ensure_ascii=False) + "\n")
    command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(folder / "out"),
               "--quiet", "--workers", str(workers)] + (["--model", model] if model else [])
    subprocess.run(command, check=True)
    from pipeline import read_tables

    mentions = read_tables(folder / "out")["mentions"]
    predicted: dict[str, set] = {}
    for row in mentions.itertuples():
        predicted.setdefault(row.doc_id, set()).add((int(row.start_char), int(row.end_char), row.label))
    scores = Scores()
    for number, (_, gold_spans) in enumerate(sentences):
        found = {span for span in predicted.get(f"s{number:05d}", set()) if span[2] in LABELS}
        scores.add(set(gold_spans), found)
    return scores.table(LABELS)


def _print(title: str, table: dict) -> None:
    print(title)
    print(f"  {'label':<6} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
    for label, row in table.items():
        print(f"  {label:<6} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>7.3f} {row['support']:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--model", default=None, help="model name or path (default: embedded)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N sentences")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    sentences = list(read_gold(args.gold))[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        gold = Path(tmp) / "gold.tsv"
        if args.limit:  # evaluate reads a file: the same first N sentences
            _write_subset(args.gold, args.limit, gold)
        scored = evaluate(gold if args.limit else args.gold, args.model)["scores"]
        ran = run_scores(sentences, args.model, args.workers, Path(tmp))
    _print(f"entity-pipeline evaluate ({len(sentences)} sentences)", scored)
    _print("entity-pipeline run, one sentence per article, normalisation on", ran)
    difference = ran["micro"]["f1"] - scored["micro"]["f1"]
    print(f"micro F1: evaluate {scored['micro']['f1']:.4f}, run {ran['micro']['f1']:.4f}, "
          f"difference {difference:+.4f} ({'within' if abs(difference) <= 0.01 else 'outside'} 0.01)")


def _write_subset(gold: Path, limit: int, out: Path) -> None:
    """The first ``limit`` blank-line-separated sentences of a gold file."""
    blocks = gold.read_text(encoding="utf-8").split("\n\n")
    out.write_text("\n\n".join(blocks[:limit]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
