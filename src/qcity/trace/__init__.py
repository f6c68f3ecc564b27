"""Traceability and recall: traces over EPCIS events, recalls, mass balance, demo chains."""
