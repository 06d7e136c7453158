"""Training the embedded German NER model from the open gold corpora, reproducibly on a CPU.

The recipe, each slow step cached in the work folder by a key over its inputs (``cache``):
1. convert the gold corpora into a training set and a held-out selection set (whole source
   documents of GermEval 2014 *test*; GermEval dev is the benchmark and is never read here);
2. train floret static vectors on unlabelled German text (``vectors``) and build the knowledge
   lists (``gazetteers``);
3. self-training (``silver``): teacher models (same recipe, different seeds, trained side by
   side) tag random Wikipedia lines, and the lines on which all teachers find exactly the same
   entities (at least one) become silver training data;
4. the student: ``spacy train`` with ``ner.cfg`` on gold plus silver, with knowledge lists that
   add the silver entity strings and, optionally, a tok2vec pretrained on unlabelled text
   (``pretrain``), selecting the checkpoint on the selection set; the best model is written
   with its meta into the output folder.
``WORK/last-run.json`` records the machine (processor, library versions, numeric kernels) and
each step's folder and seconds; ``WORK/select.tsv`` points at the selection set, so
``entity-pipeline evaluate WORK/select.tsv --model OUT`` scores it.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import replace
from pathlib import Path

from ..about import __version__
from .cache import StepCache, machine, step_payload
from .corpora import prepare_corpora
from .fit import FitInputs, run_spacy_train, train_teachers
from .gazetteers import knowledge_lists
from .pretrain import PretrainSettings, pretrain_tok2vec
from .silver import SilverSettings, silver_data
from .vectors import VectorSettings, train_vectors

log = logging.getLogger(__name__)


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
    _sort_punctuation(staging / "sentencizer.json")
    _forget_paths(staging / "config.cfg")
    shutil.rmtree(out, ignore_errors=True)
    staging.replace(out)
    return out


def _sort_punctuation(settings_path: Path) -> None:
    """spaCy writes the sentencizer's punctuation set in hash order, which differs from one
    process to the next; sorted, the same training run gives the same bytes."""
    import srsly

    settings = srsly.read_json(settings_path)
    settings["punct_chars"] = sorted(settings["punct_chars"])
    srsly.write_json(settings_path, settings)


def _forget_paths(config_path: Path) -> None:
    """The shipped config names no file of the machine that trained it (loading reads none)."""
    from thinc.api import Config

    config = Config().from_disk(config_path, interpolate=False)
    config["paths"] = {name: None for name in config["paths"]}
    config.to_disk(config_path)


def _student_data(cache: StepCache, corpora: Path, silver: Path) -> Path:
    """The gold training set followed by the silver lines, as one DocBin (cached)."""
    from spacy.tokens import DocBin

    payload = step_payload("student-data", {}, code=["training/train.py"],
                           upstream=[corpora.name, silver.parent.name])
    folder = cache.reuse(payload)
    if folder is None:
        with cache.build(payload) as staging:
            combined = DocBin().from_disk(corpora / "train.spacy")
            combined.merge(DocBin().from_disk(silver))
            combined.to_disk(staging / "train.spacy")
        folder = cache.folder(payload)
    return folder / "train.spacy"


def _link_selection(work_dir: Path, corpora: Path) -> None:
    """WORK/select.tsv: a stable name for the current selection set."""
    link = work_dir / "select.tsv"
    link.unlink(missing_ok=True)
    link.symlink_to((corpora / "select.tsv").relative_to(work_dir))


def _gold_inputs(
    data_dir: Path, cache: StepCache, corpora: Path, vectors: bool, knowledge: bool, workers: int,
) -> tuple[FitInputs, list[str]]:
    """Step 2: vectors and knowledge lists; the teachers' inputs, with their step keys."""
    vectors_dir = train_vectors(data_dir, cache, VectorSettings(), workers) if vectors else None
    lists = knowledge_lists(cache, corpora) if knowledge else None
    upstream = [path.parent.name for path in (corpora / "train.spacy", vectors_dir, lists) if path]
    inputs = FitInputs(corpora / "train.spacy", corpora / "select.spacy", vectors_dir, lists)
    return inputs, upstream


def train(
    data_dir: Path,
    out: Path,
    work_dir: Path,
    seed: int = 0,
    vectors: bool = True,
    max_steps: int | None = None,
    workers: int = 2,
    silver: SilverSettings = SilverSettings(),
    knowledge: bool = True,
    pretrain: PretrainSettings | None = None,
    student_seed: int | None = None,
) -> Path:
    """The whole recipe (see the module docstring); returns the model folder. ``seed`` drives
    the selection split, the teachers (``seed``, ``seed + 1``, ...), the silver sample and, unless
    ``student_seed`` is given, the student's training run."""
    data_dir, work_dir = Path(data_dir).resolve(), Path(work_dir).resolve()
    cache = StepCache(work_dir)
    corpora = prepare_corpora(data_dir, cache, seed)
    _link_selection(work_dir, corpora)
    log.info("converted corpora: %s", json.loads((corpora / "counts.json").read_text()))
    gold, upstream = _gold_inputs(data_dir, cache, corpora, vectors, knowledge, workers)
    inputs = gold
    if silver.teachers:
        seeds = [seed + i for i in range(silver.teachers)]
        teachers = train_teachers(cache, gold, upstream, seeds, max_steps, workers)
        silver_path = silver_data(data_dir, cache, teachers, silver, seed, workers)
        train_path = _student_data(cache, corpora, silver_path)
        lists = knowledge_lists(cache, corpora, silver_path) if knowledge else None
        inputs = replace(gold, train=train_path, knowledge=lists)
    if pretrain is not None:  # the student's tok2vec starts from pretrained weights
        vectors_key = [gold.vectors.parent.name] if gold.vectors else []
        weights = pretrain_tok2vec(data_dir, cache, gold.vectors, pretrain, vectors_key)
        inputs = replace(inputs, init_tok2vec=weights)
    start = time.perf_counter()
    student_seed = seed if student_seed is None else student_seed
    best = run_spacy_train(inputs, out.with_name(out.name + ".run"), student_seed, max_steps)
    model = _finish(best, out)
    cache.record("student", out, time.perf_counter() - start, reused=False)
    run = {"machine": machine(), "steps": cache.timings}
    (work_dir / "last-run.json").write_text(json.dumps(run, indent=2) + "\n")
    return model
