"""Reading the audit trail: verify the chain and the state it vouches for, the chain head (the
anchor printed in reports and exports) and the newest records as the reader may see them (the
chain itself is :mod:`scoring.store.audit`, the replayed state :mod:`scoring.store.audit_state`)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import rights
from .accounts import Actor
from .audit import Anchor, VerifyReport, audit_key, parse_head, verify
from .audit_diff import compare
from .audit_state import StateReplay
from .followup.ledger_audit import ledger_problems
from .models import Account, AuditRecord, Candidate, ChainHead, Correction, Sheet
from .unit_of_work import StoreService

_COLUMNS = ["seq", "ts", "actor", "action", "target", "details", "hash"]
_HIDDEN_VALUES = (
    "盲评：评审组结束前不显示分数与评语 / blind scoring: values hidden until the panel closes"
)
_HIDDEN_SHEET = "回避：该评分表的内容不显示 / recused: this sheet's details are not shown"


class AuditService(StoreService):
    """The audit trail over the shared store."""

    def verify(
        self,
        *,
        head: Anchor | str | None = None,
        key: bytes | None = None,
        keyed_from: int = 1,
        state: bool = True,
    ) -> VerifyReport:
        """Recompute the audit chain and the state it vouches for.

        Parameters
        ----------
        head : (seq, hash) or str, optional
            A printed chain head (``SEQ:HASH`` or ``HASH``): the chain must still hold it, so a
            truncated tail with a rewound head fails.
        key : bytes, optional
            The audit key; default ``SCORING_AUDIT_KEY``. With a key every record from
            ``keyed_from`` on must carry its valid MAC (a re-hashed chain fails).
        keyed_from : int
            The first record written with the key (default 1: every record).
        state : bool
            Also replay the records into the sheets, versions, panels and frozen
            configurations and name every difference from the tables (default True).

        Returns
        -------
        VerifyReport
            ``problems`` lists every difference; ``message`` names the first.
        """
        anchor = parse_head(head) if isinstance(head, str) else head
        with self.store.read() as conn:
            replay = StateReplay(conn) if state else None
            report = verify(
                conn,
                key=audit_key() if key is None else key,
                keyed_from=keyed_from,
                head=anchor,
                visit=replay,
            )
            # A record that fails stops the replay; a wrong head row or anchor does not (every
            # record was sound and replayed), so the state is compared as well.
            if replay is None or replay.visited != report.records:
                return report
            problems = [*report.problems, *compare(replay, conn), *ledger_problems(conn)]
        if not problems:
            return report
        more = len(problems) - 1
        tail = f"（另有 {more} 处差异）/ (and {more} more)" if more else ""
        return VerifyReport(
            False,
            report.records,
            report.bad_seq,
            problems[0] + tail,
            tuple(problems),
            report.head,
            report.macs,
        )

    def chain_head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the newest audit record: the anchor printed in reports and exports,
        so that a chain later truncated and re-headed is caught by ``scoring verify --head``."""
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)
            ).one()
        return int(row.seq), str(row.hash)

    def audit_log(self, actor: Actor, *, limit: int = 200) -> pd.DataFrame:
        """The newest audit records (organizer only), as the reader may see them.

        The audit view obeys the rules of every other read (:func:`rights.audit_hidden`): the
        values and comments of a sheet's records (draft, confirmation, correction) are hidden
        while its panel is not closed (blind scoring), and a recused sheet's records show no
        details at all; a record so hidden also shows no hash (the values could be guessed
        back from it).
        """
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
            rows = conn.execute(
                sa.select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
            ).all()
            hidden = rights.audit_hidden(conn, actor, _recused_sheets(conn))
            requests = _request_sheets(conn)
        recs = [{c: getattr(r, c) for c in _COLUMNS} for r in rows]
        for rec in recs:
            _redact(rec, hidden, requests)
        return pd.DataFrame.from_records(recs, columns=_COLUMNS)


def _recused_sheets(conn: Connection) -> set[tuple[int, str, str]]:
    """The recused sheets as ``(panel id, project id, scorer login)``."""
    return {
        (r.panel_id, r.project_id, r.login)
        for r in conn.execute(
            sa.select(Sheet.panel_id, Candidate.project_id, Account.login)
            .join(Candidate, Candidate.id == Sheet.candidate_pk)
            .join(Account, Account.expert_pk == Sheet.expert_pk)
            .where(Sheet.status == "recused")
        )
    }


def _request_sheets(conn: Connection) -> dict[int, tuple[int, str, str]]:
    """Correction requests -> their sheet as ``(panel id, project id, scorer login)``."""
    return {
        r.id: (r.panel_id, r.project_id, r.login)
        for r in conn.execute(
            sa.select(Correction.id, Sheet.panel_id, Candidate.project_id, Account.login)
            .join(Sheet, Sheet.id == Correction.sheet_id)
            .join(Candidate, Candidate.id == Sheet.candidate_pk)
            .join(Account, Account.expert_pk == Sheet.expert_pk)
        )
    }


def _sheet_of(rec: dict[str, Any], requests: dict[int, tuple[int, str, str]]) -> Any:
    """The sheet a record speaks of, ``(panel id, project id, login)``, or ``None``."""
    kind, _, rest = str(rec["target"]).partition(":")
    if kind == "correction" and rest.isdigit():
        return requests.get(int(rest))
    parts = rest.split("/")
    if kind == "panel" and len(parts) >= 3 and parts[0].isdigit() and ":" not in parts[1]:
        return (int(parts[0]), "/".join(parts[1:-1]), parts[-1])
    return None


def _redact(rec: dict[str, Any], hidden: rights.AuditHidden, requests: dict) -> None:
    """Blank what ``hidden`` hides of one record (in place)."""
    sheet = _sheet_of(rec, requests)
    if sheet is None:
        return
    details = json.loads(rec["details"] or "{}")
    if sheet in hidden.sheets or (sheet[0], sheet[1]) in hidden.candidates:
        details = {"hidden": _HIDDEN_SHEET}
    elif sheet[0] in hidden.blind_panels and ({"scores", "comment"} & set(details)):
        details.update({k: None for k in ("scores", "comment") if k in details})
        details["hidden"] = _HIDDEN_VALUES
    else:
        return
    rec["details"] = json.dumps(details, ensure_ascii=False, sort_keys=True)
    rec["hash"] = None
