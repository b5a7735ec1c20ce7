"""Benchmark: what a build costs when little or nothing changed.

    python bench/incremental.py DIR --roles 1000 [--print] [--edits 3] [--compare]
                                [--json out.json]

Makes a synthetic handbook of N roles in DIR (bench/run.py's roles) unless DIR
holds one already, builds it, then times real ``handbook build`` commands (a new
process each, as HR runs them): a build with nothing changed, then ``--edits``
builds each after one role's text was edited. With ``--compare``, the site updated
by the last edit is compared, file for file and byte for byte, with a clean build
of the same inputs (a copy of the project without its build cache).
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HANDBOOK = [sys.executable, "-c", "from generator.cli import run; run()"]


def handbook_build(root: Path, *args: str) -> tuple[float, str]:
    """Seconds of one ``handbook build`` in a new process, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [*HANDBOOK, "--project", str(root), "build", *args],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"handbook build failed:\n{done.stderr}")
    return seconds, done.stdout.strip()


def edit_role(root: Path, number: int) -> str:
    """Change a sentence of one role file (another role each time); its id."""
    files = sorted((root / "content" / "roles").glob("*.yaml"))
    path = files[(number * 7919) % len(files)]
    text = path.read_text(encoding="utf-8")
    marker = "purpose: "
    at = text.index(marker) + len(marker)
    path.write_text(text[:at] + f"（第{number + 1}次修订）" + text[at:], encoding="utf-8")
    return path.stem


def same_tree(one: Path, other: Path) -> list[str]:
    """The files that differ between two folders (missing on one side included)."""
    found: list[str] = []
    comparison = filecmp.dircmp(one, other)
    stack = [(comparison, "")]
    while stack:
        current, prefix = stack.pop()
        found += [prefix + name for name in current.left_only + current.right_only]
        _, mismatch, errors = filecmp.cmpfiles(
            current.left, current.right, current.common_files, shallow=False
        )
        found += [prefix + name for name in mismatch + errors]
        stack += [(sub, f"{prefix}{name}/") for name, sub in current.subdirs.items()]
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the handbook (made here if missing)")
    parser.add_argument("--roles", type=int, default=100)
    parser.add_argument("--print", action="store_true", help="with the printable sheets")
    parser.add_argument("--edits", type=int, default=3, help="builds after one edit each")
    parser.add_argument("--compare", action="store_true", help="then compare with a clean build")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    root: Path = args.folder
    printing = ["--print" if args.print else "--no-print"]
    figures: dict[str, Any] = {"roles": args.roles, "print": args.print}
    if not (root / "content" / "roles").is_dir():
        spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
        assert spec is not None and spec.loader is not None
        run = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = run  # (its dataclasses look their module up)
        spec.loader.exec_module(run)
        root.mkdir(parents=True)
        run.make_project(root, args.roles)
        figures["first_build_s"], _ = handbook_build(root, *printing)
    else:
        handbook_build(root, *printing)  # (whatever changed since: built)
    figures["noop_s"], said = handbook_build(root, *printing)
    figures["noop_said"] = said
    edits = []
    for number in range(args.edits):
        role = edit_role(root, number)
        seconds, _ = handbook_build(root, *printing)
        edits.append(seconds)
        print(f"edit of {role}: {seconds:.1f} s", file=sys.stderr)
    figures["edit_s"] = [round(s, 2) for s in edits]
    figures["edit_median_s"] = round(median(edits), 2) if edits else None
    if args.compare:  # (a copy of the project without its cache: nothing is reused)
        clean = root.parent / f"{root.name}-clean"
        shutil.rmtree(clean, ignore_errors=True)
        shutil.copytree(root, clean, ignore=shutil.ignore_patterns(".handbook-cache", "site"))
        figures["clean_build_s"], _ = handbook_build(clean, *printing)
        figures["differences"] = same_tree(root / "site", clean / "site")
        shutil.rmtree(clean, ignore_errors=True)
    figures = {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}
    for key, value in figures.items():
        print(f"{key:<16} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", "utf-8")
    os.sync()


if __name__ == "__main__":
    main()
