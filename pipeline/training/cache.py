"""Step caches keyed by a hash of what a step's output depends on (weasel's idea).

A slow step (converted corpora, vectors text, floret, teachers, silver data, pretrained
weights) writes its output into ``WORK/<step>-<key>/``, where the key is a SHA-256 over the step's
settings, the checksums of its input files, the checksums of the code that computes it, the
library versions (and, for steps that train or tag, the processor's numeric kernels), and the
keys of the steps it builds on. A rerun with the same key reuses the folder; any change of text,
data, settings or code gives a new key and a new folder, so a cache can never be stale. Keys hash
the *inputs*, never the outputs: spaCy's DocBin bytes differ between processes (it serialises a
Python set of strings), so the same corpora would look new.

A folder counts as done only once ``key.json`` (the hashed payload, for humans) is in it; a step
builds into a temporary folder that is renamed at the end, so a killed run leaves no half step.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import shutil
import time
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

log = logging.getLogger(__name__)

CODE_DIR = Path(__file__).resolve().parent.parent  # the pipeline package
LIBRARIES = ("spacy", "thinc", "numpy", "blis", "floret")  # blis: thinc's matrix products
_CHUNK = 1 << 20


def file_checksum(path: Path) -> str:
    """SHA-256 of a file's bytes, or of a folder's sorted relative paths and file checksums."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(f"{child.relative_to(path).as_posix()}\0{file_checksum(child)}\0".encode())
        return digest.hexdigest()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        with contextlib.suppress(PackageNotFoundError):
            versions[name] = version(name)
    return versions


def machine() -> dict:
    """Where the steps ran: the processor, and the code paths numpy and its BLAS chose on it."""
    return {"processor": _processor_name(), "cores": os.cpu_count(),
            "python": platform.python_version(), "libraries": _library_versions(),
            "kernels": numeric_kernels()}


def numeric_kernels() -> dict:
    """The SIMD loops numpy dispatches to and the kernels its BLAS picked, both chosen per
    processor at start-up. Training is deterministic for one choice but not across choices: on
    one AMD EPYC with the same inputs, numpy's AVX-512 loops (``X86_V4``) and OpenBLAS's
    ``SkylakeX`` kernels each gave another teacher than their AVX2 counterparts by step 500
    (2026-12-07; ``NPY_DISABLE_CPU_FEATURES``, ``OPENBLAS_CORETYPE``). Steps that train or tag
    key on this, so a work folder shared between processors never mixes their outputs."""
    from threadpoolctl import threadpool_info

    numpy_simd = _numpy_simd()  # imports numpy, which loads its BLAS for threadpoolctl to find
    blas = {info["internal_api"]: info.get("architecture") for info in threadpool_info()
            if info["user_api"] == "blas"}
    return {"numpy_simd": numpy_simd, "blas": blas}


def _numpy_simd() -> list[str]:
    try:
        from numpy._core import _multiarray_umath as umath  # numpy 2
    except ImportError:
        from numpy.core import _multiarray_umath as umath  # numpy 1
    return [target for target in umath.__cpu_dispatch__ if umath.__cpu_features__.get(target)]


def _processor_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def step_payload(
    step: str,
    settings: dict,
    files: dict[str, Path] | None = None,
    code: Iterable[str] = (),
    upstream: Iterable[str] = (),
    numeric: bool = False,
) -> dict:
    """What a step's key covers. ``files`` maps stable names (paths relative to the data folder)
    to the files read; ``code`` names files of the pipeline package (``training/vectors.py``);
    ``upstream`` holds the keys of the steps whose outputs it reads; ``numeric`` steps (training,
    tagging) also key on the processor's numeric kernels (``numeric_kernels``)."""
    payload = {
        "step": step,
        "settings": settings,
        "files": {name: file_checksum(path) for name, path in sorted((files or {}).items())},
        "code": {name: file_checksum(CODE_DIR / name) for name in sorted(code)},
        "upstream": list(upstream),
        "libraries": _library_versions(),
    }
    if numeric:
        payload["kernels"] = numeric_kernels()
    return payload


def payload_key(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class StepCache:
    """Folders of finished steps under a work folder, found by key, plus how long each took."""

    def __init__(self, work_dir: Path):
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.timings: dict[str, dict] = {}

    def folder(self, payload: dict) -> Path:
        return self.work_dir / f"{payload['step']}-{payload_key(payload)[:16]}"

    def done(self, payload: dict) -> Path | None:
        folder = self.folder(payload)
        return folder if (folder / "key.json").exists() else None

    def start(self, payload: dict) -> Path:
        """A fresh, empty staging folder for the step's output, this process's own (two runs
        sharing a work folder may build the same step at once)."""
        staging = self.folder(payload).with_name(f"{self.folder(payload).name}.partial-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        return staging

    def finish(self, payload: dict, staging: Path, seconds: float) -> Path:
        """Mark the staged output done and move it into place; if another process finished the
        same step first, its output (equal by key) is kept and this one dropped."""
        folder = self.folder(payload)
        (staging / "key.json").write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        if not self.done(payload):
            shutil.rmtree(folder, ignore_errors=True)  # an unfinished leftover
            try:
                staging.replace(folder)
            except OSError:  # another process renamed its folder in just before us
                pass
        shutil.rmtree(staging, ignore_errors=True)
        self.record(payload["step"], folder, seconds, reused=False)
        return folder

    @contextlib.contextmanager
    def build(self, payload: dict) -> Iterator[Path]:
        """A staging folder to write the step's output into; moved into place (and marked done)
        only when the block finishes without an error."""
        start = time.perf_counter()
        staging = self.start(payload)
        yield staging
        self.finish(payload, staging, time.perf_counter() - start)

    def record(self, step: str, folder: Path, seconds: float, reused: bool) -> None:
        name = step if step not in self.timings else f"{step}-{len(self.timings)}"
        self.timings[name] = {"folder": folder.name, "seconds": round(seconds, 1), "reused": reused}
        log.info("%s: %s in %.0f s (%s)", step, "reused" if reused else "built", seconds, folder)

    def reuse(self, payload: dict) -> Path | None:
        """The finished folder for this payload, recorded as reused; None if it must be built."""
        folder = self.done(payload)
        if folder is not None:
            self.record(payload["step"], folder, 0.0, reused=True)
        return folder
