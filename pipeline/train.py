"""Training the embedded German NER model from the open gold corpora, reproducibly on a CPU.

Four steps; vectors and teachers, the slow parts, are cached in a work folder and reused by a rerun:
1. convert the gold corpora (see ``corpora``) into a training set and a held-out selection set
   (a seeded slice of GermEval 2014 *test*; GermEval dev is the benchmark and is never read here)
   — this step always reruns, it takes seconds;
2. train floret static vectors on unlabelled German text (the encyclopedic files), the largest
   single gain in our probes;
3. self-training: teacher models (same recipe, different seeds, trained side by side) tag random
   Wikipedia lines, and the lines on which all teachers find exactly the same entities (at least
   one) become silver training data — with only ~5,000 in-domain gold sentences this was the one
   lever clearly above seed noise;
4. ``spacy train`` with ``ner.cfg`` on gold plus silver, selecting the checkpoint on the selection
   set, and write the best model with its meta into the output folder.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import logging
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from .about import __version__
from .corpora import Sentence, load_corpus, split_selection, to_docbin
from .model import load_model

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
SILVER_TEXT = "unlabelled-de/wikipedia-de-klexikon-articles.txt.gz"  # the lines the teachers tag


@dataclass(frozen=True)
class SilverSettings:
    """Self-training: how many teachers vote, and how many Wikipedia lines they tag."""

    teachers: int = 2
    sentences: int = 120000
    min_chars: int = 40  # shorter lines are mostly headings and list items
    max_chars: int = 400


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
    train_path: Path | None = None,
) -> Path:
    """Train with the packaged config and write the best checkpoint, with its meta, to ``out``."""
    best = run_spacy_train(work_dir, out.with_name(out.name + ".run"), vectors_dir, seed, max_steps, train_path)
    return _finish(best, out)


def run_spacy_train(
    work_dir: Path,
    run_dir: Path,
    vectors_dir: Path | None,
    seed: int,
    max_steps: int | None,
    train_path: Path | None = None,
) -> Path:
    """``spacy train`` on CPU; returns the checkpoint that scored best on the selection set."""
    from spacy.cli.train import train as spacy_train

    overrides = {
        "paths.train": str(train_path or work_dir / "train.spacy"),
        "paths.dev": str(work_dir / "select.spacy"),
        "paths.vectors": str(vectors_dir) if vectors_dir else None,
        "system.seed": seed,
    }
    if vectors_dir is None:
        overrides["components.tok2vec.model.embed.include_static_vectors"] = False
    if max_steps:
        overrides["training.max_steps"] = max_steps
    spacy_train(CONFIG_PATH, run_dir, overrides=overrides, use_gpu=-1)
    return run_dir / "model-best"


def _teacher_run_dir(work_dir: Path, vectors_dir: Path | None, seed: int, max_steps: int | None) -> Path:
    """Named by what shapes a teacher, so a cached one is reused only for the same settings."""
    vectors = vectors_dir.name if vectors_dir else "no-vectors"
    return work_dir / f"teacher-seed{seed}-{vectors}-{max_steps or 'full'}.run"


def _train_teacher(work_dir: Path, vectors_dir: Path | None, seed: int, max_steps: int | None) -> Path:
    """One teacher, run in its own process with spaCy's console output in a log beside it."""
    run_dir = _teacher_run_dir(work_dir, vectors_dir, seed, max_steps)
    with run_dir.with_suffix(".log").open("w", encoding="utf-8") as log_file:
        with contextlib.redirect_stdout(log_file), contextlib.redirect_stderr(log_file):
            return run_spacy_train(work_dir, run_dir, vectors_dir, seed, max_steps)


def train_teachers(
    work_dir: Path, vectors_dir: Path | None, seeds: list[int], max_steps: int | None, workers: int
) -> list[Path]:
    """The teachers' best checkpoints, trained side by side; a finished teacher is reused."""
    best = [_teacher_run_dir(work_dir, vectors_dir, seed, max_steps) / "model-best" for seed in seeds]
    todo = [seed for seed, path in zip(seeds, best) if not (path / "meta.json").exists()]
    if todo:
        log.info("training teachers (seeds %s), %d at a time; logs in %s", todo, workers, work_dir)
        with _processes(workers) as pool:
            list(pool.map(functools.partial(_train_teacher, work_dir, vectors_dir, max_steps=max_steps), todo))
    return best


