"""``qcity registry``: towns, industries, market entities and credit codes."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from qcity import _cli_support as support
from qcity.db import unit_of_work
from qcity.registry import service
from qcity.registry.service import CityName

app = support.sub_app("The city's registry: towns, industries, market entities.")


@app.command("check-uscc")
def check_uscc(
    codes: list[str] = typer.Argument(..., help="Credit codes to check."),
) -> None:
    """Check unified social credit codes (GB 32100-2015); exit 1 if any is invalid."""
    verdicts = service.check_credit_codes(codes)
    for verdict in verdicts:
        typer.echo(str(verdict))
    if not all(v.valid for v in verdicts):
        raise typer.Exit(1)


@app.command("load-towns")
def load_towns(
    file: Path = typer.Argument(..., help="CSV: code,name_zh_hans,name_zh_hant,name_en,kind"),
    city_name: str = typer.Option("东莞市", help="The city's name in simplified Chinese."),
    city_name_zh_hant: str = typer.Option("東莞市", help="The city's name in traditional Chinese."),
    city_name_en: str = typer.Option("Dongguan", help="The city's name in English."),
) -> None:
    """Load the org-unit tree city → towns from a CSV file (re-running updates in place)."""
    with unit_of_work(support.engine()) as session:
        count = service.load_towns(
            session, file, CityName(city_name, city_name_zh_hant, city_name_en)
        )
    typer.echo(f"loaded {count} towns under {city_name}")


@app.command("load-industries")
def load_industries(
    file: Path | None = typer.Argument(None, help="CSV of GB/T 4754 codes; built-in by default."),
) -> None:
    """Load GB/T 4754-2017 sections and manufacturing divisions."""
    with unit_of_work(support.engine()) as session:
        count = service.load_industries(session, file)
    typer.echo(f"loaded {count} industries")


@app.command("towns")
def towns() -> None:
    """List the towns with their market-entity counts."""
    with unit_of_work(support.engine()) as session:
        overview = service.town_overview(session)
    table = Table("code", "town", "entities", "top manufacturing divisions")
    for row in overview.towns:
        top = ", ".join(
            f"{overview.industries[code].name_zh_hans} {count:,}"
            for code, count in row.top_divisions()
        )
        table.add_row(row.town.code, row.town.name_zh_hans, f"{row.total:,}", top)
    support.console.print(table)
