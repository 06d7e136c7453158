"""Tokens per second of an NER model alone on one CPU core: nlp.pipe over real German news.

Usage: python benchmarks/model_speed.py [--model M] [--corpus ../shared/data/10kgnad/test.csv]
Prints the figure; the model card quotes it. One core: BLAS and OpenMP threads are pinned to 1
before numpy loads, and spaCy runs in this one process.
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from throughput import DEFAULT_DATA, load_texts  # noqa: E402  (the same 10kGNAD corpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model name or path (default: embedded)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    from pipeline.model import load_model

    texts = load_texts(args.corpus, None)
    nlp = load_model(args.model)
    # Skip what a run without the tokens table skips: the components after the NER.
    names = nlp.pipe_names
    ner_only = names[names.index("ner") + 1 :] if "ner" in names else []
    list(nlp.pipe(texts[:20], disable=ner_only))  # warm-up
    start = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=args.batch_size, disable=ner_only))
    seconds = time.perf_counter() - start
    print(f"model: {args.model or 'embedded'}  pipes: {[p for p in nlp.pipe_names if p not in ner_only]}")
    print(f"articles: {len(texts)}  tokens: {tokens}  seconds: {seconds:.1f}  tokens/s (1 core): {tokens / seconds:,.0f}")


if __name__ == "__main__":
    main()
