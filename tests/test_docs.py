"""The README stays true: its commands, the CI script, every option and every error code."""

from __future__ import annotations

import re

import typer

from conftest import ROOT
from pipeline.cli import app
from pipeline.formats import FORMATS

README = (ROOT / "README.md").read_text(encoding="utf-8")
SETUP_AND_RUN = ("python3 -m venv .venv && . .venv/bin/activate && pip install . && "
                 "entity-pipeline run corpus --out outputs")
SETUP_AND_TEST = "python3 -m venv .venv && . .venv/bin/activate && pip install '.[test]' && pytest"


def test_readme_starts_with_the_two_commands():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    assert blocks[:2] == [SETUP_AND_RUN, SETUP_AND_TEST]
    assert README.index(SETUP_AND_RUN) < 600


def test_ci_runs_exactly_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    assert script.rstrip().splitlines()[-1] == SETUP_AND_TEST


def test_readme_documents_every_run_option():
    command = typer.main.get_command(app).commands["run"]
    options = {name for param in command.params for name in param.opts if name.startswith("--")}
    assert options == {"--out", "--format", "--model", "--tables", "--workers", "--scheduler",
                       "--batch-size", "--csv-delimiter", "--quiet", "--force", "--no-normalize",
                       "--report"}
    for option in options:
        assert f"`{option}" in README, option


def test_readme_documents_every_error_code():
    sources = "".join(path.read_text(encoding="utf-8")
                      for path in sorted((ROOT / "pipeline").rglob("*.py")))
    codes = set(re.findall(r'error_record\(\s*[^,()]+(?:\[[^]]*\])?,\s*"([a-z0-9-]+)"', sources))
    codes |= set(re.findall(r'\.error\(\s*"([a-z0-9-]+)"', sources))
    codes |= set(re.findall(r'return (?:None, )?\("([a-z0-9-]+)",', sources))
    codes |= set(re.findall(r'^KIND = "([a-z0-9-]+)"', sources, flags=re.M))
    assert {"empty", "binary", "not-utf8", "malformed-jsonl", "malformed-csv", "duplicate-id",
            "too-long", "unreadable", "broken-symlink", "unsupported-format",
            "processing-failed", "malformed-parquet", "special-file", "symlink-loop",
            "already-read", "missing", "output-folder", "invalid-unicode",
            "invalid-date"} <= codes
    for code in codes:
        assert f"| `{code}` |" in README, code


def test_readme_sample_output_is_real(tmp_path, monkeypatch):
    """The sample output in the README is what the command writes (timings aside)."""
    from conftest import run_cli

    block = README[README.index("<!-- sample-output"):README.index("<!-- /sample-output -->")]
    block = block[block.index("```console\n") + 11:block.rindex("```")]
    commands = re.split(r"^\$ ", block, flags=re.M)[1:]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    hint = "regenerate the README's sample output (model or normalize changed?)"
    for command in commands:
        line, *shown = command.rstrip("\n").split("\n")
        if line.startswith("entity-pipeline run"):
            result = run_cli(*line.split()[1:])
            assert result.exit_code == 0, result.output
            assert [without_timings(line) for line in result.stderr.splitlines()] == [
                without_timings(line) for line in shown], hint
            continue
        verb, *args, path = line.split()
        lines = (tmp_path / path).read_text(encoding="utf-8").splitlines()
        if verb == "head":
            lines = lines[:int(args[0].lstrip("-"))]
        assert shown == lines, hint
    assert len(commands) == 5


def without_timings(line: str) -> str:
    """A summary line with its seconds and tokens per second (which vary) left out."""
    return re.sub(r"[\d,.]+ (s|tokens/s)\b", r"… \1", line)


def test_readme_maps_every_module():
    section = README[README.index("## Development"):]
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        name = path.relative_to(ROOT / "pipeline").as_posix()
        if name != "__main__.py":
            assert f"`{name}`" in section, f"README's module map lacks {name}"


def test_readme_lists_every_format():
    row = next(line for line in README.splitlines() if line.startswith("| `--format"))
    assert all(f"`{name}`" in row for name in FORMATS), row
