"""Score sheets: an expert saves drafts and confirms (signs) his own sheets, each change a new
version; the chair follows who has confirmed (statuses, never values).

The save is the store's hot path (every expert's page saves at once): it runs the statements of
:class:`~scoring.store.scores.HotPath` (on PostgreSQL two round trips: the account and the locked
sheet with ``BEGIN``, then the write with the audit call and ``COMMIT``), answers a repeated
request from a read transaction when it can (SQLite), and adds no query to a save.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa

from . import lookups, rights
from .accounts import Actor
from .audit import now
from .errors import StoreError
from .models import Candidate, Expert, PanelCandidate, Sheet
from .scores import (
    DUPLICATE,
    SAVED,
    STALE,
    HotPath,
    SaveResult,
    clean_comment,
    clean_scores,
    request_key,
)
from .unit_of_work import StoreService

_SHEET_COLUMNS = ["position", "project_id", "name", "status", "version", "comment", "updated_at"]


class SheetService(StoreService):
    """The experts' score sheets over the shared store."""

    def save_scores(
        self,
        actor: Actor,
        panel_id: int,
        project_id: str,
        scores: Mapping[str, Any],
        *,
        base_version: int,
        request_id: str | None = None,
        comment: str | None = None,
    ) -> SaveResult:
        """Save a draft of the actor's own sheet.

        Parameters
        ----------
        scores : mapping
            The whole sheet as the page shows it (criterion -> score; blanks allowed).
        base_version : int
            The sheet version the page loaded (0 for a new sheet).
        request_id : str, optional
            Idempotency key of this click; by default derived from the content and base version.
        comment : str, optional
            The expert's comment (评语), at most 2000 characters; ``None`` keeps the stored one.
            Saved in the sheet and in the new version row.

        Returns
        -------
        SaveResult
            ``saved``, ``duplicate`` (already stored; nothing new) or ``stale`` (someone saved a
            newer version; nothing stored).

        Raises
        ------
        AccessDenied, RuleViolation, InputError
            Not the actor's sheet or recused; panel not open or sheet confirmed; bad values.
        """
        return self._append_version(
            actor, panel_id, project_id, "draft", scores, base_version, request_id, comment
        )

    def confirm_sheet(
        self,
        actor: Actor,
        panel_id: int,
        project_id: str,
        *,
        code: str,
        base_version: int,
        request_id: str | None = None,
    ) -> SaveResult:
        """Confirm (sign) the actor's sheet with the access code again. Idempotent.

        Every criterion must be scored. The confirmation is a signature: ``code`` must be the
        actor's own current access code (checked against the stored scrypt hash of that very
        account); the time of the ``confirm`` version row is the confirmation time.

        Raises
        ------
        AccessDenied
            A missing or wrong code, another account's code, or a revoked/reissued one.
        """
        rights.require_signature(self.store, actor, code)
        return self._append_version(
            actor, panel_id, project_id, "confirm", None, base_version, request_id
        )

    def _append_version(
        self,
        actor: Actor,
        panel_id: int,
        project_id: str,
        kind: str,
        raw: Mapping[str, Any] | None,
        base_version: int,
        request_id: str | None,
        comment: str | None = None,
    ) -> SaveResult:
        try:
            pid, base = int(panel_id), int(base_version)
        except (TypeError, ValueError):
            raise StoreError("评审组编号或版本号无效 / bad panel id or version") from None
        store = self.store
        cfg = store.configs.get(pid)
        if cfg is None:
            with store.read() as conn:
                rights.require_current_fast(store, conn, actor, rights.SCORERS)
                cfg = lookups.frozen_config(store, conn, pid)
                if cfg is None:
                    lookups.panel_row(conn, pid)
                    rights.require_frozen_to_score(cfg)
        config = cfg[0]
        note = None if comment is None else clean_comment(comment)
        if kind == "draft":
            scores = clean_scores(raw or {}, config)
            rid = request_id or request_key(
                "save", base, scores, "" if note is None else "comment:" + note
            )
        else:
            scores = None
            rid = request_id or request_key("confirm", base, {})
        key = (actor.account_id, pid, str(project_id), rid)
        if key in store.stored_requests and store.engine.dialect.name == "sqlite":
            repeat = self._stored_repeat(actor, pid, str(project_id), rid)
            if repeat is not None:
                return repeat
        with store.write(actor) as tx, HotPath(tx.conn) as hot:
            sheet = hot.load(actor.account_id, pid, actor.expert_pk, str(project_id), rid)
            rights.require_current_scorer(hot, actor)
            rights.require_own_sheet(
                sheet, panel_id, project_id, lambda: lookups.panel_row(tx.conn, pid).status
            )
            if sheet.dup_version is not None:
                return SaveResult(DUPLICATE, sheet.version, sheet.status)
            rights.may_change_sheet(sheet, panel_id)
            if base != sheet.version:
                return SaveResult(STALE, sheet.version, sheet.status)
            if kind == "confirm":
                scores = clean_scores(sheet.scores or {}, config, complete=True)
                status = "confirmed"
            else:
                status = "draft"
            if note is None:
                note = sheet.comment or ""
            version = sheet.version + 1
            # Deferred on PostgreSQL: the write below sends it with the COMMIT.
            tx.audit(
                f"sheet.{kind}",
                f"panel:{pid}/{project_id}/{actor.label}",
                {"version": version, "scores": scores, "comment": note},
            )
            hot.finish(sheet.id, base, version, kind, status, scores, rid, actor.label, now(), note)
        store.remember_request(key)
        return SaveResult(SAVED, version, status)

    def _stored_repeat(
        self, actor: Actor, pid: int, project_id: str, rid: str
    ) -> SaveResult | None:
        """``duplicate`` for a request already stored, read without the writers' lock; ``None``
        when anything else applies (the locked path then gives the exact answer)."""
        with self.store.read() as conn:
            hot = HotPath(conn)
            sheet = hot.load(actor.account_id, pid, actor.expert_pk, project_id, rid, lock=False)
            if not rights.may_score_fast(hot, actor):
                return None
        if not rights.is_own_sheet(sheet) or sheet.dup_version is None:
            return None
        return SaveResult(DUPLICATE, sheet.version, sheet.status)

    def my_sheets(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """The actor's own sheets in the panel (recused candidates left out).

        Columns: ``position, project_id, name, status, version, comment, updated_at`` and one
        column per criterion.
        """
        keys, recs = self._my_sheet_records(actor, panel_id)
        return pd.DataFrame.from_records(recs, columns=[*_SHEET_COLUMNS, *keys])

    def my_sheet_records(self, actor: Actor, panel_id: int) -> list[dict[str, Any]]:
        """:meth:`my_sheets` as a list of dicts (no DataFrame: the expert page's store process
        reads a sheet after each save); each has ``scores``, the criterion -> value dict."""
        keys, recs = self._my_sheet_records(actor, panel_id)
        for rec in recs:
            rec["scores"] = {k: rec.pop(k) for k in keys}
        return recs

    def _my_sheet_records(self, actor: Actor, panel_id: int) -> tuple[list[str], list[dict]]:
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.SCORERS)
            panel = lookups.panel_row(conn, panel_id)
            rows = conn.execute(
                _my_sheets_statement(), {"panel_id": panel.id, "expert_pk": actor.expert_pk}
            ).all()
            rights.may_list_own_sheets(conn, actor, panel)
            cfg = lookups.frozen_config(self.store, conn, panel.id)
        keys = list(cfg[0].keys) if cfg else []
        recs = []
        for r in rows:
            rec = {
                "position": r.position,
                "project_id": r.project_id,
                "name": r.name,
                "status": r.status,
                "version": r.version,
                "comment": r.comment or "",
                "updated_at": r.updated_at,
            }
            rec.update({k: (r.scores or {}).get(k) for k in keys})
            recs.append(rec)
        return keys, recs

    def progress(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """Who has confirmed which candidate (the chair's view): statuses, never values.

        Columns: ``expert_id, expert_name, project_id, status, version, updated_at``.
        """
        with self.store.read() as conn:
            panel = rights.overseen_panel(self.store, conn, actor, panel_id)
            statuses = sa.select(
                Expert.expert_id,
                Expert.name.label("expert_name"),
                Candidate.project_id,
                Sheet.status,
                Sheet.version,
                Sheet.updated_at,
            )
            rows = conn.execute(
                lookups.named_sheets(statuses, panel.id).order_by(
                    Expert.expert_id, Candidate.project_id
                )
            ).all()
        return pd.DataFrame.from_records(
            [dict(r._mapping) for r in rows],
            columns=["expert_id", "expert_name", "project_id", "status", "version", "updated_at"],
        )


@functools.lru_cache(maxsize=1)
def _my_sheets_statement() -> sa.Select:
    """The statement of an expert's own sheets, built once (building it cost more than running it)."""
    return (
        sa.select(
            PanelCandidate.position,
            Candidate.project_id,
            Candidate.name,
            Sheet.status,
            Sheet.version,
            Sheet.scores,
            Sheet.comment,
            Sheet.updated_at,
        )
        .join(Candidate, Candidate.id == Sheet.candidate_pk)
        .join(PanelCandidate, lookups.same_panel(PanelCandidate, Sheet, "candidate_pk"))
        .where(
            Sheet.panel_id == sa.bindparam("panel_id"),
            Sheet.expert_pk == sa.bindparam("expert_pk"),
            Sheet.status != "recused",
        )
        .order_by(PanelCandidate.position)
    )
