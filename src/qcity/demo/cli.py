"""``qcity demo``: a realistic, reproducible demo city."""

from __future__ import annotations

import typer

from qcity import _cli_support as support
from qcity.demo.scale import ENTITIES_AT_SCALE, Scale

app = support.sub_app("A seeded demo city (Dongguan's towns, industries and market entities).")


@app.command("build")
def build(
    scale: Scale = typer.Option(Scale.SMALL, help="small: ~20,000 entities; city: 1.6 million."),
    seed: int = typer.Option(2024, help="Random seed: the same seed gives the same city."),
    replace: bool = typer.Option(False, "--replace", help="Rebuild when entities already exist."),
    if_missing: bool = typer.Option(False, "--if-missing", help="Do nothing if entities exist."),
) -> None:
    """Build the demo city into the configured database."""
    from qcity.demo.service import build_demo  # numpy is imported only when building

    db = support.engine()
    with support.progress_bar("market entities", ENTITIES_AT_SCALE[scale]) as progress:
        task = progress.task_ids[0]
        summary = build_demo(
            db,
            scale,
            seed,
            replace=replace,
            if_missing=if_missing,
            on_progress=lambda done, _total: progress.update(task, completed=done),
        )
    if summary.skipped:
        typer.echo(f"demo city present ({summary.entities:,} market entities); nothing to do")
    else:
        typer.echo(
            f"demo city built: {summary.towns} towns, {summary.industries} industries, "
            f"{summary.entities:,} market entities (seed {seed})"
        )
