"""Where exported and distilled models live: one folder per model id in the user cache dir.

A folder is built under a temporary name and renamed into place, so a crash or a second
process building the same model never leaves a half-written model that looks complete.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE_ENV = "PAPERSIFT_CACHE_DIR"
META_FILE = "meta.json"


def cache_root() -> Path:
    """The papersift cache dir: $PAPERSIFT_CACHE_DIR, else the platform's user cache dir."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("papersift"))


def models_dir() -> Path:
    return cache_root() / "models"


def folder_name(model_id: str) -> str:
    """A safe folder name for a model id: `org/name@onnx-int8` -> `org--name@onnx-int8`."""
    return re.sub(r"[^A-Za-z0-9._@+-]", "-", model_id.replace("/", "--"))


def model_folder(model_id: str) -> Path:
    return models_dir() / folder_name(model_id)


def read_meta(folder: Path) -> dict[str, Any] | None:
    """The folder's meta.json, or None when the folder is missing or was never finished."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")


def cached_model_ids() -> list[str]:
    """Ids of every finished model folder in the cache (exports and distillations)."""
    root = models_dir()
    if not root.is_dir():
        return []
    ids = []
    for folder in sorted(root.iterdir()):
        meta = read_meta(folder) if folder.is_dir() and not folder.name.startswith(".") else None
        if meta and isinstance(meta.get("model_id"), str):
            ids.append(meta["model_id"])
    return ids


def build_folder(target: Path, build: Callable[[Path], object]) -> Path:
    """Run `build(tmp)` to fill a fresh folder, then move it to `target` in one rename.

    An existing `target` is replaced (the caller decided it is stale). If another process
    finished the same folder first, its result is kept and ours discarded.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        build(scratch)
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            scratch.rename(target)
        except OSError:
            if read_meta(target) is None:
                raise
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return target
