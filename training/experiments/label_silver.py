"""Silver NER data for experiment S of pipeline/models/MODEL_CARD.md (not part of the recipe).

Tags random Wikipedia sentences with several trained models and keeps the sentences on which all
of them agree exactly, as a DocBin that can be appended to the gold training set.

    python training/experiments/label_silver.py DATA_DIR OUT.spacy MODEL [MODEL ...] --sentences 60000
"""

from __future__ import annotations

import argparse
import gzip
import random
from pathlib import Path

import spacy
from spacy.tokens import DocBin

WIKIPEDIA = "unlabelled-de/wikipedia-de-klexikon-articles.txt.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--sentences", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with gzip.open(args.data_dir / WIKIPEDIA, "rt", encoding="utf-8") as lines:
        candidates = [line.strip() for line in lines if 40 <= len(line.strip()) <= 400]
    sample = random.Random(args.seed).sample(candidates, args.sentences)

    votes = []
    for model in args.models:
        nlp = spacy.load(model)
        votes.append([[(e.start_char, e.end_char, e.label_) for e in doc.ents]
                      for doc in nlp.pipe(sample, batch_size=256)])

    blank = spacy.blank("de")
    silver = DocBin(attrs=["ENT_IOB", "ENT_TYPE"])
    with_entities = 0
    for i, text in enumerate(sample):
        first = votes[0][i]
        if any(vote[i] != first for vote in votes[1:]):
            continue
        doc = blank(text)
        spans = [doc.char_span(start, end, label) for start, end, label in first]
        if None in spans:
            continue
        doc.ents = spans
        silver.add(doc)
        with_entities += bool(spans)
    silver.to_disk(args.out)
    print(f"sentences {len(sample)}, agreed {len(silver)}, with entities {with_entities}")


if __name__ == "__main__":
    main()
