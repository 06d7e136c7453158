"""Finding and loading the spaCy pipeline that does the NER.

The default is the German NER model shipped inside this package, so a fresh, offline machine
has German NER without downloading anything. spaCy's official German pipelines (and any model
directory) load by name or path instead; they are not on PyPI, hence the install hint.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

EMBEDDED_MODEL_PATH = Path(__file__).parent / "models" / "de_news_ner"
EMBEDDED_MODEL_NAME = "embedded"
OFFICIAL_MODELS = ("de_core_news_sm", "de_core_news_md", "de_core_news_lg", "de_dep_news_trf")


class ModelNotFoundError(LookupError):
    """A --model value that is neither an installed spaCy package nor a model directory."""


def install_hint(name: str) -> str:
    """Say how to install an official spaCy model, since pip cannot find it by name."""
    return (
        f"spaCy model '{name}' is not installed and is not a model directory. "
        "spaCy's German pipelines are not on PyPI: install one from its release page, e.g. "
        "pip install https://github.com/explosion/spacy-models/releases/download/"
        f"{name}-3.8.0/{name}-3.8.0-py3-none-any.whl "
        "(never `pip install` such a name from the package index: look-alike packages there "
        "are not Explosion's). Leave out --model to use the embedded German model, the default."
    )


def describe_model(name: str | None) -> str:
    """A stable identity for a model choice (for manifests, logs and tables)."""
    if name in (None, EMBEDDED_MODEL_NAME):
        return EMBEDDED_MODEL_NAME
    return str(Path(name).resolve()) if Path(name).exists() else name


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

    if name == EMBEDDED_MODEL_NAME:
        nlp = spacy.load(EMBEDDED_MODEL_PATH)
    elif Path(name).exists():
        nlp = spacy.load(Path(name))
    elif spacy.util.is_package(name):
        nlp = spacy.load(name)
    else:
        raise ModelNotFoundError(install_hint(name))
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
    if not any(pipe in nlp.pipe_names for pipe in ("parser", "senter", "sentencizer")):
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
