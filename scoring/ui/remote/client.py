"""The expert kernel's backend: every store call sent to the store process (:mod:`.server`).

:class:`RemoteBackend` offers the calls of :data:`~scoring.ui.remote.wire.EXPERT_CALLS` under the
names of :class:`scoring.ui.backend.StoreBackend`, so the expert page's model uses either alike.
It imports neither pandas nor SQLAlchemy: tables arrive as :class:`~scoring.ui.remote.wire.Frame`,
the logged-in account as a :class:`~scoring.ui.remote.wire.RemoteActor`.

The connection opens at the first call (the page's first keystroke in the code box warms it, as
the in-kernel store did) and is kept. When the store process is gone (restarted by its server),
the call in flight fails with a message saying to log in again, and the next call connects anew.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Client, Connection
from typing import Any

from . import wire
from .server import KEY_ENV, SOCKET_ENV

LOST = "与评审数据服务的连接已中断，请重新登录 / the connection to the store was lost: log in again"


class StoreUnavailable(ValueError):
    """The store process cannot be reached (a ``ValueError``: the page shows the message)."""


def from_environment() -> RemoteBackend | None:
    """The backend of ``$SCORING_STORE_SOCKET`` / ``$SCORING_STORE_KEY`` (set by the server for
    its kernels), or None when the kernel runs without a store process."""
    path, key = os.environ.get(SOCKET_ENV), os.environ.get(KEY_ENV)
    if not path or not key:
        return None
    return RemoteBackend(path, bytes.fromhex(key))


class RemoteBackend:
    """Store calls over the store process's socket.

    Parameters
    ----------
    address : str
        The Unix socket's path.
    key : bytes
        The key of the socket's challenge.
    """

    def __init__(self, address: str, key: bytes) -> None:
        self.address = address
        self._key = key
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    # the page's model calls these by name, as on StoreBackend
    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in wire.EXPERT_CALLS:
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, *args, **kwargs)

        call.__name__ = name
        return call

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Send call ``name`` and return its decoded result (raising the store's error)."""
        request = wire.dumps(
            {"call": name, "args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)}
        )
        with self._lock:
            try:
                conn = self._connection()
                conn.send_bytes(request)
                reply = wire.loads(conn.recv_bytes())
            except (OSError, EOFError) as exc:
                self._drop()
                raise StoreUnavailable(LOST) from exc
        return wire.decode(reply["ok"])

    def warm(self) -> None:
        """Open the connection now (errors surface at the first call)."""
        try:
            with self._lock:
                self._connection()
        except (OSError, EOFError, ValueError):
            self._drop()

    def warm_on_change(self, widget: Any, name: str = "value") -> None:
        """Connect as soon as the user types into ``widget`` (the access-code box)."""
        from ..backend import on_first_change

        on_first_change(widget, self.warm, name)

    def logout(self, actor: Any) -> None:
        """Forget ``actor``'s handle in the store process."""
        handle = getattr(actor, "handle", None)
        if handle is not None:
            try:
                self.call("logout", handle=int(handle))
            except StoreUnavailable:
                pass

    def close(self) -> None:
        """Hang up (the store process forgets this page's actors)."""
        with self._lock:
            self._drop()

    def _connection(self) -> Connection:
        if self._conn is None:
            try:
                self._conn = Client(self.address, family="AF_UNIX", authkey=self._key)
            except Exception as exc:  # refused, no socket, a failed challenge
                raise OSError(str(exc)) from exc
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
        self._conn = None
