"""FTS5 match expressions, as papersift's callers write them, turned into PostgreSQL tsqueries.

Callers build one keyword expression for both backends (`fusion.fts_match_expression`: quoted
terms ORed; saved searches: quoted terms ANDed). Here it becomes SQL that builds a tsquery
from each term with `phraseto_tsquery('english', term)` (stemmed as the `search` column is,
never parsed as tsquery syntax, so a term cannot inject an operator) combined with `||`,
`&&` and `!!`. FTS5's precedence: NOT binds tighter than AND, AND tighter than OR; terms side
by side are ANDed. Each term is looked up stemmed (titles and abstracts) or as written (the
authors, indexed unstemmed). An expression this cannot parse is None: the search finds nothing.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r'\s*(?:"((?:[^"]|"")*)"|(\()|(\))|([^\s()"]+))')
_OPERATORS = {"AND", "OR", "NOT"}


def tsquery_sql(expression: str) -> tuple[str, list[str]] | None:
    """(SQL of a tsquery, its %s params) for an FTS5 expression; None if it does not parse."""
    tokens = _tokens(expression)
    if tokens is None or not tokens:
        return None
    parser = _Parser(tokens)
    try:
        sql = parser.or_expr()
    except ValueError:
        return None
    if parser.pos != len(tokens):
        return None
    return sql, parser.params


def or_terms(expression: str) -> list[str] | None:
    """The terms of an expression that is only terms ORed (what free-text search builds), or
    None for any other shape (AND, NOT, parentheses: saved searches and rules)."""
    tokens = _tokens(expression)
    if not tokens or len(tokens) % 2 == 0:
        return None
    terms = tokens[0::2]
    if any(kind != "term" for kind, _ in terms) or any(t != ("op", "OR") for t in tokens[1::2]):
        return None
    return [text for _, text in terms]


def term_query_sql(term: str) -> tuple[str, list[str]]:
    """SQL of one term's tsquery: stemmed, and also as written when that differs (author names
    are indexed unstemmed), never twice the same lexeme (a ranking would count it twice)."""
    english, simple = "phraseto_tsquery('english', %s)", "phraseto_tsquery('simple', %s)"
    return (
        f"(CASE WHEN {english}::text = {simple}::text THEN {english} "
        f"ELSE {english} || {simple} END)",
        [term] * 5,
    )


def _tokens(expression: str) -> list[tuple[str, str]] | None:
    """(kind, text) tokens: term, op, open, close; None on an unterminated quote."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            return None
        quoted, opened, closed, bare = match.groups()
        if quoted is not None:
            tokens.append(("term", quoted.replace('""', '"')))
        elif opened:
            tokens.append(("open", "("))
        elif closed:
            tokens.append(("close", ")"))
        elif bare in _OPERATORS:
            tokens.append(("op", bare))
        else:
            if bare.endswith("*"):  # FTS5's prefix query: the plain term is the closest
                bare = bare[:-1]
            tokens.append(("term", bare))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.params: list[str] = []

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def or_expr(self) -> str:
        parts = [self.and_expr()]
        while self._peek() == ("op", "OR"):
            self.pos += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else "(" + " || ".join(parts) + ")"

    def and_expr(self) -> str:
        sql = self.not_expr()
        while True:
            token = self._peek()
            if token == ("op", "AND"):
                self.pos += 1
                sql = f"({sql} && {self.not_expr()})"
            elif token is not None and token[0] in {"term", "open"}:  # side by side: AND
                sql = f"({sql} && {self.not_expr()})"
            else:
                return sql

    def not_expr(self) -> str:
        sql = self.primary()
        while self._peek() == ("op", "NOT"):
            self.pos += 1
            sql = f"({sql} && !!{self.primary()})"
        return sql

    def primary(self) -> str:
        token = self._peek()
        if token is None:
            raise ValueError("expression ends early")
        self.pos += 1
        kind, text = token
        if kind == "term":
            # Titles and abstracts are stemmed ('english'), author names are not ('simple').
            self.params += [text, text]
            return "(phraseto_tsquery('english', %s) || phraseto_tsquery('simple', %s))"
        if kind == "open":
            sql = self.or_expr()
            if self._peek() != ("close", ")"):
                raise ValueError("unbalanced parenthesis")
            self.pos += 1
            return sql
        raise ValueError(f"unexpected {text}")
