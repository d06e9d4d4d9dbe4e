"""bench_app.py on two commits, interleaved in one invocation: "after" (by default HEAD) and "before" (by
default 1685de5: the last commit before the view contract of issue #12), A B A B …, then the median of each
figure over the rounds and the ratio after / before, so the load of a shared machine falls on both alike. Both
trees are extracted with `git archive` into a temporary folder (nothing is written to the repository, and the
working tree may change meanwhile); each run is a fresh process importing its own tree's package (PYTHONPATH)
and this checkout's bench_app.py (read once, at the start), so both are measured by the same code.

Also, once per tree, where the resident memory goes: RSS (anonymous and file-backed) at each step of start-up
and after each view is shown (`--memory-steps`).

Run: .venv/bin/python benchmarks/bench_app_pair.py [--before REV] [--after REV] [--rounds N] [--full]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench_app.py"
DEFAULT_BEFORE = "1685de5"  # parent of 7560a70 (AnalysisRun), the first commit of the view contract

ROW = re.compile(r"^\s{3}(\S+)\s{2,}(.*?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(PASS|FAIL)$")
SPLIT = re.compile(r"^\s{3}split (\S+)\s{2,}(.*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")
STALL = re.compile(r"one per (\d+) ms\), (\d+) results.*\n\s+longest gap between 5 ms timer ticks (\d+) ms, p99 (\d+)")
MEMORY = re.compile(r"resident memory: (\d+) MB after 10 edits, (\d+) MB after (\d+)")


def parse(output: str) -> dict[str, float]:
    """bench_app.py's report as {figure name: value}."""
    figures: dict[str, float] = {}
    for line in output.splitlines():
        m = ROW.match(line)
        if m:
            view, label, _tokens, p50, p95, _verdict = m.groups()
            name = f"{view} {label}".strip()
            figures[f"{name} | p50 ms"] = float(p50)
            figures[f"{name} | p95 ms"] = float(p95)
        m = SPLIT.match(line)
        if m:
            view, label, worker, gui, paint = m.groups()
            name = f"{view} {label}".strip()
            figures[f"{name} | worker ms"] = float(worker)
            figures[f"{name} | GUI + paint ms"] = float(gui) + float(paint)
    for interval, _results, worst, p99 in STALL.findall(output):
        figures[f"stall, a key per {interval} ms | longest ms"] = float(worst)
        figures[f"stall, a key per {interval} ms | p99 ms"] = float(p99)
    m = MEMORY.search(output)
    if m:
        figures["memory | MB after 10 edits"] = float(m.group(1))
        figures[f"memory | MB after {m.group(3)} edits"] = float(m.group(2))
    return figures


def extract(rev: str, into: Path, name: str) -> Path:
    """The tree of `rev` as files under `into` (git archive: no worktree registered, nothing left behind)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    tree = into / name
    tree.mkdir()
    archive_path = into / "tree.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(tree, filter="data")
    archive_path.unlink()
    return tree


def rev_name(rev: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%h (%s)", rev], check=True, capture_output=True, text=True
    ).stdout.strip()[:100]


def run_tree(tree: Path, bench: Path, args: list[str]) -> str:
    env = dict(os.environ, PYTHONPATH=str(tree), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(bench), *args], cwd=tree, env=env, capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise SystemExit(f"bench_app.py failed in {tree}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="the older commit (default: %(default)s)")
    parser.add_argument("--after", default="HEAD", help="the newer commit (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs, A B A B … (default: %(default)s)")
    parser.add_argument("--full", action="store_true", help="bench_app.py without --quick (100 sentences a row)")
    args = parser.parse_args()
    bench_args = [] if args.full else ["--quick"]
    with tempfile.TemporaryDirectory(prefix="bench-pair-") as scratch:
        scratch = Path(scratch)
        trees = {side: extract(rev, scratch, side) for side, rev in (("before", args.before), ("after", args.after))}
        bench = scratch / "bench_app.py"
        bench.write_bytes(BENCH.read_bytes())
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        started = time.perf_counter()
        revs = {side: rev_name(rev) for side, rev in (("before", args.before), ("after", args.after))}
        print(f"before = {revs['before']}, after = {revs['after']}; load average at the start: {os.getloadavg()}")
        for r in range(args.rounds):
            for side in ("before", "after"):
                runs[side].append(parse(run_tree(trees[side], bench, bench_args)))
                print(f"  round {r + 1} {side:<6} done, load average {os.getloadavg()[0]:.1f}", flush=True)
        steps = {side: run_tree(trees[side], bench, ["--memory-steps"]) for side in ("before", "after")}
    print(f"{args.rounds} rounds in {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()}")
    names = list(dict.fromkeys(n for side in ("after", "before") for run in runs[side] for n in run))
    print(f"\n{'figure':<52}{'before':>9}{'after':>9}{'after/before':>14}   (medians of {args.rounds} runs)")
    for name in names:
        b = [run[name] for run in runs["before"] if name in run]
        a = [run[name] for run in runs["after"] if name in run]
        mb = statistics.median(b) if b else None
        ma = statistics.median(a) if a else None
        ratio = f"{ma / mb:.2f}" if mb and ma is not None else "-"
        print(f"{name:<52}{'-' if mb is None else f'{mb:.1f}':>9}{'-' if ma is None else f'{ma:.1f}':>9}{ratio:>14}")
    for side in ("before", "after"):
        print(f"\nresident memory step by step, {side}:\n{steps[side]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
