"""The open German gold NER corpora the recipe trains on, as PER/LOC/ORG token spans.

Each reader yields sentences as ``Sentence(words, spans, source)`` with spans ``(start_word,
end_word, label)`` already mapped to the labels spaCy's German pipelines use: ``PER``, ``LOC``,
``ORG``. Types a corpus does not share with GermEval's PER/LOC/ORG (OTH, derivations like
"deutsche", parts like "Troia-Ausstellung", routes, dates) map to nothing, which matches how the
benchmark is scored. ``source`` names the document a sentence comes from (GermEval: its URL), so
the selection set can be held out by document. Readers for corpora the recipe does not use were
removed; MODEL_CARD.md records what they scored.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from .cache import StepCache, step_payload
from .conll import Span, bio_to_spans, read_gold_file

LABELS = ("PER", "LOC", "ORG")
GERMEVAL_LABELS = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}
DFKI_LABELS = {  # SmartData's type system
    "person": "PER",
    "location": "LOC",
    "location-city": "LOC",
    "location-stop": "LOC",
    "location-street": "LOC",
    "organization": "ORG",
    "organization-company": "ORG",
}


class Sentence(NamedTuple):
    words: list[str]
    spans: list[Span]
    source: str = ""


def clean_sentence(sentence: Sentence) -> Sentence | None:
    """Drop whitespace-only tokens and squeeze inner whitespace (spaCy's E024 otherwise)."""
    words, spans, source = sentence
    keep = [i for i, word in enumerate(words) if word.strip()]
    if not keep:
        return None
    new_index = {old: new for new, old in enumerate(keep)}
    cleaned_spans = []
    for start, end, label in spans:
        inside = [new_index[i] for i in range(start, end) if i in new_index]
        if inside:
            cleaned_spans.append((inside[0], inside[-1] + 1, label))
    return Sentence(["".join(words[i].split()) for i in keep], cleaned_spans, source)


def read_conll_corpus(path: Path) -> Iterator[Sentence]:
    """GermEval 2014 TSV (outer tags) or UNER IOB2, through the reader ``evaluate`` uses too."""
    for sentence in read_gold_file(path):
        yield Sentence(sentence.words, bio_to_spans(sentence.tags, GERMEVAL_LABELS), sentence.source)


def _smartdata_spans(doc, mentions: list[Span]) -> list[Span]:
    """Character mentions to token spans; overlapping mentions keep the longest."""
    spans: list[Span] = []
    taken: set[int] = set()
    for start, end, label in sorted(mentions, key=lambda m: m[0] - m[1]):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        indices = set(range(span.start, span.end))
        if not indices & taken:
            taken |= indices
            spans.append((span.start, span.end, label))
    return sorted(spans)


def read_smartdata(path: Path, tokenizer) -> Iterator[Sentence]:
    """SmartData v1 JSON lines: raw text with character spans, tokenised here; ``source`` is
    the document id (the caller drops duplicate ids)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            mentions = [
                (m["span"]["start"], m["span"]["end"], DFKI_LABELS[m["type"]])
                for m in record["conceptMentions"]["array"] or []
                if m["type"] in DFKI_LABELS
            ]
            doc = tokenizer(record["text"]["string"])
            yield Sentence([t.text for t in doc], _smartdata_spans(doc, mentions), record["id"])


CONLL_CORPORA = {
    "germeval-test": "germeval2014/test.tsv",
    "uner-pud": "uner-german-pud/de_pud-ud-test.iob2",
}
SMARTDATA_FILES = (
    "smartdata-v1-heldout-filtered/v1-train.heldout-filtered.jsonl.gz",
    "smartdata-v1-heldout-filtered/v1-test.heldout-filtered.jsonl.gz",
)


def corpus_files(name: str) -> list[str]:
    """The data files (relative to the data folder) a corpus is read from: the cache key's inputs."""
    return list(SMARTDATA_FILES) if name == "smartdata" else [CONLL_CORPORA[name]]


def load_corpus(data_dir: Path, name: str, tokenizer) -> list[Sentence]:
    """All cleaned sentences of one corpus by its name in CONLL_CORPORA (or ``smartdata``)."""
    if name == "smartdata":
        seen: set[str] = set()
        raw = []
        for relative in SMARTDATA_FILES:
            for sentence in read_smartdata(data_dir / relative, tokenizer):
                if sentence.source not in seen:
                    seen.add(sentence.source)
                    raw.append(sentence)
    else:
        raw = list(read_conll_corpus(data_dir / CONLL_CORPORA[name]))
    return [s for s in map(clean_sentence, raw) if s is not None]


def split_by_source(
    sentences: list[Sentence], fraction: float, seed: int
) -> tuple[list[Sentence], list[Sentence]]:
    """Hold out whole source documents (seeded) until ``fraction`` of the sentences is reached,
    so no document has sentences on both sides of the split. Sentences keep their order."""
    sources = sorted({s.source for s in sentences})
    random.Random(seed).shuffle(sources)
    sizes = {source: 0 for source in sources}
    for sentence in sentences:
        sizes[sentence.source] += 1
    held: set[str] = set()
    target, taken = fraction * len(sentences), 0
    for source in sources:
        if taken >= target:
            break
        held.add(source)
        taken += sizes[source]
    train = [s for s in sentences if s.source not in held]
    select = [s for s in sentences if s.source in held]
    return train, select


def to_docbin(sentences: Iterable[Sentence], vocab):
    """A DocBin of gold docs; spaces between all words, as in the corpora's token lists."""
    from spacy.tokens import Doc, DocBin, Span as SpacySpan

    docbin = DocBin(store_user_data=False)
    for words, spans, _ in sentences:
        doc = Doc(vocab, words=words)
        doc.ents = [SpacySpan(doc, start, end, label=label) for start, end, label in spans]
        docbin.add(doc)
    return docbin


def write_gold_tsv(sentences: Iterable[Sentence], path: Path) -> None:
    """Sentences in GermEval's TSV layout (source in the comment line), so ``evaluate`` scores
    the selection set exactly like the benchmark."""
    with path.open("w", encoding="utf-8") as out:
        for words, spans, source in sentences:
            tags = ["O"] * len(words)
            for start, end, label in spans:
                tags[start:end] = [f"B-{label}"] + [f"I-{label}"] * (end - start - 1)
            out.write(f"#\t{source or 'selection'}\n")
            out.writelines(f"{i}\t{w}\t{t}\tO\n" for i, (w, t) in enumerate(zip(words, tags), 1))
            out.write("\n")


# corpus name -> how many copies go into the training set. Modern news-like corpora only: on the
# selection set, traffic tweets (MobIE), historic OCR newspapers (HIPE-2022) and Zurich
# parliament minutes added nothing or less (see MODEL_CARD.md), and in-domain GermEval counts 4x.
TRAINING_MIX = {
    "germeval-test": 4,
    "smartdata": 1,
    "uner-pud": 1,
}
SELECTION_CORPUS = "germeval-test"
SELECTION_FRACTION = 0.15


def prepare_corpora(data_dir: Path, cache: StepCache, seed: int = 0) -> Path:
    """The converted corpora (cached): train.spacy, select.spacy, select.tsv and counts.json.
    The selection set is whole source documents of GermEval 2014 *test*; GermEval dev is the
    benchmark and is never read here."""
    payload = step_payload(
        "corpora",
        {"mix": TRAINING_MIX, "selection": [SELECTION_CORPUS, SELECTION_FRACTION], "seed": seed},
        files={name: data_dir / name for corpus in TRAINING_MIX for name in corpus_files(corpus)},
        code=["training/conll.py", "training/corpora.py"],
    )
    folder = cache.reuse(payload)
    if folder is None:
        with cache.build(payload) as staging:
            _write_corpora(data_dir, staging, seed)
        folder = cache.folder(payload)
    return folder


def _write_corpora(data_dir: Path, out: Path, seed: int) -> None:
    import spacy

    nlp = spacy.blank("de")
    train, select, counts = [], [], {}
    for name, copies in TRAINING_MIX.items():
        sentences = load_corpus(data_dir, name, nlp.tokenizer)
        counts[name] = len(sentences)
        if name == SELECTION_CORPUS:
            sentences, held_out = split_by_source(sentences, SELECTION_FRACTION, seed)
            select.extend(held_out)
        train.extend(sentences * copies)
    to_docbin(train, nlp.vocab).to_disk(out / "train.spacy")
    to_docbin(select, nlp.vocab).to_disk(out / "select.spacy")
    write_gold_tsv(select, out / "select.tsv")
    counts["train_sentences"] = len(train)
    counts["select_sentences"] = len(select)
    counts["select_sources"] = len({s.source for s in select})
    (out / "counts.json").write_text(json.dumps(counts, indent=2))
