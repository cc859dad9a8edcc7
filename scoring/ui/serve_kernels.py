"""The server's kernel manager: jupyter_server's, with a cheaper watch on kernel activity.

jupyter_server subscribes to each kernel's IOPub channel a second time, only to keep the kernel's
``last_activity`` (for the idle cull) and ``execution_state``. For that it decoded every message
the kernel published: the HMAC over all of its parts, its header, parent header and metadata, and
the dates in them. An expert page's kernel publishes a widget message for every widget it shows
and changes, so under the 60-expert crowd that watch took about a seventh of a worker's time, on
the event loop that also relays the saves.

:class:`ActivityKernelManager` reads only what the watch needs: the message type from the header
and the parent's message type. A ``status`` message, the only one whose content changes
``execution_state``, is still decoded in full and its signature checked, as before. The
messages of the watch come from the kernel's own IOPub socket (a publisher the kernel binds; a
subscriber cannot inject into it), so the signature of the others guarded nothing the watch does.
"""

from __future__ import annotations

from typing import Any

from jupyter_client.session import Session
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


class ActivityKernelManager(AsyncMappingKernelManager):
    """:class:`~jupyter_server.services.kernels.kernelmanager.AsyncMappingKernelManager` whose
    activity watch decodes only the message types (and ``status`` messages in full)."""

    def start_watching_activity(self, kernel_id: str) -> None:
        """Start watching IOPub messages on a kernel for activity (``last_activity`` on every
        tracked message, ``execution_state`` from ``status`` messages)."""
        self.log.debug("Watching kernel activity: %s", kernel_id)
        kernel = self._kernels[kernel_id]
        kernel.reason = ""
        kernel.last_activity = utcnow()
        kernel._activity_stream = kernel.connect_iopub()
        session = Session(config=kernel.session.config, key=kernel.session.key)
        kernel._activity_stream.on_recv(activity_recorder(self, kernel, session))


def activity_recorder(manager: Any, kernel: Any, session: Session) -> Any:
    """The callback that records one IOPub message's activity on ``kernel`` (the rules of
    jupyter_server's ``record_activity``, reading only the header, the parent header and a
    ``status`` message's content)."""

    def record_activity(msg_list: list[bytes]) -> None:
        _idents, parts = session.feed_identities(msg_list)
        # parts: signature, header, parent header, metadata, content, buffers...
        msg_type = session.unpack(parts[1]).get("msg_type")
        parent_header = session.unpack(parts[2])
        parent_msg_type = parent_header.get("msg_type") if parent_header else None
        if (
            manager.track_message_type(msg_type)
            or manager.track_message_type(parent_msg_type)
            or kernel.execution_state == "busy"
        ):
            manager.last_kernel_activity = kernel.last_activity = utcnow()
        if msg_type != "status":
            return
        msg = session.deserialize(parts)  # in full, signature checked
        execution_state = msg["content"]["execution_state"]
        if manager.track_message_type(parent_msg_type):
            kernel.execution_state = execution_state
        elif kernel.execution_state == "starting" and execution_state != "starting":
            # as jupyter_server: after starting, "idle" unless the status answers a tracked
            # message type
            kernel.execution_state = "idle"

    return record_activity
