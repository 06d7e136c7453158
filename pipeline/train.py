"""Training the embedded German NER model from the open gold corpora, reproducibly on a CPU.

Three steps; the slow ones are cached in a work folder so a rerun skips what is done:
1. convert the gold corpora (see ``corpora``) into a training set and a held-out selection set
   (a seeded slice of GermEval 2014 *test*; GermEval dev is the benchmark and is never read here)
   — this step always reruns, it takes seconds;
2. train floret static vectors on unlabelled German text (the encyclopedic files), the largest
   single gain in our probes;
3. ``spacy train`` with ``ner.cfg``, selecting the checkpoint on the selection set, and write the
   best model with its meta into the output folder.
"""

from __future__ import annotations

import gzip
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .corpora import Sentence, load_corpus, split_selection, to_docbin

log = logging.getLogger(__name__)

CONFIG_PATH = Path(__file__).parent / "ner.cfg"

# corpus name -> how many copies go into the training set. Modern news-like corpora only: on the
# selection set, traffic tweets (MobIE), historic OCR newspapers (HIPE-2022) and Zurich
# parliament minutes added nothing or less (see MODEL_CARD.md), and in-domain GermEval counts 4x.
TRAINING_MIX = {
    "germeval-test": 4,
    "smartdata": 1,
    "uner-pud": 1,
}
SELECTION_CORPUS = "germeval-test"
SELECTION_FRACTION = 0.1

VECTOR_TEXTS = (  # encyclopedic, modern spelling, CC BY-SA
    "unlabelled-de/wikipedia-de-klexikon-articles.txt.gz",
    "unlabelled-de/klexikon-de.txt.gz",
    "unlabelled-de/wikipedia-de-wikicorpus-small.txt.gz",
)


@dataclass(frozen=True)
class VectorSettings:
    """floret settings; dim x bucket x 2 bytes (half precision) is most of the model's size."""

    dim: int = 100
    bucket: int = 80000
    minn: int = 4
    maxn: int = 5
    hash_count: int = 2
    epochs: int = 5
    min_count: int = 5


def prepare_corpora(data_dir: Path, work_dir: Path, seed: int = 0) -> dict[str, int]:
    """Write train.spacy and select.spacy; return sentence counts per corpus."""
    import spacy

    nlp = spacy.blank("de")
    train, select, counts = [], [], {}
    for name, copies in TRAINING_MIX.items():
        sentences = load_corpus(data_dir, name, nlp.tokenizer)
        counts[name] = len(sentences)
        if name == SELECTION_CORPUS:
            sentences, held_out = split_selection(sentences, SELECTION_FRACTION, seed)
            select.extend(held_out)
        train.extend(sentences * copies)
    to_docbin(train, nlp.vocab).to_disk(work_dir / "train.spacy")
    to_docbin(select, nlp.vocab).to_disk(work_dir / "select.spacy")
    write_gold_tsv(select, work_dir / "select.tsv")
    counts["train_sentences"] = len(train)
    counts["select_sentences"] = len(select)
    (work_dir / "corpora.json").write_text(json.dumps(counts, indent=2))
    return counts


def write_gold_tsv(sentences: list[Sentence], path: Path) -> None:
    """The selection set in GermEval's TSV format, so ``evaluate`` scores it like the benchmark."""
    with path.open("w", encoding="utf-8") as out:
        for words, spans in sentences:
            tags = ["O"] * len(words)
            for start, end, label in spans:
                tags[start : end] = [f"B-{label}"] + [f"I-{label}"] * (end - start - 1)
            out.write("#\tselection\n")
            out.writelines(f"{i}\t{w}\t{t}\tO\n" for i, (w, t) in enumerate(zip(words, tags), 1))
            out.write("\n")


def _tokenized_lines(paths: list[Path], workers: int):
    """Unlabelled text tokenized with spaCy's German tokenizer, one line per input line."""
    import spacy

    def lines():
        for path in paths:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                yield from (line.strip() for line in handle if line.strip())

    tokenizer_only = spacy.blank("de")
    for doc in tokenizer_only.pipe(lines(), batch_size=2000, n_process=workers):
        yield " ".join(token.text for token in doc if not token.is_space)


