"""Who may use a kernel, and how many kernels a client may start (see :mod:`scoring.ui.serve`).

A kernel id used to be the only secret of a page: whoever knew it (it was logged at INFO) could
attach to the kernel's websocket, read every widget's state (a typed access code included),
write the expert's draft and shut the kernel down. Now:

* **Each kernel is bound to the browser that opened its page.** The page's response sets a
  cookie ``scoring_page_<tag>`` holding a random secret; the kernel started for that page is
  bound to ``(tag, sha256(secret))``. Every request naming a live kernel (its websocket, the
  kernel REST calls, the shutdown beacon) must carry that cookie, else it is refused (403). The
  cookie is HttpOnly and SameSite=Strict; one cookie per page, so pages opened at once in one
  browser never overwrite each other's secret. Its name cannot collide with HAProxy's
  ``SERVERID`` and it passes through a proxy like any other cookie.
* **Kernel ids are kept out of the logs**: every UUID in a log line is replaced by a short
  fingerprint (``id~1a2b3c4d``), enough to follow one kernel through the log.
* **Caps**: at most ``max_per_client`` kernels per client address and ``max_total`` in all
  (live kernels plus pages being rendered); a page past a cap gets a bilingual "server busy"
  page (429 for one client, 503 for the server). ``X-Forwarded-For`` gives the client address
  only when the connection comes from a trusted proxy.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import itertools
import logging
import re
import secrets
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Prefix of the per-page cookie (HAProxy's stickiness cookie is ``SERVERID``).
COOKIE_PREFIX = "scoring_page_"
#: Default caps (``scoring serve --max-kernels-per-client / --max-kernels``). A kernel takes
#: ~120 MB: 48 of them ~6 GB per server process. 16 per address leaves room for a tablet that
#: reloads, and for the dashboards benchmark's ten pages opened at once from one machine.
MAX_KERNELS_PER_CLIENT = 16
MAX_KERNELS = 48
#: Seconds a refused browser is told to wait (``Retry-After``).
RETRY_AFTER = 30

_TAG_RE = re.compile(r"^[0-9a-f]{16}$")
_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


@dataclass
class Reservation:
    """A page being rendered: its client, and the cookie its kernel will be bound to."""

    client: str
    tag: str = field(default_factory=lambda: secrets.token_hex(8))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    number: int = 0

    @property
    def cookie_name(self) -> str:
        """Name of the page's cookie."""
        return COOKIE_PREFIX + self.tag


@dataclass(frozen=True)
class Binding:
    """What a request must show to use a kernel: the cookie ``tag`` with a secret of ``digest``."""

    tag: str
    digest: bytes
    client: str


def parse_networks(values: Iterable[str]) -> tuple[Any, ...]:
    """IP networks from addresses or CIDR blocks (``127.0.0.1``, ``10.0.0.0/8``, ``::1``).

    Raises
    ------
    ValueError
        On a value that is neither (the message names it, in Chinese and English).
    """
    nets = []
    for value in values:
        try:
            nets.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"不是 IP 地址或网段 / not an IP address or network: {value!r}"
            ) from None
    return tuple(nets)


