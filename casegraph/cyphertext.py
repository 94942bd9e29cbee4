"""Lexical checks on Cypher text: what a statement writes, which labels and
relationship types it names. Strings, comments and backticked names are blanked
first so that a value like 'CREATE' in a string is not mistaken for a clause."""
from __future__ import annotations

import re

_LITERAL = re.compile(r"""
    //[^\n]*            # line comment
  | /\*.*?\*/           # block comment
  | '(?:\\.|[^'\\])*'   # single-quoted string
  | "(?:\\.|[^"\\])*"   # double-quoted string
""", re.S | re.X)

_WRITE = re.compile(
    r"(?<![.\w$])(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH|LOAD\s+CSV|IN\s+TRANSACTIONS"
    r"|ALTER|GRANT|DENY|REVOKE|START\s+DATABASE|STOP\s+DATABASE)\b", re.I)
# Procedures that change data or the server, on either engine.
_WRITE_PROC = re.compile(r"\bCALL\s+(db\.idx\.|db\.create|db\.drop|dbms\.|apoc\.(?!meta)|gds\.[\w.]*\.(write|mutate))",
                         re.I)
_LABEL = re.compile(r"\(\s*[A-Za-z_]\w*\s*((?::\s*`?[A-Za-z_]\w*`?\s*)+)")
_BARE_LABEL = re.compile(r"\(\s*:\s*`?([A-Za-z_]\w*)`?")
_REL = re.compile(r"\[\s*[A-Za-z_]?\w*\s*:\s*([`\w|:\s]+?)\s*[\]{*]")


def blank_literals(text: str) -> str:
    """The text with comments removed and string contents replaced by ''."""
    return _LITERAL.sub(lambda m: "" if m.group(0).startswith("/") else "''", text)


_ALIAS_BEFORE = re.compile(r"\bAS\s*$", re.I)
_KEY_AFTER = re.compile(r"\s*:")


def write_clauses(text: str) -> list[str]:
    """Clauses or procedure calls in `text` that would change the database. A clause word
    used as a name (`AS set`, a map key `{set: 1}`, a backticked `set`) is not a clause."""
    code = re.sub(r"`[^`]*`", "``", blank_literals(text))
    found = [m.group(1).upper() for m in _WRITE.finditer(code)
             if not _ALIAS_BEFORE.search(code, max(0, m.start() - 64), m.start())
             and not _KEY_AFTER.match(code, m.end())]
    found += ["CALL " + m.group(1) for m in _WRITE_PROC.finditer(code)]
    return found


MAX_NESTING = 16   # brackets open at once in user-supplied Cypher (the built-in templates need 3)


def nesting_depth(text: str) -> int:
    """The deepest nesting of (), [] and {} outside strings and comments."""
    depth = deepest = 0
    for ch in blank_literals(text):
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth = max(depth - 1, 0)
    return deepest


def check_user_cypher(text: str, max_chars: int) -> None:
    """The checks every user-supplied query passes before any engine sees it: its length,
    its nesting (parse time grows exponentially with it) and no clause that writes.
    QueryError saying which."""
    from casegraph.errors import QueryError
    if len(text) > max_chars:
        raise QueryError(f"refused: the query is {len(text):,} characters long; the limit is {max_chars:,} "
                         "(setting query_max_chars)")
    found = write_clauses(text)
    if found:
        raise QueryError(f"refused: queries run read-only, and this one contains {', '.join(sorted(set(found)))}")
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        raise QueryError(f"refused: brackets are nested {depth} deep, more than {MAX_NESTING}; a parser's time "
                         "grows exponentially with nesting")


def labels_used(text: str) -> set[str]:
    """Node labels named in patterns like (a:Account) or (:Wallet:Account)."""
    code = blank_literals(text)
    out: set[str] = set()
    for m in _LABEL.finditer(code):
        out.update(x.strip(" `") for x in m.group(1).split(":") if x.strip(" `"))
    out.update(m.group(1) for m in _BARE_LABEL.finditer(code))
    return out


def rel_types_used(text: str) -> set[str]:
    """Relationship types named in patterns like -[r:SENT|TRANSFERRED*1..3]->."""
    code = blank_literals(text)
    out: set[str] = set()
    for m in _REL.finditer(code):
        out.update(x.strip(" `:") for x in m.group(1).split("|") if x.strip(" `:"))
    return out


_OPTIONAL = re.compile(r"\bOPTIONAL\s+MATCH\b(.*?)(?=\b(?:OPTIONAL\s+MATCH|MATCH|WITH|RETURN|UNWIND|WHERE|ORDER|UNION)\b|$)",
                       re.I | re.S)
_HOP = re.compile(r"-\s*(?:\[[^\]]*\]\s*)?-")


def multi_hop_optionals(text: str) -> list[str]:
    """OPTIONAL MATCH clauses whose pattern has more than one relationship (or a comma).

    FalkorDB 4.16 can bind part of such a pattern where Neo4j returns nulls for all of it
    (e.g. `OPTIONAL MATCH (s)--(m)-[:LISTED_ON]->(:Watchlist)` yields m without the tail;
    FalkorDB issues #945, #1952), so the catalogue writes one hop per OPTIONAL MATCH."""
    code = blank_literals(text)
    return [" ".join(m.group(1).split()) for m in _OPTIONAL.finditer(code)
            if len(_HOP.findall(m.group(1))) > 1 or "," in m.group(1).split("WHERE")[0]]