def _processes(workers: int) -> ProcessPoolExecutor:
    """Fresh (spawned) processes: spaCy and its BLAS are not fork-safe once loaded."""
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=get_context("spawn"))


def sample_lines(path: Path, settings: SilverSettings, seed: int) -> list[str]:
    """A seeded random sample of the text's lines whose length is sentence-like."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = (line.strip() for line in handle)
        candidates = [line for line in lines if settings.min_chars <= len(line) <= settings.max_chars]
    return random.Random(seed).sample(candidates, min(settings.sentences, len(candidates)))


def _teacher_entities(teacher: Path, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """Each text's entities as the teacher tags them, as character spans."""
    nlp = load_model(str(teacher), lemmas=False)
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts, batch_size=256)]


def label_silver(texts: list[str], teachers: list[Path], out: Path, workers: int = 1) -> dict[str, int]:
    """Keep the texts on which every teacher finds exactly the same entities, and at least one;
    write them as a DocBin. Agreed texts without entities are left out: they were 60 % of the
    agreed lines and mostly teach the student to stay silent (selection recall 0.713 with them,
    0.725 without, and only the run without them met the sample-article bar; MODEL_CARD.md).
    Each teacher tags in its own process when ``workers`` > 1."""
    import spacy
    from spacy.tokens import DocBin

    if workers > 1:
        with _processes(min(workers, len(teachers))) as pool:
            votes = list(pool.map(_teacher_entities, teachers, [texts] * len(teachers)))
    else:
        votes = [_teacher_entities(teacher, texts) for teacher in teachers]
    tokenizer_only = spacy.blank("de")
    silver = DocBin()
    agreed = 0
    for text, *entities in zip(texts, *votes):
        if any(other != entities[0] for other in entities[1:]):
            continue
        agreed += 1
        if entities[0]:
            doc = tokenizer_only(text)
            doc.ents = [doc.char_span(start, end, label) for start, end, label in entities[0]]
            silver.add(doc)
    silver.to_disk(out)
    return {"tagged": len(texts), "agreed": agreed, "kept": len(silver)}


def add_silver(
    work_dir: Path, data_dir: Path, teachers: list[Path], settings: SilverSettings, seed: int, workers: int
) -> Path:
    """train-silver.spacy: the gold training set followed by the agreed silver lines."""
    from spacy.tokens import DocBin

    silver_path = work_dir / "silver.spacy"
    counts = label_silver(sample_lines(data_dir / SILVER_TEXT, settings, seed), teachers, silver_path, workers)
    log.info("silver lines: %s", counts)
    (work_dir / "silver.json").write_text(json.dumps(counts, indent=2))
    combined = DocBin().from_disk(work_dir / "train.spacy")
    combined.merge(DocBin().from_disk(silver_path))
    combined.to_disk(work_dir / "train-silver.spacy")
    return work_dir / "train-silver.spacy"


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
    # The string table holds every word seen in training (3.8 MB with the silver lines). The model
    # computes on hashes and re-adds the strings it needs (labels, token texts) when it runs, so it
    # ships an empty table: scores are identical with and without it.
    (staging / "vocab" / "strings.json").write_text("[]\n", encoding="utf-8")
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
    silver: SilverSettings = SilverSettings(),
) -> Path:
    """The whole recipe: corpora, vectors, teachers and silver data, training; returns the model folder."""
    work_dir.mkdir(parents=True, exist_ok=True)
    log.info("converted corpora (sentences): %s", prepare_corpora(data_dir, work_dir, seed))
    vectors_dir = train_vectors(data_dir, work_dir, VectorSettings(), workers) if vectors else None
    train_path = None  # gold only
    if silver.teachers:
        teacher_seeds = [seed + i for i in range(silver.teachers)]
        teachers = train_teachers(work_dir, vectors_dir, teacher_seeds, max_steps, workers)
        train_path = add_silver(work_dir, data_dir, teachers, silver, seed, workers)
    return train_model(work_dir, out, vectors_dir, seed, max_steps, train_path)
