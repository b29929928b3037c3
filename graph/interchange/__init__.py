"""Trading data with other tools: mappers from and to FollowTheMoney, CSV findings,
GraphML / GEXF and JSON-LD.

Import mappers turn a foreign file into quads of survkg's ontology (:class:`Mapped`) and
never touch the store: the import pipeline (``graph/imports``) screens, resolves,
validates and commits what they return. Export writers read the store and write a file.
"""
