"""Refusals raised by the store. All are ``ValueError`` so the command line prints one line, exit 2."""

from __future__ import annotations


class StoreError(ValueError):
    """A request the store refuses; nothing was changed."""


class AccessDenied(StoreError):
    """The actor's role or the review rules (recusal, blind scoring) forbid this read or write."""


class RuleViolation(StoreError):
    """The request breaks a rule of the procedure (frozen configuration, confirmed sheet, state)."""


class NotFound(StoreError):
    """The named panel, candidate, expert or account does not exist (or is hidden from the actor)."""
