"""`entity-pipeline train` end to end on the real gold corpora, cut to a few steps, and the
silver-data step on real models."""

from __future__ import annotations

import json
import sys

import pytest
import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from conftest import SHARED_DATA
from pipeline.cli import app
from pipeline.model import EMBEDDED_MODEL_PATH, load_model


@pytest.mark.skipif(not (SHARED_DATA / "germeval2014").exists(), reason=f"gold corpora not found at {SHARED_DATA}")
def test_train_command_writes_a_loadable_model(tmp_path):
    out, work = tmp_path / "model", tmp_path / "work"
    result = CliRunner().invoke(
        app, ["train", str(SHARED_DATA), "--out", str(out), "--work", str(work), "--no-vectors",
              "--max-steps", "5", "--teachers", "2", "--silver-lines", "100"]
    )
    assert result.exit_code == 0, result.output
    counts = json.loads((work / "corpora.json").read_text())
    assert counts == {"germeval-test": 5100, "smartdata": 1944, "uner-pud": 1000,
                      "train_sentences": 21304, "select_sentences": 510}
    assert (work / "select.tsv").read_text(encoding="utf-8").count("#\tselection\n") == 510
    for seed in (0, 1):
        assert (work / f"teacher-seed{seed}-no-vectors-5.run" / "model-best" / "meta.json").exists()
    silver = json.loads((work / "silver.json").read_text())
    assert silver["tagged"] == 100 and 0 <= silver["kept"] <= silver["agreed"] <= 100
    assert len(DocBin().from_disk(work / "train-silver.spacy")) == 21304 + silver["kept"]
    nlp = load_model(str(out))
    assert nlp.meta["name"] == "de_news_ner"
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG"}


def test_silver_keeps_only_lines_all_teachers_tag_alike_with_entities(tmp_path):
    from pipeline.train import label_silver

    # A second teacher that disagrees on one name: the embedded model plus a rule calling Almaty ORG.
    nlp = spacy.load(EMBEDDED_MODEL_PATH)
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns([{"label": "ORG", "pattern": [{"ORTH": "Almaty"}]}])
    nlp.to_disk(tmp_path / "dissenter")
    texts = ["Tokajew sprach am Montag in Almaty mit der ODKB.",
             "Wladimir Putin verhandelte in Moskau mit Präsident Tokajew.",
             "Am Montag regnete es den ganzen Tag."]

    counts = label_silver(texts, [EMBEDDED_MODEL_PATH, tmp_path / "dissenter"], tmp_path / "silver.spacy")

    assert counts == {"tagged": 3, "agreed": 2, "kept": 1}
    [doc] = DocBin().from_disk(tmp_path / "silver.spacy").get_docs(spacy.blank("de").vocab)
    assert doc.text == texts[1]
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Wladimir Putin", "PER"), ("Moskau", "LOC"), ("Tokajew", "PER")]


def test_vectors_without_floret_say_how_to_install_it(tmp_path, monkeypatch):
    from pipeline.train import VectorSettings, train_vectors

    monkeypatch.setitem(sys.modules, "floret", None)  # import floret now raises ImportError
    with pytest.raises(ImportError, match=r"pip install '\.\[train\]'"):
        train_vectors(tmp_path, tmp_path, VectorSettings())