def train_vectors(data_dir: Path, work_dir: Path, settings: VectorSettings, workers: int = 2) -> Path:
    """floret vectors from the encyclopedic texts, converted into a spaCy vectors folder."""
    try:
        import floret
    except ImportError:
        raise ImportError(
            "training static vectors needs floret: pip install '.[train]' (or train --no-vectors)"
        ) from None

    text_path = work_dir / "vectors-text.txt"
    if not text_path.exists():
        partial = text_path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            for line in _tokenized_lines([data_dir / p for p in VECTOR_TEXTS], workers):
                out.write(line + "\n")
        partial.replace(text_path)
    floret_path = work_dir / f"vectors-{settings.dim}x{settings.bucket}.floret"
    if not floret_path.exists():
        model = floret.train_unsupervised(
            str(text_path),
            model="cbow",
            mode="floret",
            hashCount=settings.hash_count,
            bucket=settings.bucket,
            minn=settings.minn,
            maxn=settings.maxn,
            dim=settings.dim,
            epoch=settings.epochs,
            minCount=settings.min_count,
            thread=1,  # floret's multi-threaded training is not reproducible
        )
        model.save_floret_vectors(str(floret_path))
    vectors_dir = work_dir / f"vectors-{settings.dim}x{settings.bucket}"
    if not vectors_dir.exists():
        import subprocess
        import sys

        subprocess.run(
            [sys.executable, "-m", "spacy", "init", "vectors", "de", str(floret_path),
             str(vectors_dir), "--mode", "floret"],
            check=True,
        )
    return vectors_dir


def train_model(
    work_dir: Path,
    out: Path,
    vectors_dir: Path | None,
    seed: int = 0,
    max_steps: int | None = None,
    overrides: dict | None = None,
) -> Path:
    """spaCy training with the packaged config; the best checkpoint on the selection set wins."""
    from spacy.cli.train import train as spacy_train

    overrides = {
        "paths.train": str(work_dir / "train.spacy"),
        "paths.dev": str(work_dir / "select.spacy"),
        "paths.vectors": str(vectors_dir) if vectors_dir else None,
        "system.seed": seed,
        **(overrides or {}),
    }
    if vectors_dir is None:
        overrides["components.tok2vec.model.embed.include_static_vectors"] = False
    if max_steps:
        overrides["training.max_steps"] = max_steps
    run_dir = out.with_name(out.name + ".run")
    spacy_train(CONFIG_PATH, run_dir, overrides=overrides, use_gpu=-1)
    return _finish(run_dir / "model-best", out)


def _finish(best: Path, out: Path) -> Path:
    """Copy the best checkpoint to ``out`` with meta that says what it is."""
    import spacy

    nlp = spacy.load(best)
    vectors = nlp.vocab.vectors
    if vectors.size:  # half precision on disk halves the vector table; load_model widens it
        vectors.data = vectors.data.astype("float16")
    nlp.meta.update(
        {
            "name": "de_news_ner",
            "version": __version__,
            "description": "German NER (PER, LOC, ORG) for news, embedded in entity-pipeline; "
            "see MODEL_CARD.md for data, licenses and figures.",
            "license": "CC BY-SA 4.0",
            "author": "entity-pipeline",
            "spacy_version": ">=3.8.0,<3.9.0",
        }
    )
    staging = out.with_name(out.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    nlp.to_disk(staging)
    shutil.rmtree(out, ignore_errors=True)
    staging.replace(out)
    return out


def train(
    data_dir: Path,
    out: Path,
    work_dir: Path,
    seed: int = 0,
    vectors: bool = True,
    max_steps: int | None = None,
    workers: int = 2,
) -> Path:
    """The whole recipe: corpora, vectors, training; returns the model folder."""
    work_dir.mkdir(parents=True, exist_ok=True)
    log.info("converted corpora (sentences): %s", prepare_corpora(data_dir, work_dir, seed))
    vectors_dir = train_vectors(data_dir, work_dir, VectorSettings(), workers) if vectors else None
    return train_model(work_dir, out, vectors_dir, seed, max_steps)

