"""The PostgreSQL store: papers, search, embeddings and checkpoints on a server database.

Upsert and de-duplication are `store.merging`'s, shared with SQLite; this module gives them
their SQL. New papers and their aliases go in with COPY; every upsert is one transaction (an
ingest batch with its checkpoint), so a server restarted mid-ingest loses at most the batch
in flight, which a rerun stores again. Keyword search uses the `search` tsvector (title A,
abstract B, authors C) under its GIN index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from papersift.records import Paper, PaperFilter
from papersift.store.base import LOCAL_USER
from papersift.store.merging import Merging
from papersift.store.postgres.archive import PgArchive
from papersift.store.postgres.connection import (
    connect,
    import_psycopg,
    migrate,
    redact,
    translate,
)
from papersift.store.postgres.embeddings import PgEmbeddings
from papersift.store.postgres.follows import PgFollows
from papersift.store.postgres.library import PgLibrary
from papersift.store.postgres.private import PgPrivatePapers, hidden_sql
from papersift.store.postgres.profile_controls import PgProfileControls
from papersift.store.postgres.seen import PgSeen
from papersift.store.postgres.tsquery import or_terms, term_query_sql, tsquery_sql
from papersift.store.postgres.updates import PgSnapshots
from papersift.store.postgres.users import PgUsers
from papersift.store.rows import PAPER_COLUMNS, paper_to_row, row_to_paper

_COLS = ", ".join(PAPER_COLUMNS)
_SELECT = f"SELECT rowid, {_COLS} FROM papers"
_UPDATE = f"UPDATE papers SET {', '.join(f'{c} = %s' for c in PAPER_COLUMNS)} WHERE rowid = %s"
# ts_rank_cd's weights for D, C, B, A: title (A) 3x abstract (B) and authors (C), as SQLite's
# bm25(3, 1, 1) weighs its columns.
_RANK_WEIGHTS = "'{0.1, 0.33, 0.33, 1.0}'"
# Rank normalisation 1: divide by 1 + log(document length), so a long abstract that repeats
# a word does not outrank a short paper about it (BM25 normalises by length too).
_RANK_NORMALISATION = 1
# Free text's ts_rank weights (D, C, B, A): title and abstract nearly alike (a title match wins
# a tie), author names a tenth; chosen on SciFact's train claims
# (docs/benchmarks.md#keyword-search-on-postgresql).
_IDF_RANK_WEIGHTS = "'{0.1, 0.1, 0.9, 1.0}'"
# As many terms as `fusion.fts_match_expression` writes: each is a column of the statement.
_MAX_RANKED_TERMS = 32


class PgStore(Merging, PgEmbeddings):
    """One papersift store in a PostgreSQL database (`postgresql://USER@HOST:PORT/DB`)."""

    def __init__(self, url: str, *, lock_wait: float = 30.0) -> None:
        self.url = url
        self._location = redact(url)
        self.db: Any = connect(url, lock_wait)
        try:
            migrate(self.db, url)
        except BaseException:
            self.db.close()
            raise
        self._viewer: int | None = None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One all-or-nothing unit; inside another transaction it joins that one.

        StoreBusy when a lock does not come within the store's lock wait; StoreError (one
        line) when the server goes away, with nothing of the unit committed.
        """
        psycopg = import_psycopg()
        # Join only a transaction really open: a connection the server cut reports UNKNOWN,
        # and must fail here, not run the unit's statements one by one outside any.
        status = self.db.info.transaction_status
        if status in (psycopg.pq.TransactionStatus.INTRANS, psycopg.pq.TransactionStatus.INERROR):
            yield
            return
        try:
            with self.db.transaction():
                yield
        except psycopg.OperationalError as err:
            raise translate(err, self.db) from None

    def bulk_load(self) -> AbstractContextManager[bool]:
        """New papers always go in with COPY here, so a bulk load needs nothing more."""
        return _no_setup()

    def close(self) -> None:
        self.db.close()

    @property
    def location(self) -> str:
        return self._location

    @property
    def viewer(self) -> int | None:
        return self._viewer

    def set_viewer(self, user_id: int | None) -> None:
        """Read as this reader from now on: papers private to others are left out of every
        look-up, search, filter and window; None (the default) reads all papers."""
        self._viewer = user_id

    # -- per-reader parts -----------------------------------------------------------------

    def library(self, user_id: int = LOCAL_USER) -> PgLibrary:
        return PgLibrary(self.db, user_id)

    def archive(self, user_id: int = LOCAL_USER) -> PgArchive:
        return PgArchive(self.db, user_id)

    def seen(self, user_id: int = LOCAL_USER) -> PgSeen:
        return PgSeen(self.db, user_id)

    def users(self) -> PgUsers:
        return PgUsers(self.db)

    def snapshots(self, user_id: int = LOCAL_USER) -> PgSnapshots:
        return PgSnapshots(self.db, user_id)

    def follows(self, user_id: int = LOCAL_USER) -> PgFollows:
        return PgFollows(self.db, user_id)

    def profile(self, user_id: int = LOCAL_USER) -> PgProfileControls:
        return PgProfileControls(self.db, user_id)

    def private_papers(self) -> PgPrivatePapers:
        return PgPrivatePapers(self.db)

    # -- papers: the primitives of `Merging` -------------------------------------------------

    def _begin_upsert(self) -> None:
        # Rowids are max + 1 and look-ups precede inserts: two writers must not interleave.
        # SHARE ROW EXCLUSIVE excludes other writers of papers (and itself), not readers, nor
        # a reader's like (whose foreign-key check takes only ROW SHARE).
        self.db.execute("LOCK TABLE papers IN SHARE ROW EXCLUSIVE MODE")

    def _end_upsert(self) -> None:
        """Nothing to do: the `search` column is kept by the database."""

    def _ids_stored(self, ids: list[str]) -> dict[str, int]:
        if not ids:
            return {}
        rows = self.db.execute("SELECT id, rowid FROM papers WHERE id = ANY(%s)", (ids,))
        return {str(key): int(rowid) for key, rowid in rows}

    def _aliases_stored(self, keys: list[str]) -> dict[str, int]:
        if not keys:
            return {}
        rows = self.db.execute(
            "SELECT alias, paper_rowid FROM paper_aliases WHERE alias = ANY(%s)", (keys,)
        )
        return {str(key): int(rowid) for key, rowid in rows}

    def _title_author_stored(self, keys: list[int]) -> list[tuple[int, int, str | None]]:
        rows = self.db.execute(
            "SELECT title_author, rowid, arxiv_id FROM papers WHERE title_author = ANY(%s)",
            (keys,),
        )
        return [(int(key), int(rowid), arxiv_id) for key, rowid, arxiv_id in rows]

    def _rowids_known_as(self, ident: str) -> list[int]:
        rows = self.db.execute(
            "SELECT rowid FROM papers WHERE id = %s "
            "UNION ALL SELECT paper_rowid FROM paper_aliases WHERE alias = %s",
            (ident, ident),
        )
        return [int(row[0]) for row in rows]

    def _load_rows(self, rowids: set[int]) -> dict[int, Paper]:
        if not rowids:
            return {}
        rows = self.db.execute(f"{_SELECT} WHERE rowid = ANY(%s)", (sorted(rowids),))
        return {int(row[0]): row_to_paper(row[1:]) for row in rows}

    def _insert(self, rows: list[tuple[Any, ...]]) -> list[int]:
        """COPY prepared rows (paper_to_row + aliases) of papers not yet stored; their rowids.

        Rowids are assigned here (the upsert holds the papers table's write lock)."""
        if not rows:
            return []
        first = int(self.db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM papers").fetchone()[0])
        rowids = range(first, first + len(rows))
        psycopg = import_psycopg()
        try:
            with (
                self.db.cursor() as cursor,
                cursor.copy(f"COPY papers (rowid, {_COLS}) FROM STDIN") as copy,
            ):
                for rowid, row in zip(rowids, rows):
                    copy.write_row((rowid, *row[:-1]))
        except psycopg.OperationalError as err:
            raise translate(err, self.db) from None
        self._add_aliases([(alias, rowid) for rowid, row in zip(rowids, rows) for alias in row[-1]])
        return list(rowids)

    def _write_row(self, rowid: int, old: Paper, new: Paper) -> None:
        self.db.execute(_UPDATE, (*paper_to_row(new), rowid))

    def _drop_aliases(self, rowid: int) -> None:
        self.db.execute("DELETE FROM paper_aliases WHERE paper_rowid = %s", (rowid,))

    def _add_aliases(self, pairs: list[tuple[str, int]]) -> None:
        """Record (alias, rowid) pairs; an alias already taken keeps its paper, and of two
        pairs with one alias the first wins (ON CONFLICT DO NOTHING in the pairs' order)."""
        if not pairs:
            return
        self.db.execute(
            "INSERT INTO paper_aliases(alias, paper_rowid) "
            "SELECT alias, paper_rowid FROM unnest(%s::text[], %s::bigint[]) "
            "WITH ORDINALITY AS pairs(alias, paper_rowid, n) ORDER BY n "
            "ON CONFLICT (alias) DO NOTHING",
            ([a for a, _ in pairs], [r for _, r in pairs]),
        )

    # -- papers: reads --------------------------------------------------------------------

    def papers_by_rowid(self, rowids: Sequence[int]) -> dict[int, Paper]:
        found = self._load_rows(set(rowids))
        hidden = set(found) - set(self.visible_rowids(list(found)))
        for rowid in hidden:
            del found[rowid]
        return found

    def iter_papers(self, batch_size: int = 1000) -> Iterator[tuple[int, Paper]]:
        last = 0
        hidden, params = hidden_sql(self._viewer)
        while True:
            rows = self.db.execute(
                f"{_SELECT} WHERE rowid > %s {hidden} ORDER BY rowid LIMIT %s",
                (last, *params, batch_size),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), row_to_paper(row[1:])
            last = rows[-1][0]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM papers").fetchone()[0])

    def stats(self) -> dict[str, dict[str, int]]:
        """Papers per source, per category (any listed) and per month of first publication."""
        return {
            "sources": self._counts(
                "SELECT j, count(*) FROM papers, jsonb_array_elements_text(papers.sources::jsonb) j "
                "GROUP BY j ORDER BY count(*) DESC"
            ),
            "categories": self._counts(
                "SELECT j, count(*) FROM papers, "
                "jsonb_array_elements_text(papers.categories::jsonb) j "
                "GROUP BY j ORDER BY count(*) DESC"
            ),
            "months": self._counts(
                "SELECT coalesce(substr(published, 1, 7), 'unknown'), count(*) FROM papers "
                "GROUP BY 1 ORDER BY 1"
            ),
        }

    def _counts(self, sql: str) -> dict[str, int]:
        return {str(key): int(n) for key, n in self.db.execute(sql)}

    def papers_fingerprint(self, model_id: str) -> tuple[Any, ...]:
        """Changes when papers are added or embedded (see SqliteStore.papers_fingerprint)."""
        row = self.db.execute(
            "SELECT (SELECT max(rowid) FROM papers), (SELECT count(*) FROM papers), "
            "(SELECT count(*) FROM embeddings WHERE model_id = %s)",
            (model_id,),
        ).fetchone()
        return tuple(row)

    # -- search -----------------------------------------------------------------------------

    def keyword_search(
        self, fts_query: str, k: int, where: PaperFilter | None = None
    ) -> list[tuple[int, float]]:
        """(rowid, score) best first; higher is better.

        `fts_query` is an FTS5 expression as callers build it for SQLite (tsquery.py). Free
        text (terms ORed) is ranked BM25's way, each term's match weighed by its rarity
        (`_idf_ranked`); other expressions (saved searches, rules) by ts_rank_cd."""
        clause, params = self._visible_filter_sql(where)
        terms = or_terms(fts_query)
        if terms:
            return self._idf_ranked(terms[:_MAX_RANKED_TERMS], k, clause, params)
        query = tsquery_sql(fts_query)
        if query is None:  # an expression that does not parse finds nothing
            return []
        query_sql, query_params = query
        rows = self.db.execute(
            f"SELECT papers.rowid, ts_rank_cd({_RANK_WEIGHTS}, papers.search, q.query, "
            f"{_RANK_NORMALISATION}) AS score FROM papers, (SELECT {query_sql} AS query) q "
            f"WHERE papers.search @@ q.query {clause} ORDER BY score DESC, papers.rowid LIMIT %s",
            (*query_params, *params, k),
        ).fetchall()
        return [(int(r[0]), float(r[1])) for r in rows]

    def _idf_ranked(
        self, terms: list[str], k: int, clause: str, params: list[Any]
    ) -> list[tuple[int, float]]:
        """Papers matching any term, scored as the sum over the terms they match of
        ts_rank(that term) x the term's inverse document frequency.

        ts_rank alone has no IDF: a query's common words ("cells", "increase") outweigh its
        rare ones, and on SciFact's claims that ranks far below BM25 (test nDCG@10 0.39 against
        BM25's 0.66; docs/benchmarks.md#keyword-search-on-postgresql). Each term's document
        frequency is counted over the papers matching the query (every paper holding the term
        is one of them), in the same statement, before the reader's filter; N is the planner's
        row estimate (never below the papers matched), close enough for a logarithm.
        """
        queries, query_params = [], []
        for i, term in enumerate(terms):
            sql, term_params = term_query_sql(term)
            queries.append(f"{sql} AS q{i}")
            query_params += term_params
        n_terms = range(len(terms))
        any_term = " || ".join(f"q.q{i}" for i in n_terms)
        # Whether each paper has each term is decided once per paper (`m`, materialized so the
        # planner does not copy the test into each use), then counted and scored from that.
        has = ", ".join(f"p.search @@ q.q{i} AS has{i}" for i in n_terms)
        frequencies = ", ".join(f"count(*) FILTER (WHERE has{i}) OVER () AS df{i}" for i in n_terms)
        score = " + ".join(
            f"(CASE WHEN c.has{i} THEN ts_rank({_IDF_RANK_WEIGHTS}, c.search, q.q{i}, "
            f"{_RANK_NORMALISATION}) * ln(1 + (n.total - c.df{i} + 0.5) / (c.df{i} + 0.5)) "
            "ELSE 0 END)"
            for i in n_terms
        )
        rows = self.db.execute(
            f"WITH q AS (SELECT {', '.join(queries)}), "
            f"m AS MATERIALIZED (SELECT p.rowid, p.search, {has} "
            f"FROM papers p, q WHERE p.search @@ ({any_term})), "
            f"c AS (SELECT m.*, count(*) OVER () AS matched, {frequencies} FROM m), "
            # The planner's estimate (-1 before the table's first ANALYZE) is at least the
            # number of papers matched, so no term's IDF is negative or undefined.
            "n AS (SELECT greatest(reltuples, (SELECT max(matched) FROM c), 1) AS total "
            "FROM pg_class WHERE oid = 'papers'::regclass) "
            f"SELECT c.rowid, {score} AS score FROM c JOIN papers ON papers.rowid = c.rowid, q, n "
            f"WHERE TRUE {clause} ORDER BY score DESC, c.rowid LIMIT %s",
            (*query_params, *params, k),
        ).fetchall()
        return [(int(r[0]), float(r[1])) for r in rows]

    def filtered_rowids(self, where: PaperFilter) -> list[int]:
        clause, params = self._visible_filter_sql(where)
        sql = f"SELECT rowid FROM papers WHERE TRUE {clause} ORDER BY rowid"
        return [int(r[0]) for r in self.db.execute(sql, params)]

    def trending_rowids(self, where: PaperFilter, limit: int) -> list[int]:
        """Papers of the filter with Hugging Face upvotes, most upvoted first (ties: newest)."""
        clause, params = self._visible_filter_sql(where)
        upvotes = "(papers.extra::jsonb ->> 'upvotes')"
        # Whole numbers only, as SQLite's json_type(...) = 'integer'.
        sql = (
            "SELECT rowid FROM papers "
            "WHERE jsonb_typeof(papers.extra::jsonb -> 'upvotes') = 'number' "
            f"AND {upvotes} ~ '^[0-9]+$' AND {upvotes}::numeric > 0 {clause} "
            f"ORDER BY {upvotes}::numeric DESC, "
            "coalesce(papers.updated, papers.published) DESC, rowid DESC LIMIT %s"
        )
        return [int(r[0]) for r in self.db.execute(sql, (*params, limit))]

    def latest_date(self) -> dt.date | None:
        """The newest publication or update date of any paper the viewer may see."""
        hidden, params = hidden_sql(self._viewer)
        row = self.db.execute(
            f"SELECT max(coalesce(updated, published)) FROM papers WHERE TRUE {hidden}", params
        ).fetchone()
        return dt.date.fromisoformat(row[0]) if row and row[0] else None

    def _visible_filter_sql(self, where: PaperFilter | None) -> tuple[str, list[Any]]:
        clause, params = _filter_sql(where)
        hidden, hidden_params = hidden_sql(self._viewer)
        return f"{clause} {hidden}", [*params, *hidden_params]

    # -- checkpoints ----------------------------------------------------------------------

    def get_checkpoint(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM checkpoints WHERE name = %s", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_checkpoint(self, name: str, value: str | None) -> None:
        """Record (or with None, clear) a checkpoint; call inside the batch's transaction."""
        with self.transaction():
            if value is None:
                self.db.execute("DELETE FROM checkpoints WHERE name = %s", (name,))
            else:
                self.db.execute(
                    "INSERT INTO checkpoints(name, value, updated_at) VALUES (%s, %s, %s) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                    "updated_at = excluded.updated_at",
                    (name, value, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
                )


@contextmanager
def _no_setup() -> Iterator[bool]:
    yield True


def _filter_sql(where: PaperFilter | None) -> tuple[str, list[Any]]:
    """SQL conditions (each starting with AND) on the papers table for a filter; the same
    rules as SQLite's (store.sqlite._filter_sql)."""
    if where is None:
        return "", []
    clauses: list[str] = []
    params: list[Any] = []
    year_only = "papers.updated IS NULL AND papers.published IS NULL AND "
    year = "(papers.extra::jsonb ->> 'year')"
    if where.since is not None:
        clauses.append(
            "AND (coalesce(papers.updated, papers.published) >= %s "
            f"OR ({year_only}{year} || '-01-01' >= %s))"
        )
        params += [where.since.isoformat()] * 2
    if where.until is not None:
        clauses.append(f"AND (papers.published <= %s OR ({year_only}{year} || '-12-31' <= %s))")
        params += [where.until.isoformat()] * 2
    if where.category:
        clauses.append("AND papers.categories::jsonb ? %s")
        params.append(where.category)
    if where.author:
        # ILIKE: SQLite's LIKE ignores the case of ASCII letters.
        clauses.append("AND papers.authors_text ILIKE %s ESCAPE '\\'")
        escaped = where.author.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    if where.has_code:
        clauses.append(
            "AND EXISTS (SELECT 1 FROM jsonb_array_elements(papers.links::jsonb) l "
            "WHERE l ->> 0 = 'code')"
        )
    return " ".join(clauses), params
