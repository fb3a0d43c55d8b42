#!/usr/bin/env python3
"""Wall time of `robofleet backtest` for two or more builds, interleaved.

    python3 bench/scripts/backtest_ab.py OLD_BINARY,NEW_BINARY ROUNDS [ROBOT] [DATA]

Each round runs every binary once, in random order, on the same plugin (`lib<ROBOT>.so`
from target/release) and data, so the drifts of a shared machine hit all of them alike.
A binary given as `BINARY:DIR` runs the plugin built into DIR instead (an older build of the
robot beside an older binary: `git worktree add /tmp/old REV`, then
`CARGO_TARGET_DIR=/tmp/old-target cargo build --release -p ROBOT` there).
Prints min, median and max wall time per binary, and its median over the first one's.
"""
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    bins = sys.argv[1].split(",")
    rounds = int(sys.argv[2])
    robot = sys.argv[3] if len(sys.argv) > 3 else "ma_cross"
    data = sys.argv[4] if len(sys.argv) > 4 else "/tmp/q1m.csv"
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    plugin = os.path.join(root, "target", "release", f"lib{robot}.so")
    out = os.path.join(tempfile.mkdtemp(), "report")
    times = {b: [] for b in bins}
    for _ in range(rounds):
        order = bins[:]
        random.shuffle(order)
        for b in order:
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            exe, _, plugin_dir = b.partition(":")
            plug = os.path.join(plugin_dir, f"lib{robot}.so") if plugin_dir else plugin
            r = subprocess.run(
                [exe, "backtest", "--plugin", plug, "--data", data, "--out", out],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            elapsed = time.perf_counter() - start
            if r.returncode != 0:
                sys.exit(f"{b} failed with status {r.returncode}")
            times[b].append(elapsed)
    first = statistics.median(times[bins[0]])
    for b in bins:
        v = sorted(times[b])
        med = statistics.median(v)
        print(f"{b}: min {v[0]:.3f} median {med:.3f} max {v[-1]:.3f} s, median / first {med / first:.2f}")


if __name__ == "__main__":
    main()
