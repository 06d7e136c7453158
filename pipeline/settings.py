"""What a run is asked to do (``RunSettings``), the stages that analyse an article (``STAGES``),
and the fingerprint that says when a stored result is still valid.

A result shard is stored under ``article_key(fingerprint, text)``. The fingerprint covers
everything that shapes a shard: the pipeline's version and the code of the analyser and of every
stage (with the package modules a stage imports), the stage list itself, the model's files (and
spaCy's), and the options that change results (``--no-normalize``, the tokens table). Options
that only change how tables are written (formats, which other tables, batch size) do not count,
so changing them reuses every stored result.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from .about import __version__
from .formats import DEFAULT_FORMATS
from .model import installed_version, model_fingerprint
from .tables import DEFAULT_TABLES

PACKAGE = __name__.rpartition(".")[0]

# The stages the analyser runs on each article, in order: {stage: module of this package}. A
# stage module has ``analyse(article, settings)``, which reads and adds fields of the article's
# result shard (see ``analyse.Article``). The stage's name is what the errors table says when it
# fails.
STAGES: dict[str, str] = {
    "tokenize": "tokens",  # sentences, token count (and token rows for the tokens table)
    "extract": "mentions",  # the model's entity spans as mention records
    "normalize": "naming",  # each mention's entity name and id
}
# The code that runs the stages (which components, how a shard is built, how the model loads).
ANALYSER_MODULES = ("analyse", "model", "windows")
# Data packages the stages read (country names); spaCy's are in the model's fingerprint.
DATA_PACKAGES = ("pycountry",)

# Articles per spaCy batch. spaCy's peak memory grows with the tokens of a batch (64 news
# articles: +410 MB, 16: +110 MB in one process) while its speed does not (the same within 5%).
DEFAULT_BATCH_SIZE = 16


@dataclass(frozen=True)
class RunSettings:
    """The options of a run, passed down whole (picklable, for worker processes)."""

    model: str | None = None  # None: the embedded model
    normalize: bool = True
    tables: tuple[str, ...] = DEFAULT_TABLES
    formats: tuple[str, ...] = DEFAULT_FORMATS
    batch_size: int = DEFAULT_BATCH_SIZE

    @property
    def with_tokens(self) -> bool:
        """Whether shards keep token rows (and the model loads lemmas): the tokens table."""
        return "tokens" in self.tables

    @property
    def analysis_options(self) -> tuple:
        """The options an analyser depends on: equal for runs that can share one."""
        return self.model, self.normalize, self.with_tokens

    def fingerprint(self) -> str:
        """A hash that changes whenever stored results of these settings may be stale."""
        parts = {"code": code_fingerprint(), "model": model_fingerprint(self.model),
                 "normalize": self.normalize, "tokens": self.with_tokens}
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def article_key(fingerprint: str, text: str) -> str:
    """The content key of an article's result: its text under these settings."""
    return hashlib.sha256(fingerprint.encode() + b"\0" + text.encode("utf-8")).hexdigest()


def code_fingerprint() -> str:
    """A hash of the version, the stage list and the code that makes a result shard."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(json.dumps(STAGES).encode())
    for path in code_files():
        digest.update(path.relative_to(Path(__file__).parent).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    for package in DATA_PACKAGES:
        digest.update(f"{package}={installed_version(package)};".encode())
    return digest.hexdigest()


def code_files() -> list[Path]:
    """The analyser's modules, the stage modules, and every package module a stage imports."""
    files = {_source(f"{PACKAGE}.{module}") for module in ANALYSER_MODULES}
    todo = [f"{PACKAGE}.{module}" for module in STAGES.values()]
    while todo:
        module = todo.pop()
        path = _source(module)
        if path is None:
            raise ImportError(f"stage module {module} not found")
        if path not in files:
            files.add(path)
            todo.extend(_package_imports(path))
    return sorted(files)


def _source(module: str) -> Path | None:
    """The file of a module of this package (``pipeline.x.y``), None if there is none."""
    path = Path(__file__).parent.joinpath(*module.split(".")[1:])
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_imports(path: Path) -> list[str]:
    """The modules of this package that the module in ``path`` imports, in any of its
    functions too, except imports for type checking only."""
    parts = path.relative_to(Path(__file__).parent.parent).with_suffix("").parts
    anchor = ".".join(parts[:-1])  # the package that relative imports start from
    found = []
    for node in _runtime_nodes(ast.parse(path.read_bytes())):
        if isinstance(node, ast.ImportFrom):
            base = (importlib.util.resolve_name("." * node.level + (node.module or ""), anchor)
                    if node.level else node.module or "")
            found += [base] + [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [name for name in found
            if name.startswith(f"{PACKAGE}.") and _source(name) is not None]


def _runtime_nodes(tree: ast.AST):
    """Every node except the bodies of ``if TYPE_CHECKING:`` blocks."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
