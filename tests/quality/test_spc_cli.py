"""``qcity spc``: the JSON contract against published reference values, tables, plots, errors.

References (copies in tests/fixtures/spc/, provenance in tests/fixtures/spc/SOURCES.md):
qcc 3.0 vignette (charts/qcc_vignette_published.json), SPC for Excel, SixSigma and
qualityTools gauge studies (msa/*.expected.json), GB/T 2828.1 Table 1 and 2-A.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.quality.conftest import CHARTS, MSA, invoke, invoke_json, load_json, subset_csv

PUBLISHED = load_json(CHARTS / "qcc_vignette_published.json")["cases"]
CHART_KEYS = {"type", "center", "lcl", "ucl", "sigma", "points", "violations", "secondary"}


@pytest.fixture
def pistonrings_trial(tmp_path: Path) -> Path:
    """pistonrings samples 1-25 (the trial rows, 125 diameters)."""
    return subset_csv(CHARTS / "pistonrings.csv", tmp_path / "pistonrings_trial.csv")


@pytest.fixture
def orangejuice_trial(tmp_path: Path) -> Path:
    return subset_csv(CHARTS / "orangejuice.csv", tmp_path / "orangejuice_trial.csv")


def test_xbar_r_json_reproduces_the_qcc_vignette(pistonrings_trial: Path) -> None:
    out = invoke_json(
        "spc", "chart", str(pistonrings_trial), "--type", "xbar-r", "--column", "diameter",
        "--subgroup-column", "sample",
    )  # fmt: skip
    assert set(out) == CHART_KEYS
    xbar = PUBLISHED["xbar pistonrings diameter[1:25,] (25 groups of 5; sigma=UWAVE-R=mean(R/d2))"]
    # printed to 5 decimals (center, limits) and 9 significant digits (sigma)
    assert out["center"] == pytest.approx(xbar["center"], abs=5e-6)
    assert out["lcl"] == pytest.approx(xbar["LCL"], abs=5e-6)
    assert out["ucl"] == pytest.approx(xbar["UCL"], abs=5e-6)
    assert out["sigma"] == pytest.approx(xbar["std_dev"], abs=5e-10)
    assert len(out["points"]) == 25 and out["violations"] == []
    r_chart = PUBLISHED["R pistonrings[1:25]"]
    assert out["secondary"]["type"] == "r"
    assert out["secondary"]["center"] == pytest.approx(r_chart["center"], abs=5e-6)
    assert out["secondary"]["ucl"] == pytest.approx(r_chart["UCL"], abs=5e-9)
    assert out["secondary"]["lcl"] == 0.0


def test_subgroup_size_gives_the_same_chart_as_the_subgroup_column(pistonrings_trial: Path) -> None:
    base = ("spc", "chart", str(pistonrings_trial), "--type", "xbar-s", "--column", "diameter")
    by_size = invoke_json(*base, "--subgroup-size", "5")
    by_column = invoke_json(*base, "--subgroup-column", "sample")
    assert by_size == by_column
    s_chart = PUBLISHED["S pistonrings[1:25] (sigma=UWAVE-SD=mean(s/c4))"]
    assert by_size["secondary"]["center"] == pytest.approx(s_chart["center"], abs=5e-10)
    assert by_size["secondary"]["ucl"] == pytest.approx(s_chart["UCL"], abs=5e-9)


def test_p_chart_of_orangejuice_flags_samples_15_and_23(orangejuice_trial: Path) -> None:
    out = invoke_json(
        "spc", "chart", str(orangejuice_trial), "--type", "p", "--column", "D",
        "--size-column", "size",
    )  # fmt: skip
    published = PUBLISHED["p orangejuice trial (30 x n=50)"]
    assert out["center"] == pytest.approx(published["center"], abs=5e-8)
    assert out["lcl"] == pytest.approx(published["LCL"], abs=5e-9)
    assert out["ucl"] == pytest.approx(published["UCL"], abs=5e-8)
    assert out["secondary"] is None
    # 0-based indices of the published 1-based samples 15 and 23
    assert out["violations"] == [{"rule": 1, "index": 14}, {"rule": 1, "index": 22}]


def test_np_chart_takes_a_constant_size_and_a_standard_p(orangejuice_trial: Path) -> None:
    base = ("spc", "chart", str(orangejuice_trial), "--type", "np", "--column", "D")
    out = invoke_json(*base, "--subgroup-size", "50")
    published = PUBLISHED["np orangejuice trial"]
    assert out["center"] == pytest.approx(published["center"], abs=5e-6)
    assert out["ucl"] == pytest.approx(published["UCL"], abs=5e-6)
    phase2 = invoke_json(*base, "--size-column", "size", "--p", "0.1")
    assert phase2["center"] == pytest.approx(5.0)


def test_c_and_u_charts_of_circuit_boards(tmp_path: Path) -> None:
    circuit = subset_csv(CHARTS / "circuit.csv", tmp_path / "circuit.csv")
    out = invoke_json("spc", "chart", str(circuit), "--type", "c", "--column", "x")
    published = PUBLISHED["c circuit trial (26 x 100 boards)"]
    assert out["center"] == pytest.approx(published["center"], abs=5e-6)
    assert out["ucl"] == pytest.approx(published["UCL"], abs=5e-6)
    assert [v["index"] for v in out["violations"]] == [
        i - 1 for i in published["out_of_control_samples"]
    ]
    u = invoke_json(
        "spc", "chart", str(circuit), "--type", "u", "--column", "x", "--size-column", "size"
    )
    assert u["type"] == "u" and u["center"] == pytest.approx(published["center"] / 100, rel=1e-6)


def test_variable_limits_are_lists(tmp_path: Path) -> None:
    out = invoke_json(
        "spc", "chart", str(CHARTS / "dyedcloth.csv"), "--type", "u", "--column", "x",
        "--size-column", "size",
    )  # fmt: skip
    assert isinstance(out["lcl"], list) and isinstance(out["ucl"], list)
    assert len(out["ucl"]) == len(out["points"]) == 10


@pytest.mark.parametrize(
    ("chart_type", "extra", "secondary"),
    [
        ("i-mr", (), "mr"),
        ("ewma", ("--lambda", "0.3"), None),
        ("cusum", ("--k", "0.5", "--h", "4"), "cusum-lower"),
        ("g", (), None),
    ],
)
def test_other_chart_types_follow_the_same_contract(
    chart_type: str, extra: tuple[str, ...], secondary: str | None
) -> None:
    out = invoke_json(
        "spc", "chart", str(CHARTS / "viscosity.csv"), "--type", chart_type, "--column",
        "viscosity", *extra,
    )  # fmt: skip
    assert set(out) == CHART_KEYS and out["type"] == chart_type
    assert (out["secondary"] or {}).get("type") == secondary


def test_nelson_rules_and_phase_two_standards(pistonrings_trial: Path) -> None:
    out = invoke_json(
        "spc", "chart", str(CHARTS / "pistonrings.csv"), "--type", "xbar-r", "--column",
        "diameter", "--subgroup-size", "5", "--rules", "nelson", "--mean", "74.00118",
        "--sigma", "0.009785039",
    )  # fmt: skip
    assert out["center"] == pytest.approx(74.00118)
    assert out["ucl"] == pytest.approx(74.00118 + 3 * 0.009785039 / 5**0.5)
    assert {v["index"] for v in out["violations"]} >= {37, 38}  # samples 38, 39 beyond the UCL
    assert any(v["rule"] > 4 for v in out["violations"])  # a Nelson-only rule fired


def test_capability_json_reproduces_the_qcc_vignette(pistonrings_trial: Path) -> None:
    out = invoke_json(
        "spc", "capability", str(pistonrings_trial), "--column", "diameter", "--lsl", "73.95",
        "--usl", "74.05", "--subgroup-column", "sample",
    )  # fmt: skip
    keys = "mean sigma_within sigma_overall cp cpl cpu cpk cpm pp ppl ppu ppk"
    assert set(keys.split()) | {"ppm_expected", "ppm_observed"} <= set(out)
    # published to two decimals: Cp 1.70, Cpk 1.66, Cpm 1.69
    assert (round(out["cp"], 2), round(out["cpk"], 2), round(out["cpm"], 2)) == (1.70, 1.66, 1.69)
    assert out["ppm_observed"]["total"] == 0.0
    one_sided = invoke_json(
        "spc", "capability", str(pistonrings_trial), "--column", "diameter", "--usl", "74.05"
    )
    assert one_sided["cp"] is None and one_sided["cpl"] is None and one_sided["cpu"] > 0


def test_gage_rr_reproduces_spc_for_excel() -> None:
    reference = load_json(MSA / "spcforexcel_5parts_3ops_3trials.expected.json")
    expected, tol = reference["expected"], reference["tolerance"]
    out = invoke_json(
        "spc", "gage-rr", str(MSA / "spcforexcel_5parts_3ops_3trials.csv"), "--part", "part",
        "--operator", "operator", "--value", "value",
    )  # fmt: skip
    for key in ("var_repeatability", "var_part", "var_gage_rr", "var_total"):
        assert out[key] == pytest.approx(expected[key], abs=tol["var"])
    assert out["var_reproducibility"] == pytest.approx(expected["var_operator"], abs=tol["var"])
    grr_c, grr_sv = expected["pct_contribution"]["grr"], expected["pct_study_var"]["grr"]
    assert out["pct_contribution_gage_rr"] == pytest.approx(grr_c, abs=tol["pct"])
    assert out["pct_study_var_gage_rr"] == pytest.approx(grr_sv, abs=tol["pct"])
    assert out["ndc"] == expected["ndc"] and out["interaction_pooled"] is True


def test_gage_rr_reproduces_sixsigma_and_quality_tools() -> None:
    six = load_json(MSA / "ss.data.rr.expected.json")["expected"]
    out = invoke_json(
        "spc", "gage-rr", str(MSA / "ss.data.rr.csv"), "--part", "prototype", "--operator",
        "operator", "--value", "time1", "--tolerance", "0.1",
    )  # fmt: skip
    assert out["pct_contribution_gage_rr"] == pytest.approx(
        six["varComp"]["pct_contribution"][0], abs=0.005
    )
    assert out["pct_study_var_gage_rr"] == pytest.approx(
        six["studyVar"]["pct_study_var"][0], abs=0.005
    )
    assert out["ndc"] == six["ncat"]
    qt = load_json(MSA / "qualitytools_3ops_10parts_2meas.expected.json")
    kept = qt["recomputed_here_interaction_kept"]
    out = invoke_json(
        "spc", "gage-rr", str(MSA / "qualitytools_3ops_10parts_2meas.csv"), "--part", "part",
        "--operator", "operator", "--value", "value", "--interaction", "keep",
    )  # fmt: skip
    assert out["interaction_pooled"] is False
    assert out["pct_contribution_gage_rr"] == pytest.approx(kept["pctc_grr"], abs=5e-6)
    assert round(out["pct_contribution_gage_rr"]) == 48  # published text: "48% ... totalRR"


def test_sampling_plan_for_lot_1000_aql_1() -> None:
    out = invoke_json("spc", "sampling-plan", "--lot-size", "1000", "--aql", "1.0")
    assert (out["code_letter"], out["sample_size"], out["accept"], out["reject"]) == ("J", 80, 2, 3)
    tightened = invoke_json(
        "spc", "sampling-plan", "--lot-size", "5000", "--aql", "2.5", "--inspection", "tightened"
    )
    assert tightened["code_letter"] == "L" and tightened["inspection"] == "tightened"


def test_without_json_a_readable_table_is_printed(orangejuice_trial: Path) -> None:
    result = invoke(
        "spc", "chart", str(orangejuice_trial), "--type", "p", "--column", "D", "--size-column",
        "size",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "p chart" in result.stdout and "violations" in result.stdout
    assert "0.231333" in result.stdout  # the centre line
    plan = invoke("spc", "sampling-plan", "--lot-size", "1000", "--aql", "1.0")
    assert "code_letter" in plan.stdout and "J" in plan.stdout


@pytest.mark.parametrize("suffix", [".png", ".svg", ".html"])
def test_plot_files(tmp_path: Path, suffix: str) -> None:
    plot = tmp_path / f"chart{suffix}"
    out = invoke_json(
        "spc", "chart", str(CHARTS / "pistonrings.csv"), "--type", "xbar-r", "--column",
        "diameter", "--subgroup-size", "5", "--plot", str(plot),
    )  # fmt: skip
    assert out["violations"]  # samples 37-40 are out of control, and are drawn marked
    data = plot.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG")
    elif suffix == ".svg":
        assert b"<svg" in data[:1000]
    else:
        page = data.decode()
        assert page.startswith("<!DOCTYPE html>") and "<svg" in page
        assert "<script" not in page and "src=" not in page and 'href="http' not in page
        assert "<td>37</td><td>1</td>" in page  # the violations table


def _one_line_error(result_args: tuple[str, ...], *fragments: str) -> str:
    result = invoke(*result_args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def test_missing_column_lists_the_available_ones(pistonrings_trial: Path) -> None:
    _one_line_error(
        ("spc", "chart", str(pistonrings_trial), "--type", "xbar-r", "--column", "diam",
         "--subgroup-size", "5", "--json"),
        "no column 'diam'", "'diameter', 'sample', 'trial'",
    )  # fmt: skip


def test_non_numeric_cell_names_column_row_and_value(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("weight\n1.0\n2.0\nabc\n3.0\n", encoding="utf-8")
    _one_line_error(
        ("spc", "chart", str(bad), "--type", "i-mr", "--column", "weight", "--json"),
        "column 'weight', row 4",
        "'abc' is not a number",
    )


def test_input_errors_exit_2_with_one_line(pistonrings_trial: Path, tmp_path: Path) -> None:
    f = str(pistonrings_trial)
    _one_line_error(
        ("spc", "chart", f, "--type", "xbar-r", "--column", "diameter", "--subgroup-size", "1"),
        "subgroups of at least 2",
    )
    _one_line_error(
        ("spc", "chart", f, "--type", "xbar-r", "--column", "diameter"), "needs subgroups"
    )
    _one_line_error(
        ("spc", "capability", f, "--column", "diameter", "--lsl", "74.05", "--usl", "73.95"),
        "lower spec limit 74.05 must be below upper spec limit 73.95",
    )
    _one_line_error(
        ("spc", "sampling-plan", "--lot-size", "1000", "--aql", "1.2", "--json"),
        "AQL '1.2' is not in the table",
    )
    _one_line_error(
        ("spc", "chart", f, "--type", "xbar-r", "--column", "diameter", "--subgroup-size", "5",
         "--plot", str(tmp_path / "chart.pdf")),
        "use .png, .svg, .html",
    )  # fmt: skip
    _one_line_error(
        ("spc", "chart", f, "--type", "pareto", "--column", "diameter"), "unknown chart type"
    )
    _one_line_error(
        ("spc", "chart", f, "--type", "p", "--column", "diameter", "--lambda", "0.2"),
        "lambda does not apply to the p chart",
    )
    _one_line_error(("spc", "chart", str(tmp_path / "absent.csv"), "--type", "c", "--column", "x"),
                    "no such file")  # fmt: skip


def test_utf8_bom_csv_and_xlsx_give_the_same_chart(tmp_path: Path) -> None:
    import openpyxl

    values = [10.1, 9.8, 10.4, 10.0, 9.7, 10.2, 10.3, 9.9]
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeff重量,班次\n".encode() + "".join(f"{v},A\n" for v in values).encode())
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["重量", "班次"])
    for v in values:
        sheet.append([v, "A"])
    xlsx = tmp_path / "values.xlsx"
    book.save(xlsx)
    args = ("--type", "i-mr", "--column", "重量")
    from_csv = invoke_json("spc", "chart", str(bom), *args)
    from_xlsx = invoke_json("spc", "chart", str(xlsx), *args)
    assert from_csv == from_xlsx and from_csv["center"] == pytest.approx(sum(values) / 8)
    sheet.append(["n/a", "A"])
    book.save(xlsx)
    _one_line_error(("spc", "chart", str(xlsx), *args), "column '重量', row 10", "'n/a'")


def _qcity(*args: str) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).parent / "qcity"
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [str(executable), *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_installed_qcity_spc_command_prints_only_json() -> None:
    ok = _qcity("spc", "sampling-plan", "--lot-size", "1000", "--aql", "1.0", "--json")
    assert ok.returncode == 0 and ok.stdout.count("\n") == 1
    assert '"code_letter": "J"' in ok.stdout
    bad = _qcity("spc", "sampling-plan", "--lot-size", "1000", "--aql", "3", "--json")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert (
        bad.stderr.startswith("error: AQL '3' is not in the table")
        and "Traceback" not in bad.stderr
    )


def test_a_real_process_prints_one_json_object_and_nothing_else() -> None:
    code = (
        "from tests.quality.conftest import ROOT; "
        "ROOT(['spc', 'chart', 'tests/fixtures/spc/charts/orangejuice.csv', '--type', 'p', "
        "'--column', 'D', '--size-column', 'size', '--json'])"
    )
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and done.stdout.startswith('{"type": "p"')
