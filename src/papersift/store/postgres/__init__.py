"""The PostgreSQL store: a lab's shared server, behind the same protocols as SQLite.

Selected by a `postgresql://` URL (`--db`, `PAPERSIFT_DB`). psycopg 3 is an optional dependency
(`pip install 'papersift[cluster]'`), imported only when such a URL is opened.
"""