class KernelGuard:
    """Bindings of kernels to pages, and the caps on kernels per client and in total.

    Parameters
    ----------
    max_per_client, max_total : int
        Caps on kernels (live or being started) per client address and in all; 0 = no cap.
    trusted_proxies : iterable of str
        Addresses or networks of proxies whose ``X-Forwarded-For`` is believed (default none).
    """

    def __init__(
        self,
        max_per_client: int = MAX_KERNELS_PER_CLIENT,
        max_total: int = MAX_KERNELS,
        trusted_proxies: Iterable[str] = (),
    ) -> None:
        if max_per_client < 0 or max_total < 0:
            raise ValueError("kernel caps must be >= 0 / 内核上限不能为负数")
        self.max_per_client = int(max_per_client)
        self.max_total = int(max_total)
        self.trusted = parse_networks(trusted_proxies)
        self._bindings: dict[str, Binding] = {}
        self._pending: dict[int, Reservation] = {}
        self._numbers = itertools.count(1)
        #: Whether an ignored ``X-Forwarded-For`` has been reported (once per server).
        self.warned_forwarded = False

    # -- client address ------------------------------------------------------------------------
    def trusts(self, address: str) -> bool:
        """Whether ``address`` is a trusted proxy."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def client_address(self, peer: str, forwarded_for: Iterable[str] = ()) -> str:
        """The client's address: ``peer``, or from ``X-Forwarded-For`` when ``peer`` is trusted.

        The header is read from the right (each proxy appends the address it saw) and the first
        address that is not a trusted proxy is the client; what a client wrote itself further
        left is never reached.
        """
        if not self.trusted or not self.trusts(peer):
            return peer
        hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
        client = peer
        for hop in reversed(hops):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                break
            client = hop
            if not self.trusts(hop):
                break
        return client

    def ignored_forwarded_for(self, peer: str, forwarded_for: str | None) -> bool:
        """True the first time a request from an untrusted ``peer`` carries the header (behind a
        proxy not named by ``--trusted-proxy`` all clients would share one per-client cap)."""
        if self.warned_forwarded or not forwarded_for or self.trusts(peer):
            return False
        self.warned_forwarded = True
        return True

    def forwarded_proto(self, peer: str, header: str | None) -> str | None:
        """``X-Forwarded-Proto`` from a trusted proxy (``https``/``http``), else None."""
        if header and self.trusted and self.trusts(peer):
            proto = header.split(",")[0].strip().lower()
            return proto if proto in ("http", "https") else None
        return None

    # -- caps ------------------------------------------------------------------------------------
    def prune(self, live: Container[str]) -> None:
        """Forget the bindings of kernels no longer in ``live`` (shut down, culled, died)."""
        for kernel_id in [k for k in self._bindings if k not in live]:
            del self._bindings[kernel_id]

    def admit(self, client: str, live: Container[str], n_live: int) -> Reservation | str:
        """Reserve a kernel for a page from ``client``.

        Parameters
        ----------
        client : str
            The client's address (:meth:`client_address`).
        live : container of str
            Ids of the live kernels; ``n_live`` their number.

        Returns
        -------
        Reservation or str
            The reservation, or ``"client"`` / ``"total"``: the cap that refuses the page.
        """
        self.prune(live)
        pending = list(self._pending.values())
        if self.max_total and n_live + len(pending) >= self.max_total:
            return "total"
        if self.max_per_client:
            mine = sum(b.client == client for b in self._bindings.values())
            mine += sum(r.client == client for r in pending)
            if mine >= self.max_per_client:
                return "client"
        res = Reservation(client, number=next(self._numbers))
        self._pending[res.number] = res
        return res

    def bind(self, res: Reservation, kernel_id: str) -> None:
        """Bind ``kernel_id`` to the page of ``res`` (whose reservation it now fills)."""
        self._bindings[kernel_id] = Binding(res.tag, _digest(res.secret), res.client)
        self._pending.pop(res.number, None)

    def release(self, res: Reservation | None) -> None:
        """End a reservation (the page's response is over); idempotent."""
        if res is not None:
            self._pending.pop(res.number, None)

    # -- bindings --------------------------------------------------------------------------------
    def holds(self, kernel_id: str, cookies: Mapping[str, Any]) -> bool:
        """Whether ``cookies`` (name -> value or Morsel) hold ``kernel_id``'s page secret.

        A live kernel bound to no page (a preheated one not yet handed out) is held by no one.
        """
        binding = self._bindings.get(kernel_id)
        if binding is None:
            return False
        value = cookies.get(COOKIE_PREFIX + binding.tag)
        value = getattr(value, "value", value)
        if not isinstance(value, str) or not value:
            return False
        return hmac.compare_digest(_digest(value), binding.digest)

    def stale_cookies(self, names: Iterable[str]) -> list[str]:
        """Page cookies among ``names`` whose kernel is gone (to be cleared)."""
        tags = {b.tag for b in self._bindings.values()}
        tags |= {r.tag for r in self._pending.values()}
        stale = []
        for name in names:
            if name.startswith(COOKIE_PREFIX):
                tag = name[len(COOKIE_PREFIX) :]
                if not _TAG_RE.match(tag) or tag not in tags:
                    stale.append(name)
        return stale

    def count(self, client: str | None = None) -> int:
        """Bound kernels (of ``client``, or all)."""
        return sum(client is None or b.client == client for b in self._bindings.values())


# --- the busy page --------------------------------------------------------------------------

_BUSY = {
    "client": (
        "您这台设备打开的评审页面过多。请关闭不用的页面，稍候再刷新。",
        "Too many review pages are open from this device. Close the pages you no longer "
        "use, then reload in a moment.",
    ),
    "total": (
        "服务器繁忙：同时打开的评审页面已达上限。请稍候再刷新。",
        "The server is busy: it has as many review pages open as it can hold. "
        "Please reload in a moment.",
    ),
}


def busy_status(kind: str) -> int:
    """HTTP status of a refused page: 429 (one client's cap) or 503 (the server's)."""
    return 429 if kind == "client" else 503


def busy_page(kind: str) -> str:
    """The bilingual "server busy" page for the cap ``kind`` (``client`` or ``total``)."""
    zh, en = _BUSY[kind]
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>服务器繁忙 · Server busy</title>
<style>body {{ font-family: sans-serif; max-width: 40em; margin: 4em auto; padding: 0 1em;
  color: #222; }} h1 {{ color: #b71c1c; font-size: 1.5em; }} a {{ font-size: 1.1em; }}</style>
</head><body id="scoring-busy">
<h1>服务器繁忙 · Server busy</h1>
<p lang="zh-CN">{zh}</p>
<p lang="en">{en}</p>
<p><a href="">刷新 Reload</a>（约 {RETRY_AFTER} 秒后 / in about {RETRY_AFTER} s）</p>
</body></html>
"""


# --- ids out of the logs --------------------------------------------------------------------


def redact_ids(text: str) -> str:
    """``text`` with each UUID (kernel and session ids) replaced by ``id~<8 hex>``."""
    return _UUID_RE.sub(
        lambda m: "id~" + hashlib.sha256(m.group().lower().encode()).hexdigest()[:8], text
    )


class RedactIds(logging.Filter):
    """A logging filter that rewrites each record's message with :func:`redact_ids`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            return True
        redacted = redact_ids(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


#: Loggers whose records are redacted at the source (tornado's access and error logs).
REDACTED_LOGGERS = ("tornado.access", "tornado.application", "tornado.general")


def install_redaction(app_log: logging.Logger) -> RedactIds:
    """Redact ids in ``app_log`` (and its handlers, which see its children's records) and in
    tornado's loggers; idempotent. Other loggers and the root's handlers are left alone."""
    flt = next((f for f in app_log.filters if isinstance(f, RedactIds)), None) or RedactIds()
    targets: list[Any] = [app_log, *app_log.handlers]
    targets += [logging.getLogger(name) for name in REDACTED_LOGGERS]
    for target in targets:
        if flt not in target.filters:
            target.addFilter(flt)
    return flt
