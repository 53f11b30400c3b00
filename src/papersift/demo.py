"""`papersift demo`: a store of invented papers, a reader with a few likes, a digest. Offline."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from papersift.ingest.files import IngestReport, ingest_paths
from papersift.store.base import Store

# A reader who follows LLM quantization and graph learning, and asked about retrieval.
DEMO_LIKES = ("2611.00148", "2611.00729", "2611.01450", "2611.00175", "2611.00301")
DEMO_DISLIKES = ("2611.01314",)
DEMO_INTERESTS = ("retrieval-augmented generation for long documents",)
DEMO_SINCE = "2d"  # the corpus's last two days: about 120 papers


def corpus_path() -> Path:
    return Path(str(resources.files("papersift") / "data" / "demo_papers.jsonl"))


def build_demo_store(store: Store) -> IngestReport:
    """Ingest the bundled corpus and give the demo reader their likes and interests."""
    report = ingest_paths(store, [str(corpus_path())])
    library = store.library()
    with store.transaction():
        library.rate([r for i in DEMO_LIKES if (r := store.rowid_of(i)) is not None], 1)
        library.rate([r for i in DEMO_DISLIKES if (r := store.rowid_of(i)) is not None], -1)
        for text in DEMO_INTERESTS:
            library.add_interest(text)
    return report
