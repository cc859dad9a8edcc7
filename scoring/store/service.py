"""The store's API: every dashboard and the command line go through :class:`Workbench`.

Every method takes the calling :class:`~scoring.store.accounts.Actor` first and checks, on
every call, that the account is still active, that its role allows the call and that the review
rules (frozen configuration, recusal, blind scoring, confirmation) allow it. A refusal raises
:class:`~scoring.store.errors.AccessDenied` / :class:`RuleViolation` / :class:`NotFound`
(all ``ValueError``) and changes nothing; every change is written in one transaction together
with its audit record.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date as _date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..programme.portfolio import BankPortfolio
from . import accounts as acc
from .accounts import ROLES, Actor
from .audit import ChainWriter, VerifyReport, now, verify
from .config import PanelConfig
from .conflicts import recused_pairs
from .db import make_engine, read_connection, resolve_url, write_connection
from .errors import AccessDenied, NotFound, RuleViolation, StoreError
from .migrate import upgrade
from .models import (
    Account,
    BankBasket,
    Candidate,
    Conflict,
    ConflictDeclaration,
    Correction,
    Expert,
    Panel,
    PanelCandidate,
    PanelMember,
    PanelTimer,
    Round,
    Sheet,
    SheetVersion,
)
from .models import PanelConfig as PanelConfigRow
from .scores import (
    ACCOUNT,
    DUPLICATE,
    SAVED,
    STALE,
    HotPath,
    SaveResult,
    clean_comment,
    clean_scores,
    request_key,
)
from .timers import PRESENTATION_S, QUESTIONS_S, TimerState, check_lengths

_SYSTEM_ID = -1


@dataclass
class _Tx:
    """A write transaction. The audit chain head is locked at the first audit record, i.e. after
    the transaction's own row work: every writer takes its row locks first and the chain lock
    last, so writers never wait for each other in a cycle, and the chain lock is held only for
    the append and the commit (on SQLite ``BEGIN IMMEDIATE`` serialises writers anyway)."""

    conn: Connection
    actor: str
    chain: ChainWriter | None = None

    def audit(self, action: str, target: str = "", details: Any = None) -> int:
        if self.chain is None:
            self.chain = ChainWriter.lock(self.conn)
        return self.chain.append(self.actor, action, target, details)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ids added, ids changed and how many rows were already identical."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed)


def _account_current(hot: HotPath, actor: Actor) -> bool:
    """Whether ``actor``'s account is active with the same code version, role and expert."""
    if actor.account_id == _SYSTEM_ID:
        return False
    acct = hot.account(actor.account_id)
    return (
        acct is not None
        and acct.active
        and acct.code_version == actor.code_version
        and acct.role == actor.role
        and acct.expert_pk == actor.expert_pk
    )


