"""Issue 14, run side: misuse of the command gets one line naming the problem and the fix, the
documented exit code, no traceback, and nothing created or changed (the real CLI)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, load_json, run_cli, table_bytes

GOOD = "Olaf Scholz sprach in Berlin mit Vertretern der NATO über Kasachstan."


def one_line_error(result, code: int) -> str:
    """The single stderr line of a refused command, after checking what every refusal holds."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "scholz.txt").write_text(GOOD, encoding="utf-8")
    return folder


def test_out_that_is_an_input_or_holds_one_is_a_usage_error(corpus, tmp_path):
    for inputs, out in (([corpus], corpus), ([corpus / "scholz.txt"], corpus),
                        ([tmp_path / "alles" / "artikel"], tmp_path / "alles")):
        (tmp_path / "alles" / "artikel").mkdir(parents=True, exist_ok=True)
        line = one_line_error(run_cli("run", *inputs, "--out", out), 2)
        assert "the output folder --out" in line and "a separate --out" in line
        assert not (out / ".entity-pipeline").exists(), "nothing is created"
    (corpus / "link").symlink_to(corpus)
    line = one_line_error(run_cli("run", corpus / "link", "--out", corpus), 2)
    assert f"the input {corpus / 'link'} is the output folder" in line


def test_out_inside_an_input_is_fine(corpus):
    result = run_cli("run", corpus, "--out", corpus / "tabellen")
    assert result.exit_code == 0, result.output
    assert [d["doc_id"] for d in load_json(corpus / "tabellen", "documents")] == ["scholz"]


def test_out_under_a_file_or_where_no_folder_can_be(corpus, tmp_path):
    line = one_line_error(run_cli("run", corpus, "--out", ROOT / "README.md" / "sub"), 2)
    assert line == (f"Error: cannot use --out {ROOT / 'README.md' / 'sub'}: "
                    f"{ROOT / 'README.md'} is a file, not a folder; give a folder for the tables")
    if Path("/proc/self").is_dir():
        line = one_line_error(run_cli("run", corpus, "--out", "/proc/x"), 2)
        assert line.startswith("Error: cannot create the output folder /proc/x: /proc does not")
        assert "choose another --out" in line


@pytest.mark.parametrize("code, words", [(errno.EACCES, "permission denied"),
                                         (errno.EROFS, "Read-only file system")])
def test_out_that_cannot_be_written(corpus, tmp_path, monkeypatch, code, words):
    """As after chmod 0 or on a read-only disk (the tests may run as root, who writes
    anything, so the refusal is simulated where the folder is made)."""
    out = tmp_path / "geschuetzt" / "out"
    real_mkdir = os.mkdir

    def refusing_mkdir(path, *args, **kwargs):
        if str(path).startswith(str(out.parent)):
            raise OSError(code, os.strerror(code), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", refusing_mkdir)
    line = one_line_error(run_cli("run", corpus, "--out", out), 2)
    assert f"cannot create or write the output folder {out} (" in line and words in line


def test_a_failing_write_is_one_line_and_keeps_the_earlier_tables(corpus, tmp_path,
                                                                    monkeypatch):
    out = tmp_path / "out"
    assert run_cli("run", corpus, "--out", out).exit_code == 0
    before = table_bytes(out)
    (corpus / "neu.txt").write_text("Angela Merkel besuchte Paris.", encoding="utf-8")

    def disk_full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    line = one_line_error(run_cli("run", corpus, "--out", out), 1)
    assert "No space left on device" in line
    assert table_bytes(out) == before


def not_a_model(tmp_path: Path, kind: str) -> Path:
    folder = tmp_path / kind
    folder.mkdir()
    if kind == "broken-model":  # looks like one, but does not load
        (folder / "config.cfg").write_text("[nlp]\nlang = \"de\"\npipeline = [\"ner\"]\n")
        (folder / "meta.json").write_text("{}")
    else:
        (folder / "notiz.txt").write_text("kein Modell")
    return folder


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_folder_that_is_no_model_is_a_usage_error(corpus, tmp_path, workers):
    out = tmp_path / "out"
    folder = not_a_model(tmp_path, "kein-modell")
    line = one_line_error(run_cli("run", corpus, "--out", out, "-m", folder, "-w", workers), 2)
    assert line == (f"Error: folder '{folder}' is not a spaCy model: it has no config.cfg or "
                    "meta.json. Give a model folder (as spaCy's nlp.to_disk writes it) or an "
                    "installed pipeline.")
    assert not out.exists(), "a model that cannot be one must not create --out"
    broken = not_a_model(tmp_path, "broken-model")
    line = one_line_error(run_cli("run", corpus, "--out", out, "-m", broken, "-w", workers), 2)
    assert line.startswith(f"Error: spaCy could not load the model '{broken}' (")
    line = one_line_error(run_cli("run", corpus, "--out", out, "-m", SAMPLE), 2)
    assert line == f"Error: '{SAMPLE}' is a file, not a spaCy model folder or package name"


def test_a_model_name_that_is_no_package_gets_no_invented_url(corpus, tmp_path):
    out = tmp_path / "out"
    for name in ("de_core_news_xl", "../nirgends", "os.path"):
        line = one_line_error(run_cli("run", corpus, "--out", out, "-m", name, "-w", "2"), 2)
        assert line.startswith(f"Error: spaCy model '{name}' is not installed and is not a "
                               "model folder. Give an installed spaCy pipeline")
        assert "http" not in line
    assert not out.exists()


def test_broken_and_looping_links_given_as_inputs_get_their_rows(corpus, tmp_path,
                                                                monkeypatch):
    (tmp_path / "weg.txt").symlink_to(tmp_path / "nichts.txt")
    (tmp_path / "selbst.txt").symlink_to("selbst.txt")
    out = tmp_path / "out"
    result = run_cli("run", corpus, tmp_path / "weg.txt", tmp_path / "selbst.txt", "--out", out)
    assert result.exit_code == 1, result.output
    errors = [(Path(e["source"]).name, e["error"]) for e in load_json(out, "errors")]
    assert errors == [("selbst.txt", "symlink-loop"), ("weg.txt", "broken-symlink")]
    assert [d["doc_id"] for d in load_json(out, "documents")] == ["scholz"]
    monkeypatch.chdir(tmp_path)  # a short path: the message is not wrapped
    missing = run_cli("run", "tippfehler", "--out", "neu")
    assert missing.exit_code == 2 and "'tippfehler' does not exist" in missing.stderr
    assert not (tmp_path / "neu").exists()


def test_csv_delimiter_option(corpus, tmp_path):
    (corpus / "a.csv").write_text("id;text\nc1;Angela Merkel traf Emmanuel Macron.\n",
                                  encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("run", corpus, "--out", out, "--csv-delimiter", ";")
    assert result.exit_code == 0, result.output
    assert {d["doc_id"] for d in load_json(out, "documents")} == {"c1", "scholz"}
    result = run_cli("run", corpus, "--out", out, "--csv-delimiter", "tab")
    assert result.exit_code == 1
    [error] = load_json(out, "errors")
    assert (error["error"], error["message"]) == (
        "malformed-csv", "the header must name 'id' and 'text' columns separated by tabs; "
        "found 'id;text'")
    for bad in ("ab", "x", ""):
        refused = run_cli("run", corpus, "--out", out, "--csv-delimiter", bad)
        assert refused.exit_code == 2 and "is not a delimiter" in refused.output, bad
