"""Training and scoring the embedded German NER model (``entity-pipeline train`` / ``evaluate``).

- ``conll``: the one reader of token-per-line gold files (GermEval 2014 TSV, CoNLL), for both;
- ``corpora``: the gold corpora the recipe trains on and the selection set held out by document;
- ``evaluate``: scoring a model on gold the way users meet it (raw text, exact spans);
- ``cache``: step caches keyed by a hash of each step's inputs, settings and code;
- ``vectors``, ``silver``, ``fit``: the recipe's steps; ``train``: the recipe itself;
- ``ner.cfg``: the spaCy training config.

Nothing here is imported by a run: a fresh install without the training extra runs fine.
"""
