"""Several ``scoring serve`` workers behind HAProxy on one PostgreSQL (``scoring deploy``).

* :mod:`.haproxy` writes the proxy configuration: cookie stickiness (a page and its kernel's
  websocket reach the same worker), ``option redispatch`` and health checks (a reload after a
  worker died lands on a live one), websocket timeouts, gzip, security headers.
* :mod:`.capacity` counts the database connections the workers' kernels can open and says
  whether a PgBouncer is needed; :mod:`.pgbouncer` writes its configuration.
* :mod:`.postgres` starts a throwaway PostgreSQL cluster for a try-out.
* :mod:`.runner` starts the whole thing on one machine and supervises the workers; :mod:`.cli`
  is the ``scoring deploy`` sub-command.

The files under ``deploy/`` in the repository (HAProxy, systemd, PgBouncer) are the production
side of the same settings; ``docs/DEPLOY.md`` explains several machines and Kubernetes.
"""

from __future__ import annotations

from .capacity import ConnectionBudget, connection_budget
from .haproxy import Backend, haproxy_config

__all__ = ["Backend", "ConnectionBudget", "connection_budget", "haproxy_config"]
