"""``qcity inspection``: categories, imports, the template and the public announcement."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import typer
from rich.table import Table

from qcity import _cli_support as support
from qcity.db import unit_of_work
from qcity.errors import InputError
from qcity.inspection import repository, service
from qcity.inspection._import import CHUNK_SIZE
from qcity.inspection._publish import announcement_rows, write_table, write_template

app = support.sub_app("Sampling inspections (抽检): import, publish, categories.")


@app.command("import")
def import_command(
    files: list[Path] = typer.Argument(..., help=".xlsx or .csv files (published or template)."),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Directory for rejects files (default: next to each input)."
    ),
    chunk_size: int = typer.Option(
        CHUNK_SIZE, "--chunk-size", help="Rows per committed chunk.", min=1
    ),
) -> None:
    """Import sampling-inspection tables; rejected rows go to a rejects file with the reason."""
    db = support.engine()
    with ExitStack() as stack:

        def on_file(path: Path) -> Callable[[int, int], None]:
            progress = stack.enter_context(support.progress_bar(path.name, 0))
            task = progress.task_ids[0]
            return lambda done, total: progress.update(task, completed=done, total=total)

        summaries = service.import_files(
            db, files, rejects_dir=rejects, chunk_size=chunk_size, on_file=on_file
        )
    for summary in summaries:
        typer.echo(summary.line())
    if len(summaries) > 1:
        total = [
            sum(getattr(s, f) for s in summaries)
            for f in ("rows_read", "landed", "rejected", "already_present")
        ]
        typer.echo(
            f"total: {total[0]:,} rows read, {total[1]:,} landed, {total[2]:,} rejected, "
            f"{total[3]:,} already present"
        )


@app.command("template")
def template_command(
    out: Path = typer.Argument(..., help="Where to write the template."),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx or csv."),
) -> None:
    """Write the qcity import template (header row plus a description of every column)."""
    write_template(out, fmt)
    typer.echo(f"template written to {out}")


@app.command("load-categories")
def load_categories(
    file: Path | None = typer.Argument(
        None, help="CSV: code,domain,parent_code,name_zh_hans,name_zh_hant,name_en,industry_code"
    ),
) -> None:
    """Load inspection categories (the built-in list by default; re-running updates in place)."""
    with unit_of_work(support.engine()) as session:
        count = service.load_categories(session, file)
    typer.echo(f"loaded {count} inspection categories")


@app.command("categories")
def categories(
    domain: str | None = typer.Option(
        None, help="food, agri, manufactured, consumer, construction"
    ),
) -> None:
    """List the inspection categories (the names the 分类 column may use)."""
    with unit_of_work(support.engine()) as session:
        rows = repository.categories(session, domain)
    table = Table("code", "domain", "zh-Hans", "zh-Hant", "English")
    for c in rows:
        table.add_row(c.code, c.domain, c.name_zh_hans, c.name_zh_hant, c.name_en)
    support.console.print(table)


@app.command("publish")
def publish(
    period: str = typer.Option(..., "--period", help="2025, 2025-Q3 or 2025-07."),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx or csv."),
    out: Path | None = typer.Option(None, "--out", help="Output file (default: in the cwd)."),
) -> None:
    """Write the public announcement of failed samples for a period (no personal data)."""
    chosen = service.parse_period(period)
    if fmt not in ("xlsx", "csv"):
        raise InputError(f"--format {fmt!r}: use xlsx or csv")
    target = out or Path(f"inspection-announcement-{chosen.label}.{fmt}")
    with unit_of_work(support.engine()) as session:
        headers, rows = announcement_rows(session, chosen.start, chosen.end)
    write_table(target, fmt, headers, rows, sheet="不合格产品信息")
    typer.echo(f"{len(rows):,} failed samples ({chosen.start} .. {chosen.end}) written to {target}")
