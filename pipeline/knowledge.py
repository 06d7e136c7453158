"""Knowledge as token features: name lists matched on the text and fed to the model's tok2vec.

World knowledge decides many NER labels ("General Motors" ORG, "Uta Hagen" PER, "Essen" LOC),
but a model trained on ~25,000 sentences has seen few of those names. So the embedded model gets
name lists as *features*, not as overrides: the ``entity_pipeline_knowledge`` component marks,
for every token, whether it begins (B) or continues (I) a listed phrase of each category, and
whether it is a German common noun; the ``entity_pipeline.KnowledgeEmbed.v1`` tok2vec layer
feeds those marks into the same mixing layer as the word embeddings, so training decides how far
to trust each list.

The lists live inside the model folder (``knowledge/lists.npz``): phrases are stored only as
32-bit hashes of their lowercased spaCy tokens, with a bit mask of categories, which keeps
200,000 phrases near 1 MB. MODEL_CARD.md says which lists went in and under which licenses;
``pipeline/training/gazetteers.py`` builds them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Ragged

# Phrase categories, each one bit of a list entry's value and two features (B, I) per token.
CATEGORIES = ("PER", "LOC", "ORG", "PLACE", "GIVEN", "SURNAME", "ORGWORD")
KNOWN_ENTITIES = ("PER", "LOC", "ORG")  # entity strings of the training data: dropped out in training
NOUN_BIT = 1 << len(CATEGORIES)  # token is a German common noun (one feature)
N_FEATURES = 2 * len(CATEGORIES) + 1
MAX_WORDS = 6  # longest phrase matched, in tokens
_PRIME = np.uint64(1099511628211)
EXTENSION = "knowledge_features"

if not Doc.has_extension(EXTENSION):
    Doc.set_extension(EXTENSION, default=None)


def phrase_hashes(lowers: np.ndarray, length: int) -> np.ndarray:
    """32-bit hashes of every run of ``length`` tokens, from the tokens' 64-bit LOWER hashes."""
    lowers = lowers.astype(np.uint64, copy=False)
    count = len(lowers) - length + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint32)
    combined = np.full(count, length, dtype=np.uint64)
    for offset in range(length):
        combined = combined * _PRIME + lowers[offset : offset + count]
    return (combined >> np.uint64(32)).astype(np.uint32)


class Gazetteer:
    """Sorted phrase hashes and their category bits; turns a Doc into a feature matrix."""

    def __init__(self, keys: np.ndarray | None = None, values: np.ndarray | None = None):
        self.keys = np.zeros(0, np.uint32) if keys is None else keys.astype(np.uint32)
        self.values = np.zeros(0, np.uint16) if values is None else values.astype(np.uint16)
        # A bit per possible top 24 bits of a key (2 MB, built on load): most text hashes are
        # not listed, and this rules them out before the slower binary search.
        self.filter = np.zeros(1 << 21, np.uint8)
        top = self.keys >> np.uint32(8)
        np.bitwise_or.at(self.filter, top >> 3, (1 << (top & 7)).astype(np.uint8))

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def from_entries(cls, entries: dict[tuple[int, ...], int]) -> Gazetteer:
        """From {tuple of 64-bit LOWER hashes: category bits}; colliding hashes share bits."""
        merged: dict[int, int] = {}
        for tokens, bits in entries.items():
            if 0 < len(tokens) <= MAX_WORDS:
                [key] = phrase_hashes(np.array(tokens, dtype=np.uint64), len(tokens))
                merged[int(key)] = merged.get(int(key), 0) | bits
        keys = np.array(sorted(merged), dtype=np.uint32)
        return cls(keys, np.array([merged[int(k)] for k in keys], dtype=np.uint16))

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Category bits of each hash (0 when not listed)."""
        bits = np.zeros(len(hashes), np.uint16)
        if not len(self.keys) or not len(hashes):
            return bits
        top = hashes >> np.uint32(8)
        maybe = np.flatnonzero((self.filter[top >> 3] >> (top & 7).astype(np.uint8)) & 1)
        index = np.minimum(np.searchsorted(self.keys, hashes[maybe]), len(self.keys) - 1)
        bits[maybe] = np.where(self.keys[index] == hashes[maybe], self.values[index], 0)
        return bits

    def features(self, doc: Doc) -> np.ndarray:
        """(tokens, N_FEATURES) float32: per category B/I of the longest listed phrase over each
        token, then the common-noun mark of the token itself."""
        out = np.zeros((len(doc), N_FEATURES), dtype=np.float32)
        if not len(doc) or not len(self.keys):
            return out
        lowers = doc.to_array(LOWER)
        covered = np.zeros((len(doc), len(CATEGORIES)), dtype=bool)
        for length in range(min(MAX_WORDS, len(doc)), 1, -1):  # phrases: few hits, longest first
            bits = self.lookup(phrase_hashes(lowers, length))
            for start in np.flatnonzero(bits & (NOUN_BIT - 1)):
                for category in range(len(CATEGORIES)):
                    if bits[start] >> category & 1 and not covered[start : start + length, category].any():
                        covered[start : start + length, category] = True
                        out[start, 2 * category] = 1.0
                        out[start + 1 : start + length, 2 * category + 1] = 1.0
        bits = self.lookup(phrase_hashes(lowers, 1))  # single words, all at once
        for category in range(len(CATEGORIES)):
            out[:, 2 * category] += (bits >> category & 1).astype(bool) & ~covered[:, category]
        out[:, -1] = (bits & NOUN_BIT) > 0
        return out

    def to_bytes(self) -> bytes:
        import io

        buffer = io.BytesIO()
        np.savez_compressed(buffer, keys=self.keys, values=self.values)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Gazetteer:
        import io

        arrays = np.load(io.BytesIO(data))
        return cls(arrays["keys"], arrays["values"])


class KnowledgeComponent:
    """Pipeline component: stores each doc's knowledge features in ``doc._.knowledge_features``."""

    FILE = "lists.npz"

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.gazetteer = Gazetteer()

    def __call__(self, doc: Doc) -> Doc:
        doc._.set(EXTENSION, self.gazetteer.features(doc))
        return doc

    def initialize(self, get_examples=None, *, nlp=None, path: str | None = None) -> None:
        """Training: load the lists the recipe built (``[initialize.components.knowledge]``)."""
        self.gazetteer = Gazetteer.from_bytes(Path(path).read_bytes()) if path else Gazetteer()

    def to_bytes(self, *, exclude=()) -> bytes:
        return self.gazetteer.to_bytes()

    def from_bytes(self, data: bytes, *, exclude=()) -> KnowledgeComponent:
        self.gazetteer = Gazetteer.from_bytes(data)
        return self

    def to_disk(self, path, *, exclude=()) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / self.FILE).write_bytes(self.to_bytes())

    def from_disk(self, path, *, exclude=()) -> KnowledgeComponent:
        return self.from_bytes((Path(path) / self.FILE).read_bytes())


