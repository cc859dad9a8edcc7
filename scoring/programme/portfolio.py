"""Bank portfolios: each bank cooperates on at most 20 key projects (原则上不超过20个).

:class:`BankPortfolio` is immutable: :meth:`~BankPortfolio.add` and :meth:`~BankPortfolio.remove`
return a new portfolio and refuse a project beyond the limit with :class:`PortfolioLimitError`
(a ``ValueError``). :func:`check_allocation` checks a whole allocation (bank -> projects) at once.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import InputError, Problem

#: Projects a bank cooperates on, at most (晋商建〔2020〕24号).
BANK_LIMIT = 20


class PortfolioLimitError(InputError):
    """A bank portfolio would hold more projects than its limit (a ``ValueError``)."""


@dataclass(frozen=True)
class BankPortfolio:
    """The projects one bank chooses to finance.

    Parameters
    ----------
    bank : str
        The bank's name.
    limit : int, default 20
        Most projects the bank may hold.
    projects : tuple of str
        Project ids, in the order they were added.

    Raises
    ------
    InputError
        Empty bank name, a bad limit, repeated projects; :class:`PortfolioLimitError` when
        ``projects`` already exceeds ``limit``.
    """

    bank: str
    limit: int = BANK_LIMIT
    projects: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.bank, str) or not self.bank.strip():
            problems.append(Problem("bank name is empty", column="bank"))
        if (
            isinstance(self.limit, bool)
            or not isinstance(self.limit, numbers.Integral)
            or self.limit < 1
        ):
            problems.append(
                Problem(f"limit must be a whole number >= 1, got {self.limit!r}", column="limit")
            )
        object.__setattr__(self, "projects", tuple(str(p) for p in self.projects))
        dup = sorted({p for p in self.projects if self.projects.count(p) > 1})
        for p in dup:
            problems.append(Problem(f"project '{p}' is listed twice", row=p, column="projects"))
        if problems:
            raise InputError(problems)
        if len(self.projects) > self.limit:
            raise PortfolioLimitError(
                [
                    Problem(
                        f"{self.bank}: {len(self.projects)} projects exceed the limit of {self.limit} "
                        f"(每家银行原则上合作不超过{self.limit}个重点项目)",
                        column="projects",
                    )
                ]
            )

    def __len__(self) -> int:
        return len(self.projects)

    def __contains__(self, project_id: object) -> bool:
        return str(project_id) in self.projects

    @property
    def remaining(self) -> int:
        """How many more projects the bank may take."""
        return self.limit - len(self.projects)

    def add(self, project_id: str) -> BankPortfolio:
        """A new portfolio with ``project_id`` added.

        Raises
        ------
        PortfolioLimitError
            When the portfolio is full (the 21st project with the default limit).
        InputError
            When the project is already in the portfolio.
        """
        pid = str(project_id)
        if pid in self.projects:
            raise InputError(
                [Problem(f"{self.bank}: project '{pid}' is already in the portfolio", row=pid)]
            )
        if len(self.projects) >= self.limit:
            raise PortfolioLimitError(
                [
                    Problem(
                        f"{self.bank} already has {len(self.projects)} projects; cannot add '{pid}' "
                        f"(limit {self.limit}, 每家银行原则上不超过{self.limit}个)",
                        row=pid,
                    )
                ]
            )
        return BankPortfolio(self.bank, self.limit, (*self.projects, pid))

    def remove(self, project_id: str) -> BankPortfolio:
        """A new portfolio without ``project_id`` (InputError if it is not there)."""
        pid = str(project_id)
        if pid not in self.projects:
            raise InputError(
                [Problem(f"{self.bank}: project '{pid}' is not in the portfolio", row=pid)]
            )
        return BankPortfolio(self.bank, self.limit, tuple(p for p in self.projects if p != pid))


def check_allocation(
    allocation: Mapping[str, Iterable[str]],
    *,
    limit: int = BANK_LIMIT,
    catalogue: Iterable[str] | None = None,
) -> dict[str, BankPortfolio]:
    """Check a whole allocation (bank -> project ids) and return the portfolios.

    Parameters
    ----------
    allocation : mapping
        Bank name -> the project ids it chose.
    limit : int, default 20
        Most projects per bank.
    catalogue : iterable of str, optional
        When given, every project must be in the catalogue.

    Raises
    ------
    PortfolioLimitError
        When any bank is over the limit (every such bank is named; other problems listed too).
    InputError
        Repeated projects within a bank, projects outside the catalogue, empty bank names.
    """
    problems: list[Problem] = []
    over = False
    known = None if catalogue is None else {str(c) for c in catalogue}
    out: dict[str, BankPortfolio] = {}
    for bank, projects in allocation.items():
        items = [str(p) for p in projects]
        if known is not None:
            for p in items:
                if p not in known:
                    problems.append(
                        Problem(
                            f"{bank}: project '{p}' is not in the catalogue",
                            row=p,
                            column=str(bank),
                        )
                    )
        try:
            out[bank] = BankPortfolio(bank, limit, tuple(items))
        except PortfolioLimitError as exc:
            over = True
            problems += exc.problems
        except InputError as exc:
            problems += [Problem(f"{bank}: {p.message}", p.row, str(bank)) for p in exc.problems]
    if problems:
        raise (PortfolioLimitError if over else InputError)(problems)
    return out
