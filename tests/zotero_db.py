"""A small real Zotero database for the import tests, built with Zotero's own table shapes.

The tables and columns follow zotero/zotero `resource/schema/userdata.sql` (schema 107+: items,
itemData, itemDataValues, creators, itemCreators, collections, collectionItems, deletedItems,
deletedCollections) and its system tables (itemTypes, fields, creatorTypes), with the ids
Zotero gives the field and type names (`system-107.sql`). Dates are stored as Zotero stores
them: `YYYY-MM-DD` with 00 for an unknown part, then the text as typed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = """
CREATE TABLE version (schema TEXT PRIMARY KEY, version INT NOT NULL);
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL,
    editable INT NOT NULL, filesEditable INT NOT NULL);
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT,
    templateItemTypeID INT, display INT DEFAULT 1);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE items (
    itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    libraryID INT NOT NULL, key TEXT NOT NULL, version INT NOT NULL DEFAULT 0,
    synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE itemNotes (itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT);
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT,
    contentType TEXT, charsetID INT, path TEXT, syncState INT DEFAULT 0);
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT,
    fieldMode INT, UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL,
    creatorTypeID INT NOT NULL DEFAULT 1, orderIndex INT NOT NULL DEFAULT 0,
    PRIMARY KEY (itemID, creatorID, creatorTypeID, orderIndex), UNIQUE (itemID, orderIndex));
