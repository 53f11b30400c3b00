"""The PostgreSQL store on a real throw-away cluster: the same answers as SQLite, keyword search
on a tsvector, the writers' lock, the commit watch, and each fault a one-line message."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from papersift.errors import StoreBusy
from papersift.records import PaperFilter
from papersift.store import open_store, watch_commits
from papersift.store.postgres.connection import redact
from papersift.store.postgres.store import PgStore
from papersift.store.postgres.tsquery import or_terms, tsquery_sql
from papersift.store.sqlite import SqliteStore
from tests.backends import run_cli
from tests.cli.snapshot_lines import snapshot_file, snapshot_line
from tests.helpers import make_paper


@pytest.fixture
def pg(pg_url):
    store = open_store(pg_url)
    assert isinstance(store, PgStore)
    yield store
    store.close()


@pytest.fixture
def both(pg, tmp_path):
    """(SQLite store, PostgreSQL store), both new."""
    lite = SqliteStore(tmp_path / "lite.db")
    yield lite, pg
    lite.close()


def _papers_of(store):
    return sorted(
        (paper.with_changes(first_seen=None) for _, paper in store.iter_papers()),
        key=lambda p: p.id,
    )


def _varied_papers():
    day = dt.date(2024, 3, 1)
    return [
        make_paper("2403.00001", "Quantized transformers", published=day, categories=("cs.LG",)),
        make_paper(
            "2403.00002",
            "Graph kernels",
            abstract="Quantization of graph kernels.",
            published=day + dt.timedelta(days=3),
            categories=("cs.DS", "cs.LG"),
            authors=("Grace Hopper",),
        ),
        make_paper(
            "doi:10.1/j",
            "A journal paper on sparse codes",
            arxiv=False,
            source="ris",
            doi="10.1/j",
            published=None,
            updated=None,
            authors=("Emmy Noether",),
        ),
        make_paper("2403.00004", "Old news", published=dt.date(2019, 5, 5), categories=("cs.CL",)),
    ]


# -- the same answers as SQLite ---------------------------------------------------------------


def test_ingesting_the_real_samples_gives_the_same_papers_on_both_backends(both, shared_formats):
    from papersift.ingest.files import ingest_paths

    lite, pg = both
    files = sorted(str(p) for p in shared_formats.rglob("*") if p.is_file() and p.suffix != ".md")
    reports = [ingest_paths(store, files) for store in both]
    assert reports[0].counts == reports[1].counts
    assert pg.count() == lite.count() > 100
    assert _papers_of(pg) == _papers_of(lite)
    assert pg.stats() == lite.stats()
    assert pg.latest_date() == lite.latest_date()
    for ident in ("1111.2011", "0704.0001"):
        assert pg.rowid_of(ident) == lite.rowid_of(ident)


def test_filters_and_windows_agree_with_sqlite(both):
    lite, pg = both
    for store in both:
        store.upsert(_varied_papers())
    filters = [
        PaperFilter(),
        PaperFilter(since=dt.date(2024, 3, 2)),
        PaperFilter(until=dt.date(2024, 3, 2)),
        PaperFilter(since=dt.date(2024, 1, 1), until=dt.date(2024, 12, 31)),
        PaperFilter(category="cs.LG"),
        PaperFilter(author="hopper"),  # any letter case, as SQLite's LIKE
        PaperFilter(author="100%_"),
    ]
    for where in filters:
        assert pg.filtered_rowids(where) == lite.filtered_rowids(where), where
    assert pg.papers_fingerprint("m") == lite.papers_fingerprint("m")
    for query in ('"quantized"', '"graph" AND "kernels"', '"sparse" OR "news"', '"news" NOT "old"'):
        found = {r for r, _ in pg.keyword_search(query, 10)}
        assert found == {r for r, _ in lite.keyword_search(query, 10)}, query


def test_upvoted_papers_trend_in_the_same_order(both):
    from papersift.sources.common import build_paper

    papers = [
        build_paper(
            "test", f"2403.0000{i}", id=f"2403.0000{i}", title=f"Paper {i}", source="hf-daily",
            authors=("A. B",), arxiv_id=f"2403.0000{i}", published=dt.date(2024, 3, i),
            extra={"upvotes": upvotes},
        )
        for i, upvotes in ((1, 5), (2, 9), (3, 5), (4, 0), (5, 2.5))
    ]  # fmt: skip
    for store in both:
        store.upsert(papers)
    lite, pg = both
    where = PaperFilter(since=dt.date(2024, 1, 1))
    assert pg.trending_rowids(where, 10) == lite.trending_rowids(where, 10) == [2, 3, 1]


def test_a_title_match_outranks_an_abstract_match(pg):
    pg.upsert(
        [
            make_paper("2403.00001", "Unrelated", abstract="Quantization is discussed here."),
            make_paper("2403.00002", "Quantization at scale", abstract="Another topic."),
        ]
    )
    hits = pg.keyword_search('"quantization"', 5)
    assert [r for r, _ in hits] == [pg.rowid_of("2403.00002"), pg.rowid_of("2403.00001")]
    assert hits[0][1] > hits[1][1] > 0


def test_free_text_weighs_each_term_by_its_rarity(pg):
    """A word every paper has counts for little next to one only a single paper has: the
    paper with the rare word comes first though another has the common word in its title."""
    pg.upsert(
        [make_paper(f"2403.0001{i}", f"Paper {i}", abstract="A language model.") for i in range(6)]
        + [
            make_paper("2403.00020", "Language model language model", abstract="Models."),
            make_paper("2403.00021", "Unrelated", abstract="Speculative decoding of text."),
        ]
    )
    hits = pg.keyword_search('"language" OR "model" OR "speculative"', 3)
    assert hits[0][0] == pg.rowid_of("2403.00021")
    assert hits[0][1] > hits[1][1] > 0


def test_only_free_text_takes_the_rarity_ranking():
    assert or_terms('"a" OR "b c" OR d') == ["a", "b c", "d"]
    for other in ['"a" AND "b"', '"a" "b"', '("a" OR "b")', '"a" NOT "b"', '"a" OR', ""]:
        assert or_terms(other) is None


@pytest.mark.parametrize(
    "expression",
    ['"unbalanced', "(", "AND", '"a" OR', "((x)", ")", "NOT NOT", ""],
)
def test_a_query_that_does_not_parse_finds_nothing(pg, expression):
    pg.upsert([make_paper()])
    assert pg.keyword_search(expression, 5) == []


def test_fts5_expressions_become_tsqueries():
    term = "(phraseto_tsquery('english', %s) || phraseto_tsquery('simple', %s))"
    assert tsquery_sql('"a" OR "b c"') == (f"({term} || {term})", ["a", "a", "b c", "b c"])
    sql, params = tsquery_sql('"x" AND ("y" OR z) NOT "w"') or ("", [])
    assert params[::2] == ["x", "y", "z", "w"] and "!!" in sql
    assert tsquery_sql('"say ""hi"""') == (term, ['say "hi"', 'say "hi"'])
    assert tsquery_sql('"open') is None


