"""Is a rebuilt model the shipped one? Files byte for byte, then every weight array.

Usage: python benchmarks/compare_models.py REBUILT [--shipped pipeline/models/de_news_ner]
Prints one line per file and per component; exits 1 if any weight array differs. The weights
decide: since the ``knowledge_dropout`` fix the knowledge layer no longer stores its rate as an
attribute, so a rebuild's ``tok2vec/model`` bytes differ from the shipped file while every array
in it is equal (MODEL_CARD.md, "How to reproduce").
"""

from __future__ import annotations

import argparse
import filecmp
import sys
from pathlib import Path

import numpy as np
import spacy

SHIPPED = Path(__file__).resolve().parent.parent / "pipeline" / "models" / "de_news_ner"
FILES = ["ner/model", "ner/moves", "tok2vec/model", "knowledge/lists.npz", "vocab/vectors",
         "tokenizer", "config.cfg"]


def weights(nlp, component: str) -> list[tuple[str, np.ndarray]]:
    model = nlp.get_pipe(component).model
    return [(f"{node.name}.{name}", node.get_param(name)) for node in model.walk()
            for name in node.param_names if node.has_param(name)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rebuilt", type=Path)
    parser.add_argument("--shipped", type=Path, default=SHIPPED)
    args = parser.parse_args()
    for name in FILES:
        same = filecmp.cmp(args.shipped / name, args.rebuilt / name, shallow=False)
        print(f"{name:22s} bytes {'equal' if same else 'DIFFER'}")
    shipped, rebuilt = spacy.load(args.shipped), spacy.load(args.rebuilt)
    all_equal = True
    for component in ("tok2vec", "ner"):
        pairs = list(zip(weights(shipped, component), weights(rebuilt, component), strict=True))
        differ = [a[0] for a, b in pairs if a[0] != b[0] or not np.array_equal(a[1], b[1])]
        all_equal &= not differ
        print(f"{component}: {len(pairs)} weight arrays, {len(pairs) - len(differ)} equal"
              + (f"; differ: {', '.join(differ)}" if differ else ""))
    return 0 if all_equal else 1


if __name__ == "__main__":
    sys.exit(main())
