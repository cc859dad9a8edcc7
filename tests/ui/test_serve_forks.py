"""Kernels forked from the template process (scoring.ui.kernel_forks, scoring.ui.serve_forks)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path

import psutil
import pytest
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerFactory

from scoring.ui.serve_forks import (
    ForkProvisioner,
    KernelTemplate,
    TemplateUnavailable,
    forkable,
)

LAUNCH = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


@pytest.fixture
def fork_provisioner():
    """Kernel managers of this test get the provisioner ``scoring serve`` configures."""
    factory = KernelProvisionerFactory.instance()
    before = factory.default_provisioner_name
    factory.default_provisioner_name = "scoring-fork"
    yield
    factory.default_provisioner_name = before


@pytest.fixture
def template():
    tpl = KernelTemplate().start()
    yield tpl
    tpl.stop()


def wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


async def start(tmp_path: Path, **env: str) -> AsyncKernelManager:
    # an absolute connection file, as the server's: the ipc sockets are named after it
    files = tmp_path / "runtime"
    files.mkdir(exist_ok=True)
    name = f"kernel-{len(list(files.iterdir()))}.json"
    km = AsyncKernelManager(
        kernel_name="python3", transport="ipc", connection_file=str(files / name)
    )
    await km.start_kernel(env={**os.environ, **env}, cwd=str(tmp_path))
    return km


async def run(km: AsyncKernelManager, code: str) -> str:
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    out: list[str] = []

    def hook(msg: dict) -> None:
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    await kc.execute_interactive(code, output_hook=hook, timeout=60)
    kc.stop_channels()
    return "".join(out)


def test_the_provisioner_is_registered():
    names = {ep.name: ep.value for ep in entry_points(group="jupyter_client.kernel_provisioners")}
    assert names["scoring-fork"] == "scoring.ui.serve_forks:ForkProvisioner"


def test_forkable_only_ipykernel_on_this_python_with_the_same_python_environment(tmp_path):
    env = {"PATH": "/bin", "PYTHONPATH": "/a"}
    assert forkable(LAUNCH, env, {"PYTHONPATH": "/a", "HOME": "/x"})
    assert not forkable(LAUNCH, env, {"PYTHONPATH": "/b"})  # sys.path fixed in the template
    assert not forkable(LAUNCH, {"PYTHONHASHSEED": "0"}, {})
    assert not forkable([sys.executable, "-c", "pass"], env, env)
    other = tmp_path / "python"
    other.write_text("")
    assert not forkable([str(other), *LAUNCH[1:]], env, env)
    assert not forkable(["/no/such/python", *LAUNCH[1:]], env, env)


def test_a_kernel_is_forked_from_the_template_and_runs_as_launched(
    tmp_path, template, fork_provisioner
):
    async def scenario() -> None:
        km = await start(tmp_path, SCORING_PROBE="42")
        assert isinstance(km.provisioner, ForkProvisioner)
        pid = km.provisioner.pid
        kernel = psutil.Process(pid)
        assert kernel.ppid() == template.proc.pid  # forked, not started by this process
        assert os.getsid(pid) == pid  # its own session, as jupyter_client starts a kernel
        out = await run(
            km,
            "import os, sys\n"
            "print(os.getcwd(), os.environ['SCORING_PROBE'], os.environ['JPY_PARENT_PID'],"
            " sys.path[0], sep='|')\n"
            "print('scoring.ui.expert.view' in sys.modules, sys.stdin.read() == '')\n"
            "print(sorted(get_ipython().kernel.comm_manager.targets))",
        )
        cwd, probe, parent, path0 = out.splitlines()[0].split("|")
        assert Path(cwd) == tmp_path and Path(path0) == tmp_path
        assert probe == "42" and parent == str(template.proc.pid)
        assert out.splitlines()[1] == "True True"  # preloaded; stdin from /dev/null
        # ipywidgets, imported before the kernel existed, registered its comm targets with it
        assert "'jupyter.widget', 'jupyter.widget.control'" in out.splitlines()[2]
        title = " ".join(kernel.cmdline())  # what ps shows: the kernel's command line
        assert "ipykernel_launcher" in title and km.connection_file in title
        process = km.provisioner.process
        await km.shutdown_kernel()
        assert process.returncode == 0  # the template reaped it and said so
        assert wait_gone(pid, 5)

    asyncio.run(scenario())


def test_a_killed_kernel_reports_its_signal(tmp_path, template, fork_provisioner):
    async def scenario() -> None:
        km = await start(tmp_path)
        await run(km, "x = 1")
        process = km.provisioner.process
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(10) == -signal.SIGKILL
        assert await km.is_alive() is False
        await km.shutdown_kernel(now=True)

    asyncio.run(scenario())


def test_the_template_refuses_anything_but_ipykernel(tmp_path, template):
    with pytest.raises(TemplateUnavailable, match="ipykernel_launcher"):
        template.fork([sys.executable, "-c", "print(1)"], dict(os.environ), tmp_path)
    with pytest.raises(TemplateUnavailable, match="cwd"):
        template.fork(LAUNCH, dict(os.environ), tmp_path / "missing")
    assert template.alive()


def test_without_a_template_kernels_start_as_before(tmp_path, fork_provisioner):
    assert KernelTemplate.current is None

    async def scenario() -> None:
        km = await start(tmp_path)
        assert psutil.Process(km.provisioner.pid).ppid() == os.getpid()
        assert await run(km, "print(6 * 7)") == "42\n"
        await km.shutdown_kernel()

    asyncio.run(scenario())


def test_a_dead_template_is_restarted_and_its_kernels_leave_with_it(
    tmp_path, template, fork_provisioner
):
    async def scenario() -> None:
        km = await start(tmp_path)
        await run(km, "x = 1")
        pid = km.provisioner.pid
        template.proc.kill()
        template.proc.wait()
        assert wait_gone(pid, 10)  # ipykernel's parent poller: the template was its parent
        assert template.watch() and template.alive()
        await km.shutdown_kernel(now=True)
        km2 = await start(tmp_path)
        assert psutil.Process(km2.provisioner.pid).ppid() == template.proc.pid
        await km2.shutdown_kernel()

    asyncio.run(scenario())


def test_the_template_leaves_with_its_server(tmp_path):
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from scoring.ui.serve_forks import KernelTemplate\n"
            "t = KernelTemplate().start(); print(t.proc.pid, flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        template_pid = int(server.stdout.readline())
        assert psutil.pid_exists(template_pid)
        server.kill()  # SIGKILL: no atexit, no stop()
        server.wait()
        assert wait_gone(template_pid, 10)
    finally:
        server.kill()


@pytest.mark.parametrize(
    ("env", "argv", "expected"),
    [
        (None, [], True),
        ("0", [], False),
        ("1", ["--no-kernel-template"], False),
    ],
)
def test_the_command_line_chooses_the_template(monkeypatch, env, argv, expected):
    import argparse

    from scoring.ui import cli

    if env is None:
        monkeypatch.delenv(cli.TEMPLATE_ENV, raising=False)
    else:
        monkeypatch.setenv(cli.TEMPLATE_ENV, env)
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    assert parser.parse_args(["serve", *argv]).kernel_template is expected
