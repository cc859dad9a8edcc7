"""The state the audit trail vouches for, replayed from its records and compared with the tables.

Every change of a sheet, a panel or a frozen configuration is audited with what it wrote:
``panel.create`` (members, candidates), ``config.freeze`` (the configuration's JSON and hash),
``panel.open`` (a sheet per member and candidate, the recused pairs), ``sheet.draft`` /
``sheet.confirm`` (version, values, comment), ``sheet.recused``, ``correction.request`` /
``correction.approve`` (a ``correction`` version), ``recusal.approve``, ``panel.close`` and
``panel.reopen``. :class:`StateReplay` replays them, record by record as
:func:`scoring.store.audit.verify` checks the chain, into the sheets (status, version, values,
comment and every version row), the panels' status and their frozen configurations;
:func:`scoring.store.audit_diff.compare` names every difference from the tables.

Sheets are named by panel id, expert id and project id; the audit records' own row ids (of
recusals) are translated through the ``experts`` and ``candidates`` tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .models import Account, Candidate, Expert

#: A sheet: panel id, expert id, project id.
SheetKey = tuple[int, str, str]
_SAVES = {"sheet.draft": "draft", "sheet.confirm": "confirmed"}


def bi(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def scores_of(values: Any) -> dict[str, float]:
    return {str(k): float(v) for k, v in (values or {}).items() if v is not None}


@dataclass
class ReplayedSheet:
    """A sheet as its audit records leave it; ``versions``: version -> (kind, values, comment)."""

    status: str = "empty"
    version: int = 0
    scores: dict[str, float] = field(default_factory=dict)
    comment: str = ""
    versions: dict[int, tuple[str, dict[str, float], str]] = field(default_factory=dict)
    seq: int = 0


@dataclass
class ReplayedPanel:
    """A panel as its audit records leave it."""

    members: list[str]
    candidates: list[str]
    status: str = "draft"
    config: tuple[str, str] | None = None  # (JSON, content hash)
    seq: int = 0


class StateReplay:
    """Replays audit records (call it with each verified record, in order) into the state they
    vouch for (:func:`scoring.store.audit_diff.compare` names every difference from the tables).

    Parameters
    ----------
    conn : Connection
        Read connection (row ids of experts and candidates, the accounts' expert ids).
    """

    def __init__(self, conn: Connection) -> None:
        self.experts = dict(conn.execute(sa.select(Expert.id, Expert.expert_id)).all())
        self.projects = dict(conn.execute(sa.select(Candidate.id, Candidate.project_id)).all())
        self.db_logins = dict(
            conn.execute(
                sa.select(Account.login, Expert.expert_id).join(
                    Expert, Expert.id == Account.expert_pk
                )
            ).all()
        )
        self.logins: dict[str, str | None] = {}
        self.panels: dict[int, ReplayedPanel] = {}
        self.sheets: dict[SheetKey, ReplayedSheet] = {}
        self.requests: dict[int, SheetKey] = {}
        self.problems: list[str] = []
        #: Records replayed (every record :func:`~scoring.store.audit.verify` found sound).
        self.visited = 0

    # ------------------------------------------------------------ replay
    def __call__(self, record: Any) -> None:
        self.visited += 1
        action = record.action
        handler = _HANDLERS.get(action)
        if handler is None and action not in _SAVES:
            return
        details = json.loads(record.details or "{}")
        try:
            if handler is None:
                self._save(record, details, _SAVES[action])
            else:
                handler(self, record, details)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            self.problems.append(
                bi(
                    f"审计记录 #{record.seq}（{action}）无法重放",
                    f"audit record #{record.seq} ({action}) cannot be replayed: {exc!r}",
                )
            )

    def _pair(self, pid: int, text: str) -> SheetKey:
        """The sheet named ``expert:E/candidate:C`` or ``E/C`` by row ids."""
        e, c = (part.rsplit(":", 1)[-1] for part in text.split("/"))
        return (pid, self.experts[int(e)], self.projects[int(c)])

    def _sheet(self, key: SheetKey, seq: int) -> ReplayedSheet:
        sheet = self.sheets.get(key)
        if sheet is None:
            raise KeyError(f"no sheet {key} was opened")
        sheet.seq = seq
        return sheet

    def _create(self, record: Any, d: dict) -> None:
        pid = int(record.target.split(":", 1)[1])
        self.panels[pid] = ReplayedPanel(list(d["members"]), list(d["candidates"]), seq=record.seq)

    def _update(self, record: Any, d: dict) -> None:
        panel = self.panels[int(record.target.split(":", 1)[1])]
        panel.members, panel.candidates = list(d["members"]), list(d["candidates"])
        panel.seq = record.seq

    def _delete(self, record: Any, d: dict) -> None:
        del self.panels[int(record.target.split(":", 1)[1])]

    def _freeze(self, record: Any, d: dict) -> None:
        panel = self.panels[int(record.target.split(":", 1)[1])]
        panel.config, panel.seq = (d["config"], d["hash"]), record.seq

    def _status(self, record: Any, status: str) -> int:
        pid = int(record.target.split(":", 1)[1].split("/", 1)[0])
        self.panels[pid].status, self.panels[pid].seq = status, record.seq
        return pid

    def _open(self, record: Any, d: dict) -> None:
        pid = self._status(record, "open")
        panel = self.panels[pid]
        recused = {self._pair(pid, p) for p in d.get("recused", [])}
        for e in panel.members:
            for c in panel.candidates:
                key = (pid, e, c)
                st = "recused" if key in recused else "empty"
                self.sheets[key] = ReplayedSheet(status=st, seq=record.seq)

    def _sheet_key(self, target: str) -> SheetKey:
        """``panel:P/PROJECT/LOGIN`` -> the sheet."""
        pid, rest = target.split(":", 1)[1].split("/", 1)
        project, login = rest.rsplit("/", 1)
        expert = self.logins.get(login) or self.db_logins[login]
        return (int(pid), str(expert), project)

    def _save(self, record: Any, d: dict, status: str) -> None:
        sheet = self._sheet(self._sheet_key(record.target), record.seq)
        sheet.status, sheet.version = status, int(d["version"])
        sheet.scores = scores_of(d.get("scores"))
        sheet.comment = str(d.get("comment") or "")
        kind = "draft" if status == "draft" else "confirm"
        sheet.versions[sheet.version] = (kind, sheet.scores, sheet.comment)

    def _recused(self, record: Any, d: dict) -> None:
        pid, pair = record.target.split(":", 1)[1].split("/", 1)
        self._sheet(self._pair(int(pid), pair), record.seq).status = "recused"

    def _request(self, record: Any, d: dict) -> None:
        self.requests[int(d["correction"])] = self._sheet_key(record.target)

    def _correct(self, record: Any, d: dict) -> None:
        sheet = self._sheet(self.requests[int(record.target.split(":", 1)[1])], record.seq)
        sheet.version, sheet.scores = int(d["version"]), scores_of(d.get("scores"))
        sheet.versions[sheet.version] = ("correction", sheet.scores, sheet.comment)

    def _recusal(self, record: Any, d: dict) -> None:
        self._sheet(self._pair(int(d["panel"]), d["sheet"]), record.seq).status = "recused"

    def _account(self, record: Any, d: dict) -> None:
        self.logins[record.target.split(":", 1)[1]] = d.get("expert_id")


_HANDLERS = {
    "account.create": StateReplay._account,
    "panel.create": StateReplay._create,
    "panel.update": StateReplay._update,
    "panel.delete": StateReplay._delete,
    "config.freeze": StateReplay._freeze,
    "panel.open": StateReplay._open,
    "panel.close": lambda self, r, d: self._status(r, "closed"),
    "panel.reopen": lambda self, r, d: self._status(r, "open"),
    "sheet.recused": StateReplay._recused,
    "correction.request": StateReplay._request,
    "correction.approve": StateReplay._correct,
    "recusal.approve": StateReplay._recusal,
}
