"""One ``spacy train`` run with the packaged config, and teacher runs cached by their inputs.

spaCy's CPU training is deterministic for a fixed seed and one thread (``OMP_NUM_THREADS=1``),
so a teacher's key (training data, selection data, vectors, config, seed, steps) names its
output exactly, and a finished teacher is reused.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from .cache import StepCache, step_payload

log = logging.getLogger(__name__)

CONFIG_PATH = Path(__file__).parent / "ner.cfg"
FIT_CODE = ["training/fit.py", "training/ner.cfg", "knowledge.py"]


@dataclass(frozen=True)
class FitInputs:
    """What a training run reads: its data, selection set, vectors, knowledge lists and
    pretrained tok2vec weights."""

    train: Path
    select: Path
    vectors: Path | None = None
    knowledge: Path | None = None
    init_tok2vec: Path | None = None


def run_spacy_train(inputs: FitInputs, run_dir: Path, seed: int, max_steps: int | None) -> Path:
    """``spacy train`` on CPU; returns the checkpoint that scored best on the selection set."""
    from spacy.cli.train import train as spacy_train

    overrides = {
        "paths.train": str(inputs.train),
        "paths.dev": str(inputs.select),
        "paths.vectors": str(inputs.vectors) if inputs.vectors else None,
        "paths.knowledge": str(inputs.knowledge) if inputs.knowledge else None,
        "system.seed": seed,
    }
    if inputs.vectors is None:
        overrides["components.tok2vec.model.embed.include_static_vectors"] = False
    if inputs.init_tok2vec is not None:
        overrides["paths.init_tok2vec"] = str(inputs.init_tok2vec)
    if max_steps:
        overrides["training.max_steps"] = max_steps
    spacy_train(CONFIG_PATH, run_dir, overrides=overrides, use_gpu=-1)
    return run_dir / "model-best"


def _fit_logged(inputs: FitInputs, max_steps: int | None, run_dir: Path, seed: int) -> Path:
    """One run in its own process, with spaCy's console output in a log beside it."""
    with (run_dir.parent / "train.log").open("w", encoding="utf-8") as log_file:
        with contextlib.redirect_stdout(log_file), contextlib.redirect_stderr(log_file):
            return run_spacy_train(inputs, run_dir, seed, max_steps)


def teacher_payload(inputs: FitInputs, upstream: list[str], seed: int, max_steps: int | None) -> dict:
    settings = {"seed": seed, "max_steps": max_steps}
    settings.update({name: getattr(inputs, name) is not None for name in ("vectors", "knowledge", "init_tok2vec")})
    return step_payload("teacher", settings, code=FIT_CODE, upstream=upstream, numeric=True)


def train_teachers(
    cache: StepCache, inputs: FitInputs, upstream: list[str], seeds: list[int],
    max_steps: int | None, workers: int,
) -> dict[str, Path]:
    """Teachers' best checkpoints ({step key folder: model}), trained side by side; ``upstream``
    holds the keys of the steps that made ``inputs``. Finished teachers are reused."""
    from .silver import processes

    payloads = {seed: teacher_payload(inputs, upstream, seed, max_steps) for seed in seeds}
    todo = [seed for seed, payload in payloads.items() if cache.reuse(payload) is None]
    if todo:
        log.info("training teachers (seeds %s), %d at a time", todo, workers)
        start = time.perf_counter()
        staging = [cache.start(payloads[seed]) for seed in todo]
        with processes(workers) as pool:
            fit = functools.partial(_fit_logged, inputs, max_steps)
            list(pool.map(fit, [folder / "run" for folder in staging], todo))
        for seed, folder in zip(todo, staging):
            cache.finish(payloads[seed], folder, time.perf_counter() - start)
    return {cache.folder(p).name: cache.folder(p) / "run" / "model-best" for p in payloads.values()}
