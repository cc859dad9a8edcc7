"""Roles and access codes.

An access code reads ``<LOGIN>-XXXX-XXXX-XXXX``: the login names the account (so a login costs
one hash, not one per account) and the 12-character secret (Crockford base32, 60 bits) is stored
only as a salted :func:`hashlib.scrypt` hash ``scrypt$n$r$p$salt$hash``. Reissuing a code
replaces the hash and bumps ``code_version``, which ends every session of the old code;
revoking deactivates the account.

An :class:`Actor` is issued only by ``login`` (and the command line's ``system_actor``): it
carries a seal, an HMAC of its fields under a secret of the store object that issued it, so an
actor built or altered by the caller is refused (:func:`seal_of`). Failed logins are throttled
per login and per client address (:data:`LOGIN_LIMIT`, :data:`CLIENT_LIMIT`), counted in the
database so that every server process sees them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

#: Roles: organizer (commerce department), chair, expert, bank reviewer; for the follow-up
#: stage the project unit (项目单位) and the city bureau of commerce (市商务局).
ROLES: dict[str, str] = {
    "organizer": "组织方",
    "chair": "主持人",
    "expert": "评审专家",
    "bank": "银行评审",
    "unit": "项目单位",
    "city": "市商务局",
}
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
LOGIN_RE = re.compile(r"^[A-Z0-9][A-Z0-9_.]{0,62}$")
_CODE_RE = re.compile(r"^(?P<login>.+)-(?P<secret>[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$")


@dataclass(frozen=True)
class Actor:
    """Who is calling: returned by ``Workbench.login`` and passed to every store call.

    The store re-reads the account on every call, so a revoked or reissued code stops working
    at once. ``seal`` is the issuing store's HMAC of the other fields: an actor built by the
    caller (or changed with :func:`dataclasses.replace`) has none that matches.
    """

    account_id: int
    login: str
    role: str
    name: str
    expert_pk: int | None
    code_version: int
    seal: bytes = field(default=b"", repr=False, compare=False)

    def fields(self) -> tuple[int, str, str, str, int | None, int]:
        """The fields the seal covers."""
        return (
            self.account_id,
            self.login,
            self.role,
            self.name,
            self.expert_pk,
            self.code_version,
        )

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


def seal_of(key: bytes, fields: tuple[object, ...]) -> bytes:
    """HMAC-SHA256 of an actor's ``fields`` under a store's secret ``key`` (one C call)."""
    return hmac.digest(key, repr(fields).encode(), "sha256")


def check_once(secret: str, stored: str | None) -> bool:
    """:func:`check_secret` doing exactly one scrypt of the current cost when ``stored`` is no
    usable hash (a revoked account has none): every refusal then costs the same time."""
    usable = bool(stored) and str(stored).startswith("scrypt$") and str(stored).count("$") == 5
    if not usable:
        check_secret(secret, dummy_hash())
        return False
    return check_secret(secret, stored)


# ---------------------------------------------------------------- login throttling
#: Attempts of one login allowed per window; past them the login is refused (even with the
#: right code) until the window ends. A success starts a new window.
LOGIN_LIMIT = 5
#: Failed attempts from one client address allowed per window (several experts may share a
#: venue's address, so it is higher; a success does not count).
CLIENT_LIMIT = 30
#: Length of a throttling window, seconds.
WINDOW_S = 300.0
#: Seconds between two ``auth.fail`` records of one login (the failures between are counted).
AUDIT_EVERY_S = 60.0
#: ``auth.fail`` records per minute over all logins (a flood of invented logins is cut here;
#: the failures stay counted and reach the next record of their login).
AUDIT_PER_MINUTE = 60
#: Longest login or client address kept (longer input is cut).
KEY_MAX = 64


def login_key(login: str | None) -> str:
    """Throttling key of a typed login (``login:?`` for text not shaped like a code)."""
    return "login:" + (login[:KEY_MAX] if login else "?")


def clean_client(client: str | None) -> str | None:
    """A client address as kept (stripped, at most :data:`KEY_MAX` characters; ``None`` when
    the caller does not know it)."""
    text = "" if client is None else str(client).strip()[:KEY_MAX]
    return text or None


def client_key(client: str | None) -> str | None:
    """Throttling key of a client address (``None``: the caller does not know it)."""
    text = clean_client(client)
    return None if text is None else "client:" + text
