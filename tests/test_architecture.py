"""The package's shape, guarded: all SQL in `store/`, the library below its two front ends, no
import circles, and data flowing one way down the pipeline.

Pure `ast` walks over `src/papersift`: nothing here imports the modules it checks, so the guard
costs well under a second and cannot be fooled by import-time side effects. Imports inside
function bodies and `if TYPE_CHECKING:` blocks count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "papersift"
ROOT = Path(__file__).resolve().parents[1] / "src" / PACKAGE

# The pipeline, bottom to top. A module may import from its own layer or any layer below it,
# never from a layer above. Each entry is a module or package under `papersift`; a package
# covers everything inside it. Modules off the main line sit where their meaning puts them:
LAYERS: tuple[tuple[str, ...], ...] = (
    # Base: records and pure helpers that anyone may use. `config` is here because every stage
    # reads its settings; `window` (the --since grammar), `dedupe` (which records are one paper)
    # and `export` (papers -> BibTeX/CSL text) are pure functions of records, as are `badges`
    # (a paper's upvotes, code link and venue as every front end shows them); `defaults` names
    # the library's default model and windows, which both front ends show; `arxiv_calendar`
    # is arXiv's announcement days, a pure function of dates. The package root
    # holds only `__version__` and lazily loaded public names (PEP 562), so importing it pulls
    # in nothing above.
    (
        PACKAGE,
        "records",
        "errors",
        "text",
        "ids",
        "atomic",
        "config",
        "settings",
        "window",
        "dedupe",
        "export",
        "defaults",
        "badges",
        "arxiv_calendar",
    ),
    ("sources",),
    ("net",),
    ("ingest",),
    ("store",),
    ("embed",),
    ("index",),
    ("search", "fusion"),
    ("rank",),
    ("topics",),
    ("viz",),
    ("digest",),
    # Use cases both front ends call. `accounts` (users and passwords) and `reader_library`
    # (rate, tag, import, export a reader's library) are use cases over the store; `present`
    # is how a paper looks to a person or a script, shared by the front ends; `demo` builds a
    # store and a digest like `daily` does.
    ("pipelines", "accounts", "reader_library", "reader_follows", "present", "demo"),
    ("cli", "web", "__main__"),
)
# Imports that go up the table but down in meaning, each with its reason. Keep this short: an
# entry here is a claim that the table, not the code, is what reads wrong.
DOWNWARD_IN_MEANING: dict[tuple[str, str], str] = {
    # The table follows the data (papers are ingested, then kept), but ingest writes them
    # through the store's interface: the store is the service ingest uses and never calls back.
    ("ingest", "store"): "ingest writes papers into the store",
}
FRONT_ENDS = ("cli", "web")
SQL_HOME = "store"
SQL_CALLS = frozenset({"execute", "executemany", "executescript"})
SQL_DRIVERS = frozenset({"sqlite3", "psycopg", "psycopg2"})


@dataclass(frozen=True)
class Import:
    target: str  # the papersift module imported (a submodule when `from pkg import submodule`)
    file: str  # path relative to the repository root
    line: int


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. papersift.store.sqlite
    path: Path
    tree: ast.Module

    @property
    def file(self) -> str:
        return str(self.path.relative_to(ROOT.parents[1]))

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _load_modules() -> dict[str, Module]:
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        name = _module_name(path)
        modules[name] = Module(name, path, ast.parse(path.read_bytes(), filename=str(path)))
    return modules


MODULES = _load_modules()


def _resolve(name: str) -> str | None:
    """The longest prefix of `name` that is a papersift module (`papersift.x.f` -> `papersift.x`)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _imports(module: Module) -> Iterator[Import]:
    """Every import of a papersift module anywhere in `module`, relative ones resolved."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    target = _resolve(alias.name)
                    if target:
                        yield Import(target, module.file, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.name if module.is_package else module.name.rpartition(".")[0]
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source != PACKAGE and not source.startswith(PACKAGE + "."):
                continue
            for alias in node.names:
                # `from papersift.x import y` imports the submodule when y is one.
                target = _resolve(f"{source}.{alias.name}")
                if target:
                    yield Import(target, module.file, node.lineno)


IMPORTS: dict[str, list[Import]] = {name: list(_imports(m)) for name, m in MODULES.items()}


def _within(name: str, prefix: str) -> bool:
    """Whether module `name` is `papersift.<prefix>` or inside it."""
    full = PACKAGE if prefix == PACKAGE else f"{PACKAGE}.{prefix}"
    return name == full or name.startswith(full + ".")


def _layer(name: str) -> int | None:
    """The layer of module `name`: its most specific entry in LAYERS."""
    best: tuple[int, int] | None = None  # (specificity, layer)
    for index, entries in enumerate(LAYERS):
        for entry in entries:
            if entry == PACKAGE:
                if name == PACKAGE:
                    return index
                continue
            if _within(name, entry) and (best is None or len(entry) > best[0]):
                best = (len(entry), index)
    return None if best is None else best[1]


def _describe(index: int) -> str:
    entries = LAYERS[index]
    return "/".join(entries[:3]) + ("/..." if len(entries) > 3 else "")


def _excused(importer: str, imported: str) -> bool:
    return any(
        _within(importer, low) and _within(imported, high) for low, high in DOWNWARD_IN_MEANING
    )


def test_the_package_was_found() -> None:
    assert f"{PACKAGE}.records" in MODULES, f"no papersift sources under {ROOT}"


def _sql_uses(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, what) for each SQL statement run and each database driver imported."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
        ):
            yield node.lineno, f".{node.func.attr}(...)"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.partition(".")[0] in SQL_DRIVERS:
                    yield node.lineno, f"import {alias.name}"
        elif (
            isinstance(node, ast.ImportFrom)
            and not node.level
            and (node.module or "").partition(".")[0] in SQL_DRIVERS
        ):
            yield node.lineno, f"from {node.module} import ..."


def test_no_sql_outside_the_store() -> None:
    """Only `store/` talks to the database, so a second backend replaces one package."""
    offences = [
        f"{module.file}:{line}: {what}"
        for name, module in MODULES.items()
        if not _within(name, SQL_HOME)
        for line, what in sorted(_sql_uses(module.tree))
    ]
    assert not offences, "SQL outside src/papersift/store/:\n" + "\n".join(offences)


def test_the_library_never_imports_a_front_end() -> None:
    """The CLI and the web app sit on the library; the library knows neither of them."""
    offences = [
        f"{found.file}:{found.line}: imports {found.target}"
        for name, found_imports in IMPORTS.items()
        if not any(_within(name, front) for front in FRONT_ENDS)
        for found in found_imports
        if any(_within(found.target, front) for front in FRONT_ENDS)
    ]
    assert not offences, "library modules importing papersift.cli or papersift.web:\n" + (
        "\n".join(offences)
    )


def _cycles() -> list[list[str]]:
    """The strongly connected components of the import graph that hold a circle (Tarjan)."""
    graph = {name: sorted({i.target for i in found}) for name, found in IMPORTS.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in graph.get(node, []):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, []):
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _one_circle(component: list[str]) -> list[Import]:
    """A shortest circle through the component's first module, as the imports that make it."""
    members = set(component)
    start = component[0]
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    while queue:
        current = queue.pop(0)
        for found in IMPORTS[current]:
            if found.target == start:
                return paths[current] + [found]
            if found.target in members and found.target not in paths:
                paths[found.target] = paths[current] + [found]
                queue.append(found.target)
    return []  # unreachable for a component with a circle


