"""Helpers of ``benchmarks/bench_load.py``: a protocol-level load test of the dashboards.

``protocol`` speaks the Jupyter kernel websocket protocol and the ipywidgets comm messages,
``user`` is one simulated expert (page, kernel, login, sheets, leave), ``seed`` fills the
benchmark's own database, ``servers`` starts the server or the deployment under test, and
``measure`` holds the process-tree accounting (CPU seconds, kernels, memory) and statistics.
"""
