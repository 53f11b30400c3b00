"""`import papersift`: the public face a notebook or cron script uses, and what it costs."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import papersift

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", papersift.__all__)
def test_every_public_name_imports(name: str) -> None:
    value = getattr(papersift, name)
    assert value is not None
    if name != "__version__":
        module, attribute = papersift._PUBLIC[name]
        assert value is getattr(importlib.import_module(module), attribute)
        assert callable(value), name


def test_the_face_covers_what_a_script_needs() -> None:
    needed = {
        "open_store",
        "ingest_paths",
        "search_papers",
        "recommend",
        "make_digest",
        "run_daily",
        "load_config",
        "__version__",
    }
    assert needed <= set(papersift.__all__)
    assert set(papersift.__all__) <= set(dir(papersift))


def test_no_public_name_is_also_a_submodule() -> None:
    """Importing `papersift.x` rebinds the package's attribute `x` to the module, hiding a
    function of that name: a public name must never be a submodule's name."""
    submodules = {info.name for info in pkgutil.iter_modules(papersift.__path__)}
    assert not submodules & set(papersift.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        papersift.no_such_thing  # noqa: B018


def test_importing_papersift_imports_nothing_else() -> None:
    """`papersift --help` imports the package first; the public face must cost nothing."""
    code = (
        "import sys, papersift; print(sorted(m for m in sys.modules if m.startswith('papersift.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO / "src")},
        timeout=60,
    )
    assert result.stdout.strip() == "[]"


def test_the_version_is_the_packages() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert papersift.__version__ == project["version"]
