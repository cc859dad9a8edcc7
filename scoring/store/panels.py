"""Panels: create and list them, freeze their configuration, open and close them, and read
back how a panel was closed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ..engine.criteria import DEFAULT_SET, PURPOSES, criteria_sets
from ..programme.panel_rules import clean_date, clean_name, opening_problems
from . import accounts as acc
from . import lookups, rights
from .accounts import Actor
from .audit import now
from .config import PanelConfig
from .errors import NotFound, RuleViolation, StoreError
from .models import Account, Panel, PanelCandidate, PanelMember, Sheet
from .models import PanelConfig as PanelConfigRow
from .unit_of_work import StoreService


def checked_name_and_date(name: object, date: object) -> tuple[str, str | None]:
    """The panel's name and date as stored (``StoreError`` naming what is wrong)."""
    try:
        return clean_name(name), clean_date(date)
    except ValueError as exc:
        raise StoreError(str(exc)) from None


def require_unique_name(
    conn: Any, round_id: int, name: str, *, other_than: int | None = None
) -> None:
    """Refuse a second panel of the round with ``name``."""
    q = sa.select(Panel.id).where(Panel.round_id == round_id, Panel.name == name)
    if other_than is not None:
        q = q.where(Panel.id != other_than)
    if conn.execute(q).first():
        raise StoreError(f"评审组已存在 / panel {name!r} already exists")


def resolve_chair(conn: Any, chair: str | None) -> int | None:
    """The account id of the chair's login (``None`` for no chair); refused if not a chair."""
    if not chair:
        return None
    row = conn.execute(
        sa.select(Account.id, Account.role).where(Account.login == acc.normalise_login(chair))
    ).first()
    if row is None or not rights.may_chair(row.role):
        raise StoreError(f"主持人账户无效 / {chair!r} is not a chair account")
    return int(row.id)


def resolve_lists(
    conn: Any, round_id: int, members: list[str], candidates: list[str]
) -> tuple[list[int], list[int]]:
    """Row ids of the members (expert ids) and candidates (project ids, in order)."""
    if len(set(members)) != len(members) or len(set(candidates)) != len(candidates):
        raise StoreError("成员或项目重复 / a member or candidate is listed twice")
    mpks = [lookups.expert_pk(conn, m) for m in members]
    cpks = [lookups.candidate_pk(conn, c, round_id) for c in candidates]
    return mpks, cpks


