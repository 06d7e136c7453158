"""Readers that turn the open German gold NER corpora into spaCy training docs.

Every corpus has its own format and tag set (see the README beside each one); each reader
yields sentences as ``(words, spans)`` with spans ``(start_word, end_word, label)`` already
mapped to the labels spaCy's German pipelines use: ``PER``, ``LOC``, ``ORG``. Types a corpus
does not share with GermEval's PER/LOC/ORG (OTH, derivations like "deutsche", parts like
"Troia-Ausstellung", routes, dates) map to nothing, which matches how the benchmark is scored.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

Span = tuple[int, int, str]
Sentence = tuple[list[str], list[Span]]

LABELS = ("PER", "LOC", "ORG")

GERMEVAL_LABELS = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}
DFKI_LABELS = {  # SmartData and MobIE share one type system
    "person": "PER",
    "location": "LOC",
    "location-city": "LOC",
    "location-stop": "LOC",
    "location-street": "LOC",
    "organization": "ORG",
    "organization-company": "ORG",
}
HIPE_LABELS = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}


def bio_to_spans(tags: list[str], label_map: dict[str, str]) -> list[Span]:
    """Spans from IOB2 tags; an ``I-`` after ``O`` or another type starts a span (MobIE has such)."""
    spans: list[Span] = []
    start, current = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, raw_type = tag.partition("-")
        continues = prefix == "I" and raw_type == current
        if current is not None and not continues:
            label = label_map.get(current)
            if label:
                spans.append((start, i, label))
            current = None
        if prefix in ("B", "I") and not continues:
            start, current = i, raw_type
    return spans


def clean_sentence(words: list[str], spans: list[Span]) -> Sentence | None:
    """Drop whitespace-only tokens and squeeze inner whitespace (spaCy's E024 otherwise)."""
    keep = [i for i, word in enumerate(words) if word.strip()]
    if not keep:
        return None
    new_index = {old: new for new, old in enumerate(keep)}
    cleaned_words = ["".join(words[i].split()) for i in keep]
    cleaned_spans = []
    for start, end, label in spans:
        inside = [new_index[i] for i in range(start, end) if i in new_index]
        if inside:
            cleaned_spans.append((inside[0], inside[-1] + 1, label))
    return cleaned_words, cleaned_spans


def _column_sentences(
    lines: Iterable[str], token_col: int, tag_col: int
) -> Iterator[tuple[list[str], list[str]]]:
    """Blank-line-separated, tab-separated token/tag columns; ``# key = value`` comments and
    -DOCSTART- lines are skipped (a line starting ``#<TAB>`` is the token "#", as in MobIE)."""
    words: list[str] = []
    tags: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            if words:
                yield words, tags
            words, tags = [], []
            continue
        if line.startswith("# "):
            continue
        if line.startswith("-DOCSTART-"):
            continue
        fields = line.split("\t")
        if len(fields) <= max(token_col, tag_col):
            continue
        words.append(fields[token_col])
        tags.append(fields[tag_col])
    if words:
        yield words, tags


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def read_germeval(path: Path) -> Iterator[Sentence]:
    """GermEval 2014 TSV: index, token, outer tag, inner tag; outer PER/LOC/ORG only."""
    lines = [line for line in _read_lines(path) if not line.startswith("#\t") and line != "#"]
    for words, tags in _column_sentences(lines, 1, 2):
        yield words, bio_to_spans(tags, GERMEVAL_LABELS)


def read_mobie(path: Path) -> Iterator[Sentence]:
    """MobIE CoNLL-2003: token, POS, chunk, NER tag."""
    for words, tags in _column_sentences(_read_lines(path), 0, 3):
        yield words, bio_to_spans(tags, DFKI_LABELS)


def read_uner(path: Path) -> Iterator[Sentence]:
    """UNER IOB2: index, token, tag, -, annotator; ``# text =`` comments."""
    for words, tags in _column_sentences(_read_lines(path), 1, 2):
        yield words, bio_to_spans(tags, GERMEVAL_LABELS)


def read_hipe(path: Path) -> Iterator[Sentence]:
    """HIPE-2022 TSV: sentences end at ``EndOfSentence`` flags or at document ends."""
    words: list[str] = []
    tags: list[str] = []
    for line in _read_lines(path)[1:]:
        if not line.strip() or line.startswith("#"):
            if words:
                yield words, bio_to_spans(tags, HIPE_LABELS)
            words, tags = [], []
            continue
        fields = line.split("\t")
        words.append(fields[0])
        tags.append(fields[1])
        if "EndOfSentence" in fields[-1]:
            yield words, bio_to_spans(tags, HIPE_LABELS)
            words, tags = [], []
    if words:
        yield words, bio_to_spans(tags, HIPE_LABELS)


def read_smartdata(path: Path, tokenizer) -> Iterator[Sentence]:
    """SmartData v1 JSON lines: raw text with character spans; tokenised here, overlaps resolved
    by keeping the longest span, duplicate documents (by id) dropped by the caller's seen set."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = record["text"]["string"]
            mentions = []
            for mention in record["conceptMentions"]["array"] or []:
                label = DFKI_LABELS.get(mention["type"])
                if label:
                    mentions.append((mention["span"]["start"], mention["span"]["end"], label))
            doc = tokenizer(text)
            spans: list[Span] = []
            taken: set[int] = set()
            for start, end, label in sorted(mentions, key=lambda m: m[0] - m[1]):
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is None:
                    continue
                indices = set(range(span.start, span.end))
                if indices & taken:
                    continue
                taken |= indices
                spans.append((span.start, span.end, label))
            yield record["id"], ([t.text for t in doc], sorted(spans))


# Hugging Face germeval_14 label ids, used by the Staatsarchiv Zürich parquet files
GERMEVAL_IDS = [
    "O", "B-LOC", "I-LOC", "B-LOCderiv", "I-LOCderiv", "B-LOCpart", "I-LOCpart", "B-ORG", "I-ORG",
    "B-ORGderiv", "I-ORGderiv", "B-ORGpart", "I-ORGpart", "B-OTH", "I-OTH", "B-OTHderiv",
    "I-OTHderiv", "B-OTHpart", "I-OTHpart", "B-PER", "I-PER", "B-PERderiv", "I-PERderiv",
    "B-PERpart", "I-PERpart",
]


def read_staatsarchiv(path: Path) -> Iterator[Sentence]:
    """Staatsarchiv Zürich parquet: ``tokens`` and ``ner_tags`` (germeval_14 label ids)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["tokens", "ner_tags"]).to_pydict()
    for words, tag_ids in zip(table["tokens"], table["ner_tags"]):
        yield list(words), bio_to_spans([GERMEVAL_IDS[i] for i in tag_ids], GERMEVAL_LABELS)


