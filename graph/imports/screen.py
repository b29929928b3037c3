"""Pre-screening: refuse hostile or broken bytes before any parser sees them.

Parsers are the attack surface of an import. Entity expansion ("billion laughs") makes
a 1 KB RDF/XML file expand to gigabytes; deep nesting exhausts a recursive parser's
stack; a 100 MB body ties up memory. Each of these is cheaper to detect on the raw bytes
(a size check, a DOCTYPE search, one regex pass counting brackets) than to survive inside
a parser, and the refusal can say exactly where the problem is.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from graph.errors import InvalidData, TooLarge
from graph.imports.kinds import Kind
from graph.interchange.model import Problem
from graph.loading import refuse_entities

#: Deepest nesting accepted: ``[`` / ``(`` in Turtle and TriG, arrays and objects in JSON,
#: elements in RDF/XML. Real data nests a handful of levels; parsers recurse per level.
MAX_DEPTH = 64

# Control characters other than tab, newline and carriage return have no place in text
# data, and NUL in particular truncates strings in downstream tools.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Tokens that can contain brackets which do not nest: strings, IRIs, comments; and
# escapes outside them (``ex:a\\#b`` is a name, not a comment: a ``#`` after a backslash
# once hid the brackets after it from this count, but not from the parser).
_TURTLE_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|\\.|#[^\n]*'
    r'|[\[\]()]')
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def location(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of character offset ``pos``."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def screen(data: bytes, kind: Kind, name: str, max_bytes: int) -> str:
    """The input decoded as UTF-8, or raise naming the first problem and where it is."""
    if len(data) > max_bytes:
        raise TooLarge(f"{name}: {len(data):,} bytes is over the import limit of "
                       f"{max_bytes:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidData(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                          f"{exc.start})", file=name, line=line, column=column) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if (m := _CONTROL.search(text)) is not None:
        line, column = location(text, m.start())
        raise InvalidData(f"control character U+{ord(m.group()):04X} in the input",
                          file=name, line=line, column=column)
    if kind.name == "rdfxml":
        _screen_xml(data, name)
    elif kind.name in {"turtle", "trig"}:
        _check_depth(text, _TURTLE_TOKENS, "[(", name)
    elif kind.name in {"jsonld", "ftm"}:
        _check_depth(text, _JSON_TOKENS, "[{", name)
    return text


def _check_depth(text: str, tokens: re.Pattern[str], openers: str, name: str) -> None:
    depth = 0
    for m in tokens.finditer(text):
        tok = m.group()
        if len(tok) != 1:
            continue  # a string, IRI or comment: brackets inside do not nest
        if tok in openers:
            depth += 1
            if depth > MAX_DEPTH:
                line, column = location(text, m.start())
                raise InvalidData(f"nesting deeper than {MAX_DEPTH} levels is refused",
                                  file=name, line=line, column=column)
        else:
            depth -= 1


def _screen_xml(data: bytes, name: str) -> None:
    """Refuse DTDs (entity expansion, external entities) and deep element nesting."""
    refuse_entities(data, name)
    parser = expat.ParserCreate()
    depth = 0

    def start(tag: str, attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise InvalidData(f"XML nesting deeper than {MAX_DEPTH} elements is refused",
                              file=name, line=parser.CurrentLineNumber,
                              column=parser.CurrentColumnNumber + 1)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InvalidData(f"malformed XML: {expat.ErrorString(exc.code)}", file=name,
                          line=exc.lineno, column=exc.offset + 1) from None


def problems_error(problems: list[Problem], name: str, what: str) -> InvalidData:
    """One :class:`InvalidData` listing every problem, located at the first."""
    first = problems[0]
    return InvalidData(f"{len(problems)} {what}", file=name, line=first.line,
                       column=first.column, problems=problems)
