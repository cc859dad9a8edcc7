"""The catalogue (附件5): sections, city groups with counts, continuous numbering."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.errors import InputError
from scoring.programme import schema
from scoring.programme.catalogue import (
    catalogue,
    catalogue_table,
    chinese_numeral,
    render_catalogue,
)

#: The 2019 catalogue of 晋商建〔2020〕24号 (附件5): enterprise projects per city, region projects.
ENTERPRISE_2019 = {
    "太原市": 13, "大同市": 8, "忻州市": 3, "阳泉市": 1, "长治市": 3, "晋城市": 4, "晋中市": 3,
    "临汾市": 1, "吕梁市": 3, "运城市": 5,
}  # fmt: skip
REGION_2019 = {"大同市": 1, "忻州市": 1, "晋中市": 2, "长治市": 1, "运城市": 1}


def candidates_2019() -> pd.DataFrame:
    rows = []
    for kind, counts in (("enterprise", ENTERPRISE_2019), ("region", REGION_2019)):
        for city, n in counts.items():
            for k in range(n):
                pid = f"{kind[0].upper()}-{city}-{k}"
                rows.append(
                    {"project_id": pid, "name": f"示例{pid}(虚构)", "kind": kind, "city": city}
                )
    return pd.DataFrame(rows)


def test_layout_of_the_2019_catalogue():
    """The published 2019 catalogue: 44 enterprise projects numbered 1-44 with "(一)太原市(13个)" and
    "(二)大同市(8个)" first, then 6 region projects numbered 45-50 whose groups start again at
    "(一)大同市(1个)"; 50 projects in all."""
    cands = candidates_2019()
    cat = catalogue(list(cands["project_id"])[::-1], cands)  # input order does not matter per city
    assert list(cat["seq"]) == list(range(1, 51))
    ent, reg = cat[cat["section"] == "enterprise"], cat[cat["section"] == "region"]
    assert len(ent) == 44 and len(reg) == 6
    assert ent["seq"].max() == 44 and reg["seq"].min() == 45
    headings = list(dict.fromkeys(ent["group_heading"]))
    assert headings[:2] == ["(一)太原市(13个)", "(二)大同市(8个)"]
    assert len(headings) == 10 and headings[-1] == "(十)运城市(5个)"
    assert list(dict.fromkeys(reg["group_heading"]))[0] == "(一)大同市(1个)"
    assert set(ent["section_heading"]) == {"一、供应链重点企业项目"}
    assert set(reg["section_heading"]) == {"二、供应链重点区域项目"}
    # groups follow schema.CITIES order
    order = [c for c in schema.CITIES if c in ENTERPRISE_2019]
    assert list(dict.fromkeys(ent["group"])) == order


def test_provincial_last_and_rank_order_within_city():
    cands = pd.DataFrame(
        {
            "project_id": ["P1", "T1", "T2", "R1"],
            "name": ["省示例(虚构)", "太示例一(虚构)", "太示例二(虚构)", "示例县集群(虚构)"],
            "kind": ["enterprise", "enterprise", "enterprise", "region"],
            "city": [schema.PROVINCIAL, "太原市", "太原市", "运城市"],
        }
    )
    short = pd.DataFrame(
        {"rank": [1, 2, 3, 4], "score": [9.0, 8, 7, 6], "status": "selected"},
        index=pd.Index(["T2", "P1", "R1", "T1"], name="project_id"),
    )
    cat = catalogue(short, cands)
    assert list(cat["project_id"]) == ["T2", "T1", "P1", "R1"]
    assert list(cat["group_heading"]) == [
        "(一)太原市(2个)",
        "(一)太原市(2个)",
        "(二)省属企业(1个)",
        "(一)运城市(1个)",
    ]
    lines = render_catalogue(cat, year=2026)
    assert lines == [
        "山西省供应链重点培育项目",
        "(2026年度目录)",
        "一、供应链重点企业项目",
        "(一)太原市(2个)",
        "1.太示例二(虚构)",
        "2.太示例一(虚构)",
        "(二)省属企业(1个)",
        "3.省示例(虚构)",
        "二、供应链重点区域项目",
        "(一)运城市(1个)",
        "4.示例县集群(虚构)",
    ]
    table = catalogue_table(cat)
    assert table["name"].tolist()[:3] == [
        "一、供应链重点企业项目",
        "(一)太原市(2个)",
        "太示例二(虚构)",
    ]
    assert table["seq"].isna().sum() == 5 and table["seq"].dropna().tolist() == [1, 2, 3, 4]


def test_region_only_catalogue_takes_the_first_numeral():
    cands = pd.DataFrame(
        {"project_id": ["R1"], "name": ["示例(虚构)"], "kind": ["region"], "city": ["长治市"]}
    )
    cat = catalogue(["R1"], cands)
    assert cat.loc[0, "section_heading"] == "一、供应链重点区域项目"


def test_refuses_undecided_unknown_and_repeated():
    cands = candidates_2019()
    short = pd.DataFrame(
        {"rank": [1, 2], "score": [1.0, 1.0], "status": ["selected", "chair"]},
        index=pd.Index(["E-太原市-0", "E-太原市-1"], name="project_id"),
    )
    with pytest.raises(InputError, match="chair"):
        catalogue(short, cands)
    with pytest.raises(InputError) as exc:
        catalogue(["E-太原市-0", "E-太原市-0", "nope"], cands)
    assert len(exc.value.problems) == 2


def test_chinese_numerals():
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 12, 20, 21, 99)] == [
        "一", "九", "十", "十一", "十二", "二十", "二十一", "九十九",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        chinese_numeral(0)
