"""``spacy pretrain``: the tok2vec learns to guess masked words' first and last characters on
unlabelled encyclopedic text before it sees any gold, and ``spacy train`` starts from it.

``ner.cfg`` has a filled ``[pretraining]`` section: spaCy loads ``paths.init_tok2vec`` only
then (an empty section makes it ignore the weights silently, as an earlier session found). The
knowledge features are all zero here (no pipeline component runs during pretraining), so the
weights fit the same architecture. One pass over all 17 M words takes about an hour on an idle
core; the recipe reads the first 300,000 lines (about 6.5 M words).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from .cache import StepCache, step_payload
from .fit import CONFIG_PATH
from .vectors import VECTOR_TEXTS, text_lines


@dataclass(frozen=True)
class PretrainSettings:
    """How much text one pretraining pass reads (lines of the encyclopedic files, in order)."""

    max_lines: int = 300000  # ~6.5 M of the 17 M words: about 25 minutes on an idle core; 0: all
    epochs: int = 1


def _write_jsonl(data_dir: Path, settings: PretrainSettings, out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for line in text_lines([data_dir / name for name in VECTOR_TEXTS]):
            handle.write(json.dumps({"text": line}, ensure_ascii=False) + "\n")
            count += 1
            if count == settings.max_lines:
                break
    return count


def pretrain_tok2vec(
    data_dir: Path, cache: StepCache, vectors: Path | None, settings: PretrainSettings, upstream: list[str]
) -> Path:
    """The pretrained tok2vec weights (cached); ``upstream`` holds the vectors step's key."""
    payload = step_payload(
        "pretrain", asdict(settings), files={name: data_dir / name for name in VECTOR_TEXTS},
        code=["training/pretrain.py", "training/ner.cfg", "knowledge.py"], upstream=upstream,
        numeric=True,
    )
    folder = cache.reuse(payload)
    if folder is None:
        with cache.build(payload) as staging:
            _write_jsonl(data_dir, settings, staging / "text.jsonl")
            command = [
                sys.executable, "-m", "spacy", "pretrain", str(CONFIG_PATH), str(staging / "weights"),
                "--paths.raw_text", str(staging / "text.jsonl"),
                "--paths.vectors", str(vectors) if vectors else "null",
                "--pretraining.max_epochs", str(settings.epochs),
            ]
            if vectors is None:
                command += ["--components.tok2vec.model.embed.include_static_vectors", "false"]
            with (staging / "pretrain.log").open("w") as log_file:
                subprocess.run(command, check=True, stdout=log_file, stderr=subprocess.STDOUT)
            (staging / "text.jsonl").unlink()
        folder = cache.folder(payload)
    return folder / "weights" / "model-last.bin"
