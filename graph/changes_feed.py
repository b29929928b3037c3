"""The Atom feed (RFC 4287) of :mod:`graph.changes`: one entry per import or retraction,
its summary naming the organisations whose exposure it changed, before and after.

Feed readers are how analysts follow a source without polling a page; Atom needs an
id, a title and an updated time on the feed and on each entry, which every event has.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime

from graph.changes import Change

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:survkg,2026:"


def _num(v: float) -> str:
    return f"{v:.3f}"


def describe(c: Change) -> str:
    """One line per organisation the event moved, e.g. ``Canon Inc.: 3.980 -> 4.500``."""
    what = "imported" if c.kind == "import" else "retracted"
    head = f"{c.file} {what} by {c.actor}" + (f" ({c.reason})" if c.reason else "") + "."
    if not c.exposure:
        return head + " No organisation's exposure changed."
    lines = [f"{x.organisation.label}: {_num(x.before)} -> {_num(x.after)}"
             f" ({len(x.paths_gained)} path(s) gained, {len(x.paths_lost)} lost)"
             for x in c.exposure]
    return head + " Exposure changed: " + "; ".join(lines) + "."


def to_atom(changes: Iterable[Change], *, base_url: str, title: str,
            feed_path: str = "/changes.atom") -> bytes:
    items = list(changes)
    base = base_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    updated = max((c.at for c in items),
                  default=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    ET.SubElement(feed, f"{{{ATOM}}}id").text = TAG + feed_path
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=base + feed_path)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "survkg"
    for c in items:
        e = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(e, f"{{{ATOM}}}id").text = f"{TAG}{c.kind}/{c.import_id}"
        ET.SubElement(e, f"{{{ATOM}}}title").text = \
            f"{'Import' if c.kind == 'import' else 'Retraction'} {c.import_id}: {c.file}"
        ET.SubElement(e, f"{{{ATOM}}}updated").text = c.at
        ET.SubElement(e, f"{{{ATOM}}}link", rel="alternate",
                      href=f"{base}/api/imports/{c.import_id}")
        ET.SubElement(e, f"{{{ATOM}}}summary").text = describe(c)
        for x in c.exposure:
            ET.SubElement(e, f"{{{ATOM}}}category", term=x.organisation.id,
                          label=x.organisation.label)
    out: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return out
