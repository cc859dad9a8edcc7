"""Kernels forked from a template process instead of started from scratch (the worker's side).

:class:`KernelTemplate` starts and watches the template (:mod:`scoring.ui.kernel_forks`) of one
dashboards server; :class:`ForkProvisioner`, the kernels' provisioner
(``KernelProvisionerFactory.default_provisioner_name``, registered as ``scoring-fork`` in the
package's entry points), asks it for each kernel and starts the kernel as jupyter_client always
did (:class:`~jupyter_client.provisioning.LocalProvisioner`) when no template runs, when the
command is not ipykernel's launcher on this interpreter, when the kernel's ``PYTHON*``
environment differs from the template's, or when the template does not answer. A forked kernel
is driven as a local one: signals to its process group, ``poll`` and ``wait`` on its exit status,
which the template sends on the request's connection when it has reaped the kernel.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from .kernel_forks import LAUNCHER, recv_line
from .remote.process import stop_child

__all__ = ["ForkProvisioner", "ForkedKernel", "KernelTemplate", "TemplateUnavailable", "forkable"]

log = logging.getLogger(__name__)

#: Seconds the template may take to import its modules and listen.
START_TIMEOUT = 60.0
#: Seconds a fork request may take (connect, fork, answer).
REQUEST_TIMEOUT = 10.0
#: Exit code reported for a kernel whose template went away before reaping it.
UNKNOWN_EXIT = -1


class TemplateUnavailable(RuntimeError):
    """The template could not fork a kernel (not running, refused, no answer)."""


def python_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The ``PYTHON*`` variables of ``env``: those that shape an interpreter at its start
    (``PYTHONPATH``, ``PYTHONHASHSEED``, ...), fixed in a template once it runs."""
    return {k: v for k, v in env.items() if k.startswith("PYTHON")}


def forkable(cmd: Sequence[str], env: Mapping[str, str], template_env: Mapping[str, str]) -> bool:
    """Whether a kernel started by ``cmd`` with ``env`` can be forked from a template started
    with ``template_env``: ipykernel's launcher on this interpreter, same ``PYTHON*`` variables.
    """
    if len(cmd) < 3 or tuple(cmd[1:3]) != LAUNCHER:
        return False
    try:
        same_python = os.path.samefile(cmd[0], sys.executable)
    except OSError:
        return False
    return same_python and python_environment(env) == python_environment(template_env)


def running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, which nobody may have reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] not in "ZX"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True


class ForkedKernel:
    """A kernel process forked by the template, with the part of :class:`subprocess.Popen`
    that jupyter_client uses (``pid``, ``poll``, ``wait``, signals, ``returncode``).

    The template is the kernel's parent and reaps it; its exit status arrives as one JSON line
    on ``conn``. Should the template go first, the kernel is looked up by its pid.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, conn: socket.socket) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._conn: socket.socket | None = conn
        conn.setblocking(False)
        self._buffer = b""

    def poll(self) -> int | None:
        """The exit code, or None while the kernel runs."""
        if self.returncode is not None:
            return self.returncode
        if self._conn is not None:
            try:
                while True:
                    chunk = self._conn.recv(4096)
                    if not chunk:  # the template went away
                        self._close()
                        break
                    self._buffer += chunk
                    if self._buffer.endswith(b"\n"):
                        self.returncode = int(json.loads(self._buffer).get("exit", UNKNOWN_EXIT))
                        self._close()
                        return self.returncode
            except BlockingIOError:
                return None
            except (OSError, ValueError):
                self._close()
        if running(self.pid):  # no template to tell: alive while the pid runs
            return None
        self.returncode = UNKNOWN_EXIT
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Block until the kernel ended (``subprocess.TimeoutExpired`` after ``timeout``)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.05)
        return code

    def send_signal(self, signum: int) -> None:
        """Signal the kernel (not its group: :class:`ForkProvisioner` tries that first)."""
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class KernelTemplate:
    """The template process of one server: a private folder (0700) with its socket, the child.

    ``KernelTemplate.current`` is the one the kernels of this process are forked from (set by
    :meth:`start`; None when none runs, and kernels start as usual).
    """

    current: KernelTemplate | None = None

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="scoring-forks-"))
        os.chmod(self.folder, 0o700)
        self.socket = self.folder / "forks.sock"
        self.proc: subprocess.Popen | None = None
        self.env: dict[str, str] = {}
        self.restarts = 0
        atexit.register(self.stop)

    def start(self) -> KernelTemplate:
        """Start the child and wait until it listens (``RuntimeError`` if it does not)."""
        self.env = dict(os.environ)
        self.socket.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scoring.ui.kernel_forks", "--socket", str(self.socket)],
            env=self.env,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.socket.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the kernel template process did not start (see its output)")
            time.sleep(0.05)
        KernelTemplate.current = self
        return self

    def alive(self) -> bool:
        """Whether the child runs."""
        return self.proc is not None and self.proc.poll() is None

    def watch(self) -> bool:
        """Restart the child if it died (kernels forked meanwhile start as usual); True when it
        was restarted."""
        if self.proc is None or self.alive():
            return False
        self.restarts += 1
        self.start()
        return True

    def fork(self, cmd: Sequence[str], env: Mapping[str, str], cwd: str | Path) -> ForkedKernel:
        """Fork a kernel running ``cmd`` with ``env`` in ``cwd`` (:class:`TemplateUnavailable`
        when the template does not)."""
        if not self.alive():
            raise TemplateUnavailable("the template process is not running")
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(REQUEST_TIMEOUT)
        try:
            conn.connect(str(self.socket))
            request = {"argv": list(cmd), "env": dict(env), "cwd": str(cwd)}
            conn.sendall(json.dumps(request).encode() + b"\n")
            reply = recv_line(conn)
        except (OSError, ValueError) as exc:
            conn.close()
            raise TemplateUnavailable(str(exc)) from exc
        if "pid" not in reply:
            conn.close()
            raise TemplateUnavailable(reply.get("error", "no pid in the answer"))
        return ForkedKernel(int(reply["pid"]), conn)

    def stop(self) -> None:
        """Stop the child (it terminates the kernels it forked) and remove the folder."""
        if KernelTemplate.current is self:
            KernelTemplate.current = None
        stop_child(self.proc)
        shutil.rmtree(self.folder, ignore_errors=True)


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the kernel forked from the server's template
    when one runs and the kernel can be (:func:`forkable`)."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        template = KernelTemplate.current
        env = kwargs.get("env") or dict(os.environ)
        cwd = kwargs.get("cwd") or os.getcwd()
        if template is None or not forkable(cmd, env, template.env):
            return await super().launch_kernel(cmd, **kwargs)
        try:
            process = template.fork(cmd, env, cwd)
        except TemplateUnavailable as exc:
            log.warning("kernel started without the template: %s", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = process
        self.pid = process.pid
        self.pgid = process.pid  # its own session (until it has made it, signals go to the pid)
        self.cwd = cwd
        return self.connection_info
