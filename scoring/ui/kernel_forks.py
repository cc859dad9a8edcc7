"""The kernel template process: a Python that has imported the kernel's modules once and forks
a kernel for each page.

An expert page's kernel spent about half of its start-up importing IPython, ipykernel, zmq,
tornado, ipywidgets and the expert page's own modules (≈ 0.3 CPU-s of ≈ 0.6), and a crowd of
experts opening their pages pays that once per page while the pages already open wait for their
saves. This process pays it once per worker: ``python -m scoring.ui.kernel_forks --socket PATH``
imports :data:`PRELOAD`, then listens on a Unix socket (folder 0700, socket 0600, the peer's
user checked) for one request per kernel: the kernel's command line, environment and working
folder, as one JSON line. It forks; the child becomes the kernel exactly as
``python -m ipykernel_launcher -f <connection file>`` would (its own session, standard input
from ``/dev/null``, the request's environment and folder, the command line as its process
title), the parent answers ``{"pid": N}`` and keeps the connection open to send
``{"exit": code}`` when it has reaped the kernel.

Nothing is started before the fork: no thread, no event loop, no ZeroMQ context (checked at
start-up). Modules read the worker's environment when imported, which is the environment the
kernels inherit anyway; the worker sends a request here only when the kernel's ``PYTHON*``
variables are those this process started with (:func:`scoring.ui.serve_forks.forkable`).

The process leaves when its parent (the worker) goes, and terminates the kernels it forked;
each kernel also leaves when this process goes (``JPY_PARENT_PID``, ipykernel's parent poller).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import struct
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Modules every kernel needs (ipykernel's launcher and kernel, the widgets) and the expert
#: page's (light: no pandas, NumPy, SQLAlchemy or matplotlib, which would then count in the RSS
#: of every kernel forked from here).
PRELOAD: tuple[str, ...] = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipywidgets",
    "comm",
    "scoring.ui.expert.view",
    "scoring.ui.remote.client",
)
#: Longest request line (bytes): a command line and an environment.
MAX_REQUEST = 1 << 20
#: Seconds a connected worker has to send its request.
REQUEST_TIMEOUT = 10.0
#: Command-line prefix after the interpreter that this process can run (ipykernel's launcher).
LAUNCHER = ("-m", "ipykernel_launcher")


def preload(modules: Sequence[str] = PRELOAD) -> None:
    """Import ``modules``, then freeze the garbage collector's generations so that the
    collections of each kernel do not write to (and so copy) the template's pages."""
    for name in modules:
        importlib.import_module(name)
    try:
        import setproctitle  # noqa: F401  (a kernel's title: its command line)
    except ImportError:
        pass
    gc.collect()
    gc.freeze()
    if threading.active_count() != 1:  # a thread does not survive a fork: nothing may run
        names = [t.name for t in threading.enumerate()]
        raise RuntimeError(f"a preloaded module started threads: {names}")


