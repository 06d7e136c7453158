"""floret static vectors from unlabelled German text: the largest single gain in our probes.

Two cached steps: the text tokenized with spaCy's German tokenizer (one line per input line),
then floret on it (one thread: floret's multi-threaded training is not reproducible), converted
into a spaCy vectors folder.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from .cache import StepCache, step_payload

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


def text_lines(paths: list[Path]):
    """The non-empty lines of gzipped text files, stripped."""
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            yield from (line.strip() for line in handle if line.strip())


def tokenized_lines(paths: list[Path], workers: int):
    """Unlabelled text tokenized with spaCy's German tokenizer, one line per input line."""
    import spacy

    tokenizer_only = spacy.blank("de")
    for doc in tokenizer_only.pipe(text_lines(paths), batch_size=2000, n_process=workers):
        yield " ".join(token.text for token in doc if not token.is_space)


def vectors_text(data_dir: Path, cache: StepCache, workers: int) -> tuple[Path, str]:
    """The tokenized vectors text (cached); returns its path and the step's key."""
    payload = step_payload(
        "vectors-text", {"texts": list(VECTOR_TEXTS)},
        files={name: data_dir / name for name in VECTOR_TEXTS}, code=["training/vectors.py"],
    )
    folder = cache.reuse(payload)
    if folder is None:
        with cache.build(payload) as staging, (staging / "text.txt").open("w", encoding="utf-8") as out:
            for line in tokenized_lines([data_dir / name for name in VECTOR_TEXTS], workers):
                out.write(line + "\n")
        folder = cache.folder(payload)
    return folder / "text.txt", cache.folder(payload).name


def _import_floret():
    try:
        import floret
    except ImportError:
        raise ImportError(
            "training static vectors needs floret: pip install '.[train]' (or train --no-vectors)"
        ) from None
    return floret


def _train_floret(text: Path, settings: VectorSettings, out: Path) -> None:
    model = _import_floret().train_unsupervised(
        str(text), model="cbow", mode="floret", hashCount=settings.hash_count,
        bucket=settings.bucket, minn=settings.minn, maxn=settings.maxn, dim=settings.dim,
        epoch=settings.epochs, minCount=settings.min_count, thread=1,
    )
    model.save_floret_vectors(str(out))


def train_vectors(data_dir: Path, cache: StepCache, settings: VectorSettings, workers: int = 2) -> Path:
    """floret vectors from the encyclopedic texts, as a spaCy vectors folder (both steps cached)."""
    _import_floret()  # before the long tokenizing step, not after it
    text, text_key = vectors_text(data_dir, cache, workers)
    payload = step_payload("vectors", asdict(settings), code=["training/vectors.py"], upstream=[text_key])
    folder = cache.reuse(payload)
    if folder is None:
        with cache.build(payload) as staging:
            _train_floret(text, settings, staging / "vectors.floret")
            subprocess.run(
                [sys.executable, "-m", "spacy", "init", "vectors", "de", str(staging / "vectors.floret"),
                 str(staging / "spacy"), "--mode", "floret"],
                check=True, capture_output=True,
            )
        folder = cache.folder(payload)
    return folder / "spacy"
