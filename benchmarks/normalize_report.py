"""How much normalisation merges: within articles (two runs compared) and across the corpus.

Usage:
    python benchmarks/normalize_report.py NORMALIZED_OUT RAW_OUT [--sample 50] [--seed 0]
    python benchmarks/normalize_report.py --corpus OUT [--sample 100] [--seed 0] [--top 100]
        [--handcheck DIR [--verdicts FILE...]]

Within articles: NORMALIZED_OUT and RAW_OUT are the --out folders of two runs over the same
articles, the second with --no-normalize, e.g.
    entity-pipeline run /work/gnad -o /tmp/norm
    entity-pipeline run /work/gnad -o /tmp/raw --no-normalize
It prints the counts, the merges by kind, and a fixed-seed random sample of merges.

Across the corpus (``--corpus OUT``): reads the tables a run wrote and its result shards
(OUT/.entity-pipeline/), and prints the entity figures with article ids (the shards: the tables
as they would be without the corpus step) and as the tables have them, the mentions by
``link``, the issue's bar items on 10kGNAD checked on the tables, and the time the resolver
(``pipeline.names.resolve``) takes on the shards' summaries. With ``--handcheck DIR`` it writes
``corpus-merges.txt`` (a fixed-seed random sample of the distinct merges the corpus step made in
the mentions table) and ``top-entities.txt`` (the most mentioned entities of the entities table)
there, each line with a box for the verdict; ``--verdicts FILE...`` fills the boxes of entries
that an earlier list (a judged one) holds word for word, so only new entries need a look.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from pipeline.names.index import EntityIndex
from pipeline.names.resolve import resolve
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


def within_articles(args: argparse.Namespace) -> None:
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


# --- across the corpus ---------------------------------------------------------------------


def shards(out: Path):
    """(doc_id, shard) of every article of the run's manifest, in doc_id order."""
    state = out / ".entity-pipeline"
    manifest = json.loads((state / "manifest.json").read_text(encoding="utf-8"))
    for doc_id, entry in sorted(manifest["articles"].items()):
        key = entry["key"]
        path = state / "shards" / key[:2] / f"{key}.json"
        yield doc_id, json.loads(path.read_text(encoding="utf-8"))


def article_entity_rows(out: Path, dates: dict) -> list[dict]:
    """The entities table as it would be without the corpus step: from the stored shards,
    each article's entities with their article ids."""
    index = EntityIndex()
    for doc_id, shard in shards(out):
        index.add(doc_id, dates.get(doc_id), shard["mentions"])
    return index.entity_rows()


def figures(rows: list[dict]) -> dict:
    """The counts the issue measures: entities, PER, single-word PER, surnames under several
    ids."""
    persons = [row for row in rows if row["label"] == "PER"]
    single = Counter(row["name"] for row in persons if " " not in row["name"])
    return {"entities": len(rows), "PER": len(persons), "single-word PER": sum(single.values()),
            "single-word PER names under several ids": sum(1 for n in single.values() if n > 1)}


def bar(rows: list[dict], mentions: pd.DataFrame) -> list[tuple[str, bool, str]]:
    """The issue's bar items on 10kGNAD, from the written tables: (item, met, evidence)."""
    by_name = defaultdict(list)
    for row in rows:
        by_name[row["name"]].append(row)

    def holding(variant: str) -> list[str]:
        return [f"{row['name']} ({row['label']}, {row['mentions']})" for row in rows
                if variant in row["variants"].split(" | ")]

    eu, green = holding("Europäische Union"), holding("Grünen") + holding("Grüne")
    vdb = holding("Van der Bellen")
    edges = [row["name"] for row in rows if re.match(r"\W", row["name"])
             or re.search(r"\W$", row["name"])]
    numbers = [row["name"] for row in rows if not re.search(r"[^\W\d]", row["name"])
               or re.fullmatch(r"[\d.,:/ -]+", row["name"])]
    lone = mentions[mentions["text"].isin(["Hofer", "Hofers"]) & (mentions["label"] == "PER")]
    hofer = Counter(f"{name} ({link})" for name, link in zip(lone["name"], lone["link"]))
    return [
        ("EU and Europäische Union one entity", holding("EU") == eu and len(eu) == 1, str(eu)),
        ("Grüne/Grünen one entity", len(set(green)) == 1, str(sorted(set(green)))),
        ("'Van der Bellen' mentions in one PER entity 'Alexander Van der Bellen'",
         len(vdb) == 1 and vdb[0].startswith("Alexander Van der Bellen (PER"), str(vdb)),
        ("no entity named 'Alexander Van'", "Alexander Van" not in by_name, ""),
        ("no name starts or ends with punctuation", not edges, str(edges[:20])),
        ("no entity is a number or a date", not numbers, str(numbers[:20])),
        ("'Hofer' PER mentions held by 'Norbert Hofer' (the others: check by hand)",
         "Norbert Hofer" in set(lone["name"]), str(dict(hofer.most_common()))),
    ]


def corpus_merges(mentions: pd.DataFrame, summaries: dict[str, list[dict]]) -> list[dict]:
    """The distinct merges of the corpus step in the mentions table: article entity (name,
    label, from the shard's summary) -> corpus entity (name, label and link as written), for
    every article entity whose name or label the corpus step changed."""
    found: dict[tuple, dict] = {}
    columns = ["doc_id", "article_entity_id", "name", "label", "link"]
    seen = set()
    for doc_id, article_id, name, label, link in mentions[columns].itertuples(index=False):
        if (doc_id, article_id) in seen:
            continue
        seen.add((doc_id, article_id))
        entity = next(e for e in summaries[doc_id] if e["entity_id"] == article_id)
        if (entity["name"], entity["label"]) == (name, label):
            continue
        key = (entity["name"], entity["label"], name, label, link)
        merge = found.setdefault(key, {"articles": 0, "mentions": 0, "example": doc_id})
        merge["articles"] += 1
        merge["mentions"] += entity["mentions"]
    return [{"name": key[0], "label": key[1], "corpus_name": key[2], "corpus_label": key[3],
             "reason": key[4], **value} for key, value in sorted(found.items())]


