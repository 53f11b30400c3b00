"""`papersift library import zotero.sqlite` from the command line: the summary, and one line
for a file that cannot be imported."""

from __future__ import annotations

import json
import sqlite3

from tests.zotero_db import build_zotero


def test_import_zotero_database_tags_collections(run, tmp_path):
    db = build_zotero(tmp_path / "zotero.sqlite")
    result = run("library", "import", str(db), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert (summary["entries"], summary["added"], summary["liked"]) == (3, 3, 3)
    assert summary["tags"] == ["ML", "ML/Transformers", "Reading group"]
    tagged = json.loads(run("library", "--tag", "ML/Transformers", "--json").out)
    assert [row["id"] for row in tagged] == ["doi:10.5555/zotero.one"]
    text = run("library", "import", str(db))
    assert text.code == 0 and "3 matched stored papers" in text.out
    assert "Collections as tags: ML, ML/Transformers, Reading group (0 newly tagged)" in text.out


def test_explicit_format_and_bad_files_give_one_line(run, tmp_path):
    db = build_zotero(tmp_path / "zotero.sqlite")
    garbage = tmp_path / "broken.sqlite"
    garbage.write_bytes(db.read_bytes()[:16] + b"\x00\xff" * 3000)
    damaged = run("library", "import", str(garbage))
    assert damaged.code == 1 and damaged.err.strip().splitlines() == [
        f"error: {garbage}: damaged SQLite database (file is not a database)"
    ]

    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.commit()
    con.close()
    foreign = run("library", "import", str(other))
    assert foreign.code == 2 and len(foreign.err.strip().splitlines()) == 1
    assert f"{other}: a SQLite database, but not Zotero's" in foreign.err

    text_as_zotero = tmp_path / "refs.bib"
    text_as_zotero.write_text("@article{k, title={T}, year={2020}}\n")
    wrong = run("library", "import", "--format", "zotero-sqlite", str(text_as_zotero))
    assert wrong.code == 1 and wrong.err.strip().splitlines() == [
        f"error: {text_as_zotero}: not a SQLite database (Zotero's data folder has zotero.sqlite)"
    ]
    assert run("papers", "count").out.strip() == "0"
