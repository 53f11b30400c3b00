"""papersift: sift the daily flood of machine-learning papers, locally.

The names in `__all__` are what a notebook or a cron script needs; the command line and the web
app are built on the same functions:

    import papersift

    config = papersift.load_config()
    store = papersift.open_store()  # $PAPERSIFT_DB, else the user data dir
    report = papersift.ingest_paths(store, ["my-library.bib"])
    hits = papersift.search_papers(store, "int8 quantization", mode="keyword")

Each name is imported on first use (PEP 562 `__getattr__`), so `import papersift` costs nothing
and `papersift --help` stays quick. Search is exported as `search_papers`: `papersift.search` is
the module, and Python rebinds a package's attribute to its submodule when that is imported, so
a function of the same name would be replaced by the module half-way through a session.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Public name -> (module, name there). Kept as strings so that nothing is imported up front.
_PUBLIC: dict[str, tuple[str, str]] = {
    # Settings and records
    "Config": ("papersift.config", "Config"),
    "load_config": ("papersift.config", "load_config"),
    "Paper": ("papersift.records", "Paper"),
    "PaperFilter": ("papersift.records", "PaperFilter"),
    "PapersiftError": ("papersift.errors", "PapersiftError"),
    # Getting papers in
    "open_store": ("papersift.store", "open_store"),
    "ingest_paths": ("papersift.ingest.files", "ingest_paths"),
    "IngestReport": ("papersift.ingest.files", "IngestReport"),
    # Finding and ranking them
    "load_embedder": ("papersift.embed", "load_embedder"),
    "semantic_searcher": ("papersift.index.sync", "semantic_searcher"),
    "search_papers": ("papersift.search", "search"),
    "similar": ("papersift.search", "similar"),
    "Hit": ("papersift.search", "Hit"),
    "recommend": ("papersift.rank.recommend", "recommend"),
    # The day, built and delivered
    "make_digest": ("papersift.pipelines", "make_digest"),
    "run_daily": ("papersift.pipelines", "run_daily"),
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    """Import a public name on first use, then keep it as a plain attribute."""
    try:
        module, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'papersift' has no attribute {name!r}") from None
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
