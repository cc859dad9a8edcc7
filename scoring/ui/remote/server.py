"""The store process: one per dashboards server, answering its expert kernels' store calls.

``python -m scoring.ui.remote.server --socket PATH`` (started by
:class:`scoring.ui.remote.process.StoreProcess`; the key in ``$SCORING_STORE_KEY``, hex) listens on
a Unix socket (:mod:`multiprocessing.connection`: the key's challenge at every connection) and
serves each connection in a thread of its own: a kernel's calls come one after the other, the
kernels' calls side by side (the store is thread-safe: a pool of connections, SQLite's writers'
lock, PostgreSQL's row locks).

Each connection is one page: the actors it logged in are kept here, the page gets handles
(:class:`~scoring.ui.remote.wire.RemoteActor`) that mean nothing on another connection, and
they end with it. Only :data:`~scoring.ui.remote.wire.EXPERT_CALLS` are answered; every other
name is refused (and logged). The store decides every right, as for a kernel that held it.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
import threading
import time
import uuid
from multiprocessing.connection import Connection, Listener
from pathlib import Path
from typing import Any

from . import wire

log = logging.getLogger("scoring.store_process")
#: Environment variable with the key (hex) of the socket's challenge.
KEY_ENV = "SCORING_STORE_KEY"
#: Environment variable with the socket's path (read by the kernels' client).
SOCKET_ENV = "SCORING_STORE_SOCKET"


class Session:
    """One connection's actors: handle -> :class:`~scoring.store.accounts.Actor`."""

    def __init__(self) -> None:
        self._actors: dict[int, Any] = {}
        self._next = 1

    def tag(self, actor: Any) -> dict[str, Any]:
        """The tagged form of ``actor`` for the page (a new handle)."""
        handle = self._next
        self._next += 1
        self._actors[handle] = actor
        return {
            wire.KIND: "actor",
            "handle": handle,
            "login": actor.login,
            "role": actor.role,
            "name": actor.name,
        }

    def actor(self, handle: int) -> Any:
        """The actor of ``handle`` (refused when this connection did not log it in)."""
        from scoring.store.errors import AccessDenied

        try:
            return self._actors[handle]
        except KeyError:
            raise AccessDenied(
                "会话已结束，请重新登录 / the session has ended: log in again"
            ) from None

    def forget(self, handle: int) -> None:
        self._actors.pop(handle, None)


class StoreCalls:
    """The expert page's calls over one backend (:class:`scoring.ui.backend.StoreBackend`)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def call(self, session: Session, name: str, args: list, kwargs: dict) -> Any:
        """Run call ``name``; returns its encoded result (an error is encoded too)."""
        if name not in wire.EXPERT_CALLS:
            log.warning("refused call %r: not an expert page's call", name)
            return wire.encode_error(PermissionError(f"不提供此操作 / not offered: {name}"))
        try:
            args = wire.decode(args, session.actor)
            kwargs = wire.decode(kwargs, session.actor)
            if name == "logout":
                session.forget(int(kwargs.get("handle", 0)))
                return None
            if name == "panel_criteria":
                cfg, _hash = self.backend.panel_config(*args, **kwargs)
                return {wire.KIND: "criteria", "spec": cfg.criteria, "source": f"panel {args[1]}"}
            result = getattr(self.backend, name)(*args, **kwargs)
            return wire.encode(result, session.tag)
        except (ValueError, LookupError, PermissionError) as exc:
            return wire.encode_error(exc)
        except Exception as exc:
            ref = uuid.uuid4().hex[:8]
            log.error("store call %s failed [ref %s]", name, ref, exc_info=exc)
            return wire.encode_error(exc, ref)


def serve_connection(conn: Connection, calls: StoreCalls) -> None:
    """Answer one page's requests until it hangs up."""
    session = Session()
    try:
        while True:
            try:
                request = wire.loads(conn.recv_bytes())
            except (EOFError, OSError):
                return
            try:
                name, args, kwargs = request["call"], request["args"], request["kwargs"]
                reply = {"ok": calls.call(session, str(name), list(args), dict(kwargs))}
            except (KeyError, TypeError) as exc:
                reply = {"ok": wire.encode_error(ValueError(f"bad request: {exc}"))}
            try:
                conn.send_bytes(wire.dumps(reply))
            except (OSError, ValueError):
                return
    finally:
        conn.close()


def run(socket_path: Path, key: bytes, backend: Any = None) -> None:
    """Listen on ``socket_path`` until killed; a thread per connection. The store opens in the
    background once the socket listens (the server's start does not wait for its imports)."""
    warm = None
    if backend is None:
        from scoring.ui.backend import LazyBackend

        backend = warm = LazyBackend()
    calls = StoreCalls(backend)
    if socket_path.exists():
        socket_path.unlink()
    old = os.umask(0o177)  # the socket: this user only
    try:
        listener = Listener(str(socket_path), family="AF_UNIX", authkey=key)
    finally:
        os.umask(old)
    log.info("store process %d on %s", os.getpid(), socket_path)
    parent = os.getppid()

    def orphaned() -> None:  # the server was killed without stopping us: leave with it
        while os.getppid() == parent:
            time.sleep(1.0)
        if socket_path.parent.name.startswith("scoring-store-"):  # StoreProcess's own folder
            shutil.rmtree(socket_path.parent, ignore_errors=True)
        os._exit(0)

    threading.Thread(target=orphaned, name="store-parent", daemon=True).start()
    print(f"ready {socket_path}", flush=True)
    if warm is not None:
        warm.warm()
    while True:
        try:
            conn = listener.accept()
        except (OSError, EOFError) as exc:  # a failed challenge: refused, keep listening
            log.warning("connection refused: %s", exc)
            continue
        except Exception as exc:  # multiprocessing.AuthenticationError
            log.warning("connection refused: %s", exc)
            continue
        threading.Thread(
            target=serve_connection, args=(conn, calls), name="store-page", daemon=True
        ).start()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--socket", required=True, type=Path)
    args = ap.parse_args(argv)
    key = bytes.fromhex(os.environ.get(KEY_ENV, ""))
    if len(key) < 16:
        print(f"${KEY_ENV} must hold a key of at least 16 bytes (hex)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="[store %(levelname)s] %(message)s")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run(args.socket, key)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
