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
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import processes

pytestmark = pytest.mark.slow  # the real server in a process

TIMEOUT_S = 60


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def get(self, path: str) -> str:
        """The page's text; for an HTTP error its status line, then its text."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return str(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}\n" + exc.read().decode("utf-8", "replace")

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
    located = "content/roles/sales-rep.yaml:13:27: document.review_interval_months"
    server.wait_for_log(located)  # the located error, in the server's log
    # Every page shows the error at once (MkDocs alone would hold the request until
    # the repair), with the script that reloads it after the next rebuild.
    for path in ("roles/sales-rep/", "roles/team-lead/goals/", ""):
        page = server.get(path)
        assert page.startswith("HTTP 500\n"), page[:200]
        assert f"{located}: expected a whole number from 1 to 60, got &#x27;六&#x27;" in page
        assert "/livereload/" in page
    assert "HTTP 500" not in server.get("assets/handbook.css")  # assets still load
    role_file.write_text(text.replace("开发与维护客户", "修好以后的说明"), "utf-8")
    server.wait_for("roles/sales-rep/", "修好以后的说明")


def test_a_deleted_roles_pages_are_gone(server: Server, project: Path) -> None:
    result = CliRunner().invoke(
        main, ["--project", str(project), "new-role", "extra", "--title", "临时岗位",
               "--department", "测试部"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    server.wait_for("roles/extra/", "临时岗位")
    assert "临时岗位" in server.get("roles/extra/job-description/")
    (project / "content/roles/extra.yaml").unlink()
    server.wait_for("roles/extra/", "HTTP 404")
    assert server.get("roles/extra/job-description/").startswith("HTTP 404")
    assert "临时岗位" not in server.get("roles/")


def test_settings_guides_and_warnings_follow_the_edits(server: Server, project: Path) -> None:
    """handbook.yml is read again at each rebuild; a deleted hand-written page goes; a
    warning that an edit brings is in the server's log."""
    guide = project / "content" / "guide.md"
    guide.write_text("# 临时指南\n\n内容。\n", "utf-8")
    server.wait_for("guide/", "临时指南")
    settings = project / "handbook.yml"
    text = settings.read_text("utf-8")
    settings.write_text(text.replace("title: 岗位手册", "title: 新的手册名"), "utf-8")
    server.wait_for("", "新的手册名")
    guide.unlink()
    server.wait_for("guide/", "HTTP 404")
    role_file = project / "content" / "roles" / "sales-rep.yaml"
    role = role_file.read_text("utf-8")
    role_file.write_text(role.replace("last_reviewed: 2026-", "last_reviewed: 2020-", 1), "utf-8")
    server.wait_for_log("sales-rep.yaml:")
    assert any("review overdue" in line for line in server.log)


def test_a_path_with_nul_is_not_found(server: Server) -> None:
    assert server.get("%00").startswith("HTTP 404\n")
    assert server.get("roles/%00/").startswith("HTTP 404\n")
    assert "Traceback" not in "".join(server.log)
    assert "销售代表" in server.get("roles/sales-rep/")  # and the server serves on


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (None, "port {port} is in use: choose another with --dev-addr"),
        ("127.0.0.1:99999", "--dev-addr: expected a port from 1 to 65535, got 99999"),
        ("localhost", "--dev-addr: expected IP:PORT, e.g. 127.0.0.1:8000, got 'localhost'"),
    ],
    ids=["port-in-use", "port-out-of-range", "no-port"],
)
def test_an_address_it_cannot_serve_on_is_a_usage_error(
    project: Path, address: str | None, message: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        command = [sys.executable, "-c", "from generator.cli import main; main()"]
        command += ["--project", str(project), "serve", "--dev-addr"]
        command.append(address or f"127.0.0.1:{port}")
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 2, done.stderr
    assert f"Error: {message.format(port=port)}" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr


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


def test_a_server_started_with_ctrl_c_ignored_still_stops_on_it(project: Path) -> None:
    """`handbook serve &` in a script starts it with SIGINT ignored (as shells do for
    background jobs): Ctrl-C (SIGINT) still stops it."""
    port = _free_port()
    command = [sys.executable, "-c", "from generator.cli import main; main()"]
    command += ["--project", str(project), "serve", "--dev-addr", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    served = Server(f"http://127.0.0.1:{port}/", process)
    assert process.stderr is not None
    stderr = process.stderr
    threading.Thread(target=lambda: served.log.extend(stderr), daemon=True).start()
    try:
        served.wait_for_log("Serving on")
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        stderr.close()
