"""`entity-pipeline train` end to end on the real gold corpora, cut to a few steps, and the
silver-data step on real models."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import subprocess
import sys

import pytest
import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from conftest import SHARED_DATA
from pipeline.cli import app
from pipeline.model import EMBEDDED_MODEL_PATH, load_model


@pytest.mark.skipif(not (SHARED_DATA / "germeval2014").exists(), reason=f"gold corpora not found at {SHARED_DATA}")
def test_train_command_writes_a_loadable_model_and_caches_its_steps(tmp_path):
    out, work = tmp_path / "model", tmp_path / "work"
    args = ["train", str(SHARED_DATA), "--out", str(out), "--work", str(work), "--no-vectors", "--no-knowledge",
            "--max-steps", "5", "--teachers", "2", "--silver-lines", "100", "--student-seed", "7"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    [corpora] = work.glob("corpora-*")
    counts = json.loads((corpora / "counts.json").read_text())
    assert counts == {"germeval-test": 5100, "smartdata": 1944, "uner-pud": 1000,
                      "train_sentences": 4 * 4335 + 1944 + 1000, "select_sentences": 765,
                      "select_sources": 757}
    assert (work / "select.tsv").resolve() == corpora / "select.tsv"
    teachers = sorted(work.glob("teacher-*"))
    assert len(teachers) == 2 and all((t / "run" / "model-best" / "meta.json").exists() for t in teachers)
    teacher_seeds = {spacy.util.load_config(t / "run" / "model-best" / "config.cfg")["system"]["seed"]
                     for t in teachers}
    assert teacher_seeds == {0, 1}
    [silver_folder] = work.glob("silver-*")
    silver = json.loads((silver_folder / "silver.json").read_text())
    assert silver["tagged"] == 100 and 0 <= silver["kept"] <= silver["agreed"] <= 100
    [student_data] = work.glob("student-data-*")
    assert len(DocBin().from_disk(student_data / "train.spacy")) == counts["train_sentences"] + silver["kept"]
    nlp = load_model(str(out))
    assert nlp.meta["name"] == "de_news_ner"
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG"}
    assert nlp.config["system"]["seed"] == 7  # --student-seed: the final run only
    punctuation = json.loads((out / "sentencizer.json").read_text(encoding="utf-8"))["punct_chars"]
    assert punctuation == sorted(punctuation), "the same bytes from every process"

    run = json.loads((work / "last-run.json").read_text())
    steps = run["steps"]
    assert [steps[step]["reused"] for step in steps] == [False] * 6
    assert run["machine"]["libraries"]["blis"] == importlib.metadata.version("blis")
    assert run["machine"]["processor"] and run["machine"]["cores"] == os.cpu_count()
    keys = {folder.name.split("-")[0]: json.loads((folder / "key.json").read_text())
            for folder in (corpora, teachers[0], silver_folder)}
    assert keys["teacher"]["kernels"] == keys["silver"]["kernels"] == run["machine"]["kernels"]
    assert "kernels" not in keys["corpora"]  # converting text does no float arithmetic
    assert CliRunner().invoke(app, args).exit_code == 0  # a rerun reuses every cached step
    steps = json.loads((work / "last-run.json").read_text())["steps"]
    assert {step: steps[step]["reused"] for step in steps} == {
        "corpora": True, "teacher": True, "teacher-2": True, "silver": True, "student-data": True,
        "student": False}


def test_silver_keeps_only_lines_all_teachers_tag_alike_with_entities(tmp_path):
    from pipeline.training.silver import label_silver

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
    from pipeline.training.cache import StepCache
    from pipeline.training.vectors import VectorSettings, train_vectors

    monkeypatch.setitem(sys.modules, "floret", None)  # import floret now raises ImportError
    with pytest.raises(ImportError, match=r"pip install '\.\[train\]'"):
        train_vectors(tmp_path, StepCache(tmp_path), VectorSettings())


def test_step_keys_cover_settings_input_files_code_and_upstream_steps(tmp_path):
    from pipeline.training.cache import StepCache, payload_key, step_payload

    text = tmp_path / "text.txt"
    text.write_text("Tokajew bat Moskau um Hilfe.\n", encoding="utf-8")

    def key(settings=None, upstream=(), code=("training/vectors.py",)):
        return payload_key(step_payload("vectors-text", settings or {"dim": 100},
                                        files={"text.txt": text}, code=code, upstream=upstream))

    first = key()
    assert key() == first
    assert key({"dim": 50}) != first
    assert key(upstream=["corpora-0123"]) != first
    assert key(code=("training/silver.py",)) != first
    text.write_text("Tokajew bat Moskau um Hilfe!\n", encoding="utf-8")
    assert key() != first  # the text changed, so the cached output is not reused


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the kernel names below are x86-64's")
def test_training_steps_key_on_the_kernels_numpy_and_openblas_chose():
    """Forcing numpy's loops without AVX2 and AVX-512 and OpenBLAS's Haswell kernels changes the
    recorded kernels and the keys of the steps that train, not of those that convert text."""
    script = ("import json, numpy; from pipeline.training.cache import numeric_kernels, payload_key, "
              "step_payload; print(json.dumps([numeric_kernels(), payload_key(step_payload("
              "'teacher', {}, numeric=True)), payload_key(step_payload('corpora', {}))]))")

    def kernels_and_keys(**env):
        result = subprocess.run([sys.executable, "-c", script], env={**os.environ, **env},
                                capture_output=True, text=True, check=True)
        return json.loads(result.stdout)

    native = kernels_and_keys()
    forced = kernels_and_keys(OPENBLAS_CORETYPE="Haswell", NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4")
    assert forced[0]["blas"] == {"openblas": "Haswell"}
    assert not {"X86_V3", "X86_V4"} & set(forced[0]["numpy_simd"])
    assert forced[0] != native[0] and forced[1] != native[1]  # the teacher's key
    assert forced[2] == native[2]  # the corpora's key


def test_a_step_that_fails_leaves_no_cached_folder(tmp_path):
    from pipeline.training.cache import StepCache, step_payload

    cache = StepCache(tmp_path)
    done, failed = step_payload("silver", {"lines": 1}), step_payload("silver", {"lines": 2})
    with cache.build(done) as staging:
        (staging / "silver.json").write_text("{}")
    with pytest.raises(RuntimeError), cache.build(failed) as staging:
        (staging / "silver.json").write_text("{}")
        raise RuntimeError("killed")
    assert cache.done(done) == cache.folder(done) and (cache.folder(done) / "silver.json").exists()
    assert cache.done(failed) is None and cache.reuse(failed) is None


def test_span_vote_keeps_majority_entities_and_marks_disputed_tokens_missing():
    from pipeline.training.silver import voted_doc

    tokenizer = spacy.blank("de")
    text = "Uta Hagen spielte in New York mit General Motors."
    per, loc, org = (0, 9, "PER"), (21, 29, "LOC"), (34, 48, "ORG")
    votes = [[per, loc, org], [per, loc], [per, (21, 24, "LOC")]]
    doc = voted_doc(tokenizer, text, votes, per_span=True)
    assert [(e.text, e.label_) for e in doc.ents] == [("Uta Hagen", "PER"), ("New York", "LOC")]
    # "General Motors" (one teacher of three) is neither an entity nor "outside": missing
    assert [(t.text, t.ent_iob_) for t in doc][-3:] == [("General", ""), ("Motors", ""), (".", "O")]
    assert voted_doc(tokenizer, text, votes, per_span=False) is None  # not all alike
    assert voted_doc(tokenizer, text, [[org], [per]], per_span=True) is None  # no majority


def test_a_step_finished_twice_keeps_the_first_output(tmp_path):
    """Two runs sharing a work folder may build the same step; the first one to finish wins."""
    from pipeline.training.cache import StepCache, step_payload

    cache, payload = StepCache(tmp_path), step_payload("knowledge", {"lists": 1})
    with cache.build(payload) as first:
        (first / "lists.npz").write_text("first")
    late = tmp_path / f"{cache.folder(payload).name}.partial-99999999"  # the other process's
    late.mkdir()
    (late / "lists.npz").write_text("second")
    assert cache.finish(payload, late, 1.0) == cache.folder(payload)
    assert (cache.folder(payload) / "lists.npz").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == [cache.folder(payload).name]
