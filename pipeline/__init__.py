"""German news articles in, tables of people, places and organisations out.

The library is the product; the ``entity-pipeline`` command sits on top of it::

    import pipeline
    summary = pipeline.run(["corpus"], out="outputs")      # same as `entity-pipeline run`
    tables = pipeline.read_tables("outputs")               # dict of pandas DataFrames
    mentions = list(pipeline.extract(["Tokajew bat Moskau um Hilfe."]))
    nlp = pipeline.load_model()                            # the embedded German NER model

Heavy dependencies (spaCy, pandas) are imported only when one of these is used.
"""

import logging

from .about import __version__
__all__ = ["__version__", "run", "extract", "read_tables", "load_model", "RunSummary"]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def extract(records, model=None, normalize=True, batch_size=16):
    """Yield plain mention records (doc_id, mention, sentence, start_char, end_char, text,
    label, entity_id, name, compound) for articles given as dicts with ``id``/``doc_id`` and
    ``text``, or as plain strings (numbered from 0)."""
    from .batch import extract as extract_mentions

    return extract_mentions(records, model=model, normalize=normalize, batch_size=batch_size)


_LAZY = {
    "run": ("batch", "run"),
    "RunSummary": ("batch", "RunSummary"),
    "read_tables": ("tables", "read_tables"),
    "load_model": ("model", "load_model"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
