"""The ledgers (季度台帐, 年度工作总结): draft → submitted → confirmed, or returned (with a
reason) → editable again → submitted; a confirmed ledger is locked until its confirmer reopens
it (``wb.ledgers``). Every version is kept with its sha256; every transition is audited with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from ..accounts import Actor
from ..errors import NotFound, RuleViolation
from . import rights
from .base import (
    FollowupService,
    LedgerInvalid,
    content_hash,
    day,
    local_day,
    period_of,
    period_row,
    project_row,
    stamp,
    today,
)
from .ledger_audit import ledger_problems
from .models import FollowedProject, FollowupPeriod, Ledger, LedgerVersion
from .periods import exception_until
from .projects import require_active

VERSION_COLUMNS = ["version", "action", "status", "author", "reason", "created_at", "content_hash"]
MATRIX_COLUMNS = [
    "project_id",
    "name",
    "city",
    "kind",
    "period",
    "state",
    "version",
    "first_submitted_at",
    "changes_after_confirm",
]


def _ledger_row(conn: Any, project_id: str, key: str, *, lock: bool = False) -> Any:
    q = sa.select(Ledger).where(Ledger.project_id == str(project_id), Ledger.period == str(key))
    if lock and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    return conn.execute(q).first()


def _summary_keys(kind: str, period: Any) -> tuple[str, ...] | None:
    if not period.yearly:
        return None
    try:
        from ...followup.ledger import summary_keys

        return summary_keys(kind)
    except Exception:  # no evaluation criteria set for the kind: the summary is not checked
        return None


class LedgerService(FollowupService):
    """The ledgers of the followed projects."""

    # ------------------------------------------------------------ reads
    def ledger(self, actor: Actor, project_id: str, key: str) -> dict[str, Any]:
        """The ledger of ``project_id`` × ``key`` as the actor may see it.

        Returns
        -------
        dict
            ``content`` (``{}`` when hidden from the actor; a new ledger's empty content for its
            unit), ``status`` (``missing`` when none), ``version``, ``reason``, ``history``
            (the versions as dicts, :data:`VERSION_COLUMNS`), ``editable`` (the actor may
            save now), ``findings`` (the checks on the content, Findings), and ``project_id,
            period, due, lock, first_submitted_at, submitted_at, confirmed_at,
            changes_after_confirm, content_hash, may_confirm``.
        """
        from ...followup import ledger as led

        with self.refusing(actor, "ledgers.ledger", f"ledger:{project_id}/{key}"):
            with self.store.read() as conn:
                s = rights.scope(self.store, conn, actor)
                project = project_row(conn, project_id)
                rights.require_sees(s, project, str(project_id))
                prow = period_row(conn, key)
                row = _ledger_row(conn, project_id, key)
                exc = exception_until(conn, project_id, key)
                history = []
                if row is not None:
                    history = [
                        dict(r._mapping)
                        for r in conn.execute(
                            sa.select(*(getattr(LedgerVersion, c) for c in VERSION_COLUMNS))
                            .where(LedgerVersion.ledger_id == row.id)
                            .order_by(LedgerVersion.version)
                        )
                    ]
        period = period_of(prow)
        status = "missing" if row is None else row.status
        first = None if row is None else row.first_submitted_at
        visible = rights.content_visible(s, status, first)
        if rights.confirmed_only(s) and status != "confirmed":
            status, history = "missing", []
        if row is None:
            content = (
                led.empty_ledger(
                    project.kind,
                    {
                        "name": project.unit_name or project.name,
                        "city": project.city,
                        "industry": project.industry or "",
                    },
                    summary_keys=_summary_keys(project.kind, period) or (),
                )
                if rights.may_write(s, project)
                else {}
            )
        else:
            content = row.content if visible else {}
        editable = (
            rights.may_write(s, project)
            and project.status == "active"
            and (row is None or row.status in rights.EDITABLE)
            and rights.window_open(
                today(),
                period.lock,
                exc,
                local_day(row.returned_at)
                if row is not None and row.status == "returned"
                else None,
                _grace(),
            )
        )
        findings = []
        if content and (row is not None) and visible:
            findings = led.check(
                content,
                project.kind,
                period,
                indicator_group=project.indicator_group,
                summary_keys=_summary_keys(project.kind, period),
            )
        return {
            "content": content,
            "status": status,
            "version": 0 if row is None or status == "missing" else row.version,
            "reason": (row.reason or "") if row is not None and status != "missing" else "",
            "history": history,
            "editable": bool(editable),
            "findings": findings,
            "project_id": str(project_id),
            "period": str(key),
            "due": period.due,
            "lock": period.lock,
            "exception_until": exc,
            "first_submitted_at": first if status != "missing" else None,
            "submitted_at": None if row is None else row.submitted_at,
            "confirmed_at": None if row is None else row.confirmed_at,
            "changes_after_confirm": 0 if row is None else row.changes_after_confirm,
            "content_hash": None if row is None or not visible else row.content_hash,
            "may_confirm": bool(
                row is not None
                and row.status == "submitted"
                and rights.may_confirm(s, actor, project)
            ),
        }

    def versions(self, actor: Actor, project_id: str, key: str) -> pd.DataFrame:
        """Every version of the ledger: :data:`VERSION_COLUMNS` plus ``content`` (None where
        the actor may not read it: drafts before the first submission for a city bureau or
        the organizer; everything but confirmations for banks, experts and chairs)."""
        with self.refusing(actor, "ledgers.versions", f"ledger:{project_id}/{key}"):
            with self.store.read() as conn:
                s = rights.scope(self.store, conn, actor)
                project = project_row(conn, project_id)
                rights.require_sees(s, project, str(project_id))
                period_row(conn, key)
                row = _ledger_row(conn, project_id, key)
                recs = []
                if row is not None:
                    recs = [
                        dict(r._mapping)
                        for r in conn.execute(
                            sa.select(
                                *(getattr(LedgerVersion, c) for c in VERSION_COLUMNS),
                                LedgerVersion.content,
                            )
                            .where(LedgerVersion.ledger_id == row.id)
                            .order_by(LedgerVersion.version)
                        )
                    ]
        submitted = False
        out = []
        for r in recs:
            submitted = submitted or r["action"] == "submit"
            if rights.confirmed_only(s):
                if r["action"] != "confirm":
                    continue
            elif not rights.content_visible(s, r["status"], True if submitted else None):
                r["content"] = None
            out.append(r)
        return pd.DataFrame(out, columns=[*VERSION_COLUMNS, "content"])

    def matrix(self, actor: Actor, *, year: int | None = None) -> pd.DataFrame:
        """The state of every visible project × period, long: :data:`MATRIX_COLUMNS`
        (``state``: ``missing`` when no ledger; for banks, experts and chairs only
        ``confirmed`` or ``unconfirmed``)."""
        with self.refusing(actor, "ledgers.matrix", "ledgers"):
            with self.store.read() as conn:
                s = rights.scope(self.store, conn, actor)
                q = (
                    sa.select(
                        FollowedProject.project_id,
                        FollowedProject.name,
                        FollowedProject.city,
                        FollowedProject.kind,
                        FollowupPeriod.key.label("period"),
                        Ledger.status,
                        Ledger.version,
                        Ledger.first_submitted_at,
                        Ledger.changes_after_confirm,
                    )
                    .select_from(FollowedProject)
                    .join(FollowupPeriod, sa.true())
                )
                q = q.outerjoin(
                    Ledger,
                    sa.and_(
                        Ledger.project_id == FollowedProject.project_id,
                        Ledger.period == FollowupPeriod.key,
                    ),
                )
                q = rights.restrict(q, s, FollowedProject.project_id, FollowedProject.city)
                if year is not None:
                    q = q.where(FollowupPeriod.year == int(year))
                rows = conn.execute(q).all()
        df = pd.DataFrame([dict(r._mapping) for r in rows])
        if df.empty:
            return pd.DataFrame(columns=MATRIX_COLUMNS)
        df["state"] = df["status"].fillna("missing")
        if rights.confirmed_only(s):
            df["state"] = df["state"].where(df["state"] == "confirmed", "unconfirmed")
        df["version"] = df["version"].fillna(0).astype("int64")
        df["changes_after_confirm"] = df["changes_after_confirm"].fillna(0).astype("int64")
        from ...followup.periods import period_order

        df["_o"] = [period_order(k) for k in df["period"]]
        df = df.sort_values(["project_id", "_o"]).reset_index(drop=True)
        return df.loc[:, MATRIX_COLUMNS]

    def verify_versions(self, actor: Actor) -> list[str]:
        """Replay the ``ledger.*`` audit records against the tables (organizer): every version
        row must be vouched for by its record (same version, status and content hash, and the
        content must still hash to it), and every ledger's current state be its last record.
        Returns the problems found (bilingual), ``[]`` when all agree. ``wb.verify()`` (which
        checks the chain itself) runs the same check (:func:`.ledger_audit.ledger_problems`)."""
        with self.refusing(actor, "ledgers.verify_versions", "ledgers"):
            with self.store.read() as conn:
                rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
                return ledger_problems(conn)

    # ------------------------------------------------------------ the unit's writes
    def save_draft(
        self, actor: Actor, project_id: str, key: str, content: Any, *, base_version: int
    ) -> int:
        """Save the unit's draft over ``base_version`` (0 for a new ledger); returns the new
        version. A returned ledger stays ``returned`` (its reason shown) until submitted."""
        from ...followup import ledger as led

        target = f"ledger:{project_id}/{key}"
        with self.refusing(actor, "ledgers.save_draft", target):
            with self.store.write(actor) as tx:
                project, period, row = self._writable(tx.conn, actor, project_id, key)
                have = 0 if row is None else row.version
                if int(base_version) != have:
                    raise RuleViolation(
                        f"台帐已更新（版本 {have}）/ the ledger changed (version {have}): reload"
                    )
                clean = led.normalise(content, project.kind)
                status = "draft" if row is None else row.status
                version = self._write(tx, actor, project_id, key, row, "save", status, clean)
                return version

    def import_file(self, actor: Actor, project_id: str, key: str, path: str | Path) -> int:
        """Read a filled 附件4-1/4-2 file (:func:`scoring.io.ledger_file.read_ledger`) as the
        unit's new draft (the indicators already entered online are kept when the file has
        none); returns the new version. The file's problems raise its ``InputError``."""
        from ...io.ledger_file import read_ledger

        with self.refusing(actor, "ledgers.import_file", f"ledger:{project_id}/{key}"):
            with self.store.read() as conn:
                s = rights.scope(self.store, conn, actor)
                project = project_row(conn, project_id)
                rights.require_sees(s, project, str(project_id))
                rights.require_writer(s, project, str(project_id))
                row = _ledger_row(conn, project_id, key)
            content = read_ledger(Path(path), project.kind)
            if row is not None and not content.get("indicators"):
                content["indicators"] = (row.content or {}).get("indicators", {})
            return self.save_draft(
                actor, project_id, key, content, base_version=0 if row is None else row.version
            )

    def submit(self, actor: Actor, project_id: str, key: str) -> list[Any]:
        """Submit the unit's ledger for confirmation.

        Runs :func:`scoring.followup.ledger.check`; any error refuses the submission with
        :class:`LedgerInvalid` (its ``findings`` name each field). Returns the warnings
        (the checks' and :func:`~scoring.followup.ledger.jump_warnings` against the previous
        period's ledger).
        """
        from ...followup import ledger as led
        from ...followup.findings import errors, warnings
        from ...followup.periods import previous_key
        from ...followup.plans import missing_baselines

        with self.refusing(actor, "ledgers.submit", f"ledger:{project_id}/{key}"):
            with self.store.write(actor) as tx:
                project, period, row = self._writable(tx.conn, actor, project_id, key)
                if row is None:
                    raise RuleViolation("请先保存台帐 / save the ledger before submitting it")
                given = set()
                earlier = tx.conn.execute(
                    sa.select(Ledger.period, Ledger.content).where(
                        Ledger.project_id == str(project_id), Ledger.period != str(key)
                    )
                ).all()
                for _p, c in earlier:
                    for k, e in ((c or {}).get("indicators") or {}).items():
                        if isinstance(e, dict) and e.get("baseline") is not None:
                            given.add(k)
                found = led.check(
                    row.content,
                    project.kind,
                    period,
                    indicator_group=project.indicator_group,
                    needs_baseline=missing_baselines(project.plan or {}, given),
                    summary_keys=_summary_keys(project.kind, period),
                )
                bad = errors(found)
                if bad:
                    raise LedgerInvalid(
                        "台帐有错误，未提交："
                        + "；".join(f"{f.field} {f.zh}" for f in bad)
                        + " / the ledger has errors and was not submitted: "
                        + "; ".join(f"{f.field}: {f.en}" for f in bad),
                        bad,
                    )
                prev_key = previous_key(str(key))
                prev = dict(earlier).get(prev_key) if prev_key else None
                warn = warnings(found) + led.jump_warnings(
                    row.content, prev, kind=project.kind, period=str(key), previous_period=prev_key
                )
                self._write(tx, actor, project_id, key, row, "submit", "submitted", row.content)
        return warn

    # ------------------------------------------------------------ the confirmer's writes
    def confirm(self, actor: Actor, project_id: str, key: str) -> int:
        """Confirm a submitted ledger (在线确认): the project's city bureau, or the organizer
        for 省属企业 (``workflow.yml``); never the account that submitted it. Locks it."""
        with self.refusing(actor, "ledgers.confirm", f"ledger:{project_id}/{key}"):
            with self.store.write(actor) as tx:
                project, row = self._confirmable(tx.conn, actor, project_id, key)
                rights.require_status(row, "submitted")
                rights.require_not_own(actor, row)
                return self._write(
                    tx, actor, project_id, key, row, "confirm", "confirmed", row.content
                )

    def return_ledger(self, actor: Actor, project_id: str, key: str, reason: str) -> int:
        """Return a submitted ledger to its unit with a (mandatory) reason: editable again
        (``return_grace_days`` past the lock)."""
        with self.refusing(actor, "ledgers.return_ledger", f"ledger:{project_id}/{key}"):
            why = rights.require_reason(reason, "退回", "a return")
            with self.store.write(actor) as tx:
                project, row = self._confirmable(tx.conn, actor, project_id, key)
                rights.require_status(row, "submitted")
                return self._write(
                    tx, actor, project_id, key, row, "return", "returned", row.content, reason=why
                )

    def reopen(self, actor: Actor, project_id: str, key: str, reason: str) -> int:
        """Reopen a confirmed ledger (its confirmer only, with a reason): it becomes
        ``returned`` and ``changes_after_confirm`` grows by one."""
        with self.refusing(actor, "ledgers.reopen", f"ledger:{project_id}/{key}"):
            why = rights.require_reason(reason, "重新开启", "a reopening")
            with self.store.write(actor) as tx:
                project, row = self._confirmable(tx.conn, actor, project_id, key)
                rights.require_status(row, "confirmed")
                rights.require_reopener(actor, row)
                return self._write(
                    tx, actor, project_id, key, row, "reopen", "returned", row.content, reason=why
                )

    # ------------------------------------------------------------ internals
    def _writable(self, conn: Any, actor: Actor, project_id: str, key: str) -> tuple:
        """Check a unit's save or submission: its project, active, the ledger editable and the
        reporting window open. Returns (project, Period, ledger row or None)."""
        s = rights.scope(self.store, conn, actor)
        project = project_row(conn, project_id, lock=True)
        rights.require_sees(s, project, str(project_id))
        rights.require_writer(s, project, str(project_id))
        require_active(project)
        period = period_of(period_row(conn, key))
        row = _ledger_row(conn, project_id, key, lock=True)
        rights.require_editable(row)
        returned = (
            local_day(row.returned_at) if row is not None and row.status == "returned" else None
        )
        rights.require_window(
            today(), period.lock, exception_until(conn, project_id, key), returned, _grace(), key
        )
        return project, period, row

    def _confirmable(self, conn: Any, actor: Actor, project_id: str, key: str) -> tuple:
        s = rights.scope(self.store, conn, actor)
        project = project_row(conn, project_id, lock=True)
        rights.require_sees(s, project, str(project_id))
        rights.require_confirmer(s, actor, project)
        period_row(conn, key)
        row = _ledger_row(conn, project_id, key, lock=True)
        if row is None:
            raise NotFound(f"台帐尚未填报 / no ledger {project_id} {key} yet")
        return project, row

    def _write(
        self,
        tx: Any,
        actor: Actor,
        project_id: str,
        key: str,
        row: Any,
        action: str,
        status: str,
        content: Any,
        *,
        reason: str | None = None,
    ) -> int:
        """Write the ledger's new state and version row; audit ``ledger.<action>``."""
        ts = stamp()
        h = content_hash(content)
        version = 1 if row is None else row.version + 1
        values: dict[str, Any] = {
            "status": status,
            "version": version,
            "content": content,
            "content_hash": h,
            "updated_at": ts,
            "updated_by": tx.actor,
        }
        if action == "submit":
            values.update(
                submitted_at=ts,
                submitted_by=rights.account_id(actor),
                first_submitted_at=row.first_submitted_at or ts,
                reason=None,
            )
        elif action == "confirm":
            values.update(confirmed_at=ts, confirmed_by=rights.account_id(actor))
        elif action in ("return", "reopen"):
            values.update(returned_at=ts, reason=reason)
            if action == "reopen":
                values["changes_after_confirm"] = row.changes_after_confirm + 1
        if row is None:
            lid = tx.conn.execute(
                sa.insert(Ledger)
                .values(
                    project_id=str(project_id), period=str(key), changes_after_confirm=0, **values
                )
                .returning(Ledger.id)
            ).scalar_one()
        else:
            lid = row.id
            tx.conn.execute(sa.update(Ledger).where(Ledger.id == lid).values(**values))
        tx.conn.execute(
            sa.insert(LedgerVersion).values(
                ledger_id=lid,
                version=version,
                action=action,
                status=status,
                content=content,
                content_hash=h,
                author=tx.actor,
                reason=reason,
                created_at=ts,
            )
        )
        details: dict[str, Any] = {"version": version, "status": status, "hash": h}
        if reason:
            details["reason"] = reason
        tx.audit(f"ledger.{action}", f"ledger:{project_id}/{key}", details)
        return version


def _grace() -> int:
    from ...followup.workflow import return_grace_days

    return return_grace_days()


__all__ = ["LedgerInvalid", "LedgerService", "day"]
