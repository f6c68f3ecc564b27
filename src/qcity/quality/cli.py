"""``qcity spc`` (control charts, capability, gauge R&R, sampling plans) and ``qcity haccp``.

With ``--json`` a command prints exactly one JSON object on stdout; otherwise a Rich table.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table as RichTable

from qcity import _cli_support as support
from qcity.quality import service
from qcity.quality._chart_dispatch import CHART_TYPES, ChartSpec
from qcity.quality._cli_output import emit_json, fmt, print_pairs
from qcity.quality._haccp_cli import haccp_app
from qcity.quality._plot import check_plot_path, draw_chart
from qcity.quality._tabular import read_table
from qcity.spc.charts import ChartResult

__all__ = ["app", "haccp_app"]

app = support.sub_app("Statistical process control: control charts, capability, gauge R&R, AQL.")

JSON_HELP = "Print one JSON object on stdout instead of a table."
FILE_HELP = "CSV (UTF-8) or XLSX file with a header row."


def _print_chart(result: ChartResult, labels: list[str] | None) -> None:
    data = result.to_dict()
    pairs = [(k, data[k]) for k in ("center", "lcl", "ucl", "sigma")]
    pairs.append(("points", len(data["points"])))
    print_pairs(f"{data['type']} chart", pairs)
    if data["secondary"] is not None:
        sec = data["secondary"]
        print_pairs(f"{sec['type']} chart", [(k, sec[k]) for k in ("center", "lcl", "ucl")])
    if not data["violations"]:
        support.console.print("no rule violations")
        return
    table = RichTable("point (1-based)", "subgroup", "value", "rule", title="violations")
    for v in data["violations"]:
        label = labels[v["index"]] if labels else "-"
        point = data["points"][v["index"]]
        table.add_row(str(v["index"] + 1), label, fmt(point), str(v["rule"]))
    support.console.print(table)


def _labels_in_order(labels: list[str] | None) -> list[str] | None:
    return None if labels is None else list(dict.fromkeys(labels))


@app.command("chart")
def chart(
    file: Path = typer.Argument(..., help=FILE_HELP),
    chart_type: str = typer.Option(..., "--type", help=f"One of {', '.join(CHART_TYPES)}."),
    column: str = typer.Option(..., help="Column of measurements or counts."),
    subgroup_column: str | None = typer.Option(None, help="Column of subgroup labels."),
    subgroup_size: int | None = typer.Option(None, help="Consecutive values per subgroup."),
    size_column: str | None = typer.Option(None, help="Sample sizes (p, np, u charts)."),
    rules: str | None = typer.Option(None, help="we, nelson or none (default WE 1 and 4)."),
    sigma_method: str | None = typer.Option(None, help="e.g. UWAVE-R, UWAVE-SD, MR, MMR."),
    lam: float | None = typer.Option(None, "--lambda", help="EWMA weight (default 0.2)."),
    k: float | None = typer.Option(None, "--k", help="CUSUM reference value (default 0.5)."),
    h: float | None = typer.Option(None, "--h", help="CUSUM decision interval (default 5)."),
    mean: float | None = typer.Option(None, help="Phase II standard mean (c, u, g: mean count)."),
    sigma: float | None = typer.Option(None, help="Phase II standard sigma."),
    p: float | None = typer.Option(None, "--p", help="Phase II standard fraction (p, np)."),
    plot: Path | None = typer.Option(None, help="Draw the chart to a .png, .svg or .html file."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Draw a control chart (X-bar R/S, I-MR, p, np, c, u, g, EWMA, CUSUM) of a column."""
    if plot is not None:
        check_plot_path(plot)
    spec = ChartSpec(
        chart_type, subgroup_size=subgroup_size, rules=rules, sigma_method=sigma_method,
        lam=lam, k=k, h=h, mean=mean, sigma=sigma, p=p,
    )  # fmt: skip
    table = read_table(file)
    result = service.chart_from_table(
        table, spec, column=column, subgroup_column=subgroup_column, size_column=size_column
    )
    if plot is not None:
        draw_chart(result, plot, title=f"{file.name}: {column} ({chart_type})")
        typer.echo(f"wrote {plot}", err=True)
    if as_json:
        emit_json(result.to_dict())
        return
    labels = None if subgroup_column is None else table.labels(subgroup_column)
    _print_chart(result, _labels_in_order(labels))