def test_private_papers_are_hidden_from_other_readers(pg):
    counts = pg.upsert([make_paper("2403.00001", "Mine")], private_to=2)
    rowid = counts.rowids["2403.00001"]
    pg.set_viewer(3)
    assert pg.get("2403.00001") is None
    assert pg.filtered_rowids(PaperFilter()) == [] and pg.latest_date() is None
    assert pg.keyword_search('"mine"', 5) == [] and list(pg.iter_papers()) == []
    pg.set_viewer(2)
    assert pg.rowid_of("2403.00001") == rowid
    # A public source brings the same paper: it becomes public, with the public record.
    pg.set_viewer(None)
    again = pg.upsert([make_paper("2403.00001", "Mine, published")])
    assert (again.merged, again.added) == (1, 0)
    pg.set_viewer(3)
    assert pg.get("2403.00001").title == "Mine, published"


def test_embeddings_round_trip_as_float16(pg):
    pg.upsert([make_paper(f"2403.0000{i}") for i in range(1, 4)])
    vectors = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    pg.save_embeddings("m", [1, 2, 3], ["h1", "h2", "h3"], vectors)
    pg.save_embeddings("m", [2], ["h2b"], vectors[:1])  # replaced
    rowids, matrix = pg.load_embeddings("m")
    assert rowids.tolist() == [1, 2, 3] and matrix.dtype == np.float32
    np.testing.assert_allclose(matrix[0], vectors[0], atol=1e-2)
    np.testing.assert_allclose(matrix[1], vectors[0], atol=1e-2)
    assert [h for *_, h in pg.embedding_inputs("m")] == ["h1", "h2b", "h3"]
    assert [r.tolist() for r, _ in pg.iter_embeddings("m", chunk=2)] == [[1, 2], [3]]
    assert pg.embedding_count("m") == 3 and pg.embedding_rowids("m").tolist() == [1, 2, 3]
    assert pg.load_embeddings("m", [3])[0].tolist() == [3]


