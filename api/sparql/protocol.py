"""Reading a SPARQL 1.1 Protocol request: which operation, its text and its dataset.

Only the request's shape is checked here (method, media type, encoding, repeated or
missing parameters); the text itself is checked by ``api.sparql.inspect``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from fastapi import Request

from graph.errors import QueryError

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
_IRI = re.compile(r"^[^<>\"{}|^`\\\x00-\x20]+$")


class UnsupportedMedia(QueryError):
    """A POST body of a media type the protocol does not define (415)."""


class WrongMethod(QueryError):
    """An operation sent with a method it cannot use: an update by GET (405)."""


@dataclass
class Operation:
    kind: str  # "query" | "update" | "none"
    text: str = ""
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    #: ``format`` / ``output`` parameter values, in order (the first usable one wins).
    formats: list[str] = field(default_factory=list)
    #: ``download`` parameter given: answer as an attachment (the editor's downloads).
    download: bool = False

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise QueryError(f"more than one {name!r} parameter")
    return values[0] if values else None


def _graphs(params: dict[str, list[str]], name: str) -> list[str]:
    values = params.get(name, [])
    for v in values:
        if not _IRI.match(v):
            raise QueryError(f"{name}: not an absolute IRI: {v!r}")
    return values


def _media(request: Request) -> tuple[str, str | None]:
    header = request.headers.get("content-type", "")
    media, *params = (p.strip() for p in header.split(";"))
    charset = None
    for p in params:
        key, _, value = p.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMedia(f"charset {charset!r}: SPARQL requests must be UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"request body is not UTF-8 (byte {exc.start})") from None


def _query_params(raw: bytes) -> dict[str, list[str]]:
    """The URL's parameters, refusing what is not UTF-8 (as a POST body is refused)."""
    try:
        text = raw.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise QueryError("query string is not UTF-8 once percent-decoded") from None


async def read(request: Request) -> Operation:
    """The operation a GET or POST to the endpoint asks for (raises on a malformed one)."""
    url_params = _query_params(request.scope.get("query_string", b""))
    params = url_params
    body_text: str | None = None
    body_kind: str | None = None
    if request.method == "POST":
        media, charset = _media(request)
        body = await request.body()
        if media == FORM:
            text = _decode(body, charset)
            try:
                form = parse_qs(text, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise QueryError("form body is not UTF-8 once percent-decoded") from None
            params = {k: url_params.get(k, []) + form.get(k, [])
                      for k in set(url_params) | set(form)}
        elif media in (QUERY, UPDATE):
            body_text = _decode(body, charset)
            body_kind = "query" if media == QUERY else "update"
        else:
            shown = media or "no content type"
            raise UnsupportedMedia(
                f"{shown}: POST a query as {FORM} (query=...) or {QUERY}, "
                f"an update as {FORM} (update=...) or {UPDATE}")
    query, update = _one(params, "query"), _one(params, "update")
    if body_kind is not None and (query is not None or update is not None):
        raise QueryError(f"a {body_kind} in the body and another in the parameters")
    if query is not None and update is not None:
        raise QueryError("both a query and an update in one request")
    if request.method == "GET" and update is not None:
        raise WrongMethod("an update must be sent by POST, not GET")
    if body_kind == "query" or (body_kind is None and query is not None):
        op = Operation("query", body_text if body_text is not None else query or "")
        op.default_graphs = _graphs(params, "default-graph-uri")
        op.named_graphs = _graphs(params, "named-graph-uri")
    elif body_kind == "update" or update is not None:
        op = Operation("update", body_text if body_text is not None else update or "")
        op.default_graphs = _graphs(params, "using-graph-uri")
        op.named_graphs = _graphs(params, "using-named-graph-uri")
    else:
        op = Operation("none")
    op.formats = params.get("format", []) + params.get("output", [])
    op.download = bool(params.get("download"))
    if op.kind != "none" and not op.text.strip():
        raise QueryError(f"empty {op.kind}")
    return op