_CAPABILITY_ROWS = (
    "n", "mean", "sigma_within", "sigma_overall", "sigma_method", "cp", "cpl", "cpu", "cpk",
    "cpm", "pp", "ppl", "ppu", "ppk",
)  # fmt: skip


@app.command("capability")
def capability(
    file: Path = typer.Argument(..., help=FILE_HELP),
    column: str = typer.Option(..., help="Column of measurements."),
    lsl: float | None = typer.Option(None, help="Lower specification limit."),
    usl: float | None = typer.Option(None, help="Upper specification limit."),
    target: float | None = typer.Option(None, help="Target (default: mid-specification)."),
    subgroup_column: str | None = typer.Option(None, help="Column of subgroup labels."),
    subgroup_size: int | None = typer.Option(None, help="Consecutive values per subgroup."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Process capability (Cp, Cpk, Cpm, Pp, Ppk, PPM) of a column against spec limits."""
    result = service.capability_from_table(
        read_table(file), column=column, lsl=lsl, usl=usl, target=target,
        subgroup_column=subgroup_column, subgroup_size=subgroup_size,
    )  # fmt: skip
    data = result.to_dict()
    if as_json:
        emit_json(data)
        return
    pairs = [(name, data[name]) for name in _CAPABILITY_ROWS]
    pairs.append(("ppm expected (within)", data["ppm_expected"]["within"]["total"]))
    pairs.append(("ppm expected (overall)", data["ppm_expected"]["overall"]["total"]))
    pairs.append(("ppm observed", data["ppm_observed"]["total"]))
    print_pairs(f"capability of {column}", pairs)


_GAUGE_ROWS = (
    "var_repeatability", "var_reproducibility", "var_gage_rr", "var_part", "var_total",
    "pct_contribution_gage_rr", "pct_study_var_gage_rr", "pct_tolerance_gage_rr", "ndc",
    "interaction_pooled",
)  # fmt: skip


@app.command("gage-rr")
def gage_rr(
    file: Path = typer.Argument(..., help=FILE_HELP),
    part: str = typer.Option(..., help="Column of part identifiers."),
    operator: str = typer.Option(..., help="Column of operator identifiers."),
    value: str = typer.Option(..., help="Column of readings."),
    tolerance: float | None = typer.Option(None, help="USL - LSL, for %Tolerance."),
    method: str = typer.Option("anova", help="anova or xbar-r (average and range)."),
    interaction: str = typer.Option("auto", help="ANOVA: auto (pool if p >= 0.05), keep, pool."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Crossed gauge R&R study (ANOVA or average and range) from part/operator/value columns."""
    result = service.gauge_rr_from_table(
        read_table(file), part=part, operator=operator, value=value, tolerance=tolerance,
        method=method, interaction=interaction,
    )  # fmt: skip
    data = result.to_dict()
    if as_json:
        emit_json(data)
        return
    print_pairs(f"gauge R&R ({data['method']})", [(name, data[name]) for name in _GAUGE_ROWS])


@app.command("sampling-plan")
def sampling_plan(
    lot_size: int = typer.Option(..., help="Lot size N."),
    aql: str = typer.Option(..., help="AQL from the preferred series, e.g. 1.0 or 0.65."),
    level: str = typer.Option("II", help="Inspection level S-1..S-4, I, II, III."),
    inspection: str = typer.Option("normal", help="normal or tightened."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """GB/T 2828.1 single sampling plan for a lot: code letter, sample size, Ac, Re."""
    plan = service.sampling_plan(lot_size, aql, level, inspection).to_dict()
    if as_json:
        emit_json(plan)
        return
    print_pairs(f"sampling plan, lot {lot_size}, AQL {plan['aql']}", list(plan.items()))
