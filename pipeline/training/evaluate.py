"""Scoring a model against gold NER the way users meet it: raw text through the pipeline's own
tokenizer, exact character-span match, precision/recall/F1 per label and micro-averaged.

Gold files are token-per-line (GermEval 2014 TSV: index, token, outer tag, inner tag; or
CoNLL-style ``token tag``), read by ``conll``, the reader training uses too. Each sentence is turned back into running text with conventional
spacing (no space before closing punctuation, none after opening brackets), so the model sees
text, not gold tokens, and its own tokenization errors count against it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .conll import bio_to_spans, read_gold_file
from .corpora import GERMEVAL_LABELS, LABELS

NO_SPACE_BEFORE = set(".,;:!?)]}%")
NO_SPACE_AFTER = set("([{„")

CharSpan = tuple[int, int, str]


def detokenize(words: list[str], token_spans: list[tuple[int, int, str]]) -> tuple[str, list[CharSpan]]:
    """Running text from tokens, with the gold token spans moved to character offsets."""
    text = ""
    offsets = []
    for i, word in enumerate(words):
        if i and not (word in NO_SPACE_BEFORE or words[i - 1] in NO_SPACE_AFTER):
            text += " "
        offsets.append((len(text), len(text) + len(word)))
        text += word
    return text, [(offsets[s][0], offsets[e - 1][1], label) for s, e, label in token_spans]


def read_gold(path: Path) -> Iterator[tuple[str, list[CharSpan]]]:
    """Sentences of a gold file (see ``conll``) as running text with gold character spans.
    Raises ``GoldFormatError`` for a file that is not UTF-8 NER gold."""
    for sentence in read_gold_file(path):
        yield detokenize(sentence.words, bio_to_spans(sentence.tags, GERMEVAL_LABELS))


@dataclass
class Scores:
    """Exact-match counts per label, with precision/recall/F1 derived from them."""

    true_positives: Counter = field(default_factory=Counter)
    predicted: Counter = field(default_factory=Counter)
    gold: Counter = field(default_factory=Counter)

    def add(self, gold_spans: set[CharSpan], predicted_spans: set[CharSpan]) -> None:
        for _, _, label in gold_spans:
            self.gold[label] += 1
        for span in predicted_spans:
            self.predicted[span[2]] += 1
            if span in gold_spans:
                self.true_positives[span[2]] += 1

    @staticmethod
    def _prf(tp: int, predicted: int, gold: int) -> dict[str, float | int]:
        precision = tp / predicted if predicted else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1, "support": gold}

    def table(self, labels: tuple[str, ...]) -> dict[str, dict[str, float | int]]:
        """Per-label rows and a ``micro`` row over the given labels."""
        rows = {
            label: self._prf(self.true_positives[label], self.predicted[label], self.gold[label])
            for label in labels
        }
        rows["micro"] = self._prf(
            sum(self.true_positives[l] for l in labels),
            sum(self.predicted[l] for l in labels),
            sum(self.gold[l] for l in labels),
        )
        return rows


def evaluate(gold_path: Path, model: str | None = None, batch_size: int = 256) -> dict:
    """Score ``model`` (default: the embedded one) on a gold file; PER/LOC/ORG only."""
    from ..model import load_model

    sentences = list(read_gold(Path(gold_path)))  # a bad file fails before the model loads
    nlp = load_model(model)
    scores = Scores()
    texts = (text for text, _ in sentences)
    for (text, gold_spans), doc in zip(sentences, nlp.pipe(texts, batch_size=batch_size)):
        predicted = {(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in LABELS}
        scores.add(set(gold_spans), predicted)
    return {
        "gold": str(gold_path),
        "sentences": len(sentences),
        "scores": scores.table(LABELS),
    }
