"""Run settings, the stage list and the fingerprint that decides when stored results are stale."""

from __future__ import annotations

import pickle
import sys
import types
from dataclasses import FrozenInstanceError, replace

import pytest

from pipeline import settings
from pipeline.names import article as names
from pipeline.analyse import Analyser
from pipeline.settings import STAGES, RunSettings, article_key, code_files

ARTICLE = [("k1", "Kanzlerin Merkel traf in Almaty den Botschafter.")]


def test_settings_are_frozen_and_picklable():
    chosen = RunSettings(model="embedded", normalize=False, tables=("mentions", "errors"))
    assert pickle.loads(pickle.dumps(chosen)) == chosen
    with pytest.raises(FrozenInstanceError):
        chosen.normalize = True


def test_the_fingerprint_follows_what_changes_results_only():
    default = RunSettings()
    fingerprint = default.fingerprint()
    assert fingerprint == RunSettings().fingerprint()
    for same in (replace(default, formats=("json",)), replace(default, batch_size=3),
                 replace(default, tables=("mentions", "errors")), replace(default, model=None)):
        assert same.fingerprint() == fingerprint, same
    for other in (replace(default, normalize=False), replace(default, tables=("tokens",))):
        assert other.fingerprint() != fingerprint, other
    assert article_key(fingerprint, "a") != article_key(fingerprint, "b")
    assert article_key(fingerprint, "a") != article_key(RunSettings(normalize=False).fingerprint(),
                                                        "a")


def test_the_code_fingerprint_covers_the_stages_and_what_they_import():
    root = settings._source("pipeline.settings").parent
    names = {path.relative_to(root).as_posix() for path in code_files()}
    assert {"analyse.py", "model.py", "tokens.py", "mentions.py", "naming.py",
            "names/article.py", "names/clean.py"} <= names, "the naming stage imports names/"
    assert not names & {"read/__init__.py", "tables.py", "store.py", "runner.py", "settings.py",
                        "cli.py", "__init__.py", "assemble.py"}
    # the corpus step runs when the tables are assembled: a change to it reuses every shard
    assert not names & {"names/resolve.py", "names/rules.py", "names/index.py"}


def test_imports_for_type_checking_only_are_not_followed():
    naming = settings._source("pipeline.naming")
    assert settings._package_imports(naming) == ["pipeline.names", "pipeline.names.article"]


def test_a_stage_change_changes_the_code_fingerprint(monkeypatch):
    before = settings.code_fingerprint()
    monkeypatch.setitem(STAGES, "extract", "tokens")
    assert settings.code_fingerprint() != before


def test_every_stage_module_has_analyse():
    import importlib

    order = list(STAGES)
    assert order.index("tokenize") < order.index("extract") < order.index("normalize"), (
        "each needs what the one before adds")
    for module in STAGES.values():
        assert callable(importlib.import_module(f"pipeline.{module}").analyse), module


def test_a_new_stage_is_one_entry_and_its_module(monkeypatch):
    """A stage reads and adds fields of the shard; the analyser runs it after the others."""
    stage = types.ModuleType("pipeline.shouting")

    def analyse(article, run_settings):
        article.shard["loud"] = [mention["text"].upper() for mention in article.shard["mentions"]]

    stage.analyse = analyse
    monkeypatch.setitem(sys.modules, "pipeline.shouting", stage)
    monkeypatch.setitem(STAGES, "shout", "shouting")
    [result] = Analyser(RunSettings()).analyse(ARTICLE)
    assert result.shard["loud"] == ["MERKEL", "ALMATY"]


@pytest.mark.parametrize("stage, module, function", [
    ("tokenize", "pipeline.tokens", "count_tokens"),
    ("normalize", "pipeline.names.article", "analyse_article"),
])
def test_a_failing_stage_is_named_in_the_result(monkeypatch, stage, module, function):
    def fail(*args):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(sys.modules[module], function, fail)
    [result] = Analyser(RunSettings()).analyse(ARTICLE)
    assert result == ("k1", None, stage, "RuntimeError: kaputt")


def test_mentions_that_do_not_index_the_text_fail_the_article(monkeypatch):
    def shifted(text, mentions, sentences):
        return [{**mention, "start_char": mention["start_char"] + 1}
                for mention in names.raw_mentions(mentions)], []

    monkeypatch.setattr(names, "analyse_article", shifted)
    [result] = Analyser(RunSettings()).analyse(ARTICLE)
    assert result.stage == "normalize"
    assert result.message == "ValueError: mention 'Merkel' does not match its offsets"
    [raw] = Analyser(RunSettings(normalize=False)).analyse(ARTICLE)
    assert [mention["name"] for mention in raw.shard["mentions"]] == ["Merkel", "Almaty"]
