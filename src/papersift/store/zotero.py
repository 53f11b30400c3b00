"""Reading Zotero's own local database (`zotero.sqlite`) without touching it.

Zotero keeps its database open while it runs and, by default, holds an exclusive lock on it
(`PRAGMA locking_mode=EXCLUSIVE`), so opening the file itself fails with "database is locked".
A file copy ignores that lock: the database is copied with its `-wal` / `-journal` beside it into
a private folder and read there. Only the copy is ever opened, so the reader's library cannot be
harmed. The copy is opened with `mode=ro`, except that a copied hot journal (Zotero was in the
middle of a write) must first be rolled back, which SQLite does only on a writable connection:
without it the copy would show half a transaction.

The reader returns plain records (`ZoteroItem`); what a field means for a paper is decided by the
caller (`reader_library.import_zotero`). Schema: zotero/zotero `resource/schema/userdata.sql`
(items, itemData, itemDataValues, creators, itemCreators, collections, collectionItems,
deletedItems) and the system tables itemTypes, fields, creatorTypes.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from papersift.errors import ParseError, UsageError

SQLITE_HEADER = b"SQLite format 3\x00"
# The tables the reader needs; a SQLite file without them is some other application's.
REQUIRED_TABLES = frozenset(
    {
        "items",
        "itemTypes",
        "itemData",
        "itemDataValues",
        "fields",
        "creators",
        "itemCreators",
        "creatorTypes",
        "collections",
        "collectionItems",
        "deletedItems",
    }
)
# Item types that are not works: files, notes and (Zotero 7) PDF annotations hang off a parent.
SKIPPED_TYPES = ("attachment", "note", "annotation")
# A copy is retried when the database changed while it was being copied (Zotero wrote to it).
COPY_ATTEMPTS = 3


@dataclass(frozen=True)
class ZoteroItem:
    """One item of a Zotero library as stored: its key, type, fields by Zotero's field names
    (`title`, `date`, `DOI`, `url`, `extra`, `publicationTitle`, ...), its authors in order
    and the paths of the collections holding it (`ML/Transformers`)."""

    key: str
    item_type: str
    fields: dict[str, str] = field(default_factory=dict)
    authors: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()


def is_sqlite(head: bytes) -> bool:
    """Whether a file starting with `head` is a SQLite database (its 16-byte magic header)."""
    return head.startswith(SQLITE_HEADER)


def read_zotero(path: Path) -> list[ZoteroItem]:
    """The works in Zotero's database at `path` (attachments, notes and items in the trash left
    out), read from a private copy. Raises ParseError for a damaged or unreadable file and
    UsageError for a SQLite file that is not Zotero's."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except OSError as err:
        raise ParseError(str(path), f"cannot read: {err.strerror}") from None
    if not is_sqlite(head):
        raise ParseError(
            str(path), "not a SQLite database (Zotero's data folder has zotero.sqlite)"
        )
    with _private_copy(path) as copy:
        try:
            return _read(path, copy)
        except sqlite3.DatabaseError as err:
            # "file is not a database", "database disk image is malformed": a damaged file.
            raise ParseError(str(path), f"damaged SQLite database ({err})") from None
        except UnicodeDecodeError:
            # A damaged schema's error message holds the broken bytes, which Python's sqlite3
            # cannot decode: the same damaged file, and no traceback (issue 19, item 10).
            raise ParseError(str(path), "damaged SQLite database (malformed schema)") from None


@contextmanager
def _private_copy(path: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="papersift-zotero-") as folder:
        copy = Path(folder) / "zotero.sqlite"
        for _ in range(COPY_ATTEMPTS):
            try:
                before = _state(path)
                shutil.copyfile(path, copy)
                for suffix in ("-wal", "-journal"):
                    target = Path(f"{copy}{suffix}")
                    target.unlink(missing_ok=True)
                    side = Path(f"{path}{suffix}")
                    if side.exists():
                        shutil.copyfile(side, target)
                if _state(path) == before:
                    break
            except FileNotFoundError:
                if not path.exists():
                    raise ParseError(str(path), "cannot read: no such file") from None
                continue  # a journal vanished mid-copy: Zotero committed; copy again
            except OSError as err:
                raise ParseError(str(path), f"cannot read: {err.strerror}") from None
        # Still changing after the last attempt: read that copy anyway; a page torn by the
        # write most likely reads as a damaged database, named below.
        yield copy


def _state(path: Path) -> tuple[object, ...]:
    """What changes when Zotero writes: the database's size and time, its side files' presence."""
    stat = path.stat()
    sides = tuple(
        (side.stat().st_size, side.stat().st_mtime_ns) if side.exists() else None
        for side in (Path(f"{path}-wal"), Path(f"{path}-journal"))
    )
    return (stat.st_size, stat.st_mtime_ns, sides)


