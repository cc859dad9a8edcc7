"""The protocol-level load test (``benchmarks/bench_load.py``) runs end to end: two simulated
experts against a real ``scoring serve`` open the page, log in, fill and confirm a sheet and
leave, and no kernel is left behind. Speed is the benchmark's business, not asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(240)
def test_two_simulated_experts_against_one_server(tmp_path):
    out = tmp_path / "figures.json"
    argv = [sys.executable, str(ROOT / "benchmarks" / "bench_load.py"), "--users", "2"]
    argv += ["--workers", "0", "--baseline", "0", "--vanish", "0", "--ramp", "0.5"]
    argv += ["--think", "0", "--typing", "1", "--timeout", "120", "--json", str(out)]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=230)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fig = json.loads(out.read_text(encoding="utf-8"))
    assert fig["errors"] == [], proc.stdout
    assert fig["users"] == 2 and fig["usable"] == 2 and fig["ok"] == 2, proc.stdout
    assert fig["saves"] == 10, proc.stdout  # five criteria each, every one a draft save
    assert fig["kernels_peak"] >= 2, proc.stdout
    assert fig["left_now"] == 0 and fig["left_after_cull"] == 0, proc.stdout
    assert "page ready" in proc.stdout and "save" in proc.stdout
