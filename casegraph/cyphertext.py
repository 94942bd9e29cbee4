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


def write_clauses(text: str) -> list[str]:
    """Clauses or procedure calls in `text` that would change the database."""
    code = blank_literals(text)
    found = [m.group(1).upper() for m in _WRITE.finditer(code)]
    found += ["CALL " + m.group(1) for m in _WRITE_PROC.finditer(code)]
    return found


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
