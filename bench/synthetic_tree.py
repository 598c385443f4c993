#!/usr/bin/env python3
"""bench/synthetic_tree.py DIR COUNT: COUNT files of 1 KiB, each of unique
content, in 2-level directories (500 x 40): the scaling corpus of
bench/run.sh and bench/ab.sh, the same in both so their figures compare."""
import os
import sys

root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "d%03d" % (i % 500), "e%02d" % (i // 500 % 40))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%07d" % i), "wb") as f:
        f.write((b"%07d" % i) * 146 + b"\n")
