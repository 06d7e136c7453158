"""The HTML report: one self-contained page that shows what is in the tables of a run.

    from pipeline.report import write_report
    write_report("outputs")              # -> outputs/report.html

The page opens offline in any browser: the run in one line, the most mentioned entities per
label, mentions over time (when the articles have dates), the co-occurrence network, a
sortable and searchable entities table, and the articles with the most mentions, their text
highlighted by spaCy's displaCy. ``data`` computes what is shown, ``charts`` and ``network``
draw it with Plotly (and networkx), ``articles`` highlights the text, ``page`` puts it
together. The same tables give the same file, byte for byte. Importing this module is
cheap (the command line reads ``DEFAULT_ARTICLES`` from it); the libraries load on use.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["write_report", "write_article_page", "NoTables", "ReportUnavailable",
           "DEFAULT_ARTICLES", "REPORT_NAME"]

REPORT_NAME = "report.html"
DEFAULT_ARTICLES = 10
# The libraries the report draws with; installed with the package (see pyproject.toml).
LIBRARIES = {"plotly": "plotly", "networkx": "networkx", "itables": "itables",
             "jinja2": "jinja2"}


class NoTables(LookupError):
    """The folder holds no tables of a run."""


class ReportUnavailable(ImportError):
    """A library the report needs is not installed."""


def require_libraries(modules=tuple(LIBRARIES)) -> None:
    """Raise ``ReportUnavailable`` with the command that installs what is missing."""
    missing = [LIBRARIES[module] for module in modules
               if importlib.util.find_spec(module) is None]
    if missing:
        raise ReportUnavailable(
            f"the report needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'}"
            f" not installed; install them with: pip install {' '.join(_requirements(missing))}")


def _requirements(packages: list[str]) -> list[str]:
    """The version-bounded requirement of each package, as this package declares it."""
    import importlib.metadata
    import re

    try:
        declared = importlib.metadata.requires("entity-pipeline") or []
    except importlib.metadata.PackageNotFoundError:
        declared = []
    found = {re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower(): requirement
             for requirement in declared if "extra ==" not in requirement}
    return [f"'{found.get(package, package).replace(' ', '')}'" for package in packages]


def write_report(out: str | Path = "outputs", articles: int = DEFAULT_ARTICLES,
                 path: str | Path | None = None) -> Path:
    """Write the report for the tables in ``out`` to ``path`` (default ``out/report.html``)
    and return its path. ``articles``: how many of the most mentioned articles to show.

    Raises ``NoTables`` when ``out`` holds no tables, ``ReportUnavailable`` when a library
    is missing.
    """
    from ..files import write_text_atomic
    from .build import build_report
    from .data import load

    require_libraries()
    out = Path(out)
    page = build_report(load(out), articles)
    target = Path(path) if path is not None else out / REPORT_NAME
    write_text_atomic(target, page)
    return target


def write_article_page(path: str | Path, article: dict, mentions: list[dict]) -> Path:
    """Write one article's highlighted text and entities as a page (``show --html``)."""
    from ..files import write_text_atomic
    from .build import article_page

    require_libraries(["jinja2"])  # one article's page has no charts
    write_text_atomic(Path(path), article_page(article, mentions))
    return Path(path)
