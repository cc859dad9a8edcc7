"""Roles and access codes.

An access code reads ``<LOGIN>-XXXX-XXXX-XXXX``: the login names the account (so a login costs
one hash, not one per account) and the 12-character secret (Crockford base32, 60 bits) is stored
only as a salted :func:`hashlib.scrypt` hash ``scrypt$n$r$p$salt$hash``. Reissuing a code
replaces the hash and bumps ``code_version``, which ends every session of the old code;
revoking deactivates the account.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

#: Roles: organizer (commerce department), chair, expert, bank reviewer.
ROLES: dict[str, str] = {
    "organizer": "组织方",
    "chair": "主持人",
    "expert": "评审专家",
    "bank": "银行评审",
}
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
LOGIN_RE = re.compile(r"^[A-Z0-9][A-Z0-9_.]{0,62}$")
_CODE_RE = re.compile(r"^(?P<login>.+)-(?P<secret>[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$")


@dataclass(frozen=True)
class Actor:
    """Who is calling: returned by ``Workbench.login`` and passed to every store call.

    The store re-reads the account on every call, so a revoked or reissued code stops working
    at once.
    """

    account_id: int
    login: str
    role: str
    name: str
    expert_pk: int | None
    code_version: int

    @property
    def label(self) -> str:
        """How the audit trail names this actor."""
        return self.login


def normalise_login(login: str) -> str:
    """Upper-case, stripped login."""
    return str(login).strip().upper()


def new_secret() -> str:
    """A fresh random secret ``XXXX-XXXX-XXXX``."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def hash_secret(secret: str, *, n: int | None = None) -> str:
    """Salted scrypt hash of ``secret`` in the form ``scrypt$n$r$p$salt$hash``."""
    n = n or SCRYPT_N
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


#: Process-local memo of codes already verified with scrypt: stored hash -> SHA-256 of (stored
#: hash, secret). The confirmation of a score sheet re-checks the code the same kernel used to
#: log in; without the memo every confirmation costs a full scrypt (about 55 ms of CPU), and 30
#: experts confirming at once saturate a 2-core machine. A reissued code has a new stored hash,
#: so it never hits the memo; a wrong code always pays the full scrypt.
_VERIFIED: dict[str, bytes] = {}
_VERIFIED_MAX = 4096


def _memo_key(secret: str, stored: str) -> bytes:
    return hashlib.sha256(stored.encode() + b"\0" + secret.encode()).digest()


def check_secret(secret: str, stored: str | None) -> bool:
    """Whether ``secret`` matches the stored hash (constant-time comparison).

    A secret that already matched ``stored`` in this process is recognised from a memo (one
    SHA-256) instead of a second scrypt; anything else is checked with scrypt.
    """
    if not stored:
        return False
    memo = _VERIFIED.get(stored)
    if memo is not None and hmac.compare_digest(memo, _memo_key(secret, stored)):
        return True
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        got = hashlib.scrypt(
            secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    ok = hmac.compare_digest(got.hex(), digest)
    if ok:
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[stored] = _memo_key(secret, stored)
    return ok


def split_code(code: str) -> tuple[str, str] | None:
    """``(login, secret)`` of an access code, or ``None`` if it is not shaped like one."""
    text = re.sub(r"\s+", "", str(code)).upper()
    m = _CODE_RE.match(text)
    if not m:
        return None
    return m["login"], m["secret"]


_DUMMY: dict[int, str] = {}


def dummy_hash() -> str:
    """A hash of the current cost to check against when the login does not exist (so an unknown
    login costs as much time as a wrong code)."""
    if SCRYPT_N not in _DUMMY:
        _DUMMY[SCRYPT_N] = hash_secret(secrets.token_hex(8))
    return _DUMMY[SCRYPT_N]
