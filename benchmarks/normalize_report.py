"""How much normalisation merges: distinct entities with and without it, and merges to hand-check.

Usage: python benchmarks/normalize_report.py NORMALIZED_OUT RAW_OUT [--sample 50] [--seed 0]

NORMALIZED_OUT and RAW_OUT are the --out folders of two runs over the same articles, the second
with --no-normalize, e.g.
    entity-pipeline run ../shared/data/10kgnad/test.csv -o /tmp/norm
    entity-pipeline run ../shared/data/10kgnad/test.csv -o /tmp/raw --no-normalize
Prints the counts, the merges by kind, and a fixed-seed random sample of merges
(surface form -> canonical name), one distinct merge a line, with a box to tick when checking.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter

import pandas as pd

from pipeline.tables import read_tables


def merge_kind(surface: str, name: str) -> str:
    """A rough label for the report: which rule most likely made this merge."""
    if surface == name:
        return "label only"
    surface_words, name_words = surface.split(), name.split()
    if name.isupper() or surface.isupper():
        return "abbreviation"
    if len(surface_words) < len(name_words) and name_words[-len(surface_words):] == surface_words:
        return "partial name"
    if len(surface_words) < len(name_words) and name_words[-1] == surface_words[-1].rstrip("s"):
        return "partial name, inflected"
    if len(surface_words) == len(name_words) and all(
            word.startswith(base) for word, base in zip(surface_words, name_words)):
        return "inflection"
    if len(surface_words) < len(name_words):
        return "leading noun or compound"
    return "spelling variant"


def merges(normalized: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct (raw label, surface form) -> (label, canonical name) change.

    A mention the model missed and normalisation found ("(added)") is a merge only where its
    name differs from its text; the others are counted as recall, not as merges.
    """
    keys = ["doc_id", "start_char", "end_char"]
    joined = normalized.merge(raw[keys + ["label"]].rename(columns={"label": "raw_label"}),
                              on=keys, how="left")
    added = joined["raw_label"].isna()
    joined["raw_label"] = joined["raw_label"].fillna("(added)")
    changed = joined[(joined["text"] != joined["name"])
                     | (~added & (joined["label"] != joined["raw_label"]))]
    return (changed.groupby(["raw_label", "text", "label", "name"], sort=True)
            .agg(mentions=("doc_id", "size"), documents=("doc_id", "nunique"),
                 example=("doc_id", "first"))
            .reset_index())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("normalized", help="--out folder of the normalised run")
    parser.add_argument("raw", help="--out folder of the --no-normalize run")
    parser.add_argument("--sample", type=int, default=50, help="merges to list for a hand check")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    normalized_tables, raw_tables = read_tables(args.normalized), read_tables(args.raw)
    normalized, raw = normalized_tables["mentions"], raw_tables["mentions"]
    raw_entities, entities = raw["entity_id"].nunique(), normalized["entity_id"].nunique()
    removed = raw_entities - entities
    print(f"articles: {len(raw_tables['documents'])} (normalised run: "
          f"{len(normalized_tables['documents'])})")
    print(f"mentions: {len(raw)} from the model, {len(normalized)} after normalisation "
          f"({len(normalized) - len(raw):+d}; "
          f"{int(normalized['compound'].astype(str).str.lower().eq('true').sum())} in compounds)")
    print(f"distinct entities: {raw_entities} raw, {entities} normalised: {removed} removed "
          f"({removed / max(raw_entities, 1):.1%})")

    changes = merges(normalized, raw)
    kinds = Counter()
    for row in changes.itertuples():
        kinds[merge_kind(row.text, row.name)] += row.mentions
    print(f"\ndistinct merges: {len(changes)}; mentions by kind of merge:")
    for kind, count in kinds.most_common():
        print(f"  {count:7d}  {kind}")

    rows = list(changes.itertuples())
    sample = random.Random(args.seed).sample(rows, min(args.sample, len(rows)))
    print(f"\nrandom sample of {len(sample)} merges (seed {args.seed}); tick the right ones:")
    for number, row in enumerate(sample, 1):
        print(f"{number:3d}. [ ] {row.text} ({row.raw_label}) -> {row.name} ({row.label})   "
              f"{merge_kind(row.text, row.name)}; {row.mentions} mentions in "
              f"{row.documents} articles, e.g. {row.example}")


if __name__ == "__main__":
    main()
