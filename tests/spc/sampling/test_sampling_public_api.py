"""Pin the public surface of qcity.spc.sampling and run the docstring examples."""

from __future__ import annotations

import doctest
import importlib
import importlib.util

import pytest

import qcity.spc.sampling as sampling

PUBLIC = {
    "AQLS",
    "INSPECTIONS",
    "LEVELS",
    "AOQLResult",
    "DesignedPlan",
    "LotResult",
    "OCCurve",
    "PlanCheck",
    "SamplingPlan",
    "SwitchingState",
    "aoql",
    "check_plan",
    "code_letter",
    "find_plan",
    "lot_result",
    "oc_curve",
    "plan_from_code_letter",
    "probability_of_acceptance",
    "run_switching",
    "single_plan",
    "tighter_accept_number",
}
MODULES = ["", "._tables", "._plans", "._oc", "._design", "._switching"]


def test_public_surface_is_pinned() -> None:
    assert set(sampling.__all__) == PUBLIC
    assert all(hasattr(sampling, name) for name in PUBLIC)


@pytest.mark.parametrize("suffix", MODULES)
def test_docstring_examples(suffix: str) -> None:
    module = importlib.import_module(f"qcity.spc.sampling{suffix}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_pure_core_imports() -> None:
    # ARCHITECTURE.md rule 2: pure cores import no database, web, CLI or pandas code.
    forbidden = ("sqlalchemy", "fastapi", "typer", "pandas", "jinja2", "qcity.db", "qcity.web")
    for suffix in MODULES:
        name = f"qcity.spc.sampling{suffix}"
        spec = importlib.util.find_spec(name)
        assert spec is not None
        assert spec.origin is not None
        with open(spec.origin, encoding="utf-8") as fh:
            source = fh.read()
        assert not [f for f in forbidden if f"import {f}" in source or f"from {f}" in source]