CORPORA = {
    # name: (relative path, reader); SmartData needs a tokenizer and is handled apart
    "germeval-test": ("germeval2014/test.tsv", read_germeval),
    "mobie-train": ("mobie/train.heldout-filtered.conll2003", read_mobie),
    "mobie-dev": ("mobie/dev.heldout-filtered.conll2003", read_mobie),
    "mobie-test": ("mobie/test.heldout-filtered.conll2003", read_mobie),
    "uner-pud": ("uner-german-pud/de_pud-ud-test.iob2", read_uner),
    "hipe-newseye-dev": ("hipe2022-newseye-de/HIPE-2022-v2.1-newseye-dev-de.tsv", read_hipe),
    "hipe-newseye-dev2": ("hipe2022-newseye-de/HIPE-2022-v2.1-newseye-dev2-de.tsv", read_hipe),
    "hipe-newseye-test": ("hipe2022-newseye-de/HIPE-2022-v2.1-newseye-test-de.tsv", read_hipe),
    "hipe-sonar-dev": ("hipe2022-sonar-de/HIPE-2022-v2.1-sonar-dev-de.tsv", read_hipe),
    "hipe-sonar-test": ("hipe2022-sonar-de/HIPE-2022-v2.1-sonar-test-de.tsv", read_hipe),
    "zh-gszh": ("staatsarchiv-zh-ner/gszh.parquet", read_staatsarchiv),
    "zh-krp-20": ("staatsarchiv-zh-ner/krp_20jhd.parquet", read_staatsarchiv),
    "zh-rrb-20": ("staatsarchiv-zh-ner/rrb_20jhd.parquet", read_staatsarchiv),
}
SMARTDATA_FILES = (
    "smartdata-v1-heldout-filtered/v1-train.heldout-filtered.jsonl.gz",
    "smartdata-v1-heldout-filtered/v1-test.heldout-filtered.jsonl.gz",
)


def load_corpus(data_dir: Path, name: str, tokenizer) -> list[Sentence]:
    """All cleaned sentences of one corpus by its name in CORPORA (or ``smartdata``)."""
    if name == "smartdata":
        seen: set[str] = set()
        raw = []
        for relative in SMARTDATA_FILES:
            for doc_id, sentence in read_smartdata(data_dir / relative, tokenizer):
                if doc_id not in seen:
                    seen.add(doc_id)
                    raw.append(sentence)
    else:
        relative, reader = CORPORA[name]
        raw = list(reader(data_dir / relative))
    return [s for s in (clean_sentence(w, sp) for w, sp in raw) if s is not None]


def split_selection(
    sentences: list[Sentence], fraction: float, seed: int
) -> tuple[list[Sentence], list[Sentence]]:
    """A seeded random held-out part for model selection (the benchmark is never used)."""
    order = list(range(len(sentences)))
    random.Random(seed).shuffle(order)
    cut = int(len(order) * fraction)
    held = set(order[:cut])
    train = [s for i, s in enumerate(sentences) if i not in held]
    select = [s for i, s in enumerate(sentences) if i in held]
    return train, select


def to_docbin(sentences: Iterable[Sentence], vocab):
    """A DocBin of gold docs; spaces between all words, as in the corpora's token lists."""
    from spacy.tokens import Doc, DocBin, Span as SpacySpan

    docbin = DocBin(store_user_data=False)
    for words, spans in sentences:
        doc = Doc(vocab, words=words)
        doc.ents = [SpacySpan(doc, start, end, label=label) for start, end, label in spans]
        docbin.add(doc)
    return docbin