def test_no_import_circles() -> None:
    circles = []
    for component in _cycles():
        steps = _one_circle(component)
        chain = " -> ".join(f"{s.target} ({s.file}:{s.line})" for s in steps)
        circles.append(f"{', '.join(component)}\n    {component[0]} -> {chain}")
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_every_module_has_a_layer() -> None:
    """A new top-level module must be placed in LAYERS, so the next test can judge it."""
    unplaced = [m.file for name, m in MODULES.items() if _layer(name) is None]
    assert not unplaced, "modules missing from LAYERS in tests/test_architecture.py:\n" + (
        "\n".join(unplaced)
    )


def test_nothing_imports_upward() -> None:
    """Data flows down the pipeline; a stage never reaches up to a later one."""
    offences = []
    for name, found_imports in IMPORTS.items():
        own = _layer(name)
        if own is None:
            continue
        for found in found_imports:
            theirs = _layer(found.target)
            if theirs is not None and theirs > own and not _excused(name, found.target):
                offences.append(
                    f"{found.file}:{found.line}: {name} ({_describe(own)}) imports "
                    f"{found.target} ({_describe(theirs)})"
                )
    assert not offences, "imports that point up the pipeline:\n" + "\n".join(offences)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("papersift", 0),
        ("papersift.config", 0),
        ("papersift.sources.bibtex", 1),
        ("papersift.search", 7),
        ("papersift.web.routes.api", len(LAYERS) - 1),
    ],
)
def test_the_layer_table_reads_as_meant(module: str, expected: int) -> None:
    assert _layer(module) == expected
