"""`entity-pipeline train` end to end on the real gold corpora, cut to a few steps."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from conftest import SHARED_DATA
from pipeline.cli import app
from pipeline.model import load_model



@pytest.mark.skipif(not (SHARED_DATA / "germeval2014").exists(), reason=f"gold corpora not found at {SHARED_DATA}")
def test_train_command_writes_a_loadable_model(tmp_path):
    out, work = tmp_path / "model", tmp_path / "work"
    result = CliRunner().invoke(
        app, ["train", str(SHARED_DATA), "--out", str(out), "--work", str(work), "--no-vectors", "--max-steps", "5"]
    )
    assert result.exit_code == 0, result.output
    counts = json.loads((work / "corpora.json").read_text())
    assert counts == {"germeval-test": 5100, "smartdata": 1944, "uner-pud": 1000,
                      "train_sentences": 21304, "select_sentences": 510}
    assert (work / "select.tsv").read_text(encoding="utf-8").count("#\tselection\n") == 510
    nlp = load_model(str(out))
    assert nlp.meta["name"] == "de_news_ner"
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG"}


def test_vectors_without_floret_say_how_to_install_it(tmp_path, monkeypatch):
    from pipeline.train import VectorSettings, train_vectors

    monkeypatch.setitem(sys.modules, "floret", None)  # import floret now raises ImportError
    with pytest.raises(ImportError, match=r"pip install '\.\[train\]'"):
        train_vectors(tmp_path, tmp_path, VectorSettings())
