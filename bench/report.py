#!/usr/bin/env python3
"""Turns bench/run.sh's results.jsonl into the markdown tables of docs/benchmarks.md."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
jobs = int(sys.argv[2])


def find(name, **kw):
    for r in rows:
        if r.get("name") == name and all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


def secs(name):
    r = find(name)
    return r["seconds"] if r else None


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


pem_rate = (find("floor-sign-pem") or {}).get("rate")
hsm_rate = (find("floor-sign-hsm") or {}).get("rate")
print(f"## Results ({jobs} cores, RSA-2048, sha256, medians)\n")
print(f"Key floor: PEM {fmt(pem_rate, 0)} signatures/s, SoftHSM2 {fmt(hsm_rate, 0)} signatures/s "
      f"(raw C_Sign, {jobs} sessions).\n")
print("Floor = max(read+hash on all cores, unique objects / key rate) + writing the new objects "
      "(`ostree-ima-floor write`). `softhsm % of floor` is the SoftHSM2 floor (same formula "
      "with the raw C_Sign rate) over our SoftHSM2 time: where signing bounds the work it is "
      "the share of the raw C_Sign rate reached.\n")
print("| corpus | mode | files | unique | MB | floor hash 1/all | write | floor | ours pem 1/all | vs floor "
      "| softhsm 1/all | softhsm % of floor | pipeline pem | x faster | pipeline hsm | per-file (est.) | x faster | peak MiB |")
print("|" + "---|" * 18)
for c in [r for r in rows if r["name"] == "corpus"]:
    name, mode = c["corpus"], c["mode"]
    t = f"{name}/{mode}"
    h1 = find("floor-hash", corpus=name, mode=mode, jobs=1)
    hn = find("floor-hash", corpus=name, mode=mode, jobs=jobs)
    hash_all = hn["seconds"] if hn else None
    w = find("floor-write", corpus=name, mode=mode)
    write = w["seconds"] if w else 0.0
    sign_floor = c["unique"] / pem_rate if pem_rate else None
    floor = max(x for x in (hash_all, sign_floor) if x is not None) + write if hash_all else None
    hsm_floor = max(hash_all, c["unique"] / hsm_rate) + write if hash_all and hsm_rate else None
    o1 = secs(f"{t} ostree-ima pem jobs=1")
    on = secs(f"{t} ostree-ima pem jobs={jobs}")
    s1 = secs(f"{t} ostree-ima softhsm jobs=1")
    sn = secs(f"{t} ostree-ima softhsm jobs={jobs}")
    hsm_pct = None
    if sn and hsm_floor:
        hsm_pct = 100 * hsm_floor / sn
    pipe = secs(f"{t} pipeline pem")
    pipe_hsm = secs(f"{t} pipeline softhsm-engine")
    pf = find("per-file", corpus=name, key="pem")
    per_file = pf["seconds_per_file"] * c["files"] if pf else None
    peak = next((r["peak_kib"] for r in rows if r.get("name") == f"{t} ostree-ima pem jobs={jobs}" and "peak_kib" in r), None)
    print(f"| {name} | {mode} | {c['files']} | {c['unique']} | {c['bytes'] / 1e6:.0f} | "
          f"{fmt(h1['seconds'] if h1 else None)}/{fmt(hash_all)} | {fmt(write)} | {fmt(floor)} | {fmt(o1)}/{fmt(on)} | "
          f"{fmt(on / floor if on and floor else None)} | {fmt(s1)}/{fmt(sn)} | {fmt(hsm_pct, 0)} | "
          f"{fmt(pipe)} | {fmt(pipe / on if pipe and on else None, 1)} | {fmt(pipe_hsm)} | "
          f"{fmt(per_file, 0)} | {fmt(per_file / on if per_file and on else None, 0)} | "
          f"{fmt(peak / 1024 if peak else None, 0)} |")

print("\n### Per-file evmctl model (seconds per file)\n")
for r in rows:
    if r["name"] == "per-file":
        print(f"- {r['corpus']} ({r['key']}): {r['seconds_per_file'] * 1000:.1f} ms/file over {r['sample']} files")

print("\n### Scaling (synthetic 1 KiB files, archive)\n")
for r in rows:
    if r.get("name", "").startswith("synthetic-") and "seconds" in r:
        n = int(r["name"].split("-")[1].split("/")[0])
        peak = next((p["peak_kib"] for p in rows if p.get("name") == r["name"] and "peak_kib" in p), None)
        print(f"- {n} files: {r['seconds']:.2f} s, {1e6 * r['seconds'] / n:.1f} us/file, "
              f"peak {fmt(peak / 1024 if peak else None, 0)} MiB")
