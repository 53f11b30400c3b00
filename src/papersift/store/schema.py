"""The schema of both backends as one list of numbered steps; a store records how far it is.

SQLite records it in `PRAGMA user_version`, PostgreSQL in the `papersift_schema` table. Each
step is written once per dialect, side by side, so the two schemas cannot drift apart: add a
migration by appending a `Step` to STEPS; never edit one that has shipped. A step with nothing
to do on one backend (SQLite's keyword-index rebuild, say) says so with an empty script.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    sqlite: str
    postgres: str


_SQLITE: tuple[str, ...] = (
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
    # 6: what each liked or tagged paper looked like in the reader's last digest (version, code
    # link, venue), so the next digest can say what changed since ("v3 posted"). IF NOT EXISTS:
    # a store whose user_version was set back (tests of older schemas do) re-runs it safely.
    """
    CREATE TABLE IF NOT EXISTS paper_snapshots (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_rowid INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        version INTEGER,
        code_url TEXT,
        venue TEXT,
        at TEXT NOT NULL,               -- when the digest that showed this state was published
        PRIMARY KEY (user_id, paper_rowid)
    ) WITHOUT ROWID;
    """,
    # 7: what the reader follows (authors, saved searches, include/exclude keyword rules) and
    # which parts of their profile the ranking may use (signals and tags switched off).
    # IF NOT EXISTS: a store whose user_version was set back (as a test of migration 5 does)
    # runs this again over tables it already has.
    """
    CREATE TABLE IF NOT EXISTS follows (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('author', 'alert', 'rule')),
        mode TEXT NOT NULL DEFAULT '',  -- alert: keyword|semantic; rule: include|exclude
        text TEXT NOT NULL,             -- as the reader wrote it
        key TEXT NOT NULL,              -- normalised, so "Yann LeCun" and "yann lecun" are one
        at TEXT NOT NULL,
        UNIQUE (user_id, kind, mode, key)
    );
    CREATE TABLE IF NOT EXISTS profile_switches (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,             -- "signal:likes", "tag:quantization"
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        at TEXT NOT NULL,
        PRIMARY KEY (user_id, name)
    ) WITHOUT ROWID;
    """,
    # 8: accounts a shared server can manage safely. AUTOINCREMENT so a removed user's id (and
    # so an old session cookie of theirs) never names the next account; a session generation
    # the cookie must match, bumped to end every session of an account (logout, new password);
    # admins, who alone see the server's configuration (the oldest account is one); a
    # case-insensitive name index (names stay unique only as typed: existing `alice`/`ALICE`
    # pairs are kept, new ones refused by the store). SQLite cannot add AUTOINCREMENT in place:
    # the table is rebuilt, ids kept, with foreign keys off (`_migrate`) so nothing cascades.
    # `private_papers`: the papers a reader's import created on a multi-user server, private to
    # that reader until an admin promotes them or a public source brings them (a table of its
    # own, so the papers table and its bulk paths stay as they are).
    """
    CREATE TABLE users_rebuilt (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT,             -- NULL for the local reader
        created_at TEXT NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0,
        session_generation INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO users_rebuilt(id, name, password_hash, created_at)
        SELECT id, name, password_hash, created_at FROM users;
    DROP TABLE users;
    ALTER TABLE users_rebuilt RENAME TO users;
    CREATE INDEX IF NOT EXISTS users_name_nocase ON users(name COLLATE NOCASE);
    UPDATE users SET is_admin = 1
        WHERE id = (SELECT min(id) FROM users WHERE password_hash IS NOT NULL);
    CREATE TABLE IF NOT EXISTS private_papers (
        paper_rowid INTEGER PRIMARY KEY REFERENCES papers(rowid) ON DELETE CASCADE,
        user_id INTEGER NOT NULL    -- no foreign key: a removed reader's papers stay hidden
    );
    CREATE INDEX IF NOT EXISTS private_papers_user ON private_papers(user_id);
    """,
    # 9: what each reader was shown (digest, feed, e-mail) or marked read, with the version and
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

# PostgreSQL. A new server store is made by running every step, in order, like a new SQLite
# file; so each step is the PostgreSQL spelling of the SQLite step beside it. Dates stay ISO
# text and JSON stays text, as in SQLite, so both backends read rows into records the same way
# (`store.rows`). Keyword search: a weighted tsvector (title A, abstract B, authors C) kept by
# the database itself (a generated column) under a GIN index, English stemming as SQLite's
# porter tokenizer does.
_POSTGRES: tuple[str, ...] = (
    # 1
    """
    CREATE TABLE papers (
        rowid BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        title_raw TEXT,
        abstract TEXT,
        abstract_raw TEXT,
        authors TEXT NOT NULL,
        authors_text TEXT NOT NULL,
        categories TEXT NOT NULL,
        primary_category TEXT,
        version INTEGER,
        published TEXT,
        updated TEXT,
        doi TEXT,
        arxiv_id TEXT,
        links TEXT NOT NULL,
        sources TEXT NOT NULL,
        external_ids TEXT NOT NULL,
        extra TEXT NOT NULL,
        title_author BIGINT,
        first_seen TEXT NOT NULL,
        search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A')
            || setweight(to_tsvector('english', coalesce(abstract, '')), 'B')
            || setweight(to_tsvector('simple', authors_text), 'C')
        ) STORED
    );
    CREATE INDEX papers_published ON papers(published);
    CREATE INDEX papers_title_author ON papers(title_author) WHERE title_author IS NOT NULL;
    CREATE INDEX papers_search ON papers USING GIN (search);
    CREATE TABLE paper_aliases (
        alias TEXT PRIMARY KEY,
        paper_rowid BIGINT NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE
    );
    CREATE INDEX paper_aliases_rowid ON paper_aliases(paper_rowid);
    CREATE TABLE checkpoints (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 2
    """
    CREATE TABLE embeddings (
        model_id TEXT NOT NULL,
        paper_rowid BIGINT NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        text_hash TEXT NOT NULL,
        vector BYTEA NOT NULL,
        PRIMARY KEY (model_id, paper_rowid)
    );
    """,
    # 3 (users gets its final shape here: SQLite had to rebuild the table in step 8)
    """
    CREATE TABLE users (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT,
        created_at TEXT NOT NULL
    );
    INSERT INTO users(id, name, created_at) OVERRIDING SYSTEM VALUE
        VALUES (1, 'local', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'));
    SELECT setval(pg_get_serial_sequence('users', 'id'), 1);
    CREATE TABLE feedback (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_rowid BIGINT NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
        at TEXT NOT NULL,
        PRIMARY KEY (user_id, paper_rowid)
    );
    CREATE TABLE tags (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        paper_rowid BIGINT NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        at TEXT NOT NULL,
        PRIMARY KEY (user_id, tag, paper_rowid)
    );
    CREATE TABLE interests (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        UNIQUE (user_id, text)
    );
    """,
    # 4
    """
    CREATE TABLE digests (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
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
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        digest_id BIGINT NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
        recipient TEXT NOT NULL,
        sent_at TEXT,
        error TEXT,
        PRIMARY KEY (user_id, day, recipient)
    );
    """,
    # 5: SQLite's keyword index gained stemming; PostgreSQL's stemmed from step 1.
    "",
    # 6
    """
    CREATE TABLE paper_snapshots (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_rowid BIGINT NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        version INTEGER,
        code_url TEXT,
        venue TEXT,
        at TEXT NOT NULL,
        PRIMARY KEY (user_id, paper_rowid)
    );
    """,
    # 7
    """
    CREATE TABLE follows (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('author', 'alert', 'rule')),
        mode TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        key TEXT NOT NULL,
        at TEXT NOT NULL,
        UNIQUE (user_id, kind, mode, key)
    );
    CREATE TABLE profile_switches (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        at TEXT NOT NULL,
        PRIMARY KEY (user_id, name)
    );
    """,
    # 8: identity ids are never reused, as SQLite's AUTOINCREMENT; names unique whatever
    # their letter case.
    """
    ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
    CREATE UNIQUE INDEX users_name_lower ON users(lower(name));
    CREATE TABLE private_papers (
        paper_rowid BIGINT PRIMARY KEY REFERENCES papers(rowid) ON DELETE CASCADE,
        user_id BIGINT NOT NULL
    );
    CREATE INDEX private_papers_user ON private_papers(user_id);
    """,
    # 9
    """
    CREATE TABLE seen (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_rowid BIGINT NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        place TEXT NOT NULL CHECK (place IN ('digest', 'feed', 'email', 'read')),
        day TEXT NOT NULL,
        at TEXT NOT NULL,
        version INTEGER,
        abstract_hash TEXT,
        PRIMARY KEY (user_id, paper_rowid, place, day)
    );
    CREATE INDEX seen_user_at ON seen(user_id, at);
    CREATE TABLE snoozed (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_rowid BIGINT NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
        until TEXT NOT NULL,
        PRIMARY KEY (user_id, paper_rowid)
    );
    """,
)

STEPS: tuple[Step, ...] = tuple(Step(a, b) for a, b in zip(_SQLITE, _POSTGRES, strict=True))
# The SQLite scripts, by step (what `SqliteStore` runs).
MIGRATIONS: tuple[str, ...] = tuple(step.sqlite for step in STEPS)
SCHEMA_VERSION = len(STEPS)
