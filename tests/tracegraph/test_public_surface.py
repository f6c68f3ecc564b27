"""The public surface of qcity.tracegraph is pinned, and it is a pure core."""

from __future__ import annotations

import ast
from pathlib import Path

import qcity.tracegraph

EXPORTS = [
    "ALWAYS", "NEVER", "BalanceRow", "BatchBuilder", "EventBatch", "Flow", "MassBalance",
    "Position", "TraceGraph", "TraceResult", "TracedLot", "flow_of",
]  # fmt: skip
ALLOWED = {
    "numpy",
    "qcity",
    "__future__",
    "collections",
    "dataclasses",
    "enum",
    "pathlib",
    "typing",
}


def test_exports_are_pinned() -> None:
    assert qcity.tracegraph.__all__ == EXPORTS
    for name in EXPORTS:
        assert hasattr(qcity.tracegraph, name)


def test_tracegraph_imports_no_database_or_web_code() -> None:
    root = Path(qcity.tracegraph.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for full in names:
                top = full.split(".")[0]
                if (top == "qcity" and not full.startswith("qcity.tracegraph")) or (
                    top not in ALLOWED
                ):
                    offenders.append(f"{path.name}: {full}")
    assert offenders == []
