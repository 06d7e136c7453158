"""German news articles in, tables of people, places and organisations out.

The library is the product; the ``entity-pipeline`` command sits on top of it::

    import pipeline
    summary = pipeline.run(["corpus"], out="outputs")      # same as `entity-pipeline run`
    tables = pipeline.read_tables("outputs")               # dict of pandas DataFrames
    mentions = list(pipeline.extract(["Tokajew bat Moskau um Hilfe."]))
    nlp = pipeline.load_model()                            # the embedded German NER model
    pipeline.prune("outputs")                              # same as `entity-pipeline prune`

Heavy dependencies (spaCy, pandas) are imported only when one of these is used.
"""

import logging

from .about import __version__

__all__ = ["__version__", "run", "extract", "read_tables", "load_model", "prune", "RunSummary"]

logging.getLogger(__name__).addHandler(logging.NullHandler())

# Public name -> (module, attribute), imported on first use. No module of the package is named
# like one of these names, or importing it would replace the attribute.
_LAZY = {
    "run": ("runner", "run"),
    "RunSummary": ("runner", "RunSummary"),
    "extract": ("analyse", "extract"),
    "read_tables": ("tables", "read_tables"),
    "load_model": ("model", "load_model"),
    "prune": ("pruning", "prune"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