class Workbench:
    """The review store.

    Parameters
    ----------
    db_url : str, optional
        SQLAlchemy URL or SQLite file path; default ``$SCORING_DB`` or
        ``$SCORING_HOME/scoring.sqlite`` (see :mod:`scoring.store.db`).
    create : bool
        Create or upgrade the schema (idempotent). Default True.
    """

    def __init__(self, db_url: str | None = None, *, create: bool = True) -> None:
        self.url = resolve_url(db_url)
        self.engine = make_engine(self.url)
        self._system: list[Actor] = []
        self._configs: dict[int, tuple[PanelConfig, str]] = {}
        #: Requests this object has stored (a double click repeats one): answered from a read
        #: transaction, without queueing for the SQLite writers' lock. Bounded, oldest dropped.
        self._stored_requests: dict[tuple[int, int, str, str], None] = {}
        if create:
            upgrade(self.engine)

    # ---------------------------------------------------------------- plumbing
    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self, actor: Actor) -> Iterator[_Tx]:
        with write_connection(self.engine) as conn:
            yield _Tx(conn, actor.label)

    def _read(self) -> contextlib.AbstractContextManager[Connection]:
        return read_connection(self.engine)

    def system_actor(self, name: str | None = None) -> Actor:
        """An organizer actor for the local command line (audited as ``cli:<user>``).

        Only actors returned by this method of this very object are accepted as system actors.
        """
        user = name or os.environ.get("USER") or _safe_user()
        actor = Actor(_SYSTEM_ID, f"cli:{user}", "organizer", f"命令行 {user}", None, 0)
        self._system.append(actor)
        return actor

    def _is_system(self, actor: Actor) -> bool:
        return any(a is actor for a in self._system)

    def _check(self, conn: Connection, actor: Actor, *roles: str) -> Actor:
        """Re-read the account; refuse a revoked/reissued code or a role not in ``roles``."""
        if not isinstance(actor, Actor):
            raise AccessDenied("未登录 / not logged in")
        if actor.account_id == _SYSTEM_ID:
            if not self._is_system(actor):
                raise AccessDenied("无效的身份 / invalid actor")
            current = actor
        else:
            row = conn.execute(
                sa.select(
                    Account.role, Account.active, Account.code_version, Account.expert_pk
                ).where(Account.id == actor.account_id)
            ).first()
            if row is None or not row.active or row.code_version != actor.code_version:
                raise AccessDenied(
                    "访问码已失效，请重新登录 / access code revoked or reissued: log in again"
                )
            if row.role != actor.role or row.expert_pk != actor.expert_pk:
                raise AccessDenied("账户已变更，请重新登录 / account changed: log in again")
            current = actor
        if roles and current.role not in roles:
            need = "、".join(ROLES[r] for r in roles)
            raise AccessDenied(
                f"需要角色 {need} / needs role {', '.join(roles)} (you are {current.role})"
            )
        return current

    # ---------------------------------------------------------------- rounds
    def init(self, year: int | None = None, *, actor: Actor | None = None) -> int:
        """Create the schema and make ``year`` (default: this year) the current round.

        Returns the round's id. Idempotent: an existing current round of that year is kept.
        """
        year = int(year or _date.today().year)
        actor = actor or self.system_actor()
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer")
            row = tx.conn.execute(
                sa.select(Round.id, Round.is_current).where(Round.year == year)
            ).first()
            if row is not None and row.is_current:
                return int(row.id)
            tx.conn.execute(sa.update(Round).values(is_current=False))
            if row is None:
                rid = tx.conn.execute(
                    sa.insert(Round)
                    .values(
                        year=year,
                        name=f"{year}年度供应链重点项目评审",
                        is_current=True,
                        created_at=now(),
                    )
                    .returning(Round.id)
                ).scalar_one()
                tx.audit("round.create", f"round:{year}", {"year": year})
            else:
                rid = int(row.id)
                tx.conn.execute(sa.update(Round).where(Round.id == rid).values(is_current=True))
                tx.audit("round.current", f"round:{year}", {"year": year})
            return int(rid)

    def current_year(self) -> int | None:
        """The year of the current round (``None`` before :meth:`init`)."""
        with self._read() as conn:
            return conn.execute(sa.select(Round.year).where(Round.is_current)).scalar()

    @staticmethod
    def _round_id(conn: Connection) -> int:
        rid = conn.execute(sa.select(Round.id).where(Round.is_current)).scalar()
        if rid is None:
            raise RuleViolation(
                "尚无当前评审年度，请先运行 scoring init / no current round: run `scoring init`"
            )
        return int(rid)

    # ---------------------------------------------------------------- accounts
    def login(self, code: str) -> Actor:
        """Check an access code and return the :class:`Actor` to pass to every other call.

        Raises
        ------
        AccessDenied
            Unknown, revoked or wrong code (one message for all, not saying which).
        """
        parts = acc.split_code(code)
        denied = AccessDenied("访问码无效 / invalid access code")
        if parts is None:
            raise denied
        login, secret = parts
        with self._read() as conn:
            row = conn.execute(
                sa.select(
                    Account.id,
                    Account.login,
                    Account.role,
                    Account.name,
                    Account.expert_pk,
                    Account.code_version,
                    Account.active,
                    Account.code_hash,
                ).where(Account.login == login)
            ).first()
        if row is None:
            acc.check_secret(secret, acc.dummy_hash())  # the same work as for a real account
            raise denied
        if not row.active or not acc.check_secret(secret, row.code_hash):
            raise denied
        return Actor(row.id, row.login, row.role, row.name, row.expert_pk, row.code_version)

    def create_account(
        self,
        actor: Actor,
        login: str,
        role: str,
        *,
        name: str | None = None,
        expert_id: str | None = None,
    ) -> str:
        """Create an account and return its first access code (shown once, stored hashed).

        ``expert`` and ``bank`` accounts must name the expert record they score as; a chair may.
        """
        login = acc.normalise_login(login)
        if not acc.LOGIN_RE.match(login):
            raise StoreError(f"登录名无效 / invalid login {login!r}: letters, digits, _ and . only")
        if role not in ROLES:
            raise StoreError(f"未知角色 / unknown role {role!r} (known: {', '.join(ROLES)})")
        if role in ("expert", "bank") and not expert_id:
            raise StoreError(f"角色 {role} 需要专家编号 / role {role} needs an expert id")
        secret = acc.new_secret()
        hashed = acc.hash_secret(secret)
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer")
            expert_pk = None
            if expert_id:
                expert_pk = self._expert_pk(tx.conn, expert_id)
            if tx.conn.execute(sa.select(Account.id).where(Account.login == login)).first():
                raise StoreError(
                    f"账户已存在 / account {login} already exists (use `scoring codes` to reissue)"
                )
            tx.conn.execute(
                sa.insert(Account).values(
                    login=login,
                    role=role,
                    name=name or login,
                    expert_pk=expert_pk,
                    code_hash=hashed,
                    code_version=1,
                    active=True,
                    created_at=now(),
                )
            )
            tx.audit("account.create", f"account:{login}", {"role": role, "expert_id": expert_id})
        return f"{login}-{secret}"

    def reissue_code(self, actor: Actor, login: str) -> str:
        """Issue a new access code for ``login`` (the old one stops working); reactivates it."""
        login = acc.normalise_login(login)
        secret = acc.new_secret()
        hashed = acc.hash_secret(secret)
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer")
            row = tx.conn.execute(
                sa.select(Account.id, Account.code_version).where(Account.login == login)
            ).first()
            if row is None:
                raise NotFound(f"无此账户 / no account {login}")
            tx.conn.execute(
                sa.update(Account)
                .where(Account.id == row.id)
                .values(code_hash=hashed, code_version=row.code_version + 1, active=True)
            )
            tx.audit("account.code", f"account:{login}", {"code_version": row.code_version + 1})
        return f"{login}-{secret}"

    def revoke(self, actor: Actor, login: str) -> None:
        """Deactivate ``login``: its code stops working at once."""
        login = acc.normalise_login(login)
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer")
            n = tx.conn.execute(
                sa.update(Account)
                .where(Account.login == login)
                .values(active=False, code_hash=None)
            ).rowcount
            if not n:
                raise NotFound(f"无此账户 / no account {login}")
            tx.audit("account.revoke", f"account:{login}")

    def expert_id(self, actor: Actor) -> str:
        """The expert id an ``expert``/``bank`` account scores as (``AccessDenied`` for others)."""
        with self._read() as conn:
            self._check(conn, actor)
            eid = (
                None
                if actor.expert_pk is None
                else conn.execute(
                    sa.select(Expert.expert_id).where(Expert.id == actor.expert_pk)
                ).scalar()
            )
        if eid is None:
            raise AccessDenied("该账户不是评审专家 / this account is not an expert")
        return str(eid)

    def accounts(self, actor: Actor) -> list[dict[str, Any]]:
        """Every account (never a code or hash). Organizer only."""
        with self._read() as conn:
            self._check(conn, actor, "organizer")
            rows = conn.execute(
                sa.select(
                    Account.login, Account.role, Account.name, Account.active, Expert.expert_id
                )
                .outerjoin(Expert, Expert.id == Account.expert_pk)
                .order_by(Account.login)
            ).all()
        return [dict(r._mapping) for r in rows]

    # ---------------------------------------------------------------- lookups
    def _expert_pk(self, conn: Connection, expert_id: str) -> int:
        pk = conn.execute(
            sa.select(Expert.id).where(
                Expert.round_id == self._round_id(conn), Expert.expert_id == str(expert_id)
            )
        ).scalar()
        if pk is None:
            raise NotFound(f"无此专家 / no expert {expert_id}")
        return int(pk)

    def _candidate_pk(self, conn: Connection, project_id: str, round_id: int | None = None) -> int:
        rid = round_id if round_id is not None else self._round_id(conn)
        pk = conn.execute(
            sa.select(Candidate.id).where(
                Candidate.round_id == rid, Candidate.project_id == str(project_id)
            )
        ).scalar()
        if pk is None:
            raise NotFound(f"无此项目 / no candidate {project_id}")
        return int(pk)

    @staticmethod
    def _panel(conn: Connection, panel_id: int) -> Any:
        try:
            pid = int(panel_id)
        except (TypeError, ValueError):
            raise NotFound(f"无此评审组 / no panel {panel_id!r}") from None
        row = conn.execute(
            sa.select(
                Panel.id, Panel.name, Panel.date, Panel.status, Panel.chair_pk, Panel.round_id
            ).where(Panel.id == pid)
        ).first()
        if row is None:
            raise NotFound(f"无此评审组 / no panel {panel_id}")
        return row

    def _config(self, conn: Connection, panel_id: int) -> tuple[PanelConfig, str] | None:
        if panel_id in self._configs:
            return self._configs[panel_id]
        row = conn.execute(
            sa.select(PanelConfigRow.content, PanelConfigRow.content_hash).where(
                PanelConfigRow.panel_id == panel_id
            )
        ).first()
        if row is None:
            return None
        cfg = (PanelConfig.from_json(row.content), row.content_hash)
        self._configs[panel_id] = cfg
        return cfg

    @staticmethod
    def _is_member(conn: Connection, panel_id: int, expert_pk: int | None) -> bool:
        if expert_pk is None:
            return False
        return (
            conn.execute(
                sa.select(PanelMember.expert_pk).where(
                    PanelMember.panel_id == panel_id, PanelMember.expert_pk == expert_pk
                )
            ).first()
            is not None
        )

    # ---------------------------------------------------------------- panels
    def create_panel(
        self,
        actor: Actor,
        name: str,
        *,
        date: str | None = None,
        chair: str | None = None,
        members: Iterable[str] = (),
        candidates: Iterable[str] = (),
    ) -> int:
        """Create a panel (draft) with its chair's login, members (expert ids) and candidates
        (project ids, in defense order). Organizer only. Returns the panel id."""
        members, candidates = list(members), list(candidates)
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer")
            rid = self._round_id(tx.conn)
            if tx.conn.execute(
                sa.select(Panel.id).where(Panel.round_id == rid, Panel.name == name)
            ).first():
                raise StoreError(f"评审组已存在 / panel {name!r} already exists")
            chair_pk = None
            if chair:
                row = tx.conn.execute(
                    sa.select(Account.id, Account.role).where(
                        Account.login == acc.normalise_login(chair)
                    )
                ).first()
                if row is None or row.role != "chair":
                    raise StoreError(f"主持人账户无效 / {chair!r} is not a chair account")
                chair_pk = row.id
            if len(set(members)) != len(members) or len(set(candidates)) != len(candidates):
                raise StoreError("成员或项目重复 / a member or candidate is listed twice")
            mpks = [self._expert_pk(tx.conn, m) for m in members]
            cpks = [self._candidate_pk(tx.conn, c, rid) for c in candidates]
            pid = tx.conn.execute(
                sa.insert(Panel)
                .values(round_id=rid, name=name, date=date, status="draft", chair_pk=chair_pk)
                .returning(Panel.id)
            ).scalar_one()
            if mpks:
                tx.conn.execute(
                    sa.insert(PanelMember), [{"panel_id": pid, "expert_pk": m} for m in mpks]
                )
            if cpks:
                tx.conn.execute(
                    sa.insert(PanelCandidate),
                    [
                        {"panel_id": pid, "candidate_pk": c, "position": i}
                        for i, c in enumerate(cpks, 1)
                    ],
                )
            tx.audit(
                "panel.create",
                f"panel:{pid}",
                {
                    "name": name,
                    "date": date,
                    "chair": chair,
                    "members": members,
                    "candidates": candidates,
                },
            )
            return int(pid)

    def panels(self, actor: Actor) -> list[dict[str, Any]]:
        """The panels ``actor`` may see: all (organizer, bank reviewer), chaired, or joined."""
        with self._read() as conn:
            self._check(conn, actor)
            q = sa.select(Panel.id, Panel.name, Panel.date, Panel.status, Panel.round_id).order_by(
                Panel.id
            )
            if actor.role == "chair":
                q = q.where(Panel.chair_pk == actor.account_id)
            elif actor.role == "expert":
                q = q.join(PanelMember, PanelMember.panel_id == Panel.id).where(
                    PanelMember.expert_pk == actor.expert_pk
                )
            rows = conn.execute(q).all()
            out = []
            for r in rows:
                cfg = self._config(conn, r.id)
                d = dict(r._mapping)
                d["config_hash"] = cfg[1] if cfg else None
                out.append(d)
            return out

    def declare_conflict(self, actor: Actor, expert_id: str, project_id: str, reason: str) -> None:
        """Record a conflict (回避). The organizer, or the expert about himself, may declare one.

        In a panel already open, that expert's sheet for the candidate becomes ``recused`` at once.
        """
        if not str(reason or "").strip():
            raise StoreError("回避需要说明原因 / a conflict needs a reason")
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer", "expert", "bank")
            epk = self._expert_pk(tx.conn, expert_id)
            if actor.role != "organizer" and actor.expert_pk != epk:
                raise AccessDenied("只能申报本人的回避 / you may declare only your own conflicts")
            cpk = self._candidate_pk(tx.conn, project_id)
            if tx.conn.execute(
                sa.select(Conflict.id).where(
                    Conflict.expert_pk == epk, Conflict.candidate_pk == cpk
                )
            ).first():
                return
            tx.conn.execute(
                sa.insert(Conflict).values(
                    expert_pk=epk, candidate_pk=cpk, reason=str(reason).strip(), created_at=now()
                )
            )
            self._sync_recusals(tx)
            tx.audit("conflict.declare", f"conflict:{expert_id}/{project_id}", {"reason": reason})

    def declare_conflicts(
        self,
        actor: Actor,
        panel_id: int,
        project_ids: Iterable[str] = (),
        reason: str = "",
    ) -> dict[str, Any]:
        """The expert's own declaration of conflicts for a panel: none, or the projects listed.

        Only a member of the panel (expert or bank reviewer), for himself, while the panel is
        draft or open. Each listed project becomes a declared conflict (回避; see
        :meth:`declare_conflict`), and the declaration itself is recorded per expert and panel,
        so the page asks only until the expert has declared. Declaring again adds projects (a
        declared conflict is never withdrawn). Audited as ``conflict.declaration``.

        Returns
        -------
        dict
            The declaration as stored (see :meth:`conflict_declaration`).
        """
        ids = list(dict.fromkeys(str(p).strip() for p in project_ids))
        if any(not p for p in ids):
            raise StoreError("项目编号为空 / an empty project id")
        if ids and not str(reason or "").strip():
            raise StoreError("回避需要说明原因 / a conflict needs a reason")
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "expert", "bank")
            panel = self._panel(tx.conn, panel_id)
            if not self._is_member(tx.conn, panel.id, actor.expert_pk):
                raise AccessDenied("您不属于该评审组 / you are not on this panel")
            if panel.status == "closed":
                raise RuleViolation("评审组已结束 / the panel is closed")
            on_panel = dict(
                tx.conn.execute(
                    sa.select(Candidate.project_id, Candidate.id)
                    .join(PanelCandidate, PanelCandidate.candidate_pk == Candidate.id)
                    .where(PanelCandidate.panel_id == panel.id)
                ).all()
            )
            unknown = [p for p in ids if p not in on_panel]
            if unknown:
                raise NotFound(f"项目不在本评审组 / not on this panel: {', '.join(unknown)}")
            have = set(
                tx.conn.execute(
                    sa.select(Conflict.candidate_pk).where(
                        Conflict.expert_pk == actor.expert_pk,
                        Conflict.candidate_pk.in_([on_panel[p] for p in ids] or [-1]),
                    )
                ).scalars()
            )
            ts = now()
            new = [p for p in ids if on_panel[p] not in have]
            if new:
                tx.conn.execute(
                    sa.insert(Conflict),
                    [
                        {
                            "expert_pk": actor.expert_pk,
                            "candidate_pk": on_panel[p],
                            "reason": str(reason).strip(),
                            "created_at": ts,
                        }
                        for p in new
                    ],
                )
            row = tx.conn.execute(
                sa.select(ConflictDeclaration.projects).where(
                    ConflictDeclaration.panel_id == panel.id,
                    ConflictDeclaration.expert_pk == actor.expert_pk,
                )
            ).first()
            if row is None:
                projects = ids
                tx.conn.execute(
                    sa.insert(ConflictDeclaration).values(
                        panel_id=panel.id,
                        expert_pk=actor.expert_pk,
                        projects=projects,
                        declared_by=actor.label,
                        declared_at=ts,
                    )
                )
            else:
                projects = list(dict.fromkeys([*row.projects, *ids]))
                if projects == list(row.projects):
                    return self._declaration_of(tx.conn, panel.id, actor.expert_pk)
                tx.conn.execute(
                    sa.update(ConflictDeclaration)
                    .where(
                        ConflictDeclaration.panel_id == panel.id,
                        ConflictDeclaration.expert_pk == actor.expert_pk,
                    )
                    .values(projects=projects, declared_by=actor.label, declared_at=ts)
                )
            if new:
                self._sync_recusals(tx)
            tx.audit(
                "conflict.declaration",
                f"panel:{panel.id}/{actor.label}",
                {"projects": ids, "all": projects, "reason": str(reason).strip() if ids else ""},
            )
            return self._declaration_of(tx.conn, panel.id, actor.expert_pk)

    @staticmethod
    def _declaration_of(conn: Connection, panel_id: int, expert_pk: int | None) -> dict | None:
        row = conn.execute(
            sa.select(
                ConflictDeclaration.projects,
                ConflictDeclaration.declared_at,
                ConflictDeclaration.declared_by,
            ).where(
                ConflictDeclaration.panel_id == panel_id,
                ConflictDeclaration.expert_pk == expert_pk,
            )
        ).first()
        if row is None:
            return None
        return {
            "projects": list(row.projects or []),
            "declared_at": row.declared_at,
            "declared_by": row.declared_by,
        }

    def conflict_declaration(self, actor: Actor, panel_id: int) -> dict[str, Any] | None:
        """The actor's own declaration for a panel (``None`` until declared).

        Returns ``{"projects": [...], "declared_at": ..., "declared_by": ...}``; ``projects``
        is empty for "no conflict".
        """
        with self._read() as conn:
            self._check(conn, actor, "expert", "bank")
            panel = self._panel(conn, panel_id)
            if not self._is_member(conn, panel.id, actor.expert_pk):
                raise AccessDenied("您不属于该评审组 / you are not on this panel")
            return self._declaration_of(conn, panel.id, actor.expert_pk)

    def declarations(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """Who of the panel's members has declared conflicts (the chair's and organizer's view).

        Columns: ``expert_id, expert_name, declared`` (bool), ``declared_at``, ``projects``
        (the project ids declared; empty for "no conflict").
        """
        with self._read() as conn:
            self._check(conn, actor, "organizer", "chair")
            panel = self._panel(conn, panel_id)
            if actor.role == "chair":
                self._may_run(actor, panel)
            rows = conn.execute(
                sa.select(
                    Expert.expert_id,
                    Expert.name,
                    ConflictDeclaration.declared_at,
                    ConflictDeclaration.projects,
                )
                .join(PanelMember, PanelMember.expert_pk == Expert.id)
                .outerjoin(
                    ConflictDeclaration,
                    sa.and_(
                        ConflictDeclaration.panel_id == PanelMember.panel_id,
                        ConflictDeclaration.expert_pk == PanelMember.expert_pk,
                    ),
                )
                .where(PanelMember.panel_id == panel.id)
                .order_by(Expert.expert_id)
            ).all()
        return pd.DataFrame.from_records(
            [
                {
                    "expert_id": r.expert_id,
                    "expert_name": r.name,
                    "declared": r.declared_at is not None,
                    "declared_at": r.declared_at or "",
                    "projects": list(r.projects or []),
                }
                for r in rows
            ],
            columns=["expert_id", "expert_name", "declared", "declared_at", "projects"],
        )

    def _recused_map(
        self, conn: Connection, expert_pks: Iterable[int], candidate_pks: Iterable[int]
    ) -> dict[tuple[int, int], list[str]]:
        e_ids, c_ids = list(expert_pks), list(candidate_pks)
        if not e_ids or not c_ids:
            return {}
        experts = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(Expert.id, Expert.employer, Expert.kind, Expert.bank).where(
                    Expert.id.in_(e_ids)
                )
            )
        ]
        cands = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(Candidate.id, Candidate.name, Candidate.lender_bank).where(
                    Candidate.id.in_(c_ids)
                )
            )
        ]
        declared = {
            (r.expert_pk, r.candidate_pk): r.reason
            for r in conn.execute(
                sa.select(Conflict.expert_pk, Conflict.candidate_pk, Conflict.reason).where(
                    Conflict.expert_pk.in_(e_ids), Conflict.candidate_pk.in_(c_ids)
                )
            )
        }
        return recused_pairs(experts, cands, declared)

    def _sync_recusals(self, tx: _Tx) -> None:
        """Mark sheets of open panels ``recused`` where a rule or declaration now applies."""
        conn = tx.conn
        for (pid,) in conn.execute(sa.select(Panel.id).where(Panel.status == "open")).all():
            members = conn.execute(
                sa.select(PanelMember.expert_pk).where(PanelMember.panel_id == pid)
            ).scalars()
            cands = conn.execute(
                sa.select(PanelCandidate.candidate_pk).where(PanelCandidate.panel_id == pid)
            ).scalars()
            pairs = self._recused_map(conn, list(members), list(cands))
            changed = []
            for (epk, cpk), reasons in sorted(pairs.items()):
                n = conn.execute(
                    sa.update(Sheet)
                    .where(
                        Sheet.panel_id == pid,
                        Sheet.expert_pk == epk,
                        Sheet.candidate_pk == cpk,
                        Sheet.status != "recused",
                    )
                    .values(status="recused", updated_at=now())
                ).rowcount
                if n:
                    changed.append((epk, cpk, reasons))
            for epk, cpk, reasons in changed:  # audit after the row work (see _Tx)
                tx.audit(
                    "sheet.recused",
                    f"panel:{pid}/expert:{epk}/candidate:{cpk}",
                    {"reasons": reasons},
                )

    def freeze_config(self, actor: Actor, panel_id: int, config: PanelConfig | None = None) -> str:
        """Freeze a panel's configuration (organizer, panel still draft). Returns the content hash.

        Freezing the identical configuration again returns the same hash; any other change is refused.
        """
        config = (config or PanelConfig.from_criteria()).validate()
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer")
            panel = self._panel(tx.conn, panel_id)
            existing = self._config(tx.conn, panel.id)
            if existing is not None:
                if existing[1] == config.content_hash:
                    return existing[1]
                raise RuleViolation(
                    f"配置已冻结，不能修改 / the configuration of panel {panel_id} is frozen "
                    f"(hash {existing[1][:12]}) and cannot change"
                )
            if panel.status != "draft":
                raise RuleViolation("评审组已开启 / the panel is already open")
            h = config.content_hash
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
        with self._read() as conn:
            self._check(conn, actor)
            self._panel(conn, panel_id)
            cfg = self._config(conn, int(panel_id))
        if cfg is None:
            raise NotFound(
                f"评审组 {panel_id} 的配置尚未冻结 / panel {panel_id} has no frozen configuration"
            )
        return cfg

    def _may_run(self, actor: Actor, panel: Any) -> None:
        if actor.role == "organizer" and (panel.chair_pk is None or self._is_system(actor)):
            return
        if actor.role == "chair" and panel.chair_pk == actor.account_id:
            return
        raise AccessDenied("只有本组主持人可以操作 / only the panel's chair may do this")

    def open_panel(self, actor: Actor, panel_id: int) -> None:
        """Open a draft panel for scoring (organizer or its chair). Needs a frozen configuration."""
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer", "chair")
            panel = self._panel(tx.conn, panel_id)
            if actor.role == "chair":
                self._may_run(actor, panel)
            if panel.status != "draft":
                raise RuleViolation(
                    f"评审组状态为 {panel.status} / the panel is {panel.status}, not draft"
                )
            if self._config(tx.conn, panel.id) is None:
                raise RuleViolation(
                    "请先冻结配置 / freeze the configuration before opening the panel"
                )
            members = list(
                tx.conn.execute(
                    sa.select(PanelMember.expert_pk).where(PanelMember.panel_id == panel.id)
                ).scalars()
            )
            cands = list(
                tx.conn.execute(
                    sa.select(PanelCandidate.candidate_pk).where(
                        PanelCandidate.panel_id == panel.id
                    )
                ).scalars()
            )
            if not members or not cands:
                raise RuleViolation(
                    "评审组缺少专家或项目 / the panel has no members or no candidates"
                )
            recused = self._recused_map(tx.conn, members, cands)
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
                    "config_hash": self._config(tx.conn, panel.id)[1],
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
        part of the panel), unless ``force=True`` with a ``reason``. Every close with
        unconfirmed sheets is audited (``panel.close``) with their number, ``forced`` and the
        reason, read back by :meth:`close_record`. Drafts that were never confirmed stay out of
        the results.

        Raises
        ------
        RuleViolation
            The panel is not open; sheets are unconfirmed and ``force`` is not set; ``force``
            without a reason.
        """
        reason = str(reason or "").strip()
        if force and not reason:
            raise RuleViolation("强制结束需要填写理由 / a forced close needs a reason")
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer", "chair")
            panel = self._panel(tx.conn, panel_id)
            self._may_run(actor, panel)
            if panel.status != "open":
                raise RuleViolation(
                    f"评审组状态为 {panel.status} / the panel is {panel.status}, not open"
                )
            counts = dict(
                tx.conn.execute(
                    sa.select(Sheet.status, sa.func.count())
                    .where(Sheet.panel_id == panel.id)
                    .group_by(Sheet.status)
                ).all()
            )
            missing = sum(n for st, n in counts.items() if st not in ("confirmed", "recused"))
            if missing and not force:
                raise RuleViolation(
                    f"尚有 {missing} 份评分表未确认，不能结束评审（如确需结束，请填写理由强制结束）"
                    f" / {missing} sheet(s) are not confirmed: the panel cannot close"
                    " (force it with a reason if it must)"
                )
            tx.conn.execute(
                sa.update(Panel)
                .where(Panel.id == panel.id)
                .values(status="closed", closed_at=now())
            )
            details: dict[str, Any] = {"sheets": counts}
            if missing:
                details.update(forced=bool(force), unconfirmed=missing, reason=reason)
            tx.audit("panel.close", f"panel:{panel.id}", details)

    def close_record(self, actor: Actor, panel_id: int) -> dict[str, Any] | None:
        """How a closed panel was closed, from its audit record: ``{"at", "by", "sheets",
        "forced", "unconfirmed", "reason"}`` (``None`` while it is not closed). Any reader of
        the panel."""
        import json

        from .models import AuditRecord

        with self._read() as conn:
            self._check(conn, actor)
            panel = self._panel(conn, panel_id)
            self._check_panel_reader(conn, actor, panel)
            if panel.status != "closed":
                return None
            row = conn.execute(
                sa.select(AuditRecord.ts, AuditRecord.actor, AuditRecord.details)
                .where(
                    AuditRecord.action == "panel.close",
                    AuditRecord.target == f"panel:{panel.id}",
                )
                .order_by(AuditRecord.seq.desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        d = json.loads(row.details or "{}")
        return {
            "at": row.ts,
            "by": row.actor,
            "sheets": d.get("sheets", {}),
            "forced": bool(d.get("forced", False)),
            "unconfirmed": int(d.get("unconfirmed", 0)),
            "reason": str(d.get("reason", "")),
        }

    # ---------------------------------------------------------------- defense timer
    def _may_time(self, actor: Actor, panel: Any) -> None:
        if actor.role == "organizer":
            return
        if actor.role == "chair" and panel.chair_pk == actor.account_id:
            return
        raise AccessDenied(
            "只有本组主持人或组织方可以计时 / only the panel's chair or an organizer runs the timer"
        )

    def start_timer(
        self,
        actor: Actor,
        panel_id: int,
        project_id: str,
        *,
        phase: str = "presentation",
        presentation_s: int = PRESENTATION_S,
        questions_s: int = QUESTIONS_S,
    ) -> TimerState:
        """Start (or restart) the panel's defense timer for ``project_id`` (audited).

        Only the panel's chair or an organizer, while the panel is open, for a candidate of the
        panel. ``phase="questions"`` starts at the questions (the presentation counted as over).
        Every page of the panel reads it with :meth:`timer`.
        """
        pres, ques = check_lengths(phase, presentation_s, questions_s)
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer", "chair")
            panel = self._panel(tx.conn, panel_id)
            self._may_time(actor, panel)
            if panel.status != "open":
                raise RuleViolation(
                    f"评审组状态为 {panel.status} / the panel is {panel.status}, not open"
                )
            on_panel = tx.conn.execute(
                sa.select(PanelCandidate.candidate_pk)
                .join(Candidate, Candidate.id == PanelCandidate.candidate_pk)
                .where(
                    PanelCandidate.panel_id == panel.id,
                    Candidate.project_id == str(project_id),
                )
            ).first()
            if on_panel is None:
                raise NotFound(f"项目不在本评审组 / {project_id} is not on this panel")
            t0 = time.time() - (pres if phase == "questions" else 0)
            values = {
                "project_id": str(project_id),
                "phase": phase,
                "started_at": t0,
                "presentation_s": pres,
                "questions_s": ques,
                "started_by": actor.label,
                "stopped_at": None,
            }
            n = tx.conn.execute(
                sa.update(PanelTimer).where(PanelTimer.panel_id == panel.id).values(**values)
            ).rowcount
            if not n:
                tx.conn.execute(sa.insert(PanelTimer).values(panel_id=panel.id, **values))
            tx.audit(
                "timer.start",
                f"panel:{panel.id}/{project_id}",
                {"phase": phase, "presentation_s": pres, "questions_s": ques, "at": t0},
            )
        return TimerState(str(panel.id), str(project_id), t0, pres, ques, None, actor.label)

    def stop_timer(self, actor: Actor, panel_id: int) -> TimerState | None:
        """Stop the panel's timer (chair or organizer; audited). ``None`` if none is running."""
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer", "chair")
            panel = self._panel(tx.conn, panel_id)
            self._may_time(actor, panel)
            t1 = time.time()
            n = tx.conn.execute(
                sa.update(PanelTimer)
                .where(PanelTimer.panel_id == panel.id, PanelTimer.stopped_at.is_(None))
                .values(stopped_at=t1)
            ).rowcount
            if not n:
                return None
            tx.audit("timer.stop", f"panel:{panel.id}", {"at": t1})
            return self._timer_of(tx.conn, panel.id)

    @staticmethod
    def _timer_of(conn: Connection, panel_id: int) -> TimerState | None:
        r = conn.execute(sa.select(PanelTimer).where(PanelTimer.panel_id == panel_id)).first()
        if r is None:
            return None
        return TimerState(
            str(panel_id),
            r.project_id,
            float(r.started_at),
            int(r.presentation_s),
            int(r.questions_s),
            None if r.stopped_at is None else float(r.stopped_at),
            r.started_by,
        )

    def timer(self, actor: Actor, panel_id: int) -> TimerState | None:
        """The panel's defense timer (``None`` before the first start). Any reader of the panel
        (its experts, its chair, organizers, bank reviewers)."""
        with self._read() as conn:
            self._check(conn, actor)
            panel = self._panel(conn, panel_id)
            self._check_panel_reader(conn, actor, panel)
            return self._timer_of(conn, panel.id)

    # ---------------------------------------------------------------- candidates (reading)
    def _visible_candidates(self, conn: Connection, actor: Actor, panel: Any) -> list[Any]:
        """Panel candidates (defense order) minus those the actor is recused from."""
        rows = conn.execute(
            sa.select(Candidate.id, Candidate.project_id, Candidate.data, PanelCandidate.position)
            .join(PanelCandidate, PanelCandidate.candidate_pk == Candidate.id)
            .where(PanelCandidate.panel_id == panel.id)
            .order_by(PanelCandidate.position)
        ).all()
        hidden = self._hidden_for(conn, actor, panel, [r.id for r in rows])
        return [r for r in rows if r.id not in hidden]

    def _hidden_for(
        self, conn: Connection, actor: Actor, panel: Any, cand_pks: list[int]
    ) -> set[int]:
        if actor.expert_pk is None:
            return set()
        if panel.status != "draft" and self._is_member(conn, panel.id, actor.expert_pk):
            rec = set(
                conn.execute(
                    sa.select(Sheet.candidate_pk).where(
                        Sheet.panel_id == panel.id,
                        Sheet.expert_pk == actor.expert_pk,
                        Sheet.status == "recused",
                    )
                ).scalars()
            )
        else:
            rec = set()
        rec |= {c for (_e, c) in self._recused_map(conn, [actor.expert_pk], cand_pks)}
        return rec

    def _check_panel_reader(self, conn: Connection, actor: Actor, panel: Any) -> None:
        if actor.role in ("organizer", "bank"):
            return
        if actor.role == "chair" and panel.chair_pk == actor.account_id:
            return
        if actor.role == "expert" and self._is_member(conn, panel.id, actor.expert_pk):
            return
        raise AccessDenied("您不属于该评审组 / you are not on this panel")

    def panel_candidates(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """The panel's candidates in defense order (recused ones left out for that expert).

        Columns: ``position``, ``project_id`` and every imported candidate field.
        """
        with self._read() as conn:
            self._check(conn, actor)
            panel = self._panel(conn, panel_id)
            self._check_panel_reader(conn, actor, panel)
            rows = self._visible_candidates(conn, actor, panel)
        records = [{"position": r.position, **r.data, "project_id": r.project_id} for r in rows]
        return (
            pd.DataFrame.from_records(records)
            if records
            else pd.DataFrame(columns=["position", "project_id"])
        )

    def candidates(self, actor: Actor) -> pd.DataFrame:
        """Every candidate of the current round with every imported field (organizer only)."""
        return self._round_records(actor, Candidate, "project_id")

    def experts(self, actor: Actor) -> pd.DataFrame:
        """Every expert of the current round (organizer only)."""
        return self._round_records(actor, Expert, "expert_id")

    def _round_records(self, actor: Actor, model: Any, key: str) -> pd.DataFrame:
        """The imported records (``data``) of ``model`` in the current round, in import order."""
        with self._read() as conn:
            self._check(conn, actor, "organizer")
            rows = (
                conn.execute(
                    sa.select(model.data)
                    .where(model.round_id == self._round_id(conn))
                    .order_by(model.id)
                )
                .scalars()
                .all()
            )
        return pd.DataFrame.from_records(list(rows)) if rows else pd.DataFrame(columns=[key])

    # ---------------------------------------------------------------- scoring
    def _own_sheet(
        self, conn: Connection, actor: Actor, panel_id: int, project_id: str, *, lock: bool
    ) -> Any:
        q = (
            sa.select(
                Sheet.id,
                Sheet.status,
                Sheet.version,
                Sheet.scores,
                Panel.status.label("panel_status"),
            )
            .join(Panel, Panel.id == Sheet.panel_id)
            .join(Candidate, Candidate.id == Sheet.candidate_pk)
            .where(
                Sheet.panel_id == int(panel_id),
                Sheet.expert_pk == actor.expert_pk,
                Candidate.project_id == str(project_id),
                Candidate.round_id == Panel.round_id,
            )
        )
        if lock:
            q = q.with_for_update(of=Sheet)
        row = conn.execute(q).first()
        if row is None or row.status == "recused":
            # One message for "not on the panel", "no such candidate" and "recused".
            raise AccessDenied(
                f"您不能为项目 {project_id} 评分 / you may not score {project_id} in panel {panel_id}"
            )
        return row

    def _scoring_config(self, conn: Connection, actor: Actor, panel_id: int) -> PanelConfig:
        self._check(conn, actor, "expert", "bank")
        cfg = self._config(conn, int(panel_id))
        if cfg is None:
            raise RuleViolation(
                "配置尚未冻结，不能评分 / scoring is not possible before the configuration is frozen"
            )
        return cfg[0]

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
        self._check_signature(actor, code)
        return self._append_version(
            actor, panel_id, project_id, "confirm", None, base_version, request_id
        )

    def _check_signature(self, actor: Actor, code: str | None) -> None:
        """Refuse unless ``code`` is ``actor``'s current access code (one scrypt, no lock held)."""
        denied = AccessDenied(
            "访问码不正确，未确认 / wrong access code: the sheet is not confirmed"
        )
        if not isinstance(actor, Actor) or actor.account_id == _SYSTEM_ID:
            raise AccessDenied("需要评审专家账户签字 / only an expert's account can sign a sheet")
        parts = acc.split_code(code) if isinstance(code, str) else None
        if parts is None:
            raise denied
        login, secret = parts
        with self._read() as conn:
            row = HotPath(conn).credentials(actor.account_id)
        if row is None or not row.active or row.code_version != actor.code_version:
            acc.check_secret(secret, acc.dummy_hash())
            raise AccessDenied(
                "访问码已失效，请重新登录 / access code revoked or reissued: log in again"
            )
        if not acc.check_secret(secret, row.code_hash) or login != row.login:
            raise denied

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
        cfg = self._configs.get(pid)
        if cfg is None:
            with self._read() as conn:
                self._check_fast(conn, actor, ("expert", "bank"))
                cfg = self._config(conn, pid)
                if cfg is None:
                    self._panel(conn, pid)
                    raise RuleViolation(
                        "配置尚未冻结，不能评分 / scoring is not possible before the "
                        "configuration is frozen"
                    )
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
        if key in self._stored_requests and self.engine.dialect.name == "sqlite":
            repeat = self._stored_repeat(actor, pid, str(project_id), rid)
            if repeat is not None:
                return repeat
        with self._write(actor) as tx:
            hot = HotPath(tx.conn)
            if not _account_current(hot, actor):
                raise AccessDenied(
                    "访问码已失效，请重新登录 / access code revoked or reissued: log in again"
                )
            if actor.role not in ("expert", "bank"):
                raise AccessDenied(
                    f"需要评审专家角色 / needs role expert or bank (you are {actor.role})"
                )
            sheet = hot.sheet(pid, actor.expert_pk, str(project_id), rid)
            if sheet is None and self._panel(tx.conn, pid).status == "draft":
                raise RuleViolation(
                    f"评审组尚未开放评分 / panel {panel_id} is not open for scoring yet"
                )
            if sheet is None or sheet.status == "recused":
                # One message for "not on the panel", "no such candidate" and "recused".
                raise AccessDenied(
                    f"您不能为项目 {project_id} 评分 / you may not score {project_id} "
                    f"in panel {panel_id}"
                )
            if sheet.dup_version is not None:
                return SaveResult(DUPLICATE, sheet.version, sheet.status)
            if sheet.panel_status != "open":
                raise RuleViolation(
                    f"评审组未开放评分 / panel {panel_id} is {sheet.panel_status}, "
                    "not open for scoring"
                )
            if sheet.status == "confirmed":
                raise RuleViolation(
                    "评分表已确认，修改需主持人批准 / the sheet is confirmed: "
                    "a change needs a correction approved by the chair"
                )
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
            n = hot.write(
                sheet.id, base, version, kind, status, scores, rid, actor.label, now(), note
            )
            if n != 1:  # cannot happen while writers are serialised; never write a fork
                raise RuleViolation("并发冲突，请重试 / concurrent change: retry")
            tx.audit(
                f"sheet.{kind}",
                f"panel:{pid}/{project_id}/{actor.label}",
                {"version": version, "scores": scores, "comment": note},
            )
        self._stored_requests[key] = None
        if len(self._stored_requests) > 512:
            del self._stored_requests[next(iter(self._stored_requests))]
        return SaveResult(SAVED, version, status)

    def _stored_repeat(
        self, actor: Actor, pid: int, project_id: str, rid: str
    ) -> SaveResult | None:
        """``duplicate`` for a request already stored, read without the writers' lock; ``None``
        when anything else applies (the locked path then gives the exact answer)."""
        with self._read() as conn:
            hot = HotPath(conn)
            if actor.role not in ("expert", "bank") or not _account_current(hot, actor):
                return None
            sheet = hot.sheet(pid, actor.expert_pk, project_id, rid)
        if sheet is None or sheet.status == "recused" or sheet.dup_version is None:
            return None
        return SaveResult(DUPLICATE, sheet.version, sheet.status)

    def _check_fast(self, conn: Connection, actor: Actor, roles: tuple[str, ...]) -> None:
        """:meth:`_check` with a prepared statement (hot path)."""
        if not isinstance(actor, Actor) or actor.account_id == _SYSTEM_ID:
            self._check(conn, actor, *roles)
            return
        row = conn.execute(ACCOUNT, {"id": actor.account_id}).first()
        if row is None or not row.active or row.code_version != actor.code_version:
            raise AccessDenied(
                "访问码已失效，请重新登录 / access code revoked or reissued: log in again"
            )
        if row.role != actor.role or row.expert_pk != actor.expert_pk:
            raise AccessDenied("账户已变更，请重新登录 / account changed: log in again")
        if actor.role not in roles:
            raise AccessDenied(
                f"需要角色 {'、'.join(ROLES[r] for r in roles)} / needs role "
                f"{', '.join(roles)} (you are {actor.role})"
            )

    def my_sheets(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """The actor's own sheets in the panel (recused candidates left out).

        Columns: ``position, project_id, name, status, version, comment, updated_at`` and one
        column per criterion.
        """
        with self._read() as conn:
            self._check(conn, actor, "expert", "bank")
            panel = self._panel(conn, panel_id)
            rows = conn.execute(
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
                .join(
                    PanelCandidate,
                    sa.and_(
                        PanelCandidate.panel_id == Sheet.panel_id,
                        PanelCandidate.candidate_pk == Sheet.candidate_pk,
                    ),
                )
                .where(
                    Sheet.panel_id == panel.id,
                    Sheet.expert_pk == actor.expert_pk,
                    Sheet.status != "recused",
                )
                .order_by(PanelCandidate.position)
            ).all()
            if panel.status == "draft" and not self._is_member(conn, panel.id, actor.expert_pk):
                raise AccessDenied("您不属于该评审组 / you are not on this panel")
            cfg = self._config(conn, panel.id)
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
        return pd.DataFrame.from_records(
            recs,
            columns=[
                "position",
                "project_id",
                "name",
                "status",
                "version",
                "comment",
                "updated_at",
                *keys,
            ],
        )

    def progress(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """Who has confirmed which candidate (the chair's view): statuses, never values.

        Columns: ``expert_id, expert_name, project_id, status, version, updated_at``.
        """
        with self._read() as conn:
            self._check(conn, actor, "organizer", "chair")
            panel = self._panel(conn, panel_id)
            if actor.role == "chair":
                self._may_run(actor, panel)
            rows = conn.execute(
                sa.select(
                    Expert.expert_id,
                    Expert.name.label("expert_name"),
                    Candidate.project_id,
                    Sheet.status,
                    Sheet.version,
                    Sheet.updated_at,
                )
                .join(Expert, Expert.id == Sheet.expert_pk)
                .join(Candidate, Candidate.id == Sheet.candidate_pk)
                .where(Sheet.panel_id == panel.id)
                .order_by(Expert.expert_id, Candidate.project_id)
            ).all()
        return pd.DataFrame.from_records(
            [dict(r._mapping) for r in rows],
            columns=["expert_id", "expert_name", "project_id", "status", "version", "updated_at"],
        )

    # ---------------------------------------------------------------- corrections
    def request_correction(
        self,
        actor: Actor,
        panel_id: int,
        project_id: str,
        scores: Mapping[str, Any],
        reason: str,
        *,
        base_version: int,
    ) -> int:
        """Ask the chair to change the actor's confirmed sheet. Returns the request id."""
        if not str(reason or "").strip():
            raise StoreError("更正需要说明原因 / a correction needs a reason")
        with self._read() as conn:
            cfg = self._scoring_config(conn, actor, panel_id)
        clean = clean_scores(scores, cfg, complete=True)
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "expert", "bank")
            sheet = self._own_sheet(tx.conn, actor, panel_id, project_id, lock=True)
            if sheet.status != "confirmed":
                raise RuleViolation(
                    "评分表尚未确认，可直接修改 / the sheet is not confirmed: save a draft instead"
                )
            if int(base_version) != sheet.version:
                raise RuleViolation(
                    f"评分表已更新（版本 {sheet.version}）/ the sheet changed (version {sheet.version}): reload"
                )
            cid = tx.conn.execute(
                sa.insert(Correction)
                .values(
                    sheet_id=sheet.id,
                    base_version=sheet.version,
                    scores=clean,
                    reason=str(reason).strip(),
                    requested_by=actor.label,
                    status="pending",
                    created_at=now(),
                )
                .returning(Correction.id)
            ).scalar_one()
            tx.audit(
                "correction.request",
                f"panel:{panel_id}/{project_id}/{actor.label}",
                {"correction": cid, "reason": reason, "scores": clean},
            )
            return int(cid)

    def corrections(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """Correction requests of a panel (its chair or the organizer). Values are shown only
        once the panel is closed (blind scoring)."""
        with self._read() as conn:
            self._check(conn, actor, "organizer", "chair")
            panel = self._panel(conn, panel_id)
            if actor.role == "chair":
                self._may_run(actor, panel)
            rows = conn.execute(
                sa.select(
                    Correction.id,
                    Expert.expert_id,
                    Candidate.project_id,
                    Correction.reason,
                    Correction.status,
                    Correction.requested_by,
                    Correction.created_at,
                    Correction.scores,
                )
                .join(Sheet, Sheet.id == Correction.sheet_id)
                .join(Expert, Expert.id == Sheet.expert_pk)
                .join(Candidate, Candidate.id == Sheet.candidate_pk)
                .where(Sheet.panel_id == panel.id)
                .order_by(Correction.id)
            ).all()
        recs = [dict(r._mapping) for r in rows]
        for r in recs:
            if panel.status != "closed":
                r["scores"] = None
        return pd.DataFrame.from_records(
            recs,
            columns=[
                "id",
                "expert_id",
                "project_id",
                "reason",
                "status",
                "requested_by",
                "created_at",
                "scores",
            ],
        )

    def decide_correction(
        self, actor: Actor, correction_id: int, *, approve: bool, note: str = ""
    ) -> SaveResult | None:
        """Approve (a new ``correction`` version is written) or reject a correction request.

        Only the chair of the sheet's panel. Returns the save result when approved (``stale``
        when the sheet changed since the request).
        """
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "chair", "organizer")
            row = tx.conn.execute(
                sa.select(
                    Correction.id,
                    Correction.sheet_id,
                    Correction.base_version,
                    Correction.scores,
                    Correction.reason,
                    Correction.requested_by,
                    Correction.status,
                    Sheet.panel_id,
                    Sheet.version.label("sheet_version"),
                    Sheet.comment.label("sheet_comment"),
                )
                .join(Sheet, Sheet.id == Correction.sheet_id)
                .where(Correction.id == int(correction_id))
            ).first()
            if row is None:
                raise NotFound(f"无此更正申请 / no correction {correction_id}")
            corr, panel_id, sheet_version = row, row.panel_id, row.sheet_version
            panel = self._panel(tx.conn, panel_id)
            self._may_run(actor, panel)
            if corr.status != "pending":
                raise RuleViolation(
                    f"更正申请已处理 / correction {correction_id} is already {corr.status}"
                )
            ts = now()
            if not approve:
                tx.conn.execute(
                    sa.update(Correction)
                    .where(Correction.id == corr.id)
                    .values(status="rejected", decided_by=actor.label, decided_at=ts)
                )
                tx.audit("correction.reject", f"correction:{corr.id}", {"note": note})
                return None
            if sheet_version != corr.base_version:
                tx.conn.execute(
                    sa.update(Correction)
                    .where(Correction.id == corr.id)
                    .values(status="stale", decided_by=actor.label, decided_at=ts)
                )
                tx.audit(
                    "correction.stale", f"correction:{corr.id}", {"sheet_version": sheet_version}
                )
                return SaveResult(STALE, sheet_version, "confirmed")
            version = sheet_version + 1
            tx.conn.execute(
                sa.insert(SheetVersion).values(
                    sheet_id=corr.sheet_id,
                    version=version,
                    kind="correction",
                    scores=corr.scores,
                    comment=corr.sheet_comment or "",
                    request_id=f"correction:{corr.id}",
                    author=corr.requested_by,
                    approved_by=actor.label,
                    reason=corr.reason,
                    created_at=ts,
                )
            )
            tx.conn.execute(
                sa.update(Sheet)
                .where(Sheet.id == corr.sheet_id)
                .values(version=version, scores=corr.scores, updated_at=ts)
            )
            tx.conn.execute(
                sa.update(Correction)
                .where(Correction.id == corr.id)
                .values(status="approved", decided_by=actor.label, decided_at=ts)
            )
            tx.audit(
                "correction.approve",
                f"correction:{corr.id}",
                {
                    "panel": panel_id,
                    "version": version,
                    "scores": corr.scores,
                    "reason": corr.reason,
                    "note": note,
                },
            )
            return SaveResult(SAVED, version, "confirmed")

    # ---------------------------------------------------------------- results (after close)
    def _check_results_reader(self, conn: Connection, actor: Actor, panel: Any) -> None:
        self._check(conn, actor)
        self._check_panel_reader(conn, actor, panel)
        if panel.status != "closed":
            raise AccessDenied(
                "评审组尚未结束，结果不可见（盲评）/ results are hidden until the chair closes the panel"
            )

    def panel_scores(self, actor: Actor, panel_id: int, *, history: bool = False) -> pd.DataFrame:
        """Scores of a closed panel as the long table (``project_id, expert_id, criterion, score``)
        plus the sheet's ``comment`` (评语, repeated on each criterion row of the sheet).

        Only confirmed sheets (their current version). With ``history=True`` (organizer only),
        every version of every sheet with ``version, kind, author, approved_by, reason,
        created_at``. Candidates the actor is recused from are left out.
        """
        with self._read() as conn:
            panel = self._panel(conn, panel_id)
            self._check_results_reader(conn, actor, panel)
            if history and actor.role != "organizer":
                raise AccessDenied("需要组织方角色 / every version is for organizers only")
            cfg = self._config(conn, panel.id)
            keys = list(cfg[0].keys) if cfg else []
            all_c = list(
                conn.execute(
                    sa.select(PanelCandidate.candidate_pk).where(
                        PanelCandidate.panel_id == panel.id
                    )
                ).scalars()
            )
            hidden = self._hidden_for(conn, actor, panel, all_c)
            base = (
                sa.select(Candidate.project_id, Expert.expert_id, Sheet.candidate_pk)
                .join(Candidate, Candidate.id == Sheet.candidate_pk)
                .join(Expert, Expert.id == Sheet.expert_pk)
                .where(Sheet.panel_id == panel.id)
            )
            if history:
                rows = conn.execute(
                    base.add_columns(
                        SheetVersion.version,
                        SheetVersion.kind,
                        SheetVersion.scores,
                        SheetVersion.comment,
                        SheetVersion.author,
                        SheetVersion.approved_by,
                        SheetVersion.reason,
                        SheetVersion.created_at,
                    )
                    .join(SheetVersion, SheetVersion.sheet_id == Sheet.id)
                    .order_by(Candidate.project_id, Expert.expert_id, SheetVersion.version)
                ).all()
            else:
                rows = conn.execute(
                    base.add_columns(Sheet.scores, Sheet.comment)
                    .where(Sheet.status == "confirmed")
                    .order_by(Candidate.project_id, Expert.expert_id)
                ).all()
        recs = []
        for r in rows:
            if r.candidate_pk in hidden:
                continue
            extra = {}
            if history:
                extra = {
                    "version": r.version,
                    "kind": r.kind,
                    "author": r.author,
                    "approved_by": r.approved_by,
                    "reason": r.reason,
                    "created_at": r.created_at,
                }
            for k in keys:
                if k in (r.scores or {}):
                    recs.append(
                        {
                            "project_id": r.project_id,
                            "expert_id": r.expert_id,
                            "criterion": k,
                            "score": float(r.scores[k]),
                            "comment": r.comment or "",
                            **extra,
                        }
                    )
        cols = ["project_id", "expert_id", "criterion", "score", "comment"]
        if history:
            cols += ["version", "kind", "author", "approved_by", "reason", "created_at"]
        df = pd.DataFrame.from_records(recs, columns=cols)
        df["score"] = df["score"].astype(float)
        return df

    def results(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """The ranking of a closed panel, computed with its frozen configuration.

        Returns the ``scoring.engine.ranking.rank`` frame (index ``project_id``; ``score``, ``rank``)
        with the aggregated criteria columns and ``name``; ``attrs["config_hash"]`` names the
        configuration.
        """
        from ..engine.aggregation import aggregate
        from ..engine.ranking import rank

        long = self.panel_scores(actor, panel_id)
        with self._read() as conn:
            cfg, h = self._config(conn, int(panel_id))  # type: ignore[misc]
            names = dict(
                conn.execute(
                    sa.select(Candidate.project_id, Candidate.name)
                    .join(PanelCandidate, PanelCandidate.candidate_pk == Candidate.id)
                    .where(PanelCandidate.panel_id == int(panel_id))
                ).all()
            )
        if long.empty:
            raise RuleViolation("没有已确认的评分 / no confirmed scores in this panel")
        matrix = aggregate(long, how=cfg.aggregation, trim_min=cfg.trim_min, criteria=cfg.keys)
        ranking = rank(
            matrix,
            weights=cfg.weights,
            objectives=cfg.objectives,
            method=cfg.ranking_method,
            **cfg.ranking_options,
        )
        out = ranking.join(matrix)
        out.insert(0, "name", [names.get(p, "") for p in out.index])
        out.attrs.update(ranking.attrs)
        out.attrs["config_hash"] = h
        out.attrs["panel_id"] = int(panel_id)
        return out

    # ---------------------------------------------------------------- bank basket
    def _basket_owner(self, conn: Connection, actor: Actor) -> str:
        """The bank name a basket is kept for (refuses roles without a basket)."""
        self._check(conn, actor, "bank", "organizer")
        if actor.account_id == _SYSTEM_ID:
            raise AccessDenied("命令行没有项目篮 / the command line has no basket")
        bank = None
        if actor.expert_pk is not None:
            bank = conn.execute(sa.select(Expert.bank).where(Expert.id == actor.expert_pk)).scalar()
        return str(bank or actor.name or actor.login)

    def _basket_pool(self, conn: Connection, actor: Actor) -> list[str]:
        """Project ids the actor may put in a basket: candidates of the current round's closed
        panels whose results the actor may read (recused ones left out)."""
        rid = self._round_id(conn)
        pool: dict[str, None] = {}
        for pid in conn.execute(
            sa.select(Panel.id)
            .where(Panel.round_id == rid, Panel.status == "closed")
            .order_by(Panel.id)
        ).scalars():
            panel = self._panel(conn, pid)
            for r in self._visible_candidates(conn, actor, panel):
                pool[str(r.project_id)] = None
        return list(pool)

    def _basket_row(self, conn: Connection, actor: Actor, *, lock: bool) -> list[str]:
        q = sa.select(BankBasket.projects).where(BankBasket.account_id == actor.account_id)
        if lock:
            q = q.with_for_update()
        row = conn.execute(q).first()
        return [] if row is None else [str(p) for p in row.projects]

    def basket(self, actor: Actor) -> BankPortfolio:
        """The actor's portfolio basket as stored (a bank reviewer's, or an organizer's own)."""
        with self._read() as conn:
            bank = self._basket_owner(conn, actor)
            return BankPortfolio(bank, projects=tuple(self._basket_row(conn, actor, lock=False)))

    def _set_basket(self, actor: Actor, change: str, ids: list[str]) -> BankPortfolio:
        from ..programme.portfolio import BANK_LIMIT, check_allocation

        with self._write(actor) as tx:
            bank = self._basket_owner(tx.conn, actor)
            have = self._basket_row(tx.conn, actor, lock=True)
            if change == "add":
                new = [p for p in ids if p not in have]
                projects = [*have, *new]
                # the limit and the pool, checked all at once (nothing added when refused)
                check_allocation(
                    {bank: projects}, limit=BANK_LIMIT, catalogue=self._basket_pool(tx.conn, actor)
                )
                changed = new
            else:
                missing = [p for p in ids if p not in have]
                if missing:
                    raise NotFound(f"项目不在项目篮中 / not in the basket: {', '.join(missing)}")
                projects = [p for p in have if p not in ids]
                changed = ids
            portfolio = check_allocation({bank: projects}, limit=BANK_LIMIT)[bank]
            if not changed:
                return portfolio
            values = {"projects": projects, "updated_at": now()}
            n = tx.conn.execute(
                sa.update(BankBasket)
                .where(BankBasket.account_id == actor.account_id)
                .values(**values)
            ).rowcount
            if not n:
                tx.conn.execute(sa.insert(BankBasket).values(account_id=actor.account_id, **values))
            tx.audit(
                f"basket.{change}",
                f"account:{actor.label}",
                {"projects": changed, "basket": projects},
            )
            return portfolio

    def add_to_basket(self, actor: Actor, project_ids: Iterable[str]) -> BankPortfolio:
        """Add projects to the actor's basket, all or nothing (audited).

        Only candidates of closed panels the actor may read (recused ones not); at most
        :data:`scoring.programme.portfolio.BANK_LIMIT` (20) projects: the 21st is refused with
        :class:`scoring.programme.portfolio.PortfolioLimitError` and nothing is added. Projects already
        in the basket are ignored.
        """
        ids = list(dict.fromkeys(str(p) for p in project_ids))
        return self._set_basket(actor, "add", ids)

    def remove_from_basket(self, actor: Actor, project_ids: Iterable[str]) -> BankPortfolio:
        """Remove projects from the actor's basket (audited); a project not in it is refused."""
        ids = list(dict.fromkeys(str(p) for p in project_ids))
        return self._set_basket(actor, "remove", ids)

    # ---------------------------------------------------------------- imports
    def import_candidates(
        self, actor: Actor, source: str | os.PathLike[str] | pd.DataFrame
    ) -> ImportResult:
        """Import candidates from an xlsx/csv file or a DataFrame: all or nothing; re-importing
        the same content changes nothing (not even the audit trail)."""
        from .imports import prepare_candidates

        rows, label = prepare_candidates(source)
        return self._import(actor, "candidates", rows, label)

    def import_experts(
        self, actor: Actor, source: str | os.PathLike[str] | pd.DataFrame
    ) -> ImportResult:
        """Import experts (same rules as :meth:`import_candidates`)."""
        from .imports import prepare_experts

        rows, label = prepare_experts(source)
        return self._import(actor, "experts", rows, label)

    def _import(
        self, actor: Actor, what: str, rows: list[dict[str, Any]], label: str
    ) -> ImportResult:
        model, key = (Candidate, "project_id") if what == "candidates" else (Expert, "expert_id")
        with self._write(actor) as tx:
            self._check(tx.conn, actor, "organizer")
            rid = self._round_id(tx.conn)
            existing = {
                r.key: (r.id, r.data)
                for r in tx.conn.execute(
                    sa.select(getattr(model, key).label("key"), model.id, model.data).where(
                        model.round_id == rid
                    )
                )
            }
            added, changed, same = [], [], 0
            for rec in rows:
                cols = _columns(what, rec)
                if rec[key] not in existing:
                    tx.conn.execute(sa.insert(model).values(round_id=rid, data=rec, **cols))
                    added.append(rec[key])
                elif existing[rec[key]][1] != rec:
                    tx.conn.execute(
                        sa.update(model)
                        .where(model.id == existing[rec[key]][0])
                        .values(data=rec, **cols)
                    )
                    changed.append(rec[key])
                else:
                    same += 1
            if added or changed:
                self._sync_recusals(tx)
                tx.audit(
                    f"import.{what}", label, {"added": added, "changed": changed, "unchanged": same}
                )
            return ImportResult(tuple(added), tuple(changed), same)

    # ---------------------------------------------------------------- audit
    def verify(self) -> VerifyReport:
        """Recompute the audit chain (see :func:`scoring.store.audit.verify`)."""
        with self._read() as conn:
            return verify(conn)

    def audit_log(self, actor: Actor, *, limit: int = 200) -> pd.DataFrame:
        """The newest audit records (organizer only)."""
        from .models import AuditRecord

        with self._read() as conn:
            self._check(conn, actor, "organizer")
            rows = conn.execute(
                sa.select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
            ).all()
        return pd.DataFrame.from_records(
            [
                {
                    "seq": r.seq,
                    "ts": r.ts,
                    "actor": r.actor,
                    "action": r.action,
                    "target": r.target,
                    "details": r.details,
                    "hash": r.hash,
                }
                for r in rows
            ],
            columns=["seq", "ts", "actor", "action", "target", "details", "hash"],
        )


def _columns(what: str, rec: Mapping[str, Any]) -> dict[str, Any]:
    def s(k: str) -> str | None:
        v = rec.get(k)
        return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)

    if what == "candidates":
        return {
            "project_id": s("project_id"),
            "name": s("name") or "",
            "kind": s("kind") or "",
            "city": s("city") or "",
            "industry": s("industry"),
            "enterprise_type": s("enterprise_type"),
            "lender_bank": s("lender_bank"),
        }
    return {
        "expert_id": s("expert_id"),
        "name": s("name") or "",
        "employer": s("employer"),
        "kind": s("kind") or "",
        "bank": s("bank"),
        "city": s("city"),
    }


def _safe_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


__all__ = ["ImportResult", "Workbench"]
