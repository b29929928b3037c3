"""Naming things: the one label rule, the one reference type and the one name normaliser.

Every surface (entity pages, exposure results, the graph view, the CSV and FtM exports,
search and name resolution) names a resource with :func:`pick_label`, refers to it with
:class:`Ref`, and compares names with :func:`normalise`; copies of these drifted before
(six label pickers with four language rules), and a drift here is a wrong name on a page.
"""

from graph.lookup.labels import LABEL_PREDICATES, fallback_label, label_of, pick_label
from graph.lookup.names import close_matches, normalise
from graph.lookup.refs import Ref

__all__ = ["LABEL_PREDICATES", "Ref", "close_matches", "fallback_label", "label_of",
           "normalise", "pick_label"]
