"""Portfolio baskets: the projects a bank reviewer (or an organizer, for himself) keeps from
the closed panels' results, at most :data:`scoring.programme.portfolio.BANK_LIMIT`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..programme.portfolio import BankPortfolio
from . import lookups, rights
from .accounts import Actor
from .audit import now
from .errors import NotFound
from .models import BankBasket, Expert, Panel
from .unit_of_work import StoreService


def _basket_row(conn: Connection, actor: Actor, *, lock: bool) -> list[str]:
    """The stored basket; with ``lock``, the basket's row is created if missing and locked
    until the transaction ends, so that two pages changing one basket at once take turns."""
    q = sa.select(BankBasket.projects).where(BankBasket.account_id == actor.account_id)
    if lock:
        _ensure_row(conn, actor.account_id)
        q = q.with_for_update()
    row = conn.execute(q).first()
    return [] if row is None else [str(p) for p in row.projects]


def _ensure_row(conn: Connection, account_id: int) -> None:
    """Insert an empty basket row unless there is one (``ON CONFLICT DO NOTHING``).

    On PostgreSQL a concurrent first change waits here for the other transaction's row and then
    locks it (no unique-key error, no lost update); SQLite's writers are serialised already.
    """
    insert = _dialect_insert(conn)(BankBasket).values(
        account_id=account_id, projects=[], updated_at=now()
    )
    conn.execute(insert.on_conflict_do_nothing(index_elements=[BankBasket.account_id]))


def _dialect_insert(conn: Connection) -> Callable[..., Any]:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _basket_pool(conn: Connection, actor: Actor) -> list[str]:
    """Project ids the actor may put in a basket: candidates of the current round's closed
    panels whose results the actor may read (recused ones left out)."""
    rid = lookups.round_id(conn)
    pool: dict[str, None] = {}
    for pid in conn.execute(
        sa.select(Panel.id)
        .where(Panel.round_id == rid, Panel.status == "closed")
        .order_by(Panel.id)
    ).scalars():
        panel = lookups.panel_row(conn, pid)
        for r in rights.visible_candidates(conn, actor, panel):
            pool[str(r.project_id)] = None
    return list(pool)


class BasketService(StoreService):
    """Portfolio baskets over the shared store."""

    def _owner(self, conn: Connection, actor: Actor) -> str:
        """The bank name a basket is kept for (refuses roles without a basket)."""
        rights.may_keep_basket(self.store, conn, actor)
        bank = None
        if actor.expert_pk is not None:
            bank = conn.execute(sa.select(Expert.bank).where(Expert.id == actor.expert_pk)).scalar()
        return str(bank or actor.name or actor.login)

    def basket(self, actor: Actor) -> BankPortfolio:
        """The actor's portfolio basket as stored (a bank reviewer's, or an organizer's own)."""
        with self.store.read() as conn:
            bank = self._owner(conn, actor)
            return BankPortfolio(bank, projects=tuple(_basket_row(conn, actor, lock=False)))

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

    def _set_basket(self, actor: Actor, change: str, ids: list[str]) -> BankPortfolio:
        from ..programme.portfolio import BANK_LIMIT, check_allocation

        with self.store.write(actor) as tx:
            bank = self._owner(tx.conn, actor)
            have = _basket_row(tx.conn, actor, lock=True)
            if change == "add":
                new = [p for p in ids if p not in have]
                projects = [*have, *new]
                # the limit and the pool, checked all at once (nothing added when refused)
                check_allocation(
                    {bank: projects}, limit=BANK_LIMIT, catalogue=_basket_pool(tx.conn, actor)
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
            tx.conn.execute(
                sa.update(BankBasket)
                .where(BankBasket.account_id == actor.account_id)
                .values(projects=projects, updated_at=now())
            )  # the row exists and is locked (_basket_row)
            tx.audit(
                f"basket.{change}",
                f"account:{actor.label}",
                {"projects": changed, "basket": projects},
            )
            return portfolio
