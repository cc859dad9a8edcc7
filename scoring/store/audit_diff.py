"""Comparing the state replayed from the audit trail (:mod:`scoring.store.audit_state`) with
the tables: every difference of a panel's status, a frozen configuration, a sheet or a sheet
version is named, and for a closed panel that differs, how its ranking changes."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .audit_state import SheetKey, StateReplay, bi, scores_of
from .config import PanelConfig
from .models import Candidate, Expert, Panel, Sheet, SheetVersion
from .models import PanelConfig as PanelConfigRow
from .results import rank_scores

_MOST = 6  # differences named per sheet or configuration
_DELETED = ("被删除", "was deleted")
_INSERTED = ("没有审计记录（被插入）", "has no audit record (inserted)")


def compare(replay: StateReplay, conn: Connection) -> list[str]:
    """Every difference between the state ``replay`` holds and the tables (the replay's own
    problems first); for each closed panel that differs, how its ranking changes."""
    touched: set[int] = set()
    out = list(replay.problems)
    out += _compare_panels(replay, conn, touched)
    db_sheets = _db_sheets(conn)
    out += _compare_sheets(replay, db_sheets, touched)
    out += _compare_versions(replay, conn, touched)
    for pid in sorted(touched):
        out += _compare_ranking(replay, conn, db_sheets, pid)
    return out


def _missing(name: tuple[str, str], present_in_db: bool) -> str:
    """``name`` was deleted (audited, not in the tables) or inserted (the reverse)."""
    zh, en = _INSERTED if present_in_db else _DELETED
    return bi(f"{name[0]}{zh}", f"{name[1]} {en}")


def _compare_panels(replay: StateReplay, conn: Connection, touched: set[int]) -> list[str]:
    out: list[str] = []
    db = dict(conn.execute(sa.select(Panel.id, Panel.status)).all())
    configs = {
        r.panel_id: (r.content, r.content_hash)
        for r in conn.execute(
            sa.select(PanelConfigRow.panel_id, PanelConfigRow.content, PanelConfigRow.content_hash)
        )
    }
    for pid in sorted(set(db) | set(replay.panels)):
        mine = replay.panels.get(pid)
        if mine is None or pid not in db:
            out.append(_missing((f"评审组 {pid} ", f"panel {pid}"), pid in db))
            touched.add(pid)
            continue
        if db[pid] != mine.status:
            out.append(
                bi(
                    f"评审组 {pid} 的状态被改为 {db[pid]}（审计记录为 {mine.status}）",
                    f"panel {pid}: status {db[pid]} in the database, {mine.status} in the "
                    f"audit trail (record #{mine.seq})",
                )
            )
            touched.add(pid)
        problem = _config_problem(pid, mine.config, configs.get(pid))
        if problem:
            out.append(problem)
            touched.add(pid)
    return out


def _keyed(*columns: Any) -> sa.Select:
    """``columns`` of every sheet with its key: panel id, expert id, project id."""
    return (
        sa.select(Sheet.panel_id, Expert.expert_id, Candidate.project_id, *columns)
        .select_from(Sheet)
        .join(Expert, Expert.id == Sheet.expert_pk)
        .join(Candidate, Candidate.id == Sheet.candidate_pk)
    )


def _db_sheets(conn: Connection) -> dict[SheetKey, Any]:
    """The sheets in the tables by panel id, expert id and project id."""
    q = _keyed(Sheet.status, Sheet.version, Sheet.scores, Sheet.comment)
    return {(r.panel_id, r.expert_id, r.project_id): r for r in conn.execute(q)}


def _compare_sheets(replay: StateReplay, db: dict[SheetKey, Any], touched: set[int]) -> list[str]:
    out: list[str] = []
    for key in sorted(set(db) | set(replay.sheets)):
        name = _sheet_name(key)
        mine, row = replay.sheets.get(key), db.get(key)
        if mine is None or row is None:
            out.append(_missing(name, row is not None))
            touched.add(key[0])
            continue
        diffs = _diffs(
            ("status", "version", "scores", "comment"),
            (mine.status, mine.version, mine.scores, mine.comment),
            (row.status, row.version, scores_of(row.scores), row.comment or ""),
        )
        if diffs:
            out.append(
                bi(f"{name[0]}被修改", f"{name[1]} was changed (audit record #{mine.seq}): ")
                + "; ".join(diffs)
            )
            touched.add(key[0])
    return out


def _compare_versions(replay: StateReplay, conn: Connection, touched: set[int]) -> list[str]:
    out: list[str] = []
    q = _keyed(
        SheetVersion.version, SheetVersion.kind, SheetVersion.scores, SheetVersion.comment
    ).join(SheetVersion, SheetVersion.sheet_id == Sheet.id)
    db = {((r.panel_id, r.expert_id, r.project_id), r.version): r for r in conn.execute(q)}
    mine = {(k, v): row for k, s in replay.sheets.items() for v, row in s.versions.items()}
    for key, version in sorted(set(db) | set(mine)):
        sheet = _sheet_name(key)
        name = (f"{sheet[0]}第 {version} 版", f"version {version} of {sheet[1]}")
        audited, row = mine.get((key, version)), db.get((key, version))
        if audited is None or row is None:
            out.append(_missing(name, row is not None))
        else:
            diffs = _diffs(
                ("kind", "scores", "comment"),
                audited,
                (row.kind, scores_of(row.scores), row.comment or ""),
            )
            if not diffs:
                continue
            out.append(bi(f"{name[0]}被修改", f"{name[1]} was changed: ") + "; ".join(diffs))
        touched.add(key[0])
    return out


def _compare_ranking(
    replay: StateReplay, conn: Connection, db_sheets: dict[SheetKey, Any], pid: int
) -> list[str]:
    """How the ranking of closed panel ``pid`` differs between the audit trail and the tables."""
    mine = replay.panels.get(pid)
    if mine is None or mine.status != "closed" or mine.config is None:
        return []
    db_cfg = conn.execute(
        sa.select(PanelConfigRow.content).where(PanelConfigRow.panel_id == pid)
    ).scalar()
    in_db = {k: (r.status, scores_of(r.scores)) for k, r in db_sheets.items() if k[0] == pid}
    audited = {k: (s.status, s.scores) for k, s in replay.sheets.items() if k[0] == pid}
    try:
        before = _ranking(audited, mine.config[0])
        after = _ranking(in_db, db_cfg or mine.config[0])
    except Exception as exc:  # a tampered configuration may not even rank
        return [
            bi(
                f"评审组 {pid} 无法按数据库重新排名",
                f"panel {pid} cannot be ranked from the database: {exc}",
            )
        ]
    moved = [
        f"{p} #{before.get(p, '-')} → #{after.get(p, '-')}"
        for p in sorted(set(before) | set(after))
        if before.get(p) != after.get(p)
    ]
    if not moved:
        return [bi(f"评审组 {pid} 的名次未变", f"panel {pid}: the ranks do not change")]
    return [
        bi(f"评审组 {pid} 的排名被改变", f"the ranking of panel {pid} changes (audit → database): ")
        + ", ".join(moved)
    ]


def _sheet_name(key: SheetKey) -> tuple[str, str]:
    pid, expert, project = key
    return (
        f"评审组 {pid} 专家 {expert} 对项目 {project} 的评分表",
        f"the sheet of panel {pid}, expert {expert}, project {project}",
    )


def _diffs(names: tuple[str, ...], audit: tuple, db: tuple) -> list[str]:
    """``name audit → database`` for each field that differs (values per criterion)."""
    out = []
    for name, a, b in zip(names, audit, db, strict=True):
        if name == "scores" and a != b:
            out += _changed(a, b)
        elif a != b:
            out.append(f"{name} {a!r} → {b!r}")
    return out


def _changed(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """``key a → b`` for the keys whose values differ (at most :data:`_MOST`)."""
    keys = sorted(set(a) | set(b))
    return [f"{k} {a.get(k, '-')} → {b.get(k, '-')}" for k in keys if a.get(k) != b.get(k)][:_MOST]


def _flat(obj: Any, path: str = "") -> dict[str, Any]:
    """A nested mapping as ``dotted.path -> value``."""
    if not isinstance(obj, dict):
        return {path: obj}
    out: dict[str, Any] = {}
    for k, v in obj.items():
        out.update(_flat(v, f"{path}.{k}" if path else str(k)))
    return out


def _config_problem(
    pid: int, audit: tuple[str, str] | None, db: tuple[str, str] | None
) -> str | None:
    """What differs between panel ``pid``'s frozen configuration in the audit trail and in
    ``panel_configs`` (content, stored hash, and the hash of the stored content)."""
    if audit is None and db is None:
        return None
    name = (f"评审组 {pid} 的冻结配置", f"the frozen configuration of panel {pid}")
    if audit is None or db is None:
        return _missing(name, db is not None)
    diffs = []
    if db[0] != audit[0]:
        diffs = _changed(_flat(json.loads(audit[0])), _flat(json.loads(db[0]))) or ["content"]
    if db[1] != audit[1]:
        diffs.append(f"content_hash {audit[1][:12]}… → {db[1][:12]}…")
    if PanelConfig.from_json(db[0]).content_hash != db[1]:
        diffs.append(
            bi("存储的哈希与内容不符", "the stored hash does not match the stored content")
        )
    if not diffs:
        return None
    return bi(f"{name[0]}被修改", f"{name[1]} was edited: ") + "; ".join(diffs)


def _ranking(
    sheets: dict[SheetKey, tuple[str, dict[str, float]]], config_json: str
) -> dict[str, int]:
    """project id -> rank from the confirmed ``sheets`` under the configuration, computed as
    the results are (:func:`scoring.store.results.rank_scores`)."""
    records = [
        {"project_id": p, "expert_id": e, "criterion": k, "score": float(v)}
        for (_pid, e, p), (status, values) in sheets.items()
        if status == "confirmed"
        for k, v in values.items()
    ]
    if not records:
        return {}
    _matrix, ranking = rank_scores(
        pd.DataFrame.from_records(records), PanelConfig.from_json(config_json)
    )
    return {str(p): int(r) for p, r in ranking["rank"].items()}
