"""Self-training: teacher models tag unlabelled lines, and the lines they agree on become silver
training data for the student. With ~5,000 in-domain gold sentences this was the first lever
clearly above seed noise (MODEL_CARD.md)."""

from __future__ import annotations

import gzip
import json
import logging
import random
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

from ..model import load_model
from .cache import StepCache, step_payload

log = logging.getLogger(__name__)

WIKIPEDIA = "unlabelled-de/wikipedia-de-klexikon-articles.txt.gz"


@dataclass(frozen=True)
class SilverSettings:
    """Self-training: how many teachers vote, and how many Wikipedia lines they tag."""

    teachers: int = 2
    sentences: int = 120000
    min_chars: int = 40  # shorter lines are mostly headings and list items
    max_chars: int = 400
    per_span: bool = False  # vote per entity (see voted_doc) rather than per line
    texts: tuple[str, ...] = (WIKIPEDIA,)  # the files whose lines the teachers tag


def processes(workers: int) -> ProcessPoolExecutor:
    """Fresh (spawned) processes: spaCy and its BLAS are not fork-safe once loaded."""
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=get_context("spawn"))


def sample_lines(paths: list[Path], settings: SilverSettings, seed: int) -> list[str]:
    """A seeded random sample of the texts' lines whose length is sentence-like."""
    candidates = []
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            lines = (line.strip() for line in handle)
            candidates += [line for line in lines if settings.min_chars <= len(line) <= settings.max_chars]
    return random.Random(seed).sample(candidates, min(settings.sentences, len(candidates)))


def teacher_entities(teacher: Path, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """Each text's entities as the teacher tags them, as character spans."""
    nlp = load_model(str(teacher), lemmas=False)
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts, batch_size=256)]


def voted_doc(tokenizer, text: str, votes: list[list[tuple[int, int, str]]], per_span: bool):
    """The silver doc of one line, or None to leave the line out.

    Line vote: the line counts only if every teacher tags exactly the same entities, at least
    one. Span vote: every entity that a majority of the teachers tags is kept; the tokens of the
    entities only a minority tags are marked *missing* (no loss either way), so a line the
    teachers half agree on still teaches what they agree on, without teaching a disputed name
    as "no entity"; the line counts if it has at least one majority entity.
    """
    if not per_span and any(other != votes[0] for other in votes[1:]):
        return None
    counts = Counter(span for spans in votes for span in set(spans))
    majority = sorted(span for span, count in counts.items() if 2 * count > len(votes))
    if not majority:
        return None
    doc = tokenizer(text)
    entities = [doc.char_span(start, end, label) for start, end, label in majority]
    taken = {i for span in entities for i in range(span.start, span.end)}
    disputed = set()
    for start, end, _ in set(counts) - set(majority):
        span = doc.char_span(start, end, alignment_mode="expand")
        disputed.update(i for i in range(span.start, span.end) if i not in taken)
    doc.set_ents(entities, missing=[doc[i : i + 1] for i in sorted(disputed)], default="outside")
    return doc


def label_silver(
    texts: list[str], teachers: list[Path], out: Path, workers: int = 1, per_span: bool = False
) -> dict[str, int]:
    """Tag the texts with every teacher and write the voted lines (``voted_doc``) as a DocBin.
    Lines without any agreed entity are left out: agreed lines without entities were 60 % of
    the agreed lines and mostly teach the student to stay silent (selection recall 0.713 with
    them, 0.725 without, and only the run without them met the sample-article bar;
    MODEL_CARD.md). Each teacher tags in its own process when ``workers`` > 1."""
    import spacy
    from spacy.tokens import DocBin

    if workers > 1:
        with processes(min(workers, len(teachers))) as pool:
            votes = list(pool.map(teacher_entities, teachers, [texts] * len(teachers)))
    else:
        votes = [teacher_entities(teacher, texts) for teacher in teachers]
    tokenizer_only = spacy.blank("de")
    silver = DocBin()
    agreed = 0
    for text, *entities in zip(texts, *votes):
        agreed += all(other == entities[0] for other in entities[1:])
        doc = voted_doc(tokenizer_only, text, entities, per_span)
        if doc is not None:
            silver.add(doc)
    silver.to_disk(out)
    return {"tagged": len(texts), "agreed": agreed, "kept": len(silver)}


def silver_data(
    data_dir: Path, cache: StepCache, teachers: dict[str, Path], settings: SilverSettings,
    seed: int, workers: int,
) -> Path:
    """silver.spacy (cached): the agreed lines of ``teachers`` ({step key: model folder})."""
    payload = step_payload(
        "silver", {**asdict(settings), "seed": seed},
        files={name: data_dir / name for name in settings.texts}, code=["training/silver.py"],
        upstream=sorted(teachers), numeric=True,
    )
    folder = cache.reuse(payload)
    if folder is None:
        with cache.build(payload) as staging:
            texts = sample_lines([data_dir / name for name in settings.texts], settings, seed)
            counts = label_silver(texts, list(teachers.values()), staging / "silver.spacy", workers,
                                  settings.per_span)
            (staging / "silver.json").write_text(json.dumps(counts, indent=2))
            log.info("silver lines: %s", counts)
        folder = cache.folder(payload)
    return folder / "silver.spacy"
