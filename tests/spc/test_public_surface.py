"""The public surface of qcity.spc is pinned: changing it must be a deliberate act."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import qcity.spc

SUBPACKAGES = ("charts", "capability", "msa", "sampling", "sixsigma")
PURE_IMPORT_ROOTS = {"numpy", "scipy", "qcity", "__future__"}
STDLIB = {
    "collections", "dataclasses", "enum", "functools", "importlib", "itertools", "math",
    "typing", "warnings", "csv", "io", "re", "bisect", "statistics", "types", "abc", "operator",
}  # fmt: skip


def test_top_level_exports() -> None:
    assert sorted(qcity.spc.__all__) == qcity.spc.__all__
    for name in qcity.spc.__all__:
        assert hasattr(qcity.spc, name)
    assert qcity.spc.process_capability is qcity.spc.capability.capability


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_subpackage_exports_exist_and_hide_private_modules(name: str) -> None:
    module = importlib.import_module(f"qcity.spc.{name}")
    assert module.__all__, name
    for export in module.__all__:
        assert hasattr(module, export), export
        assert not export.startswith("_")


def test_spc_is_a_pure_core() -> None:
    """No database, web or CLI import anywhere under qcity/spc (it must run anywhere)."""
    root = Path(qcity.spc.__file__).parent
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
                inside_spc = full.startswith("qcity.spc")
                if (top == "qcity" and not inside_spc) or top not in PURE_IMPORT_ROOTS | STDLIB:
                    offenders.append(f"{path.name}: {full}")
    assert offenders == []
