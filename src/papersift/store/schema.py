"""The SQLite schema as numbered migrations; `PRAGMA user_version` records how far a file is.

Add a migration by appending to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: papers, every identifier they go by, the FTS index, checkpoints.
    """
    CREATE TABLE papers (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        title_raw TEXT,                 -- NULL when equal to title
        abstract TEXT,
        abstract_raw TEXT,              -- NULL when equal to abstract
        authors TEXT NOT NULL,          -- JSON array, in order
        authors_text TEXT NOT NULL,     -- "A. One, B. Two" for the FTS index
        categories TEXT NOT NULL,       -- JSON array, primary first
        primary_category TEXT,
        version INTEGER,
        published TEXT,                 -- ISO date
        updated TEXT,
        doi TEXT,
        arxiv_id TEXT,
        links TEXT NOT NULL,            -- JSON [[kind, url], ...]
        sources TEXT NOT NULL,          -- JSON array
        external_ids TEXT NOT NULL,     -- JSON object
        extra TEXT NOT NULL,            -- JSON object
        title_author INTEGER,           -- 64-bit hash of dedupe.title_author_key
        first_seen TEXT NOT NULL        -- ISO datetime, UTC
    );
    CREATE INDEX papers_published ON papers(published);
    CREATE INDEX papers_title_author ON papers(title_author) WHERE title_author IS NOT NULL;
    -- Every other identifier a paper goes by (DOI, arXiv id of a non-arXiv-id record, source
    -- ids, ids it had before a merge); its own id is found through papers.id.
    CREATE TABLE paper_aliases (
        alias TEXT PRIMARY KEY,
        paper_rowid INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE
    ) WITHOUT ROWID;
    CREATE INDEX paper_aliases_rowid ON paper_aliases(paper_rowid);
    CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, abstract, authors_text, content='papers', content_rowid='rowid'
    );
    CREATE TABLE checkpoints (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 2: embeddings per model, keyed by a hash of the embedded text so changed papers re-embed.
    """
    CREATE TABLE embeddings (
        model_id TEXT NOT NULL,
        paper_rowid INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        text_hash TEXT NOT NULL,
        vector BLOB NOT NULL,           -- float16, L2-normalized; half the size of float32
        PRIMARY KEY (model_id, paper_rowid)
    ) WITHOUT ROWID;
    """,
    # 3: the reader's library: accounts (one local reader unless multi-user), likes and
    # dislikes, tags, and interests in words.
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT,             -- NULL for the local reader
        created_at TEXT NOT NULL
    );
    INSERT INTO users(id, name, created_at) VALUES (1, 'local', datetime('now'));
    CREATE TABLE feedback (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_rowid INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
        at TEXT NOT NULL,
        PRIMARY KEY (user_id, paper_rowid)
    ) WITHOUT ROWID;
    CREATE TABLE tags (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        paper_rowid INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        at TEXT NOT NULL,
        PRIMARY KEY (user_id, tag, paper_rowid)
    ) WITHOUT ROWID;
    CREATE TABLE interests (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        UNIQUE (user_id, text)
    );
    """,
    # 4: the digest archive (every digest built, in every format) and the e-mail log that
    # makes `papersift daily` send one e-mail a day however often it runs.
    """
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        window_start TEXT,
        window_end TEXT,
        title TEXT NOT NULL,
        papers INTEGER NOT NULL,
        html TEXT NOT NULL,
        markdown TEXT NOT NULL,
        text TEXT NOT NULL,
        atom TEXT NOT NULL
    );
    CREATE INDEX digests_user_created ON digests(user_id, created_at);
    CREATE TABLE deliveries (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        day TEXT NOT NULL,              -- the digest's window end: one e-mail per day
        digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
        recipient TEXT NOT NULL,
        sent_at TEXT,                   -- NULL while queued (server down, login refused)
        error TEXT,
        PRIMARY KEY (user_id, day, recipient)
    ) WITHOUT ROWID;
    """,
    # 5: the keyword index stems English words (Porter over unicode61), so "quantized" finds
    # "quantization", which ranks the relevant papers higher on real queries
    # (docs/benchmarks.md#keyword-search).
    # The index is rebuilt from the papers table it mirrors.
    """
    DROP TABLE papers_fts;
    CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, abstract, authors_text, content='papers', content_rowid='rowid',
        tokenize='porter unicode61 remove_diacritics 2'
    );
    INSERT INTO papers_fts(papers_fts) VALUES ('rebuild');
    """,
    # 6: what each reader was shown (digest, feed, e-mail) or marked read, with the version and
    # abstract it had then, so later digests and the feed leave it out unless it changed; and
    # papers a reader snoozed until a day. IF NOT EXISTS: a test rewinds user_version to 4 on a
    # current store, and this must then run again without harm.
    """
    CREATE TABLE IF NOT EXISTS seen (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_rowid INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        place TEXT NOT NULL CHECK (place IN ('digest', 'feed', 'email', 'read')),
        day TEXT NOT NULL,              -- the reader's date: a second run that day is no repeat
        at TEXT NOT NULL,
        version INTEGER,
        abstract_hash TEXT,
        PRIMARY KEY (user_id, paper_rowid, place, day)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS seen_user_at ON seen(user_id, at);
    CREATE TABLE IF NOT EXISTS snoozed (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_rowid INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        until TEXT NOT NULL,
        PRIMARY KEY (user_id, paper_rowid)
    ) WITHOUT ROWID;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
