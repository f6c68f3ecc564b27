"""Landing re-checks, set-wise and inside its transaction, that every parent a row refers to
(town, market entity, category, industry) is still there; a chunk that refers to a removed
parent is refused whole with a one-line error, and nothing of it lands."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from qcity.db import unit_of_work
from qcity.errors import InputError
from qcity.inspection._import import INSPECTION_COLUMNS, Importer, land
from qcity.inspection._layouts import TEMPLATE
from qcity.inspection.models import SamplingInspection
from tests.inspection.conftest import write_csv
from tests.inspection.test_import import count, template_row


def _validated_rows(engine: Engine, tmp_path: Path) -> list[tuple[object, ...]]:
    rows = [template_row(n) for n in range(1, 4)]
    path = write_csv(tmp_path / "refs.csv", [c.header for c in TEMPLATE], rows)
    stream = Importer(engine).open_stream(path, "refs.csv")
    prepared = next(stream.chunks)
    stream.close()
    assert len(prepared.rows) == 3
    return prepared.rows


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("sampled_entity_id", 987_654_321, r"market entity 987654321 was removed"),
        ("town_code", "441900999", r"town '441900999' was removed"),
        ("category_code", "ZZ9", r"category 'ZZ9' was removed"),
        ("industry_code", "99", r"industry '99' was removed"),
    ],
)
def test_a_chunk_referring_to_a_removed_parent_lands_nothing(
    prepared: Engine, tmp_path: Path, column: str, value: object, message: str
) -> None:
    rows = _validated_rows(prepared, tmp_path)
    position = INSPECTION_COLUMNS.index(column)
    rows[1] = (*rows[1][:position], value, *rows[1][position + 1 :])
    with pytest.raises(InputError, match=message) as error, unit_of_work(prepared) as session:
        land(session.connection(), rows, {})
    assert "\n" not in str(error.value)
    assert count(prepared, SamplingInspection) == 0
    with unit_of_work(prepared) as session:  # the unchanged rows land
        assert land(session.connection(), _validated_rows(prepared, tmp_path), {}) == 3
