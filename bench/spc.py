"""Benchmark: X̄-R chart with all eight Nelson rules on 10⁷ measurements, against peers.

Run with ``.venv/bin/python bench/spc.py``. Peers (capstat-core, pyspc; pinned in
bench/requirements-spc-peers.txt) live in a separate environment ``.bench-venv`` and are
timed in a subprocess on the SAME data (saved to a temporary .npy file). Peers that loop in
Python are timed on a slice and extrapolated linearly, as the output says. Nothing is asserted.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from qcity.spc.charts import xbar_r_chart

ROOT = Path(__file__).resolve().parents[1]
PEER_PYTHON = ROOT / ".bench-venv" / "bin" / "python"
N_VALUES = 10_000_000
SUBGROUP = 5
SEED = 20240601
REPEATS = 5
TARGET_S = 1.5
PEER_SLICE = 100_000  # measurements given to the slow peers before extrapolating

PEER_CODE = r"""
import json, sys, time
import numpy as np
path, slice_n, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = np.load(path)
groups = data[:slice_n].reshape(-1, 5)
out = {}

def best(fn):
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return min(times)

try:
    from capstat_core.control_charts import xbar_r_chart
    from capstat_core.rules import nelson_rules
    def capstat():
        pair = xbar_r_chart(groups)
        nelson_rules(pair.location)  # capstat refuses run rules on the R chart
    out["capstat-core"] = {"seconds": best(capstat), "n": int(groups.size),
                           "what": "xbar_r_chart + nelson_rules (all 8) on X-bar only"}
except Exception as exc:  # noqa: BLE001 - report, do not fail
    out["capstat-core"] = {"error": repr(exc)}

try:
    import matplotlib
    matplotlib.use("Agg")
    from pyspc.ccharts.xbar_rbar import rbar, xbar_rbar
    from pyspc.rules import rules

    class _Axis:  # pyspc's rules draw on a matplotlib axis; a no-op one keeps it headless
        def plot(self, *args, **kwargs):
            return None

    lists = groups.tolist()
    def pyspc_run():
        r = rules()
        for chart in (xbar_rbar(), rbar()):
            values, center, lcl, ucl, _ = chart.plot(lists, 5)
            r.plot_violation_points(_Axis(), values, center, lcl, ucl)
    out["pyspc"] = {"seconds": best(pyspc_run), "n": int(groups.size),
                    "what": "xbar_rbar + rbar + its only 2 rules (no Nelson set)"}
except Exception as exc:  # noqa: BLE001
    out["pyspc"] = {"error": repr(exc)}
print(json.dumps(out))
"""


def best_of(fn: Callable[[], Any], repeats: int = REPEATS) -> float:
    """Best wall time of ``repeats`` calls (time.perf_counter)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run_peers(data: np.ndarray) -> dict[str, Any]:
    """Time the peers in the bench environment on a slice of the same data."""
    if not PEER_PYTHON.exists():
        return {"_note": f"peers not installed ({PEER_PYTHON} missing); see {__doc__}"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npy"
        np.save(path, data)
        proc = subprocess.run(
            [str(PEER_PYTHON), "-c", PEER_CODE, str(path), str(PEER_SLICE), "3"],
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
    if proc.returncode != 0:
        return {"_note": "peer run failed: " + proc.stderr.strip().splitlines()[-1]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def bench_charts(data: np.ndarray) -> float:
    """Best time of the X̄-R chart with all Nelson rules on both charts."""

    def run() -> None:
        xbar_r_chart(data, subgroup_size=SUBGROUP, rules="nelson")

    run()  # warm-up: constants cache, page faults
    return best_of(run)


def bench_capability() -> str:
    """Time qcity.spc.capability on 10⁶ points with confidence intervals, if it exists."""
    try:
        from qcity.spc.capability import capability  # type: ignore[attr-defined]
    except ImportError:
        return "capability: not available"
    rng = np.random.default_rng(SEED + 1)
    values = rng.normal(10.0, 1.0, 1_000_000).reshape(-1, SUBGROUP)
    params = inspect.signature(capability).parameters
    kwargs: dict[str, Any] = {}
    if "lsl" in params and "usl" in params:
        kwargs.update(lsl=6.0, usl=14.0)
    for name in ("confidence", "conf", "confidence_level"):
        if name in params:
            kwargs[name] = 0.95
            break

    def run() -> None:
        capability(values, **kwargs)

    try:
        run()
        seconds = best_of(run, 3)
    except Exception as exc:  # the bench reports, never fails
        return f"capability: failed with {exc!r} (kwargs {kwargs})"
    verdict = "meets" if seconds < 0.5 else "MISSES"
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return (
        f"capability(10^6 points, n=5 subgroups, {args}): {seconds:.3f} s "
        f"(target < 0.5 s: {verdict})"
    )


def main() -> None:
    """Generate the data, time qcity and the peers, print the table."""
    rng = np.random.default_rng(SEED)
    data = rng.normal(74.0, 0.01, N_VALUES)
    ours = bench_charts(data)
    print(f"X-bar/R chart + all 8 Nelson rules (on X-bar and R), {N_VALUES:,} values, n={SUBGROUP}")
    print(f"seed {SEED}, best of {REPEATS} runs, time.perf_counter\n")
    rows = [("qcity.spc.charts", N_VALUES, ours, ours, "measured on all data")]
    peers = run_peers(data)
    for name, info in peers.items():
        if name.startswith("_"):
            print(info)
            continue
        if "error" in info:
            print(f"{name}: could not run ({info['error']})")
            continue
        scale = N_VALUES / info["n"]
        note = f"{info['what']}; timed on {info['n']:,} values, extrapolated x{scale:g} linearly"
        rows.append((name, info["n"], info["seconds"], info["seconds"] * scale, note))
    print(f"{'library':<18}{'timed on':>12}{'seconds':>11}{'for 10^7':>12}  note")
    for name, n, secs, full, note in rows:
        print(f"{name:<18}{n:>12,}{secs:>11.3f}{full:>12.2f}  {note}")
    print()
    verdict = "meets" if ours < TARGET_S else "MISSES"
    print(f"qcity: {ours:.3f} s for 10^7 values (target < {TARGET_S} s: {verdict})")
    if len(rows) > 1:
        best_peer = min(rows[1:], key=lambda r: r[3])
        ratio = best_peer[3] / ours
        verdict = "meets" if ratio >= 20 else "MISSES"
        name = best_peer[0]
        print(f"ratio vs best peer ({name}): {ratio:,.0f}x faster (target >= 20x: {verdict})")
    print()
    print(bench_capability())
    sys.stdout.flush()


if __name__ == "__main__":
    main()
