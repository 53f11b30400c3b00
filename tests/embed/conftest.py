"""Embedding tests share one tmp model cache: the ONNX export and the small static table are
built once per session (tens of seconds on 2 cores), then every test loads them from there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.embed.samples import SMALL_VOCAB

from papersift.embed.cache import CACHE_ENV


@pytest.fixture(scope="session")
def embed_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("papersift-cache")


@pytest.fixture(autouse=True)
def offline_cache(embed_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every embed test runs offline against the session's tmp cache, never the user's."""
    monkeypatch.setenv(CACHE_ENV, str(embed_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield embed_cache


@pytest.fixture(scope="session")
def reference(embed_cache: Path):
    from papersift.embed import load_embedder

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        return load_embedder(None, "transformer")


@pytest.fixture(scope="session")
def fast(embed_cache: Path):
    from papersift.embed import load_embedder

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(embed_cache))
        patch.setenv("HF_HUB_OFFLINE", "1")
        return load_embedder("fast")


@pytest.fixture(scope="session")
def static(embed_cache: Path):
    from papersift.embed import load_embedder

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(embed_cache))
        patch.setenv("HF_HUB_OFFLINE", "1")
        return load_embedder("static", static_vocab_limit=SMALL_VOCAB)