def test_a_bulk_load_gives_what_plain_upserts_give(both):
    lite, pg = both
    batches = [
        [make_paper(f"2403.{n * 100 + i:05d}", f"Paper {i}") for i in range(50)] for n in range(3)
    ]
    with pg.bulk_load():
        for papers in batches:
            pg.upsert(papers)
    for papers in batches:
        lite.upsert(papers)
    assert _papers_of(pg) == _papers_of(lite)


# -- writers, locks and the commit watch -------------------------------------------------------


def test_two_writers_never_take_the_same_rowids(pg_url):
    errors: list[BaseException] = []

    def write(start: int) -> None:
        try:
            store = open_store(pg_url)  # three new sessions migrating one new database at once
            try:
                for n in range(10):
                    store.upsert([make_paper(f"2403.{start + n * 10 + i:05d}") for i in range(10)])
            finally:
                store.close()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(k * 1000,)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = open_store(pg_url)
    try:
        assert store.count() == 300
        assert sorted(r for r, _ in store.iter_papers()) == list(range(1, 301))
    finally:
        store.close()


def test_a_write_that_cannot_get_the_lock_is_store_busy(pg_url):
    import psycopg

    store = PgStore(pg_url, lock_wait=0.2)
    other = psycopg.connect(pg_url)
    try:
        other.execute("LOCK TABLE papers IN EXCLUSIVE MODE")  # a writer in mid-batch
        with pytest.raises(StoreBusy, match="busy"):
            store.upsert([make_paper()])
        assert store.count() == 0  # reads are not blocked by the writer's lock
        other.rollback()
        assert store.upsert([make_paper()]).added == 1
    finally:
        other.close()
        store.close()


def test_the_commit_watch_sees_every_commit_and_no_read(pg_url):
    store = open_store(pg_url)
    watch = watch_commits(pg_url)
    try:
        seen = watch.generation()
        store.count()
        store.get("2403.00001")
        assert watch.generation() == seen, "reads are no commits"
        store.upsert([make_paper()])
        after = watch.generation()
        assert after > seen
        store.set_checkpoint("x", "1")
        assert watch.generation() > after
    finally:
        watch.close()
        store.close()


def test_the_vector_index_of_a_url_store_lives_in_the_cache_keyed_without_password(pg_url):
    from papersift.index.sync import index_path

    store = open_store(pg_url)
    try:
        path = index_path(store, "all-MiniLM-L6-v2")
    finally:
        store.close()
    assert "pg-" in str(path.parent) and "indexes" in str(path)
    assert path == index_path(open_store(pg_url), "all-MiniLM-L6-v2")


def test_migrating_twice_at_once_is_safe(pg_url):
    stores: list[PgStore] = []
    errors: list[BaseException] = []

    def opening() -> None:
        try:
            stores.append(PgStore(pg_url))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=opening) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert errors == [] and len(stores) == 4


# -- faults: one line each, nothing lost --------------------------------------------------------


_cli = run_cli


def _assert_one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_faults_are_one_line_without_the_password(pg_cluster, pg_url):
    from tests.pg_cluster import free_port

    pg_cluster.execute("CREATE ROLE reader LOGIN PASSWORD 'right-horse-battery'")
    other_app = pg_cluster.create_database()
    pg_cluster.execute("CREATE TABLE invoices (id int)", database=other_app.rsplit("/", 1)[1])
    host = f"127.0.0.1:{pg_cluster.port}"
    cases = [
        (f"postgresql://reader:wrong-staple@{host}/postgres", "password authentication failed"),
        (f"postgresql://papersift@127.0.0.1:{free_port()}/x", "cannot connect"),
        (f"postgresql://papersift:s3cret@{host}/no_such_db", "does not exist"),
        ("postgresql://papersift:s3cret@[::1/x", "not a usable PostgreSQL URL"),
        (f"postgresql://papersift@{host}/x?sslmode=sometimes", "invalid sslmode"),
        (other_app, "another application"),
    ]
    for url, words in cases:
        result = _cli(url, "stats")
        _assert_one_line(result, words)
        for secret in ("wrong-staple", "s3cret", "right-horse-battery"):
            assert secret not in result.stderr
    assert redact("postgresql://u:p/a@ss@h/db") == "postgresql://u:***@h/db"


