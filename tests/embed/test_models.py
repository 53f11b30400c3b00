"""Which model a name means; unknown names fail fast, offline, with our own error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from papersift.embed import DEFAULT_MODEL, ModelNotFound, available_models, load_embedder
from papersift.embed.models import downloads_allowed, resolve_model
from papersift.errors import PapersiftError


def test_default_model_is_the_bundled_one() -> None:
    source = resolve_model(None)
    assert source.model_id == DEFAULT_MODEL
    assert source.local
    assert (Path(source.location) / "model.safetensors").is_file()
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2") == source
    assert resolve_model(source.location) == source  # its directory, given as a path


def test_unknown_model_offline_fails_fast_listing_what_exists() -> None:
    assert not downloads_allowed()
    started = time.perf_counter()
    with pytest.raises(ModelNotFound) as caught:
        load_embedder("no-such-org/no-such-model")
    assert time.perf_counter() - started < 5
    assert isinstance(caught.value, PapersiftError)
    message = str(caught.value)
    assert "no-such-org/no-such-model" in message
    assert "offline" in message
    assert f"{DEFAULT_MODEL} (bundled)" in message
    assert "static" in message and "@onnx-int8" in message


def test_a_missing_directory_is_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="no such directory"):
        resolve_model(str(tmp_path / "nowhere" / "model"))


def test_a_directory_without_a_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelNotFound, match="no model"):
        resolve_model(str(tmp_path))


def test_a_local_model_gets_an_id_of_its_own(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name / "model").mkdir(parents=True)
        (tmp_path / name / "model" / "config.json").write_text("{}")
    first = resolve_model(str(tmp_path / "a" / "model"))
    second = resolve_model(str(tmp_path / "b" / "model"))
    assert first.local and first.model_id.startswith("model-")
    assert first.model_id != second.model_id  # same folder name, different models


def test_available_models_lists_cached_builds(offline_cache: Path) -> None:
    folder = offline_cache / "models" / "my-model@onnx-int8"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").write_text('{"model_id": "my-model@onnx-int8"}')
    try:
        assert "my-model@onnx-int8 (cached)" in available_models()
    finally:
        (folder / "meta.json").unlink()
        folder.rmdir()
