"""Reading the W3C SPARQL 1.1 test manifests and comparing results, for the endpoint tests."""
