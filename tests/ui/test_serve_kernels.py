"""The kernel manager's cheaper activity watch keeps jupyter_server's rules
(:mod:`scoring.ui.serve_kernels`)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jupyter_client.session import Session
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from scoring.ui import serve
from scoring.ui.serve_kernels import ActivityKernelManager

KEY = b"a-kernel-key"


class _Stream:
    def on_recv(self, callback):
        self.callback = callback


def _watch(manager_class, tmp_path, untracked=None):
    manager = manager_class(root_dir=str(tmp_path))
    if untracked is not None:
        manager.untracked_message_types = untracked
    kernel = SimpleNamespace(session=Session(key=KEY), execution_state="starting")
    stream = _Stream()
    kernel.connect_iopub = lambda: stream
    manager._kernels["k"] = kernel
    manager.start_watching_activity("k")
    return kernel, stream.callback


def _messages():
    """IOPub traffic of an expert page: start, an executed cell with widget messages, a comm
    message from the browser answered with updates, and an untracked type."""
    kernel_side = Session(key=KEY)

    def msg(msg_type, content, parent_type=None):
        parent = kernel_side.msg(parent_type, {}) if parent_type else {}
        m = kernel_side.msg(msg_type, content, parent=parent)
        if not parent_type:
            m["parent_header"] = {}
        return kernel_side.serialize(m, ident=[b"kernel.k." + msg_type.encode()])

    yield msg("status", {"execution_state": "starting"})
    yield msg("status", {"execution_state": "idle"}, "kernel_info_request")
    yield msg("status", {"execution_state": "busy"}, "execute_request")
    yield msg("comm_open", {"comm_id": "c", "data": {"state": {"value": "x" * 4000}}},
              "execute_request")  # fmt: skip
    yield msg("status", {"execution_state": "idle"}, "execute_request")
    yield msg("status", {"execution_state": "busy"}, "comm_msg")
    yield msg("comm_msg", {"comm_id": "c", "data": {"method": "update"}}, "comm_msg")
    yield msg("status", {"execution_state": "idle"}, "comm_msg")
    yield msg("status", {"execution_state": "busy"}, "comm_info_request")
    yield msg("comm_msg", {"comm_id": "c", "data": {}})
    yield msg("status", {"execution_state": "idle"}, "comm_info_request")


@pytest.mark.parametrize("untracked", [None, []])  # jupyter_server's default; all tracked
def test_the_watch_records_what_jupyter_servers_records(tmp_path, untracked):
    theirs, record_theirs = _watch(AsyncMappingKernelManager, tmp_path, untracked)
    ours, record_ours = _watch(ActivityKernelManager, tmp_path, untracked)
    steps = []
    for parts in _messages():
        row = []
        for kernel, record in ((theirs, record_theirs), (ours, record_ours)):
            kernel.last_activity = None
            record(list(parts))
            row.append((kernel.execution_state, kernel.last_activity is not None))
        steps.append(row)
    assert all(a == b for a, b in steps), steps
    # comm_info_request is not activity by default: its idle status leaves the kernel idle
    assert steps[-1][0] == ("idle", untracked == [])
    assert [row[0][0] for row in steps][:3] == ["starting", "idle", "busy"]


def test_a_forged_status_is_refused_as_before(tmp_path):
    kernel, record = _watch(ActivityKernelManager, tmp_path)
    forger = Session(key=b"not-the-key")
    parts = forger.serialize(forger.msg("status", {"execution_state": "busy"}, parent={}))
    with pytest.raises(ValueError, match="Signature"):
        record(parts)
    assert kernel.execution_state == "starting"


def test_the_server_uses_it(tmp_path):
    config = serve.voila_config(9995, root_dir=tmp_path)
    assert config.VoilaConfiguration.multi_kernel_manager_class.endswith("ActivityKernelManager")
