"""Finding and loading the spaCy pipeline that does the NER.

The default is the German NER model shipped inside this package, so a fresh, offline machine
has German NER without downloading anything. spaCy's official German pipelines (and any model
directory) load by name or path instead; they are not on PyPI, hence the install hint.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

EMBEDDED_MODEL_PATH = Path(__file__).parent / "models" / "de_news_ner"
EMBEDDED_MODEL_NAME = "embedded"
# Components that set sentence boundaries: tables count sentences, so a model needs one.
SENTENCE_SETTERS = ("parser", "senter", "sentencizer")


# spaCy's German pipelines (not on PyPI): the only names the install hint gives a release URL for.
SPACY_GERMAN_PIPELINES = ("de_core_news_sm", "de_core_news_md", "de_core_news_lg",
                          "de_dep_news_trf")
# The files spaCy needs in a model folder (``nlp.to_disk`` and ``spacy package`` write them).
MODEL_FOLDER_FILES = ("config.cfg", "meta.json")


class ModelNotFoundError(LookupError):
    """A --model value that is not a usable spaCy pipeline: neither an installed package nor a
    model folder, a folder that is no model, or a model that does not load or has no NER."""


def install_hint(name: str) -> str:
    """Why ``name`` is no model, and how to get one: for spaCy's German pipelines, the release
    URL (pip cannot find them by name); for any other name, no invented URL."""
    problem = f"spaCy model '{name}' is not installed and is not a model folder."
    default = "Leave out --model to use the embedded German model, the default."
    if name not in SPACY_GERMAN_PIPELINES:
        return (f"{problem} Give an installed spaCy pipeline (such as "
                f"{', '.join(SPACY_GERMAN_PIPELINES)}) or the path of a model folder. {default}")
    return (
        f"{problem} spaCy's German pipelines are not on PyPI: install one from its release page, "
        "e.g. pip install https://github.com/explosion/spacy-models/releases/download/"
        f"{name}-3.8.0/{name}-3.8.0-py3-none-any.whl "
        "(never `pip install` such a name from the package index: look-alike packages there "
        f"are not Explosion's). {default}"
    )


def check_model(name: str | None) -> None:
    """Raise ``ModelNotFoundError`` when ``name`` cannot be a model, without loading it: a run
    checks this before it creates its output folder or starts worker processes."""
    if name in (None, EMBEDDED_MODEL_NAME):
        return
    path = Path(name)
    if path.is_dir():
        missing = [file for file in MODEL_FOLDER_FILES if not (path / file).is_file()]
        if missing:
            raise ModelNotFoundError(
                f"folder '{name}' is not a spaCy model: it has no {' or '.join(missing)}. Give "
                "a model folder (as spaCy's nlp.to_disk writes it) or an installed pipeline.")
    elif path.exists():
        raise ModelNotFoundError(f"'{name}' is a file, not a spaCy model folder or package name")
    elif not _is_installed_package(name):
        raise ModelNotFoundError(install_hint(name))


def _is_installed_package(name: str) -> bool:
    """Whether an importable top-level package ``name`` exists (found, not imported)."""
    import importlib.util

    try:
        return name.isidentifier() and importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def describe_model(name: str | None) -> str:
    """A stable identity for a model choice (for manifests, logs and tables)."""
    if name in (None, EMBEDDED_MODEL_NAME):
        return EMBEDDED_MODEL_NAME
    return str(Path(name).resolve()) if Path(name).exists() else name


def model_fingerprint(model: str | None) -> str:
    """A hash that changes when the model's files (or spaCy and its lookup tables) change."""
    description = describe_model(model)
    digest = hashlib.sha256(description.encode())
    for package in ("spacy", "spacy-lookups-data"):
        digest.update(f"{package}={installed_version(package)};".encode())
    path = EMBEDDED_MODEL_PATH if description == EMBEDDED_MODEL_NAME else Path(description)
    if path.is_dir():
        digest.update(_directory_hash(path).encode())
    else:
        digest.update(f"package={installed_version(description)}".encode())
    return digest.hexdigest()


def installed_version(package: str) -> str:
    import importlib.metadata  # not at the top: --help stays instant

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


_DIRECTORY_HASHES: dict[tuple, str] = {}


def _directory_hash(path: Path) -> str:
    """A hash of every file in ``path``, computed again only when a file's size or time changes."""
    files = sorted(p for p in path.rglob("*") if p.is_file())
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    if stamp not in _DIRECTORY_HASHES:
        digest = hashlib.sha256()
        for file in files:
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
            with open(file, "rb") as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
        _DIRECTORY_HASHES[stamp] = digest.hexdigest()
    return _DIRECTORY_HASHES[stamp]


def load_model(name: str | None = None, lemmas: bool = True) -> Language:
    """Return the spaCy ``Language`` the pipeline uses, loaded once per process.

    ``name`` is None or ``"embedded"`` for the embedded model, an installed spaCy package name
    (``de_core_news_sm``, ``_md``, ``_lg``), or a path to a model directory. ``lemmas=False``
    leaves out the lemma table a model without a lemmatizer would get (0.75 s and 120 MB per
    process), for callers that never read lemmas.
    """
    return _load_model(describe_model(name), lemmas)


@functools.lru_cache(maxsize=4)
def _load_model(name: str, lemmas: bool) -> Language:
    """Cached by the model's identity, so "embedded", None and a path's spellings load once."""
    import spacy

    from . import knowledge  # noqa: F401  (registers the embedded model's knowledge layers)

    check_model(name)
    try:
        nlp = spacy.load(EMBEDDED_MODEL_PATH if name == EMBEDDED_MODEL_NAME else name)
    except Exception as error:  # noqa: BLE001 - a broken model is a usage error, one line
        reason = (str(error).strip().splitlines() or [""])[0]
        raise ModelNotFoundError(f"spaCy could not load the model '{name}' "
                                 f"({type(error).__name__}: {reason})") from None
    _widen_vectors(nlp)
    if not any("doc.ents" in nlp.get_pipe_meta(pipe).assigns for pipe in nlp.pipe_names):
        raise ModelNotFoundError(f"model '{name}' has no NER component (pipes: {nlp.pipe_names})")
    _ensure_sentences(nlp)
    if lemmas:
        _ensure_lemmas(nlp)
    log.debug("loaded model %s with pipes %s", describe_model(name), nlp.pipe_names)
    return nlp


def _widen_vectors(nlp: Language) -> None:
    """The embedded model stores its floret table in float16 to stay small; spaCy computes
    in float32."""
    vectors = nlp.vocab.vectors
    if vectors.size and vectors.data.dtype != "float32":
        vectors.data = vectors.data.astype("float32")


def _ensure_sentences(nlp: Language) -> None:
    """Tables count sentences; a model without parser or senter gets the rule-based splitter."""
    if not any(pipe in nlp.pipe_names for pipe in SENTENCE_SETTERS):
        nlp.add_pipe("sentencizer", first=True)


def _ensure_lemmas(nlp: Language) -> None:
    """The tokens table has lemmas; models without a lemmatizer get spaCy's German lookup table."""
    if "lemmatizer" in nlp.pipe_names:
        return
    try:
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lemmatizer.initialize()
    except (ValueError, OSError, ImportError) as error:  # lookup data missing: lemmas stay empty
        if "lemmatizer" in nlp.pipe_names:
            nlp.remove_pipe("lemmatizer")
        log.warning("no German lemma table available (%s); lemmas are left empty", error)
