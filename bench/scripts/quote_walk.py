#!/usr/bin/env python3
"""A seeded random walk of Si quotes in the feed's CSV format, for the backtest figures in
BENCHMARKS.md: quote_walk.py ROWS STEP_NS > FILE (e.g. 1000000 10000000)."""
import random
import sys

rows, step = int(sys.argv[1]), int(sys.argv[2])
random.seed(7)
mid = 100000
ts = 1793602800000000000  # 2026-11-02T07:00:00Z, 10:00 Moscow: inside the sessions
out = sys.stdout
out.write("ts,symbol,type,bid,bid_size,ask,ask_size,price,size\n")
for _ in range(rows):
    mid += random.choice((-1, 0, 0, 1))
    spread = random.randint(1, 3)
    out.write(f"{ts},Si,quote,{mid},{random.randint(1, 50)},{mid + spread},{random.randint(1, 50)},,\n")
    ts += step