def _read(original: Path, copy: Path) -> list[ZoteroItem]:
    if Path(f"{copy}-journal").exists():
        # Roll back the interrupted write on the copy (SQLite does it on first read).
        recover = sqlite3.connect(copy)
        try:
            recover.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            recover.close()
    db = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        missing = REQUIRED_TABLES - tables
        if missing:
            raise UsageError(
                f"{original}: a SQLite database, but not Zotero's (no table "
                f"{', '.join(sorted(missing)[:3])}); give the zotero.sqlite from Zotero's "
                "data directory"
            )
        return _items(db, tables)
    finally:
        db.close()


def _items(db: sqlite3.Connection, tables: set[str]) -> list[ZoteroItem]:
    hidden = ["SELECT itemID FROM deletedItems"]
    if "feedItems" in tables:
        hidden.append("SELECT itemID FROM feedItems")  # RSS feed entries, not the library
    rows = db.execute(
        "SELECT items.itemID, items.key, itemTypes.typeName FROM items "
        "JOIN itemTypes ON itemTypes.itemTypeID = items.itemTypeID "
        f"WHERE itemTypes.typeName NOT IN ({', '.join('?' * len(SKIPPED_TYPES))}) "
        f"AND items.itemID NOT IN ({' UNION '.join(hidden)}) ORDER BY items.itemID",
        SKIPPED_TYPES,
    ).fetchall()
    wanted = {item_id for item_id, _, _ in rows}
    fields: dict[int, dict[str, str]] = {}
    for item_id, name, value in db.execute(
        "SELECT itemData.itemID, fields.fieldName, itemDataValues.value FROM itemData "
        "JOIN fields ON fields.fieldID = itemData.fieldID "
        "JOIN itemDataValues ON itemDataValues.valueID = itemData.valueID"
    ):
        if item_id in wanted and value is not None:
            fields.setdefault(item_id, {})[name] = str(value)
    authors: dict[int, list[str]] = {}
    for item_id, first, last, mode in db.execute(
        "SELECT itemCreators.itemID, creators.firstName, creators.lastName, creators.fieldMode "
        "FROM itemCreators JOIN creators ON creators.creatorID = itemCreators.creatorID "
        "JOIN creatorTypes ON creatorTypes.creatorTypeID = itemCreators.creatorTypeID "
        "WHERE creatorTypes.creatorType = 'author' "
        "ORDER BY itemCreators.itemID, itemCreators.orderIndex"
    ):
        if item_id in wanted:
            authors.setdefault(item_id, []).append(_name(first, last, mode))
    collections = _collection_paths(db, tables)
    member: dict[int, list[str]] = {}
    for collection_id, item_id in db.execute(
        "SELECT collectionID, itemID FROM collectionItems ORDER BY collectionID"
    ):
        if item_id in wanted and collection_id in collections:
            member.setdefault(item_id, []).append(collections[collection_id])
    return [
        ZoteroItem(
            key=key,
            item_type=item_type,
            fields=fields.get(item_id, {}),
            authors=tuple(name for name in authors.get(item_id, []) if name),
            collections=tuple(sorted(set(member.get(item_id, [])))),
        )
        for item_id, key, item_type in rows
    ]


def _name(first: str | None, last: str | None, mode: int | None) -> str:
    """`First Last`; a single-field creator (fieldMode 1, an institution) keeps its one name."""
    if mode == 1:
        return (last or "").strip()
    return " ".join(part.strip() for part in (first, last) if part and part.strip())


def _collection_paths(db: sqlite3.Connection, tables: set[str]) -> dict[int, str]:
    """Each collection's path from the top, `ML/Transformers`; collections in the trash
    (Zotero 7's deletedCollections) and those under them are left out."""
    parents: dict[int, tuple[str, int | None]] = {
        cid: (" ".join(str(name).split()), parent)
        for cid, name, parent in db.execute(
            "SELECT collectionID, collectionName, parentCollectionID FROM collections"
        )
    }
    trashed: set[int] = set()
    if "deletedCollections" in tables:
        trashed = {cid for (cid,) in db.execute("SELECT collectionID FROM deletedCollections")}
    paths: dict[int, str] = {}
    for cid in parents:
        names: list[str] = []
        seen: set[int] = set()
        node: int | None = cid
        while node is not None and node in parents and node not in seen and node not in trashed:
            seen.add(node)
            name, node = parents[node]
            names.append(name.replace("/", "\u2215") or "(unnamed)")  # "/" only between levels
        if node is None or node not in parents:  # reached the top: not trashed, not a loop
            paths[cid] = "/".join(reversed(names))
    return paths