class PanelService(StoreService):
    """The panels' life cycle over the shared store: draft -> frozen -> open -> closed."""

    def create_panel(
        self,
        actor: Actor,
        name: str,
        *,
        date: str | None = None,
        chair: str | None = None,
        members: Iterable[str] = (),
        candidates: Iterable[str] = (),
        purpose: str = "defense",
        criteria_set: str | None = None,
    ) -> int:
        """Create a panel (draft) with its chair's login, members (expert ids) and candidates
        (project ids, in defense order). Organizer only. Returns the panel id.

        ``purpose`` is ``defense`` (the default) or ``evaluation``; ``criteria_set`` names a
        registered set of that purpose (``data/criteria/<name>.yml``; default ``defense`` for a
        defense, required for an evaluation). The configuration frozen later must be a version
        of that set.
        """
        members, candidates = list(members), list(candidates)
        set_name = panel_criteria_set(purpose, criteria_set)
        name, date = checked_name_and_date(name, date)
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            return insert_panel(tx, name, date, chair, members, candidates, purpose, set_name)

    def panels(self, actor: Actor) -> list[dict[str, Any]]:
        """The panels ``actor`` may see: all (organizer, bank reviewer), chaired, or joined."""
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor)
            q = sa.select(
                Panel.id,
                Panel.name,
                Panel.date,
                Panel.status,
                Panel.round_id,
                Panel.purpose,
                Panel.criteria_set,
            ).order_by(Panel.id)
            rows = conn.execute(rights.restrict_panels(q, actor)).all()
            out = []
            for r in rows:
                cfg = lookups.frozen_config(self.store, conn, r.id)
                d = dict(r._mapping)
                d["config_hash"] = cfg[1] if cfg else None
                out.append(d)
            return out

    def freeze_config(self, actor: Actor, panel_id: int, config: PanelConfig | None = None) -> str:
        """Freeze a panel's configuration (organizer, panel still draft). Returns the content hash.

        Freezing the identical configuration again returns the same hash; any other change is refused.
        Without ``config`` the panel's criteria set is frozen with its default weights; a given
        ``config`` must be a version of the panel's criteria set (same criteria; its weights,
        rubric and scale may differ).
        """
        if config is not None:
            config.validate()
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            panel = lookups.panel_row(tx.conn, panel_id)
            if config is None:
                config = PanelConfig.from_criteria(panel.criteria_set).validate()
            elif config.criteria_set_name != panel.criteria_set:
                raise RuleViolation(
                    f"配置的评分指标集 {config.criteria_set_name} 与评审组的 {panel.criteria_set} "
                    f"不符 / the configuration's criteria set {config.criteria_set_name!r} is not "
                    f"the panel's {panel.criteria_set!r}"
                )
            existing = lookups.frozen_config(self.store, tx.conn, panel.id)
            h = config.content_hash
            same = rights.may_freeze_config(panel_id, panel, existing, h)
            if same is not None:
                return same
            tx.conn.execute(
                sa.insert(PanelConfigRow).values(
                    panel_id=panel.id,
                    content=config.to_json(),
                    content_hash=h,
                    frozen_at=now(),
                    frozen_by=actor.label,
                )
            )
            tx.audit("config.freeze", f"panel:{panel.id}", {"hash": h, "config": config.to_json()})
            return h

    def panel_config(self, actor: Actor, panel_id: int) -> tuple[PanelConfig, str]:
        """The frozen configuration of a panel and its content hash."""
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor)
            lookups.panel_row(conn, panel_id)
            cfg = lookups.frozen_config(self.store, conn, int(panel_id))
        if cfg is None:
            raise NotFound(
                f"评审组 {panel_id} 的配置尚未冻结 / panel {panel_id} has no frozen configuration"
            )
        return cfg

    def open_panel(self, actor: Actor, panel_id: int) -> None:
        """Open a draft panel for scoring (organizer or its chair). Needs a frozen configuration."""
        with self.store.write(actor) as tx:
            panel = rights.overseen_panel(self.store, tx.conn, actor, panel_id)
            rights.require_status(panel, "draft")
            rights.require_frozen_to_open(lookups.frozen_config(self.store, tx.conn, panel.id))
            members = lookups.member_pks(tx.conn, panel.id)
            cands = lookups.panel_candidate_pks(tx.conn, panel.id)
            problems = opening_problems(len(members), len(cands), panel.chair_pk is not None)
            if problems:
                raise RuleViolation("；".join(problems))
            recused = lookups.recused_map(tx.conn, members, cands, purpose=panel.purpose)
            ts = now()
            tx.conn.execute(
                sa.insert(Sheet),
                [
                    {
                        "panel_id": panel.id,
                        "expert_pk": e,
                        "candidate_pk": c,
                        "status": "recused" if (e, c) in recused else "empty",
                        "version": 0,
                        "scores": {},
                        "updated_at": ts,
                    }
                    for e in members
                    for c in cands
                ],
            )
            tx.conn.execute(
                sa.update(Panel).where(Panel.id == panel.id).values(status="open", opened_at=ts)
            )
            tx.audit(
                "panel.open",
                f"panel:{panel.id}",
                {
                    "recused": sorted(f"{e}/{c}" for e, c in recused),
                    "config_hash": lookups.frozen_config(self.store, tx.conn, panel.id)[1],
                },
            )

    def close_panel(
        self,
        actor: Actor,
        panel_id: int,
        *,
        force: bool = False,
        reason: str = "",
    ) -> None:
        """Close an open panel (its chair; the organizer only when it has no chair).

        Results become visible to the panel, the organizers and the bank reviewers. The store
        refuses while any sheet that is not recused is unconfirmed (the ranking would rest on
        part of the panel), or any request (score correction, late conflict) awaits the chair
        (after the close it is decided only once the panel is reopened), unless ``force=True``
        with a ``reason``. Every close with unconfirmed sheets or pending requests is audited
        (``panel.close``) with their numbers, ``forced`` and the reason, read back by
        :meth:`close_record`. Drafts that were never confirmed stay out of the results.

        Raises
        ------
        RuleViolation
            The panel is not open; sheets are unconfirmed or requests pending and ``force`` is
            not set; ``force`` without a reason.
        """
        reason = str(reason or "").strip()
        if force and not reason:
            raise RuleViolation("强制结束需要填写理由 / a forced close needs a reason")
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.STAFF)
            panel = lookups.panel_row(tx.conn, panel_id)
            rights.may_run_panel(self.store, actor, panel)
            rights.require_status(panel, "open")
            counts = dict(
                tx.conn.execute(
                    sa.select(Sheet.status, sa.func.count())
                    .where(Sheet.panel_id == panel.id)
                    .group_by(Sheet.status)
                ).all()
            )
            missing = sum(n for st, n in counts.items() if st not in ("confirmed", "recused"))
            pending = lookups.pending_requests(tx.conn, panel.id)
            waiting = sum(pending.values())
            if missing and not force:
                raise RuleViolation(
                    f"尚有 {missing} 份评分表未确认，不能结束评审（如确需结束，请填写理由强制结束）"
                    f" / {missing} sheet(s) are not confirmed: the panel cannot close"
                    " (force it with a reason if it must)"
                )
            if waiting and not force:
                raise RuleViolation(
                    f"尚有 {waiting} 项更正或迟报回避申请待主持人决定，不能结束评审（如确需结束，"
                    f"请填写理由强制结束）/ {waiting} request(s) (corrections, late conflicts)"
                    " await the chair's decision: the panel cannot close (force it with a reason"
                    " if it must)"
                )
            tx.conn.execute(
                sa.update(Panel)
                .where(Panel.id == panel.id)
                .values(status="closed", closed_at=now())
            )
            details: dict[str, Any] = {"sheets": counts}
            if missing or waiting:
                details.update(forced=bool(force), unconfirmed=missing, reason=reason)
            if waiting:
                details["pending"] = pending
            tx.audit("panel.close", f"panel:{panel.id}", details)

    def reopen_panel(self, actor: Actor, panel_id: int, *, reason: str) -> None:
        """Reopen a closed panel (an organizer, or its chair) with a reason: audited
        (``panel.reopen``), the status back to ``open`` (results hidden again, requests
        decidable, unconfirmed sheets scorable); closing again recomputes the results, and
        :meth:`close_record` and the report list every reopening.

        Raises
        ------
        RuleViolation
            No reason; the panel is not closed.
        """
        reason = str(reason or "").strip()
        if not reason:
            raise RuleViolation("重新开启需要填写理由 / a reopening needs a reason")
        with self.store.write(actor) as tx:
            panel = rights.may_reopen_panel(self.store, tx.conn, actor, panel_id)
            closes = lookups.panel_audit(tx.conn, panel.id, "panel.close")
            tx.conn.execute(
                sa.update(Panel).where(Panel.id == panel.id).values(status="open", closed_at=None)
            )
            tx.audit(
                "panel.reopen",
                f"panel:{panel.id}",
                {"reason": reason, "closed": closes[-1].ts if closes else None},
            )

    def close_record(self, actor: Actor, panel_id: int) -> dict[str, Any] | None:
        """How a closed panel was (last) closed, from the audit trail: ``{"at", "by",
        "sheets", "forced", "unconfirmed", "reason", "pending", "reopenings"}`` (``None``
        while it is not closed). ``pending``: requests left undecided at the close (kind ->
        number); ``reopenings``: every earlier close reopened, ``{"at", "by", "reason",
        "closed"}`` oldest first. Any reader of the panel."""
        with self.store.read() as conn:
            panel = rights.readable_panel(self.store, conn, actor, panel_id)
            if panel.status != "closed":
                return None
            closes = lookups.panel_audit(conn, panel.id, "panel.close")
            reopens = lookups.panel_audit(conn, panel.id, "panel.reopen")
        if not closes:
            return None
        row = closes[-1]
        d = json.loads(row.details or "{}")
        return {
            "at": row.ts,
            "by": row.actor,
            "sheets": d.get("sheets", {}),
            "forced": bool(d.get("forced", False)),
            "unconfirmed": int(d.get("unconfirmed", 0)),
            "reason": str(d.get("reason", "")),
            "pending": dict(d.get("pending", {})),
            "reopenings": [
                {"at": r.ts, "by": r.actor, **_reopen_details(r.details)} for r in reopens
            ],
        }


