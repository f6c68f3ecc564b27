"""Who sees which trace rows and recall holders: the rule lives in :mod:`qcity.trace._scope`
(the trace API applies it too); the pages import it from here."""

from __future__ import annotations

from qcity.trace._scope import (
    PAGE,
    Scope,
    holder_of,
    maker_of,
    may_start_recall,
    sees_all,
    sees_holder,
    visible_cases,
)

__all__ = [
    "PAGE",
    "Scope",
    "holder_of",
    "maker_of",
    "may_start_recall",
    "sees_all",
    "sees_holder",
    "visible_cases",
]