CREATE TABLE collections (collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL,
    parentCollectionID INT DEFAULT NULL,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    libraryID INT NOT NULL, key TEXT NOT NULL, version INT NOT NULL DEFAULT 0,
    synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE collectionItems (collectionID INT NOT NULL, itemID INT NOT NULL,
    orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (collectionID, itemID));
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY,
    dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
CREATE TABLE deletedCollections (collectionID INTEGER PRIMARY KEY,
    dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""
ITEM_TYPES = {
    "note": 1,
    "journalArticle": 4,
    "attachment": 14,
    "conferencePaper": 33,
    "preprint": 37,
}
FIELDS = {
    "url": 1,
    "volume": 4,
    "issue": 5,
    "pages": 10,
    "publicationTitle": 12,
    "date": 14,
    "extra": 22,
    "DOI": 26,
    "abstractNote": 90,
    "title": 110,
    "proceedingsTitle": 114,
    "repository": 124,
    "archiveID": 125,
}
CREATOR_TYPES = {"author": 1, "contributor": 2, "editor": 3}


@dataclass
class Item:
    key: str
    item_type: str
    fields: dict[str, str] = field(default_factory=dict)
    # (first, last, type); first None = a one-field name (fieldMode 1), as for institutions
    creators: list[tuple[str | None, str, str]] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    deleted: bool = False


# name -> parent name (None: top level); the trashed one is in deletedCollections
COLLECTIONS = {
    "ML": None,
    "Transformers": "ML",
    "Reading group": None,
    "Old stuff": None,
}
TRASHED_COLLECTIONS = ("Old stuff",)

LIBRARY = [
    Item(
        "AAAA1111",
        "journalArticle",
        {
            "title": "Sparse attention for invented long documents",
            "date": "2021-00-00 2021",
            "DOI": "https://doi.org/10.5555/Zotero.One",
            "url": "https://example.org/sparse",
            "publicationTitle": "Journal of Invented Results",
            "volume": "12",
            "issue": "3",
            "pages": "101–117",
            "abstractNote": "We attend sparsely to documents that never existed.",
        },
        [("Ada", "Lovelace", "author"), ("Alan", "Turing", "author"), ("Ed", "Itor", "editor")],
        ["Transformers", "Reading group"],
    ),
    Item(
        "BBBB2222",
        "preprint",
        {
            "title": "An invented preprint about token pruning",
            "date": "2024-01-05 2024-01-05",
            "url": "http://arxiv.org/abs/2401.01234v2",
            "archiveID": "arXiv:2401.01234",
            "repository": "arXiv",
            "extra": "arXiv: 2401.01234",
        },
        [("Grace", "Hopper", "author")],
        ["ML", "Old stuff"],
    ),
    Item(
        "CCCC3333",
        "conferencePaper",
        {
            "title": "Compilers that read papers for you",
            "date": "2023-07-00 July 2023",
            "proceedingsTitle": "Proceedings of the Invented Conference",
            "pages": "5-9",
            "extra": "Citation Key: consortium2023compilers\ntex.note: kept",
        },
        [(None, "The Invented Consortium", "author"), ("Barbara", "Liskov", "author")],
    ),
    Item(
        "DDDD4444",
        "journalArticle",
        {"title": "A paper left in the trash", "date": "2020-00-00 2020"},
        [("Niklaus", "Wirth", "author")],
        ["ML"],
        deleted=True,
    ),
    Item(
        "EEEE5555",
        "attachment",
        {"title": "Full Text PDF", "url": "https://x.org/a.pdf"},
        collections=["ML"],
    ),
    Item("FFFF6666", "note", {"title": "My notes on sparse attention"}),
]


def build_zotero(path: Path, items: list[Item] = LIBRARY, *, wal: bool = False) -> Path:
    """Write a Zotero database holding `items` at `path`."""
    db = sqlite3.connect(path)
    try:
        if wal:
            db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        db.execute("INSERT INTO libraries VALUES (1, 'user', 1, 1)")
        db.executemany(
            "INSERT INTO itemTypes VALUES (?, ?, NULL, 1)", [(i, n) for n, i in ITEM_TYPES.items()]
        )
        db.executemany(
            "INSERT INTO fields VALUES (?, ?, NULL)", [(i, n) for n, i in FIELDS.items()]
        )
        db.executemany(
            "INSERT INTO creatorTypes VALUES (?, ?)", [(i, n) for n, i in CREATOR_TYPES.items()]
        )
        collection_ids = {name: number for number, name in enumerate(COLLECTIONS, start=1)}
        for name, parent in COLLECTIONS.items():
            db.execute(
                "INSERT INTO collections (collectionID, collectionName, parentCollectionID, "
                "libraryID, key) VALUES (?, ?, ?, 1, ?)",
                (
                    collection_ids[name],
                    name,
                    collection_ids.get(parent or ""),
                    f"COLL{collection_ids[name]:04d}",
                ),
            )
        for name in TRASHED_COLLECTIONS:
            db.execute(
                "INSERT INTO deletedCollections (collectionID) VALUES (?)", (collection_ids[name],)
            )
        add_items(db, items, collection_ids)
        db.commit()
    finally:
        db.close()
    return path


def add_items(db: sqlite3.Connection, items: list[Item], collection_ids: dict[str, int]) -> None:
    for item in items:
        cur = db.execute(
            "INSERT INTO items (itemTypeID, libraryID, key) VALUES (?, 1, ?)",
            (ITEM_TYPES[item.item_type], item.key),
        )
        item_id = cur.lastrowid
        for name, value in item.fields.items():
            db.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
            (value_id,) = db.execute(
                "SELECT valueID FROM itemDataValues WHERE value = ?", (value,)
            ).fetchone()
            db.execute("INSERT INTO itemData VALUES (?, ?, ?)", (item_id, FIELDS[name], value_id))
        # Creators are inserted last-first so that only orderIndex gives the right order.
        for order, (first, last, kind) in reversed(list(enumerate(item.creators))):
            mode = 1 if first is None else 0
            db.execute(
                "INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, ?)",
                (first or "", last, mode),
            )
            (creator_id,) = db.execute(
                "SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ? "
                "AND fieldMode = ?",
                (first or "", last, mode),
            ).fetchone()
            db.execute(
                "INSERT INTO itemCreators VALUES (?, ?, ?, ?)",
                (item_id, creator_id, CREATOR_TYPES[kind], order),
            )
        for name in item.collections:
            db.execute(
                "INSERT INTO collectionItems VALUES (?, ?, 0)", (collection_ids[name], item_id)
            )
        if item.deleted:
            db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (item_id,))
        if item.item_type == "attachment":
            db.execute(
                "INSERT INTO itemAttachments (itemID, parentItemID, linkMode, "
                "contentType) VALUES (?, 1, 0, 'application/pdf')",
                (item_id,),
            )
