"""`handbook serve` as a writer uses it: edit a role file, see the page change.

The server runs as its own process (the real command), on a free port.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import processes

TIMEOUT_S = 60


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def get(self, path: str) -> str:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return str(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}"

    def wait_for(self, path: str, text: str) -> float:
        """Seconds until the page at ``path`` shows ``text``."""
        started = time.perf_counter()
        while text not in self.get(path):
            assert self.process.poll() is None, "".join(self.log)
            assert time.perf_counter() - started < TIMEOUT_S, (text, "".join(self.log[-20:]))
            time.sleep(0.1)
        return time.perf_counter() - started

    def wait_for_log(self, text: str) -> None:
        started = time.perf_counter()
        while not any(text in line for line in self.log):
            assert time.perf_counter() - started < TIMEOUT_S, (text, "".join(self.log[-20:]))
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(project: Path) -> Iterator[Server]:
    port = _free_port()
    command = [sys.executable, "-c", "from generator.cli import main; main()"]
    command += ["--project", str(project), "serve"]
    process = subprocess.Popen(
        [*command, "--dev-addr", f"127.0.0.1:{port}"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert process.stderr is not None
    served = Server(f"http://127.0.0.1:{port}/", process)
    stderr = process.stderr
    threading.Thread(target=lambda: served.log.extend(stderr), daemon=True).start()
    try:
        served.wait_for_log("Serving on")
        yield served
    finally:
        if process.poll() is None:  # a test may have stopped it
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        stderr.close()


def test_an_edit_shows_in_the_served_page(server: Server, project: Path) -> None:
    role_file = project / "content" / "roles" / "sales-rep.yaml"
    text = role_file.read_text("utf-8")
    assert "开发与维护客户" in server.get("roles/sales-rep/")
    role_file.write_text(text.replace("开发与维护客户", "开拓新区域客户"), "utf-8")
    server.wait_for("roles/sales-rep/", "开拓新区域客户")
    # The superior's pages show the title of a renamed role too.
    role_file.write_text(text.replace("title: 销售代表", "title: 客户代表"), "utf-8")
    server.wait_for("roles/team-lead/", "客户代表")
    server.wait_for("roles/", "客户代表")  # and the roles index
    # The search index follows in the background.
    server.wait_for_log("Search index updated")
    worker = re.search(r'"search": *"([^"]+)"', server.get(""))
    assert worker is not None
    assert "pagefind" in server.get(worker.group(1))  # Pagefind's worker in Material's place


def test_a_broken_edit_is_reported_and_the_repair_served(server: Server, project: Path) -> None:
    role_file = project / "content" / "roles" / "sales-rep.yaml"
    text = role_file.read_text("utf-8")
    role_file.write_text(text.replace("review_interval_months: 6", "review_interval_months: 六"))
    server.wait_for_log(
        "sales-rep.yaml:13:27: document.review_interval_months"
    )  # the located error, in the server's log
    # MkDocs holds requests while the last rebuild failed; the repaired file is served.
    role_file.write_text(text.replace("开发与维护客户", "修好以后的说明"), "utf-8")
    server.wait_for("roles/sales-rep/", "修好以后的说明")


@pytest.mark.parametrize(
    "stop",
    [
        lambda pid: os.killpg(pid, signal.SIGINT),  # Ctrl-C in its terminal
        lambda pid: os.kill(pid, signal.SIGTERM),  # a service manager, to the server alone
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_stopping_the_server_stops_its_indexing_at_once(
    server: Server, project: Path, stop: Callable[[int], None]
) -> None:
    role_file = project / "content" / "roles" / "sales-rep.yaml"
    text = role_file.read_text("utf-8")
    role_file.write_text(text.replace("开发与维护客户", "停止之前的修改"), "utf-8")
    server.wait_for("roles/sales-rep/", "停止之前的修改")  # Pagefind starts indexing now
    stop(server.process.pid)
    server.process.wait(timeout=10)
    left = [p.command for p in processes() if p.group == server.process.pid]
    assert left == []  # no Pagefind left running
