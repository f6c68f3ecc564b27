"""Loading org units and industries into both databases."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from qcity.db import unit_of_work
from qcity.errors import InputError
from qcity.registry import repository, service
from qcity.registry.models import OrgUnit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "regulatory"
TOWNS = FIXTURES / "dongguan_towns.csv"


def test_towns_load_as_a_city_town_tree_and_reload_in_place(engine: Engine) -> None:
    for _ in range(2):  # idempotent
        with unit_of_work(engine) as session:
            assert service.load_towns(session, TOWNS, service.DONGGUAN) == 35
    with unit_of_work(engine) as session:
        towns = repository.towns(session)
        city = repository.city(session)
        assert session.scalar(select(func.count()).select_from(OrgUnit)) == 36
    assert city is not None and city.code == "441900000000" and city.name_en == "Dongguan"
    assert {t.parent_code for t in towns} == {"441900000000"}
    humen = next(t for t in towns if t.code == "441900121000")
    assert (humen.name_zh_hans, humen.name_zh_hant, humen.kind) == ("虎门镇", "虎門鎮", "town")


def test_any_city_can_load_its_own_towns(engine: Engine, tmp_path: Path) -> None:
    towns = tmp_path / "foshan.csv"
    towns.write_text(
        "code,name_zh_hans,name_zh_hant,name_en,kind\n"
        "440604010000,祖庙街道,祖廟街道,Zumiao,subdistrict\n"
        "440606101000,北滘镇,北滘鎮,Beijiao,town\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"several cities \(440604, 440606\)"):
        service.read_towns(towns)
    towns.write_text(towns.read_text().replace("440606101000", "440604101000"), encoding="utf-8")
    with unit_of_work(engine) as session:
        service.load_towns(session, towns, service.CityName("佛山市", "佛山市", "Foshan"))
    with unit_of_work(engine) as session:
        city = repository.city(session)
        assert city is not None and city.code == "440604000000"


def test_bad_town_rows_are_named_by_row_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "towns.csv"
    bad.write_text(
        "code,name_zh_hans,name_zh_hant,name_en,kind\n"
        "441900003000,东城街道,東城街道,Dongcheng,subdistrict\n"
        "44190000400,南城街道,南城街道,Nancheng,subdistrict\n"
        "441900005000,,萬江街道,Wanjiang,village\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        service.read_towns(bad)
    message = str(caught.value)
    assert message.startswith(f"{bad}: ")
    assert "row 3, field code: '44190000400' is not a 12-digit division code" in message
    assert "row 4, field kind: 'village'" in message
    assert "row 4, field name_zh_hans: empty" in message


def test_missing_column_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "towns.csv"
    bad.write_text("code,name\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        service.read_towns(bad)
    with pytest.raises(InputError, match="no such file"):
        service.read_towns(tmp_path / "absent.csv")


def test_packaged_industries_agree_with_the_reference_divisions(engine: Engine) -> None:
    # Source: shared/reference/regulatory/gbt4754_manufacturing_divisions.csv (GB/T 4754-2017).
    reference = {
        r["code"]: r["name_zh_hans"]
        for r in csv.DictReader((FIXTURES / "gbt4754_manufacturing_divisions.csv").open())
    }
    with unit_of_work(engine) as session:
        assert service.load_industries(session) == 20 + 31
        service.load_industries(session)
    with unit_of_work(engine) as session:
        industries = {i.code: i for i in repository.industries(session)}
    divisions = {c: i.name_zh_hans for c, i in industries.items() if i.level == "division"}
    assert divisions == reference
    assert {i.parent_code for i in industries.values() if i.level == "division"} == {"C"}
    assert all(i.name_zh_hant and i.name_en for i in industries.values())
