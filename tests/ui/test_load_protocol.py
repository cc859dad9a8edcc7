"""The load test's websocket framing is the one jupyter_server speaks with the browser's client."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_binary_message,
    serialize_msg_to_ws_v1,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from load.protocol import decode_frame, encode_v1

MSG = {
    "channel": "shell",
    "header": {"msg_id": "m1", "msg_type": "comm_msg", "session": "s"},
    "parent_header": {"msg_id": "p0"},
    "metadata": {},
    "content": {"comm_id": "c", "data": {"method": "update", "state": {"value": "综合实力"}}},
    "buffers": [b"\x00\x01\x02"],
}
PARTS = ("header", "parent_header", "metadata", "content")


def test_a_message_sent_in_v1_is_what_the_server_reads():
    channel, parts = deserialize_msg_from_ws_v1(encode_v1(MSG))
    assert channel == "shell"
    assert [json.loads(p) for p in parts[:4]] == [MSG[k] for k in PARTS]
    assert parts[4:] == MSG["buffers"]


def test_a_v1_frame_from_the_server_is_read_whole():
    frame = serialize_msg_to_ws_v1(
        [json.dumps(MSG[k]).encode() for k in PARTS] + [b"zz", b""], "iopub"
    )
    msg = decode_frame(frame, v1=True)
    assert msg["channel"] == "iopub" and msg["buffers"] == [b"zz", b""]
    assert all(msg[k] == MSG[k] for k in PARTS)


def test_the_legacy_framing_still_reads():
    legacy = {k: v for k, v in MSG.items() if k != "channel"}
    msg = decode_frame(serialize_binary_message(legacy))
    assert msg["content"] == MSG["content"] and msg["buffers"] == MSG["buffers"]
    assert decode_frame(json.dumps({"content": {"a": 1}}))["content"] == {"a": 1}
