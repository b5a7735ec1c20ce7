"""How soon `handbook serve` shows an edit: save a role file, poll the served page.

    python bench/serve.py DIR ROLE_ID [--edits N] [--port P]

DIR is a handbook project (for example one kept by ``bench/run.py --keep``). The
server is started as a writer starts it; after its first build, the role's purpose
is changed N times, a few seconds apart, and each time the seconds from saving the
file to the served overview page showing the new text are printed. The file is
restored at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

TIMEOUT_S = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("role")
    parser.add_argument("--edits", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    command = [sys.executable, "-c", "from generator.cli import run; run()"]
    command += ["--project", str(args.project), "serve", "--dev-addr", f"127.0.0.1:{args.port}"]
    started = time.perf_counter()
    server = subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        start_new_session=True,
    )  # fmt: skip
    assert server.stderr is not None
    for line in server.stderr:
        if "Serving on" in line:
            break
    print(f"first build and start: {time.perf_counter() - started:.1f} s", flush=True)
    stderr = server.stderr
    threading.Thread(target=lambda: [None for _ in stderr], daemon=True).start()
    role_file = args.project / "content" / "roles" / f"{args.role}.yaml"
    original = role_file.read_text("utf-8")
    url = f"http://127.0.0.1:{args.port}/roles/{args.role}/"
    seconds = []
    try:
        for n in range(args.edits):
            time.sleep(3)
            mark = f"编辑{n}-{time.time_ns()}"
            role_file.write_text(
                re.sub(r"^purpose: .*$", f"purpose: {mark}", original, count=1, flags=re.M),
                "utf-8",
            )
            saved = time.perf_counter()
            while mark not in _get(url):
                if time.perf_counter() - saved > TIMEOUT_S:
                    raise SystemExit(f"edit {n} not shown after {TIMEOUT_S} s")
                time.sleep(0.05)
            seconds.append(time.perf_counter() - saved)
            print(f"edit {n}: shown after {seconds[-1]:.2f} s", flush=True)
    finally:
        role_file.write_text(original, "utf-8")
        # (SIGTERM, which serve handles as Ctrl-C: a benchmark started in the background
        # of a shell has SIGINT ignored, and so has the server it starts.)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    print(f"median {sorted(seconds)[len(seconds) // 2]:.2f} s, worst {max(seconds):.2f} s")


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


if __name__ == "__main__":
    main()
