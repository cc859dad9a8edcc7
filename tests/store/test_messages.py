"""Every refusal the store raises carries both languages as "中文 / English", so that a page
shows it in one language only (scoring.ui.one_language): the sources are read and each raised
message is checked (issue 11, "one language at a time")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

STORE = Path(__file__).resolve().parents[2] / "scoring" / "store"
ERRORS = {"StoreError", "AccessDenied", "RuleViolation", "NotFound", "LedgerInvalid"}
CJK = re.compile(r"[\u4e00-\u9fff]")
PAIR = re.compile(r"[\u4e00-\u9fff）」”][^/]*?(?:\s/\s|/\s)['\"(A-Za-z{]")


def _message(node: ast.expr) -> str | None:
    """The literal text of a raised message (f-string parts joined), or None if not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _message(node.left), _message(node.right)
        return None if left is None or right is None else left + right
    return None


def _raised(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in ERRORS and node.exc.args:
            text = _message(node.exc.args[0])
            if text is not None:
                out.append((node.lineno, text))
    return out


@pytest.mark.parametrize(
    "path", sorted(STORE.rglob("*.py")), ids=lambda p: str(p.relative_to(STORE))
)
def test_every_store_refusal_is_in_both_languages(path: Path) -> None:
    bad = [
        (line, text) for line, text in _raised(path) if not (CJK.search(text) and PAIR.search(text))
    ]
    assert not bad, f"{path.name}: refusals not written '中文 / English': {bad}"
