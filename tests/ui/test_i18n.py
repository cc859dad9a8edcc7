"""Every text key the pages use exists in both languages, and each language is itself.

The pages call ``tr("key")`` / ``t("key", lang)``; a key missing from :data:`scoring.ui.i18n.TEXT`
would show the raw key. Keys built with an f-string (``f"role.{role}"``) are checked for every
value the code gives them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.store.accounts import ROLES
from scoring.store.config import AGGREGATIONS
from scoring.ui.i18n import TEXT, t

UI = Path(__file__).resolve().parents[2] / "scoring" / "ui"
LITERAL = re.compile(r"\b(?:tr|t)\(\s*\"([a-z_]+(?:\.[a-z0-9_]+)+)\"")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _literal_keys() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(UI.rglob("*.py")):
        for key in LITERAL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, str(path.relative_to(UI)))
    return found


def test_every_literal_key_the_pages_use_exists() -> None:
    keys = _literal_keys()
    assert len(keys) > 50  # the scan finds the pages' keys
    missing = {k: where for k, where in keys.items() if k not in TEXT}
    assert not missing, missing


@pytest.mark.parametrize(
    "key",
    [f"role.{r}" for r in ROLES]
    + [f"role.option.{r}" for r in ROLES]
    + [f"aggregation.{a}" for a in AGGREGATIONS]
    + [f"method.{m}" for m in ("weighted_sum", "weighted_product", "topsis", "vikor", "moora")]
    + [f"sheet.{s}" for s in ("draft", "confirmed", "recused", "empty")],
)
def test_keys_built_from_values_exist(key: str) -> None:
    assert key in TEXT, key


def test_every_text_has_both_languages_and_english_has_no_chinese() -> None:
    for key, (zh, en) in TEXT.items():
        assert zh.strip() and en.strip(), key
        if key.startswith("lang."):  # the switch names the other language in that language
            continue
        assert not CJK.search(t(key, "en")), (key, en)
        assert (
            CJK.search(zh)
            or not re.search(r"[A-Za-z]{4,}", zh)
            or key.startswith(("lang.", "method.", "col."))
        ), (key, zh)