def peer_uid(conn: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def recv_line(conn: socket.socket, limit: int = MAX_REQUEST) -> Any:
    """One JSON line from ``conn`` (both ends of the template's socket speak them);
    ``ValueError`` when the connection closes first, the line is too long or not JSON."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("connection closed before the line ended")
        data += chunk
        if len(data) > limit:
            raise ValueError("line too long")
    return json.loads(data)


def read_request(conn: socket.socket) -> dict[str, Any]:
    """One JSON request line: ``{"argv": [...], "env": {...}, "cwd": "..."}`` (``ValueError``
    when it is not one)."""
    conn.settimeout(REQUEST_TIMEOUT)
    request = recv_line(conn)
    if not isinstance(request, dict):
        raise ValueError("a JSON object expected")
    argv, env, cwd = request.get("argv"), request.get("env"), request.get("cwd")
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
        raise ValueError("argv: a list of strings expected")
    if tuple(argv[1:3]) != LAUNCHER:
        raise ValueError(f"argv: only {' '.join(LAUNCHER)} can be forked")
    if not (isinstance(env, dict) and all(isinstance(v, str) for v in env.values())):
        raise ValueError("env: a mapping of strings expected")
    if not isinstance(cwd, str) or not Path(cwd).is_dir():
        raise ValueError(f"cwd: no such folder: {cwd!r}")
    return {"argv": argv, "env": env, "cwd": cwd}


def send_line(conn: socket.socket, payload: dict[str, Any]) -> None:
    """Send one JSON line; a worker that went away is not an error here."""
    try:
        conn.sendall(json.dumps(payload).encode() + b"\n")
    except OSError:
        pass


def redo_import_hooks() -> None:
    """What preloaded modules did at import only when a kernel ran: ipywidgets registers its
    comm targets (``jupyter.widget``, ``jupyter.widget.control``) with the kernel it is
    imported in; imported here before any kernel, it registered none, and a page's widgets
    never came (the control comm's ``request_states`` had no answer)."""
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None:
        widgets.register_comm_target()


def become_kernel(request: dict[str, Any]) -> None:
    """In the forked child: become ``python -m ipykernel_launcher <args>`` (does not return)."""
    code = 1
    try:
        argv = request["argv"]
        if "setproctitle" in sys.modules:  # ps and psutil see a kernel's command line, as before
            sys.modules["setproctitle"].setproctitle(" ".join(argv))
        os.setsid()  # as jupyter_client starts a kernel: its own session and process group
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # leave when the template goes
        sys.path[0] = request["cwd"]  # as ``python -m`` run in that folder
        # ipykernel read JPY_PARENT_PID when this process imported it: say it again
        sys.argv = ["ipykernel_launcher", *argv[3:], f"--IPKernelApp.parent_handle={os.getppid()}"]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()  # what ipykernel's launch_new_instance does, with one step
        app.initialize()
        redo_import_hooks()
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


class Template:
    """The listening loop: accept a request, fork, answer the pid, report each kernel's exit."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self.uid = os.getuid()
        self.waiting: dict[int, socket.socket] = {}  # kernel pid -> connection for its exit
        self.parent = os.getppid()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        binding = socket_path.with_name(socket_path.name + ".new")
        binding.unlink(missing_ok=True)
        old = os.umask(0o177)
        try:
            self.listener.bind(str(binding))
        finally:
            os.umask(old)
        self.listener.listen(128)
        os.replace(
            binding, socket_path
        )  # the path appears once it accepts: the worker waits for it
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        signal.set_wakeup_fd(self.wake_w.fileno())
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: self.stop_kernels_and_exit())
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the worker's terminal: it stops us
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.selector.register(self.wake_r, selectors.EVENT_READ)

    def serve(self) -> None:
        """Run until the parent goes."""
        while os.getppid() == self.parent:
            for key, _ in self.selector.select(timeout=1.0):
                if key.fileobj is self.listener:
                    self.accept()
                else:
                    try:
                        while self.wake_r.recv(4096):
                            pass
                    except BlockingIOError:
                        pass
            self.reap()
        self.stop_kernels_and_exit()

    def accept(self) -> None:
        conn, _ = self.listener.accept()
        try:
            if peer_uid(conn) != self.uid:
                raise ValueError("another user")
            request = read_request(conn)
        except (OSError, ValueError) as exc:
            send_line(conn, {"error": str(exc)})
            conn.close()
            return
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self.selector.close()
            for sock in (self.listener, self.wake_r, self.wake_w, conn, *self.waiting.values()):
                sock.close()
            become_kernel(request)
        send_line(conn, {"pid": pid})
        self.waiting[pid] = conn

    def reap(self) -> None:
        """Collect the kernels that ended and tell their workers how."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.waiting.pop(pid, None)
            if conn is not None:
                send_line(conn, {"exit": os.waitstatus_to_exitcode(status)})
                conn.close()

    def stop_kernels_and_exit(self) -> None:
        """Terminate the kernels still running (their worker is gone or stops) and leave."""
        for pid in list(self.waiting):
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                try:
                    os.kill(pid, signal.SIGTERM)
                except OSError:
                    pass
        try:
            self.socket_path.unlink()
        except OSError:
            pass
        os._exit(0)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scoring.ui.kernel_forks --socket PATH``: preload, listen (the socket appears)."""
    parser = argparse.ArgumentParser(prog="python -m scoring.ui.kernel_forks")
    parser.add_argument("--socket", required=True, type=Path)
    args = parser.parse_args(argv)
    preload()
    template = Template(args.socket)
    template.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
