"""EPCIS 2.0 / CBV 2.0: capture, query and identifiers for traceability and recall."""