@Language.factory(
    "entity_pipeline_knowledge",
    assigns=[f"doc._.{EXTENSION}"],
    default_config={},
)
def make_knowledge(nlp: Language, name: str) -> KnowledgeComponent:
    return KnowledgeComponent(nlp, name)


def knowledge_features(dropout: float) -> Model:
    """The stored features as a Ragged; in training, known-entity marks are dropped at random
    (they come from the training data itself, so the model must not learn to rely on them).

    The rate lives in the forward closure, not in ``attrs``: ``init_tok2vec`` loads pretrained
    weights with thinc's ``Model.from_dict``, which restores every layer's saved ``attrs`` and so
    would silently replace the configured rate with the one the weights were pretrained with."""

    def forward(model: Model, docs: list[Doc], is_train: bool):
        data = _stored_features(docs)
        if is_train and dropout and len(data):
            known = 2 * len(KNOWN_ENTITIES)
            data[:, :known] *= np.random.random((len(data), known)) >= dropout
        lengths = model.ops.asarray1i([len(doc) for doc in docs])
        return Ragged(model.ops.asarray2f(data), lengths), lambda d_ragged: []

    return Model("knowledge_features", forward, dims={"nO": N_FEATURES})


def _stored_features(docs: list[Doc]) -> np.ndarray:
    """A fresh array of the component's per-token features (zeros for a doc it has not seen)."""
    arrays = []
    for doc in docs:
        features = doc._.get(EXTENSION)
        arrays.append(np.zeros((len(doc), N_FEATURES), np.float32) if features is None else features)
    return np.concatenate(arrays) if arrays else np.zeros((0, N_FEATURES), np.float32)


@registry.architectures("entity_pipeline.KnowledgeEmbed.v1")
def knowledge_embed(
    width: int, attrs: list[str], rows: list[int], include_static_vectors: bool,
    knowledge_dropout: float = 0.5,
) -> Model:
    """spaCy's MultiHashEmbed.v2 with the knowledge features as one more input of its Maxout."""
    from spacy.ml.featureextractor import FeatureExtractor
    from spacy.ml.staticvectors import StaticVectors
    from thinc.api import HashEmbed

    if len(rows) != len(attrs):
        raise ValueError(f"Mismatched lengths: {len(rows)} vs {len(attrs)}")
    embeddings = [HashEmbed(width, rows[i], column=i, seed=8 + i, dropout=0.0) for i in range(len(attrs))]
    branches = [chain(FeatureExtractor(attrs), list2ragged(), with_array(concatenate(*embeddings)))]
    if include_static_vectors:
        branches.append(StaticVectors(width, dropout=0.0))
    branches.append(knowledge_features(knowledge_dropout))
    concat_size = width * (len(attrs) + include_static_vectors) + N_FEATURES
    mix = with_array(Maxout(width, concat_size, nP=3, dropout=0.0, normalize=True))
    return chain(concatenate(*branches), mix, ragged2list())
