"""Everything the CLI does is callable from Python and pandas."""

from __future__ import annotations

import pipeline
from conftest import SAMPLE, sample_body


def test_run_and_read_tables_as_dataframes(corpus, tmp_path):
    summary = pipeline.run(corpus, out=tmp_path / "out", tables=["all"], formats=["json"])
    assert (summary.articles, summary.processed, summary.errors, summary.exit_code) == (
        1, 1, 0, 0)
    assert summary.tokens == 786
    frames = pipeline.read_tables(tmp_path / "out")
    assert sorted(frames) == ["cooccurrences", "documents", "entities", "errors", "mentions",
                              "tokens"]
    documents = frames["documents"]
    assert documents.loc[0, "doc_id"] == "kasachstan-2022-01"
    assert documents.loc[0, "text"] == sample_body()
    assert len(frames["tokens"]) == 786
    assert str(documents["line"].dtype) == "Int64" and documents["line"].isna().all()
    assert str(frames["mentions"]["start_char"].dtype) == "Int64"
    assert str(frames["mentions"]["compound"].dtype) == "boolean"
    assert len(frames["mentions"]) == summary.mentions
    assert list(frames["errors"].columns) == ["source", "line", "doc_id", "stage", "error",
                                              "message"]


def test_extract_yields_plain_mention_records():
    texts = ["Kassym-Jomart Tokajew bat Moskau um Hilfe.",
             {"id": "b", "text": "Die ODKB schickte Soldaten nach Almaty."}]
    mentions = list(pipeline.extract(texts))
    for mention in mentions:
        assert set(mention) == {"doc_id", "mention", "sentence", "start_char", "end_char",
                                "text", "label", "entity_id", "name", "compound", "link",
                                "article_entity_id"}
        source = texts[0] if mention["doc_id"] == "0" else texts[1]["text"]
        assert source[mention["start_char"]:mention["end_char"]] == mention["text"]
    assert {m["doc_id"] for m in mentions} == {"0", "b"}


def test_load_model_is_reexported_and_cached():
    assert pipeline.load_model() is pipeline.load_model()
    assert "ner" in pipeline.load_model().pipe_names
    assert SAMPLE.exists()


def test_read_tables_gives_the_same_frames_from_csv_and_json(corpus, tmp_path):
    pipeline.run(corpus, out=tmp_path / "out")
    from_json = pipeline.read_tables(tmp_path / "out", prefer="json")
    from_csv = pipeline.read_tables(tmp_path / "out", prefer="csv")
    for name in ("mentions", "entities", "errors", "cooccurrences"):
        assert from_json[name].equals(from_csv[name]), name
    assert from_json["documents"].drop(columns="text").equals(from_csv["documents"])


def test_no_module_shadows_a_public_name():
    """Importing a submodule sets a package attribute of its name: none may be a public name."""
    import importlib
    import pkgutil

    modules = {module.name for module in pkgutil.iter_modules(pipeline.__path__)}
    assert not modules & set(pipeline.__all__)
    for module in modules - {"__main__"}:
        importlib.import_module(f"pipeline.{module}")
    assert callable(pipeline.run) and callable(pipeline.extract)


def test_prune_from_python(corpus, tmp_path):
    out = tmp_path / "out"
    pipeline.run(corpus, out=out)
    pipeline.run(corpus, out=out, normalize=False)
    kept = pipeline.prune(out)
    assert (kept.removed, kept.kept, kept.other_settings) == (0, 2, 1)
    summary = pipeline.prune(out, current_only=True)
    assert (summary.removed, summary.kept, summary.other_settings) == (1, 1, 0)
    assert summary.removed_bytes > 0
    assert pipeline.run(corpus, out=out, normalize=False).reused == 1
