"""Serve the four dashboards with Voila 0.5 on the loopback interface, with its known defects fixed.

``scoring serve [--port N]`` runs :class:`ScoringVoila` over ``dashboards/`` (folder mode: each
dashboard is at ``/voila/render/<name>.ipynb``). Compared with a plain ``voila dashboards/``:

* **Kernel leak on a closed or reloaded tab** (voila issue 1458). The page sends its kernel's
  shutdown request by ``navigator.sendBeacon`` with the ``_xsrf`` cookie, but Voila never sets that
  cookie, so jupyter_server refuses the request (403) and the kernel lives on. The render handler
  here sets the cookie, and the shutdown handler answers 204 for a kernel already gone. Idle kernels
  without a connection are culled as a second line of defence (``cull_idle_timeout``).
* **The page script** (:mod:`scoring.ui.serve_page`) also presses a field's button on Enter,
  sorts a ``table.sortable`` by the clicked header and beeps when the defense timer runs out.
* **A dead page says nothing.** A small script (the ``scoring`` template) polls
  ``/scoring/api/alive/<kernel>`` and, when the kernel is gone, died or was restarted (its
  process changed), or the server cannot be reached, shows a banner asking the user to reload.
* **A page rendered without its widgets.** Voila executes the notebook with nbclient, which waits
  only ``iopub_timeout`` (4 s) after the execute reply for the cell's outputs; with ten pages
  opening at once the widgets' ~100 messages arrived later than that, the cell was rendered with
  no output and the page stayed blank. The wait is raised to :data:`IOPUB_TIMEOUT`, and a page
  that still shows no output once loaded gets the reload banner too.
* **A kernel id was the only secret of a page.** Each kernel is now bound to the page that
  opened it by a per-page secret cookie; its websocket, ``/api/kernels/<id>`` and the shutdown
  beacon refuse any other client (403), kernel ids are redacted from the logs, and kernels are
  capped per client address and in total, with a bilingual "server busy" page past a cap
  (:mod:`scoring.ui.serve_guard`, handlers in :mod:`scoring.ui.serve_handlers`).
* **Templates compiled for every page.** Voila builds a new Jinja environment per page, which
  compiled the page templates again each time (a quarter of a worker's CPU under a crowd); they
  are compiled once per server (:mod:`scoring.ui.serve_templates`).
* **A save's answer held back.** jupyter_server leaves Nagle's algorithm on for the kernel
  websocket, so each small frame of an answer after the first waited for the browser's delayed
  acknowledgement; it is opened with ``TCP_NODELAY``.
* **Every kernel message decoded twice.** The idle cull's activity watch decoded each message
  in full; it reads only the types (:mod:`scoring.ui.serve_kernels`).
* **Every kernel imported IPython, ipykernel and ipywidgets again.** Kernels are forked from a
  template process that imported them (and the expert page's modules) once
  (:mod:`scoring.ui.serve_forks`); ``--no-kernel-template`` starts them from scratch.
* No preheated kernels (see :func:`voila_config`).
* Tracebacks off, template and theme override by query string off ("NO"), no port retries, security
  headers (CSP, X-Frame-Options, ...), loopback only.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .serve_guard import (
    MAX_KERNELS,
    MAX_KERNELS_PER_CLIENT,
    KernelGuard,
    install_redaction,
    parse_networks,
)
from .serve_handlers import GUARD_SETTING, QUEUE_SETTING, build_handlers
from .serve_page import EMPTY_PAGE_GRACE_MS, template_index, write_template
from .serve_queue import StartQueue, default_slots

__all__ = ["EMPTY_PAGE_GRACE_MS", "serve", "template_index", "voila_config", "write_template"]

#: Dashboards in the order the URLs are printed: name -> (Chinese title, English title).
DASHBOARDS: dict[str, tuple[str, str]] = {
    "expert": ("专家评分", "Expert scoring"),
    "board": ("评审组长 / 组织者", "Chair and organizer board"),
    "bank": ("银行审贷对比", "Bank reviewer comparison"),
    "console": ("组织者配置", "Organizer console"),
    "reporting": ("项目报送", "Project reporting"),
    "confirm": ("市商务局确认", "City bureau confirmation"),
    "followstats": ("跟进统计", "Follow-up statistics"),
    "project": ("项目跟进查看", "Project follow-up (read only)"),
}

DEFAULT_PORT = 8866
#: Seconds a kernel with no open page may stay idle before it is culled.
CULL_IDLE_TIMEOUT = 600
CULL_INTERVAL = 60
#: Seconds Voila's executor waits, after a cell's execute reply, for the cell's outputs on IOPub
#: (nbclient's default is 4: too short when several pages start at once on a small machine).
IOPUB_TIMEOUT = 60

#: Milliseconds between checks that the expert pages' store process runs (restarted if not).
STORE_WATCH_MS = 2000
#: Content-Security-Policy of every page: scripts and styles from this server only (Voila's page
#: needs inline scripts and styles), widgets' websocket to this server, images as data: URIs
#: (matplotlib charts), downloads as data: links, no framing, no plugins.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def dashboards_dir() -> Path:
    """The folder holding the dashboard notebooks (``$SCORING_DASHBOARDS`` or ``dashboards/``)."""
    env = os.environ.get("SCORING_DASHBOARDS")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parent.parent.parent / "dashboards"


def dashboard_urls(port: int, host: str = "127.0.0.1") -> dict[str, str]:
    """URL of each dashboard on a server at ``host:port``."""
    return {name: f"http://{host}:{port}/voila/render/{name}.ipynb" for name in DASHBOARDS}


# --- configuration ------------------------------------------------------------------------------


def upload_message_limit() -> int:
    """Largest websocket message the server accepts: twice the import size cap, at least 32 MiB."""
    from scoring.io.tables import import_limits

    return max(2 * import_limits().max_bytes, 32 * 2**20)


def voila_config(
    port: int = DEFAULT_PORT,
    *,
    root_dir: Path | None = None,
    preheat: bool = False,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    cull_interval: int = CULL_INTERVAL,
    max_kernels_per_client: int = MAX_KERNELS_PER_CLIENT,
    max_kernels: int = MAX_KERNELS,
    trusted_proxies: Sequence[str] = (),
    ip: str = "127.0.0.1",
    kernel_starts: int | None = None,
) -> Any:
    """The traitlets configuration of the dashboards' Voila server.

    Parameters
    ----------
    port : int
        TCP port on 127.0.0.1; no retries on another port when it is taken.
    root_dir : Path, optional
        Folder of notebooks (default :func:`dashboards_dir`).
    preheat : bool
        Start a pool of kernels ahead of requests (Voila ``preheat_kernel``). Off, and not
        offered on the command line: with this template and Voila 0.5.13 a preheated page never
        showed its widgets in the benchmark (120 s timeout), while the lazy imports already bring
        each dashboard within 1.2x of a trivial notebook.
    cull_idle_timeout, cull_interval : int
        Seconds: kernels idle that long with no page connected are shut down.
    max_kernels_per_client, max_kernels : int
        Caps on kernels per client address and in all (0: none); see
        :mod:`scoring.ui.serve_guard`.
    trusted_proxies : sequence of str
        Proxies (addresses or CIDR networks) whose ``X-Forwarded-For`` names the client.
    ip : str
        Address to listen on: loopback by default; a worker behind a proxy on another machine
        listens on its private address (and trusts the proxy's, ``trusted_proxies``).
    kernel_starts : int, optional
        Pages that start their kernel at once, the others queued (0: no queue; default half the
        cores, :func:`scoring.ui.serve_queue.default_slots`).

    Returns
    -------
    traitlets.config.Config
    """
    from traitlets.config import Config

    parse_networks(trusted_proxies)  # fail early on a bad address
    c = Config()
    c.Voila.ip = str(ipaddress.ip_address(ip))  # refuses a host name or a typo
    c.Voila.port = int(port)
    c.Voila.port_retries = 0
    c.Voila.open_browser = False
    c.Voila.root_dir = str(root_dir or dashboards_dir())
    c.Voila.tornado_settings = {
        "headers": dict(SECURITY_HEADERS),
        "xsrf_cookies": True,
        # a console upload travels in one websocket message: tornado drops one over 10 MiB without
        # a word, so let files up to twice the import cap through, to be refused by its size check
        # with a message naming the cap (the console shows the cap before the upload)
        "websocket_max_message_size": upload_message_limit(),
    }
    c.VoilaConfiguration.template = "scoring"
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.allow_theme_override = "NO"
    c.VoilaConfiguration.theme = "light"
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.file_allowlist = []
    c.VoilaConfiguration.preheat_kernel = bool(preheat)
    if preheat:
        c.VoilaConfiguration.default_pool_size = 2
    c.VoilaExecutor.iopub_timeout = IOPUB_TIMEOUT
    c.VoilaExecutor.raise_on_iopub_timeout = False
    if os.name == "posix":
        # kernels on Unix sockets next to their connection files, not on TCP ports picked free
        # and bound later: with two workers starting kernels at once, a port was taken in between
        # and the kernel died ("Address already in use"), its page never came
        c.KernelManager.transport = "ipc"
    # forked from the server's template when it runs (serve()), started as usual when not
    c.KernelProvisionerFactory.default_provisioner_name = "scoring-fork"
    c.VoilaConfiguration.multi_kernel_manager_class = (
        "scoring.ui.serve_kernels.ActivityKernelManager"  # a cheaper activity watch
    )
    c.MappingKernelManager.cull_idle_timeout = int(cull_idle_timeout)
    c.MappingKernelManager.cull_interval = int(cull_interval)
    c.MappingKernelManager.cull_connected = False
    c.MappingKernelManager.cull_busy = False
    c.ScoringVoila.max_kernels_per_client = int(max_kernels_per_client)
    c.ScoringVoila.max_kernels = int(max_kernels)
    c.ScoringVoila.trusted_proxies = [str(p) for p in trusted_proxies]
    starts = default_slots() if kernel_starts is None else int(kernel_starts)
    StartQueue(starts)  # fail early on a negative count
    c.ScoringVoila.kernel_starts = starts
    return c


def voila_log_level(level: str) -> str:
    """The Voila log level of a ``--log-level`` choice: the command line says ``WARNING``, as
    :mod:`logging` does, which traitlets knows as ``WARN`` only (it refused to start)."""
    return {"WARNING": "WARN"}.get(level, level)


def make_app(config: Any) -> Any:
    """A :class:`voila.app.Voila` subclass instance with the fixes above, initialised.

    Parameters
    ----------
    config : traitlets.config.Config
        From :func:`voila_config`.
    """
    import traitlets as tl
    from jupyter_server.utils import url_path_join
    from voila.app import Voila
    from voila.handler import VoilaHandler
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

    from .serve_templates import install as install_template_cache

    install_template_cache()  # each page's templates are compiled once per server, not per page
    h = build_handlers()

    class ScoringVoila(Voila):
        """Voila with the kernel-leak fix, the heartbeat endpoint, the scoring template, kernels
        bound to their pages and the kernel caps."""

        max_kernels_per_client = tl.Int(MAX_KERNELS_PER_CLIENT, help="kernels per client").tag(
            config=True
        )
        max_kernels = tl.Int(MAX_KERNELS, help="kernels in all").tag(config=True)
        trusted_proxies = tl.List(tl.Unicode(), help="proxies trusted for XFF").tag(config=True)
        kernel_starts = tl.Int(1, help="kernel starts at a time (0: no queue)").tag(config=True)

        @property
        def guard(self) -> KernelGuard:
            if getattr(self, "_guard", None) is None:
                self._guard = KernelGuard(
                    self.max_kernels_per_client, self.max_kernels, self.trusted_proxies
                )
            return self._guard

        def init_settings(self) -> dict:
            return {
                **super().init_settings(),
                GUARD_SETTING: self.guard,
                QUEUE_SETTING: StartQueue(self.kernel_starts),
            }

        def init_handlers(self) -> list:
            handlers = []
            for spec in super().init_handlers():
                pattern, cls, *rest = spec
                if cls is VoilaShutdownKernelHandler:
                    cls = h.kernel_bound(h.shutdown)
                elif "(?P<kernel_id>" in pattern:
                    cls = h.kernel_bound(cls)
                elif issubclass(cls, VoilaHandler):
                    cls = h.guarded_page(cls)
                elif pattern.rstrip("/").endswith("/voila"):
                    cls = h.with_xsrf(cls)
                handlers.append((pattern, cls, *rest))
            handlers.insert(
                0, (url_path_join(self.server_url, r"/scoring/api/alive/([\w-]+)"), h.alive)
            )
            return handlers

        def start(self) -> None:
            install_redaction(self.log)
            store = getattr(self, "store_process", None)
            template = getattr(self, "kernel_template", None)
            if store is not None or template is not None:
                from tornado.ioloop import PeriodicCallback

                def watch() -> None:
                    for name, child in (("store", store), ("kernel template", template)):
                        try:
                            if child is not None and child.watch():
                                self.log.warning("%s process restarted (%d)", name, child.restarts)
                        except Exception:
                            self.log.exception("%s process could not be restarted", name)

                self._store_watch = PeriodicCallback(watch, STORE_WATCH_MS)
                self._store_watch.start()
            super().start()

    tmpl_root = Path(tempfile.mkdtemp(prefix="scoring-voila-"))
    write_template(tmpl_root)
    paths = [str(tmpl_root)] + [
        p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p
    ]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)
    app = ScoringVoila(config=config)
    app.initialize([])
    return app


def serve(
    port: int = DEFAULT_PORT,
    *,
    db: str | None = None,
    preheat: bool = False,
    log_level: str = "INFO",
    max_kernels_per_client: int = MAX_KERNELS_PER_CLIENT,
    max_kernels: int = MAX_KERNELS,
    trusted_proxies: Sequence[str] = (),
    ip: str = "127.0.0.1",
    kernel_starts: int | None = None,
    kernel_template: bool = True,
) -> int:
    """Run the dashboards' server until interrupted.

    Parameters
    ----------
    port : int
        Port on 127.0.0.1 (the command fails when it is taken: no retries).
    db : str, optional
        Database URL handed to the kernels as ``SCORING_DB``.
    preheat : bool
        Preheated kernel pool (see :func:`voila_config`).
    log_level : str
        Server log level (``DEBUG`` shows each kernel connection's handshake; kernel ids are
        redacted at every level).
    max_kernels_per_client, max_kernels, trusted_proxies, ip, kernel_starts
        Kernel caps, trusted proxies, the listening address and the start-up queue (see
        :func:`voila_config`).
    kernel_template : bool
        Fork the kernels from a template process (:mod:`scoring.ui.serve_forks`); when False,
        or when the template cannot start, each kernel starts from scratch.

    Returns
    -------
    int
        Exit status.
    """
    if db:
        os.environ["SCORING_DB"] = db
    root = dashboards_dir()
    missing = [n for n in DASHBOARDS if not (root / f"{n}.ipynb").is_file()]
    if missing:
        raise ValueError(f"dashboards not found in {root}: {', '.join(missing)}")
    config = voila_config(
        port,
        root_dir=root,
        preheat=preheat,
        max_kernels_per_client=max_kernels_per_client,
        max_kernels=max_kernels,
        trusted_proxies=trusted_proxies,
        ip=ip,
        kernel_starts=kernel_starts,
    )
    config.Voila.log_level = voila_log_level(log_level)
    from .remote.process import StoreProcess

    store = StoreProcess().start()  # the expert pages' store (scoring.ui.remote)
    template = None
    if kernel_template:
        from .serve_forks import KernelTemplate

        try:  # after the store: the kernels' environment names its socket
            template = KernelTemplate().start()
        except RuntimeError as exc:
            print(f"kernels start from scratch: {exc}", file=sys.stderr, flush=True)
    app = make_app(config)
    app.store_process = store
    app.kernel_template = template
    print("评审答辩工作台 dashboards / Dashboards:", flush=True)
    for name, url in dashboard_urls(port, ip).items():
        zh, en = DASHBOARDS[name]
        print(f"  {zh} ({en}): {url}", flush=True)
    sys.stdout.flush()
    app.start()
    return 0
