"""Build step beyond pyproject.toml: the parsing hot path compiled with mypyc.

A bulk ingest spends half its CPU turning snapshot lines into rows in Python (bulk_rows and
the normalizers it calls). mypyc compiles these same typed modules to C extensions: ~1.5x
faster parsing with no change to the code (docs/benchmarks.md). The .py files stay the
source of truth and are installed beside the extensions.

Pure Python instead:
- for editable installs (`pip install -e .`): an extension would shadow the .py file being
  edited, and the edit would silently do nothing until the next install;
- with PAPERSIFT_PURE_PYTHON=1;
- when compiling fails (no C compiler, say): the install goes on without the extensions.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

COMPILED_MODULES = [
    "src/papersift/ingest/bulk_rows.py",
    "src/papersift/dedupe.py",
    "src/papersift/ids.py",
    "src/papersift/text.py",
    "src/papersift/sources/common.py",
    "src/papersift/sources/snapshot.py",
]


def _wants_pure_python() -> bool:
    return bool(os.environ.get("PAPERSIFT_PURE_PYTHON")) or "editable_wheel" in sys.argv


def _compiled_extensions() -> list:
    if _wants_pure_python():
        return []
    try:
        from mypyc.build import mypycify

        extensions = mypycify(COMPILED_MODULES, opt_level="3", group_name="papersift")
    except (Exception, SystemExit) as err:  # no mypy, or mypy found a type error (it exits)
        print(f"papersift: not compiling the parsing hot path ({err!r})", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # a failed compile leaves the pure-Python modules in use
    return extensions


setup(ext_modules=_compiled_extensions())
