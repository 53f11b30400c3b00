"""The README is a tested contract: every command, every setting and every environment variable
papersift reads is documented where a reader looks for it.

Modelled on datasette's and sqlite-utils' `tests/test_docs.py`: the lists come from the code (the
typer app's command tree, the starter configuration file, the string constants in the sources),
so a new command or setting fails here until the README says what it is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from papersift.cli import app
from papersift.config import starter_config

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
SOURCES = REPO / "src" / "papersift"
ENV_PREFIX = "PAPERSIFT_"


def section(title: str) -> str:
    """The README's `## title` section, up to the next heading of the same level."""
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert found, f"README.md has no '## {title}' section"
    return found.group(1)


def command_paths(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Each runnable command as its words after `papersift` ("papers", "count")."""
    # Typer bundles its own click, so the tree is walked by shape, not by click's classes.
    children = getattr(command, "commands", None)
    if not children:
        yield path
        return
    for name, child in sorted(children.items()):
        yield from command_paths(child, (*path, name))


COMMANDS = sorted(command_paths(typer.main.get_command(app)))


def settings() -> list[tuple[str, str]]:
    """(section, key) of every setting, read from the starter file `config init` writes.

    The starter file lists every key under its table (tests/test_config.py holds it to that),
    whatever models the settings are built from.
    """
    found: list[tuple[str, str]] = []
    current = None
    for line in starter_config().splitlines():
        table = re.match(r"^\[(\w+)\]", line)
        if table:
            current = table.group(1)
            continue
        key = re.match(r"^#\s*([A-Za-z_]\w*)\s*=", line)
        if key and current is not None:
            found.append((current, key.group(1)))
    return found


SETTINGS = settings()


def env_variable(section_name: str, key: str) -> str:
    """The variable for `[section] key`: PAPERSIFT_<SECTION>_<KEY> (config.py's docstring)."""
    return f"{ENV_PREFIX}{section_name}_{key}".upper()


def variables_read_by_the_code() -> list[str]:
    """Every PAPERSIFT_* name that appears whole as a string constant in the sources.

    Whole constants are what `os.environ.get(...)`, `envvar=` and tuples of names use; prose in
    docstrings and messages does not count.
    """
    names = set()
    for path in SOURCES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(rf"{ENV_PREFIX}[A-Z]+(?:_[A-Z]+)*", node.value)
            ):
                names.add(node.value)
    return sorted(names)


def test_the_lists_are_not_empty() -> None:
    """A broken walk would make every parametrized test below vanish instead of fail."""
    assert ("papers", "count") in COMMANDS and ("search",) in COMMANDS
    assert ("digest", "k") in SETTINGS and ("email", "from") in SETTINGS
    assert "PAPERSIFT_DB" in variables_read_by_the_code()


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_is_in_everyday_use(words: tuple[str, ...]) -> None:
    pattern = r"\bpapersift\s+" + r"\s+".join(map(re.escape, words)) + r"(?![\w-])"
    assert re.search(pattern, section("Everyday use")), (
        f"`papersift {' '.join(words)}` is missing from README.md's 'Everyday use' section"
    )


@pytest.mark.parametrize(("section_name", "key"), SETTINGS, ids=lambda v: v)
def test_every_setting_and_its_variable_are_in_configuration(section_name: str, key: str) -> None:
    """One line names the setting as `section.key` together with its environment variable."""
    name, variable = f"`{section_name}.{key}`", env_variable(section_name, key)
    lines = [line for line in section("Configuration").splitlines() if name in line]
    assert lines, f"{name} is missing from README.md's 'Configuration' section"
    assert any(variable in line for line in lines), f"{variable} is not on the line of {name}"


@pytest.mark.parametrize("variable", variables_read_by_the_code())
def test_every_variable_the_code_reads_is_in_configuration(variable: str) -> None:
    assert variable in section("Configuration"), (
        f"{variable} is read by papersift but missing from README.md's 'Configuration' section"
    )


def error_classes() -> dict[str, tuple[str, str]]:
    """Every PapersiftError subclass under src: name -> (its base's name, file under papersift/)."""
    defined: dict[str, tuple[list[str], str]] = {}
    for path in sorted(SOURCES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(base).rpartition(".")[2] for base in node.bases]
                defined[node.name] = (bases, path.relative_to(SOURCES).as_posix())

    def base_in_tree(name: str) -> str | None:
        for base in defined.get(name, ([], ""))[0]:
            if base == "PapersiftError" or base_in_tree(base) is not None:
                return base
        return None

    found = {"PapersiftError": ("", "errors.py")}
    for name, (_, file) in defined.items():
        base = base_in_tree(name)
        if base is not None:
            found[name] = (base, file)
    return found


def documented_error_tree() -> dict[str, tuple[str, str]]:
    """The tree in errors.py's docstring: name -> (parent by indentation, file)."""
    module = ast.parse((SOURCES / "errors.py").read_bytes())
    docstring = ast.get_docstring(module) or ""
    tree: dict[str, tuple[str, str]] = {}
    parents: list[tuple[int, str]] = []  # (indent, name) of the open branches
    for line in docstring.splitlines():
        row = re.match(r"^( +)([A-Z]\w*)\s+(\S+\.py)\b", line)
        if not row:
            continue
        indent, name, file = len(row.group(1)), row.group(2), row.group(3)
        while parents and parents[-1][0] >= indent:
            parents.pop()
        tree[name] = (parents[-1][1] if parents else "", file)
        parents.append((indent, name))
    return tree


def test_the_error_tree_in_errors_docstring_matches_the_code() -> None:
    in_code, documented = error_classes(), documented_error_tree()
    missing = sorted(set(in_code) - set(documented))
    stale = sorted(set(documented) - set(in_code))
    wrong = sorted(
        f"{name}: documented as {documented[name]}, is (base, file) {in_code[name]}"
        for name in set(in_code) & set(documented)
        if documented[name] != in_code[name]
    )
    assert not (missing or stale or wrong), (
        "src/papersift/errors.py's docstring tree is out of step with the code:\n"
        f"missing: {missing}\nno longer defined: {stale}\nwrong place: {wrong}"
    )


def anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_benchmarks_anchor_the_code_cites_exists() -> None:
    """Comments cite docs/benchmarks.md#anchor for their numbers; the anchor must lead somewhere."""
    text = (REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    anchors = {anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}
    cited = {
        (path.relative_to(REPO).as_posix(), name)
        for path in sorted(SOURCES.rglob("*.py"))
        for name in re.findall(r"docs/benchmarks\.md#([\w\-]+)", path.read_text(encoding="utf-8"))
    }
    broken = sorted(f"{file}: #{name}" for file, name in cited if name not in anchors)
    assert cited and not broken, "anchors missing from docs/benchmarks.md:\n" + "\n".join(broken)
