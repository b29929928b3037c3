"""Look at a SPARQL text before any parser sees it: the cheap first filter.

pyoxigraph follows ``SERVICE`` and ``LOAD`` with its own HTTP client and segfaults on very
deep nesting. This module splits the text into SPARQL tokens (strings, IRIs and comments
are single tokens, so a keyword inside them does not count) and checks them: length and
depth limits (before any recursive parser runs), SERVICE, LOAD, FROM. It refuses early
and cheaply, and finds the query form and the offsets the protocol's USING parameters
need, but it is not what decides: :mod:`api.sparql.parsed` checks the parse tree in the
worker before the engine runs anything. Nothing here executes anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin

from graph.errors import QueryRefused, TooLarge
from graph.namespaces import PREFIXES

Form = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
FORMS: tuple[Form, ...] = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    |(?P<var>[?$][\w\u00b7-\uffff]+)
    |(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
    |(?P<bnode>_:[\w\u00b7-\uffff](?:[\w.\-\u00b7-\uffff]*[\w\-\u00b7-\uffff])?)
    |(?P<word>(?:[A-Za-z\u00c0-\uffff](?:[\w.\-\u00b7-\uffff]*[\w\-\u00b7-\uffff])?)?
            :(?:[\w.\-:%\u00b7-\uffff]|\\.)*
        |[A-Za-z_][A-Za-z0-9_]*)
    |(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
    |(?P<punct>.)""",
    re.VERBOSE | re.DOTALL,
)
_UESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")
_UNARY = frozenset("!-+")
_REMOTE_HINT = "survkg never fetches data from the web or the file system on behalf of a query"
NO_FETCH = _REMOTE_HINT
SERVICE_REFUSED = "SERVICE is not allowed: " + NO_FETCH
LOAD_REFUSED = "LOAD is not allowed: " + NO_FETCH


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


@dataclass
class Inspection:
    """What the checks found out about one query or update."""

    form: Form | None = None
    #: IRIs named by FROM (default graph) and FROM NAMED, resolved against the base.
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    #: The update has USING or WITH clauses (conflicts with protocol dataset parameters).
    has_using: bool = False
    #: Character offsets of each top-level WHERE of DELETE/INSERT operations (updates).
    where_offsets: list[int] = field(default_factory=list)


def tokenize(text: str) -> list[Token]:
    return [Token(m.lastgroup or "punct", m.group(), m.start())
            for m in _TOKEN.finditer(text) if m.lastgroup not in ("ws", "comment")]


def _unescape(iri: str) -> str:
    return _UESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def check_size(text: str, max_length: int, max_depth: int, tokens: Sequence[Token]) -> None:
    """Refuse texts over the length limit or nested deeper than ``max_depth``.

    Depth counts open brackets and runs of unary operators (``!!!!...``): both make the
    engine's recursive-descent parser recurse, and both crash it when deep enough.
    """
    if len(text) > max_length:
        raise TooLarge(f"query is {len(text)} characters long; the limit is {max_length}")
    depth = deepest = run = 0
    for tok in tokens:
        if tok.kind == "punct":
            if tok.text in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif tok.text in _CLOSE:
                depth -= 1
            if tok.text in _UNARY:
                run += 1
                deepest = max(deepest, run)
                continue
        run = 0
    if deepest > max_depth:
        raise QueryRefused(f"query nested {deepest} levels deep; the limit is {max_depth}")


def _resolve(tok: Token, prefixes: dict[str, str], base: str | None) -> str:
    if tok.kind == "iri":
        iri = _unescape(tok.text[1:-1])
        return urljoin(base, iri) if base else iri
    pname, _, local = tok.text.partition(":")
    return prefixes.get(pname, pname + ":") + re.sub(r"\\(.)", r"\1", local)


def _refuse_remote_words(tokens: Sequence[Token], update: bool) -> None:
    for tok in tokens:
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "SERVICE":
            raise QueryRefused(SERVICE_REFUSED)
        if word == "LOAD" and update:
            raise QueryRefused(LOAD_REFUSED)


def inspect(text: str, *, update: bool, base: str | None, max_length: int,
            max_depth: int) -> Inspection:
    """Check a query (``update=False``) or an update; raise :class:`QueryRefused` if refused."""
    tokens = tokenize(text)
    check_size(text, max_length, max_depth, tokens)
    if _UESCAPE.search(text):  # the grammar applies \u escapes before tokenising
        _refuse_remote_words(tokenize(_unescape(text)), update)
    found = Inspection()
    prefixes: dict[str, str] = dict(PREFIXES)
    depth = 0
    last_op: str | None = None
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.kind == "punct":
            depth += tok.text in _OPEN
            depth -= tok.text in _CLOSE
            continue
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        _refuse_remote_words([tok], update)
        if word == "PREFIX" and nxt is not None and i + 2 < len(tokens):
            prefixes[nxt.text.rstrip(":")] = _resolve(tokens[i + 2], prefixes, base)
        elif word == "BASE" and nxt is not None and nxt.kind == "iri":
            base = _resolve(nxt, prefixes, base)
        elif word in FORMS and found.form is None and not update:
            found.form = word
        elif word == "FROM" and not update and nxt is not None:
            named = nxt.text.upper() == "NAMED"
            target = tokens[i + 2] if named and i + 2 < len(tokens) else nxt
            if target.kind not in ("iri", "word"):
                raise QueryRefused(f"cannot tell which graph FROM names at {target.text!r}")
            iri = _resolve(target, prefixes, base)
            (found.from_named if named else found.from_graphs).append(iri)
        elif update and word in ("USING", "WITH"):
            found.has_using = True
        elif update and word in ("INSERT", "DELETE") and depth == 0:
            if not (nxt is not None and nxt.text.upper() in ("DATA", "WHERE")) \
                    and last_op is None:
                last_op = word
        elif update and word == "WHERE" and depth == 0 and last_op is not None:
            found.where_offsets.append(tok.start)
            last_op = None
    if not update and found.form is None:
        raise QueryRefused("not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return found


def check_local_graphs(iris: Sequence[str], local: set[str], what: str) -> None:
    """Refuse graph names that are not graphs of this store (FROM, FROM NAMED)."""
    for iri in iris:
        if iri.lower().startswith("file:"):
            raise QueryRefused(f"{what} <{iri}>: file IRIs are refused; " + _REMOTE_HINT)
        if iri not in local:
            raise QueryRefused(f"{what} <{iri}> names no graph of this store; " + _REMOTE_HINT)


def add_using(text: str, offsets: Sequence[int], default: Sequence[str],
              named: Sequence[str]) -> str:
    """Insert USING / USING NAMED clauses before each DELETE/INSERT operation's WHERE.

    This is how the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` parameters
    are applied: the engine takes the dataset of an update only from its text.
    """
    clause = "".join(f"USING <{g}> " for g in default)
    clause += "".join(f"USING NAMED <{g}> " for g in named)
    for at in sorted(offsets, reverse=True):
        text = text[:at] + clause + text[at:]
    return text
