"""The model loading paths for real: embedded default, a model directory, an installed package
by name (packaged here with ``spacy package``), and the message for a name that is missing."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from pipeline.model import (EMBEDDED_MODEL_PATH, SPACY_GERMAN_PIPELINES, ModelNotFoundError,
                            load_model)

SENTENCE = "Der kasachische Präsident Tokajew bat Russland und die ODKB in Almaty um Hilfe."


def test_embedded_model_is_the_default_and_is_loaded_once():
    nlp = load_model()
    assert load_model() is nlp
    assert load_model("embedded") is nlp
    assert {"ner", "tok2vec", "sentencizer", "lemmatizer"} <= set(nlp.pipe_names)
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG"}
    assert nlp.meta["name"] == "de_news_ner"


def test_embedded_model_has_sentences_and_lemmas():
    doc = load_model()("Die Soldaten kamen am Freitag. Sie blieben in den Städten.")
    assert [sent.text for sent in doc.sents] == ["Die Soldaten kamen am Freitag.", "Sie blieben in den Städten."]
    assert [t.lemma_ for t in doc if t.text in ("Soldaten", "kamen", "Städten")] == ["Soldat", "kommen", "Stadt"]


def test_model_directory_by_path():
    nlp = load_model(str(EMBEDDED_MODEL_PATH))
    assert nlp is not load_model()
    assert [(e.text, e.label_) for e in nlp(SENTENCE).ents] == [
        (e.text, e.label_) for e in load_model()(SENTENCE).ents
    ]


def test_installed_package_by_name(tmp_path, monkeypatch):
    """Package the embedded model as a pip package, install it into a folder on sys.path."""
    subprocess.run(
        [sys.executable, "-m", "spacy", "package", str(EMBEDDED_MODEL_PATH), str(tmp_path),
         "--name", "pkgtest_ner", "--version", "0.0.1", "--build", "none", "--force"],
        check=True, capture_output=True,
    )
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(site), str(tmp_path / "de_pkgtest_ner-0.0.1")],
        check=True, capture_output=True,
    )
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    nlp = load_model("de_pkgtest_ner")
    assert nlp.meta["name"] == "pkgtest_ner"
    assert "ner" in nlp.pipe_names
    assert [(e.text, e.label_) for e in nlp(SENTENCE).ents] == [
        (e.text, e.label_) for e in load_model()(SENTENCE).ents
    ]


@pytest.mark.parametrize("name", SPACY_GERMAN_PIPELINES)
def test_a_missing_spacy_german_pipeline_gets_its_release_url(name):
    import importlib.util

    if importlib.util.find_spec(name) is not None:
        pytest.skip(f"{name} is installed")
    with pytest.raises(ModelNotFoundError) as error:
        load_model(name)
    message = str(error.value)
    assert f"spaCy model '{name}' is not installed" in message
    assert (f"github.com/explosion/spacy-models/releases/download/{name}-3.8.0/"
            f"{name}-3.8.0-py3-none-any.whl") in message
    assert "embedded German model, the default" in message


@pytest.mark.parametrize("name", ["de_core_news_lg_missing", "de_core_news_xx", "en_nonsense"])
def test_an_invented_model_name_gets_no_invented_url(name):
    with pytest.raises(ModelNotFoundError) as error:
        load_model(name)
    message = str(error.value)
    assert message.startswith(f"spaCy model '{name}' is not installed and is not a model folder")
    assert "github.com" not in message and "embedded German model, the default" in message


def test_model_without_ner_is_refused(tmp_path):
    import spacy

    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "no-ner")
    with pytest.raises(ModelNotFoundError, match="has no NER component"):
        load_model(str(tmp_path / "no-ner"))
