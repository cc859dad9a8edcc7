from __future__ import annotations

import csv

import pytest

from scoring.followup import codes
from scoring.paths import DATA_DIR


def test_97_divisions_01_to_97():
    d = codes.industry_divisions()
    assert len(d) == 97
    assert list(d) == [f"{i:02d}" for i in range(1, 98)]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("01", "农业"),
        ("06", "煤炭开采和洗选业"),
        ("27", "医药制造业"),
        ("31", "黑色金属冶炼和压延加工业"),
        ("36", "汽车制造业"),
        ("51", "批发业"),
        ("54", "道路运输业"),
        ("58", "多式联运和运输代理业"),
        ("59", "装卸搬运和仓储业"),
        ("79", "土地管理业"),
        ("97", "国际组织"),
    ],
)
def test_known_divisions(code, name):
    assert codes.industry_divisions()[code] == name


def test_sections_are_the_20_letters_in_order():
    s = codes.industry_sections()
    assert s["01"] == "A" and s["06"] == "B" and s["13"] == "C" and s["43"] == "C"
    assert s["44"] == "D" and s["54"] == "G" and s["66"] == "J" and s["97"] == "T"
    letters = list(dict.fromkeys(s.values()))
    assert letters == list("ABCDEFGHIJKLMNOPQRST")


def test_file_header_and_zero_padding():
    with (DATA_DIR / "codes" / "industry-divisions.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["code", "name", "section"]
    assert rows[1][0] == "01"
    assert len({r[1] for r in rows[1:]}) == 97  # names unique


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("36 汽车制造业", ["36"]),
        ("36", ["36"]),
        ("36、37", ["36", "37"]),
        ("36汽车制造业；54道路运输业", ["36", "54"]),
        ("汽车制造业", ["36"]),
        ("医药制造", ["27"]),
        ("3610", ["36"]),
        ("1", ["01"]),
        ("３６", ["36"]),
        (["36", "54 道路运输业", "36"], ["36", "54"]),
        ("98", ["98"]),
        ("", []),
        (None, []),
        ("汽车", []),
    ],
)
def test_parse_industries(text, expected):
    assert codes.parse_industries(text) == expected


def test_labels():
    assert codes.industry_label("36") == "36 汽车制造业"
    assert codes.industry_label("98") == "98"
    assert codes.is_division("54") and not codes.is_division("98")


def test_cities():
    assert codes.normalise_city("太原") == "太原市"
    assert codes.normalise_city(" 运城市 ") == "运城市"
    assert codes.normalise_city("北京") == "北京"
    assert codes.is_city("晋城市") and not codes.is_city("北京市")
