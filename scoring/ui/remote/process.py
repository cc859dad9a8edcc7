"""Starting, watching and stopping the store process of one dashboards server."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .server import KEY_ENV, SOCKET_ENV

#: Seconds the store process may take to listen (it imports the store and checks the schema).
START_TIMEOUT = 120.0


class StoreProcess:
    """The store process: a private folder (0700) with its socket, a random key, the child.

    :meth:`start` also puts the socket's path and the key in this process's environment, which
    the kernels it starts inherit (:func:`scoring.ui.remote.client.from_environment`).
    """

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="scoring-store-"))
        os.chmod(self.folder, 0o700)
        self.socket = self.folder / "store.sock"
        self.key = secrets.token_bytes(32)
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        atexit.register(self.stop)

    def start(self) -> StoreProcess:
        """Start the child and wait until it listens (``RuntimeError`` with its output if not)."""
        # a thread per page: glibc's default of one malloc arena per thread grew the process to
        # ~400 MiB with 30 pages; two arenas hold the same work in far less
        env = {"MALLOC_ARENA_MAX": "2", **os.environ, KEY_ENV: self.key.hex()}
        log = open(self.folder / "store.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scoring.ui.remote.server", "--socket", str(self.socket)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.socket.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                out = (self.folder / "store.log").read_text(encoding="utf-8", errors="replace")
                self.stop()
                raise RuntimeError(f"the store process did not start:\n{out[-2000:]}")
            time.sleep(0.05)
        os.environ[SOCKET_ENV] = str(self.socket)
        os.environ[KEY_ENV] = self.key.hex()
        return self

    def alive(self) -> bool:
        """Whether the child runs."""
        return self.proc is not None and self.proc.poll() is None

    def watch(self) -> bool:
        """Restart the child if it died (same socket and key: pages reconnect at their next
        call and are asked to log in again); True when it was restarted."""
        if self.proc is None or self.alive():
            return False
        self.restarts += 1
        self.socket.unlink(missing_ok=True)
        self.start()
        return True

    def stop(self) -> None:
        """Stop the child and remove the folder; idempotent."""
        stop_child(self.proc)
        shutil.rmtree(self.folder, ignore_errors=True)


def stop_child(proc: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """Terminate ``proc`` if it runs, kill it after ``timeout`` seconds, reap it."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