def earlier_verdicts(paths: list[str]) -> dict[str, list[str]]:
    """Verdicts of earlier hand-check lists: an entry's line (without its number) -> its
    verdict line and the note lines under it."""
    verdicts: dict[str, list[str]] = {}
    for path in paths:
        entry = None
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*\d+\. \[([^]]*)\] (.*)", line)
            if match:
                entry = match.group(2)
                verdicts[entry] = [match.group(1)]
            elif entry and line.startswith("       "):
                verdicts[entry].append(line)
            else:
                entry = None
    return verdicts


def checklist(title: str, entries: list[str], verdicts: dict[str, list[str]]) -> str:
    """Numbered entries, each with the verdict an earlier list gave the same entry."""
    lines = [title]
    for number, entry in enumerate(entries, 1):
        verdict, *notes = verdicts.get(entry, [" "])
        lines += [f"{number:3d}. [{verdict}] {entry}", *notes]
    return "\n".join(lines) + "\n"


def write_handcheck(folder: Path, merges_found: list[dict], rows: list[dict],
                    args: argparse.Namespace) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    verdicts = earlier_verdicts(args.verdicts or [])
    picked = random.Random(args.seed).sample(merges_found, min(args.sample, len(merges_found)))
    entries = [f"{m['name']} ({m['label']}) -> {m['corpus_name']} ({m['corpus_label']})  "
               f"{m['reason']}; {m['articles']} articles, {m['mentions']} mentions, "
               f"e.g. {m['example']}" for m in picked]
    (folder / "corpus-merges.txt").write_text(checklist(
        f"# {len(picked)} random merges of the corpus step (seed {args.seed}) of "
        f"{len(merges_found)} distinct; verdict: right/wrong and why", entries, verdicts),
        encoding="utf-8")
    entries = [f"{row['name']} ({row['label']}) {row['mentions']} mentions, "
               f"{row['documents']} articles: {row['variants'][:150]}"
               for row in rows[:args.top]]
    (folder / "top-entities.txt").write_text(checklist(
        f"# top {args.top} entities by mentions; verdict: a name with the right label?",
        entries, verdicts), encoding="utf-8")


def across_the_corpus(args: argparse.Namespace) -> None:
    out = Path(args.corpus)
    manifest = json.loads((out / ".entity-pipeline" / "manifest.json").read_text(encoding="utf-8"))
    if not manifest["settings"]["normalize"]:
        raise SystemExit(f"{out} was written with --no-normalize: no corpus step to report")
    tables = read_tables(out)
    mentions, documents = tables["mentions"], tables["documents"]
    after = tables["entities"].to_dict("records")
    dates = {doc_id: date for doc_id, date in zip(documents["doc_id"], documents["date"])
             if isinstance(date, str) and date}
    summaries = {doc_id: shard["entities"] or [] for doc_id, shard in shards(out)}
    started, cpu = time.perf_counter(), time.process_time()
    resolve((doc_id, dates.get(doc_id), summary) for doc_id, summary in summaries.items())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    before = article_entity_rows(out, dates)
    print(f"articles: {len(summaries)}; article entities: "
          f"{sum(map(len, summaries.values()))}; the resolver alone: {seconds:.2f} s "
          f"({cpu:.2f} s CPU; without reading the shards)")
    assert set(mentions["entity_id"]) == {row["entity_id"] for row in after}
    for name, value in figures(before).items():
        print(f"  {name}: {value} with article ids, {figures(after)[name]} in the tables")
    print("mentions by link:", dict(Counter(mentions["link"]).most_common()))
    print("\nbar items (from the tables):")
    for item, met, evidence in bar(after, mentions):
        print(f"  [{'x' if met else ' '}] {item}  {evidence[:300]}")
    merges_found = corpus_merges(mentions, summaries)
    print(f"\ndistinct merges of the corpus step: {len(merges_found)}")
    if args.handcheck:
        write_handcheck(Path(args.handcheck), merges_found, after, args)
        print(f"hand-check lists in {args.handcheck}: corpus-merges.txt, top-entities.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("normalized", nargs="?", help="--out folder of the normalised run")
    parser.add_argument("raw", nargs="?", help="--out folder of the --no-normalize run")
    parser.add_argument("--corpus", metavar="OUT", help="report the corpus step of a run")
    parser.add_argument("--handcheck", metavar="DIR", help="write the hand-check lists here")
    parser.add_argument("--sample", type=int, default=None, help="merges to list for a hand check")
    parser.add_argument("--top", type=int, default=100, help="top entities to list")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verdicts", nargs="+", metavar="FILE",
                        help="earlier hand-check lists whose verdicts carry over to the same "
                             "entries")
    args = parser.parse_args()
    if args.corpus:
        args.sample = 100 if args.sample is None else args.sample
        across_the_corpus(args)
    elif args.normalized and args.raw:
        args.sample = 50 if args.sample is None else args.sample
        within_articles(args)
    else:
        parser.error("give NORMALIZED_OUT RAW_OUT, or --corpus OUT")


if __name__ == "__main__":
    main()