def test_a_good_url_works_for_every_kind_of_command(pg_url, tmp_path):
    records = tmp_path / "snap.jsonl"
    records.write_bytes(snapshot_file(30))
    assert _cli(pg_url, "ingest", str(records)).returncode == 0
    assert _cli(pg_url, "papers", "count").stdout.strip() == "30"
    found = _cli(pg_url, "search", "--mode", "keyword", "invented paper number 7")
    assert found.returncode == 0 and "2404.00007" in found.stdout


def _contents(url: str):
    import psycopg

    with psycopg.connect(url) as con:
        papers = con.execute(
            "SELECT id, title, version, sources, authors, abstract FROM papers ORDER BY id"
        ).fetchall()
        searchable = con.execute(
            "SELECT count(*) FROM papers WHERE search @@ to_tsquery('english', 'sifting')"
        ).fetchone()
        aliases = con.execute("SELECT alias, paper_rowid FROM paper_aliases ORDER BY 1").fetchall()
        rowids = con.execute("SELECT count(*), max(rowid) FROM papers").fetchone()
    return papers, searchable, aliases, rowids


def _committed(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as con:
            return int(con.execute("SELECT count(*) FROM papers").fetchone()[0])
    except psycopg.Error:
        return 0


N_RESTART = 50_000  # enough that the restart lands mid-ingest on a loaded machine too


@pytest.mark.slow
def test_postgresql_restarted_mid_ingest_then_rerun_equals_clean_run(pg_cluster, tmp_path):
    path = tmp_path / "snap.jsonl"
    path.write_bytes(
        snapshot_file(N_RESTART)
        + b"".join(
            snapshot_line(f"2404.{i:05d}", f"Revised paper {i} about sifting", version=2)
            for i in range(1, 100)
        )
    )
    clean = pg_cluster.create_database()
    assert _cli(clean, "ingest", str(path), timeout=600).returncode == 0
    expected = _contents(clean)

    url = pg_cluster.create_database()
    env = {**os.environ, "PAPERSIFT_DB": url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "papersift.cli", "ingest", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while _committed(url) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.fail("ingest finished before the restart; grow N_RESTART")
    pg_cluster.restart()
    code = proc.wait(timeout=300)
    stderr = proc.stderr.read() if proc.stderr else ""
    # The restart cut the ingest: one line saying so, no traceback, some papers committed.
    assert code != 0 and len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr and "run the command again" in stderr
    assert 0 < _committed(url) < N_RESTART
    assert _cli(url, "ingest", str(path), timeout=600).returncode == 0
    assert _contents(url) == expected


# -- end to end: every kind of command and the web app ------------------------------------------


@pytest.mark.slow  # loads the embedding model
def test_the_commands_and_the_web_app_run_on_postgresql(pg_url, shared_formats, tmp_path):
    # The per-reader half (likes, digests' archive, accounts) lives in modules of its own.
    pytest.importorskip("papersift.store.postgres.library")
    atom = sorted(str(p) for p in (shared_formats / "arxiv-api-atom").glob("*.xml"))
    assert _cli(pg_url, "ingest", *atom).returncode == 0
    assert _cli(pg_url, "embed").returncode == 0
    found = _cli(pg_url, "search", "transformer")
    assert found.returncode == 0 and found.stdout.strip()
    assert _cli(pg_url, "like", "1111.2011").returncode == 0
    assert _cli(pg_url, "recommend", "--since", "all").returncode == 0
    digest = _cli(pg_url, "digest", "--since", "all", "--out", str(tmp_path / "digest"))
    assert digest.returncode == 0, digest.stderr
    assert list((tmp_path / "digest").glob("*.html"))

    from fastapi.testclient import TestClient

    from papersift.web import create_app

    with TestClient(create_app(pg_url), base_url="http://127.0.0.1") as client:
        assert client.get("/").status_code == 200
        page = client.get("/search", params={"q": "Bethe lattice"})
        assert page.status_code == 200 and "Bethe Lattice" in page.text
        assert client.get("/library").status_code == 200