def _reopen_details(details: str | None) -> dict[str, Any]:
    d = json.loads(details or "{}")
    return {"reason": str(d.get("reason", "")), "closed": d.get("closed")}


def insert_panel(
    tx: Any,
    name: str,
    date: str | None,
    chair: str | None,
    members: list[str],
    candidates: list[str],
    purpose: str,
    set_name: str,
) -> int:
    """Insert a draft panel in the current round inside ``tx`` (the caller checked the
    actor's right and the name and date); audited as ``panel.create``. Returns its id."""
    rid = lookups.round_id(tx.conn)
    require_unique_name(tx.conn, rid, name)
    chair_pk = resolve_chair(tx.conn, chair)
    mpks, cpks = resolve_lists(tx.conn, rid, members, candidates)
    pid = tx.conn.execute(
        sa.insert(Panel)
        .values(
            round_id=rid,
            name=name,
            date=date,
            status="draft",
            chair_pk=chair_pk,
            purpose=purpose,
            criteria_set=set_name,
        )
        .returning(Panel.id)
    ).scalar_one()
    if mpks:
        tx.conn.execute(sa.insert(PanelMember), [{"panel_id": pid, "expert_pk": m} for m in mpks])
    if cpks:
        tx.conn.execute(
            sa.insert(PanelCandidate),
            [{"panel_id": pid, "candidate_pk": c, "position": i} for i, c in enumerate(cpks, 1)],
        )
    tx.audit(
        "panel.create",
        f"panel:{pid}",
        {
            "name": name,
            "date": date,
            "purpose": purpose,
            "criteria_set": set_name,
            "chair": chair,
            "members": members,
            "candidates": candidates,
        },
    )
    return int(pid)


def panel_criteria_set(purpose: str, name: str | None) -> str:
    """The registered criteria set a new panel of ``purpose`` scores on (validated).

    Raises
    ------
    StoreError
        Unknown purpose, no set named for an evaluation, an unknown set, or a set of another
        purpose; the message lists the sets that would do.
    """
    if purpose not in PURPOSES:
        raise StoreError(
            f"评审用途无效 / unknown panel purpose {purpose!r} (known: {', '.join(PURPOSES)})"
        )
    fitting = [n for n, p in criteria_sets().items() if p == purpose]
    if name is None and purpose == "defense":
        name = DEFAULT_SET
    if name is None or name not in fitting:
        raise StoreError(
            f"请选择{'答辩' if purpose == 'defense' else '评估'}评分指标集 / choose a criteria set "
            f"for a {purpose} panel (got {name!r}; known: {', '.join(fitting)})"
        )
    return name
