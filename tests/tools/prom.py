#!/usr/bin/python3
"""prom.py — reads a Prometheus text exposition with the official Python
client's parser (python3-prometheus-client) and answers questions about it.

  prom.py check FILE                 exit 1 unless it parses, has families, and
                                     every histogram's buckets rise to +Inf ==
                                     its _count
  prom.py value FILE SAMPLE [k=v,...]  sum of the matching samples (0: none)
"""
import sys
from prometheus_client.parser import text_string_to_metric_families


def families(path):
    with open(path, encoding="utf-8") as f:
        return list(text_string_to_metric_families(f.read()))


def check(path):
    fams, bad = families(path), []
    if not fams:
        bad.append("no metric families")
    for fam in fams:
        if fam.type != "histogram":
            continue
        series = {}
        for s in fam.samples:
            key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            series.setdefault(key, {"buckets": [], "count": None})
            if s.name.endswith("_bucket"):
                series[key]["buckets"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_count"):
                series[key]["count"] = s.value
        for key, h in series.items():
            counts = [c for _, c in sorted(h["buckets"])]
            if not h["buckets"] or sorted(h["buckets"])[-1][0] != float("inf"):
                bad.append(f"{fam.name}{key}: no +Inf bucket")
            elif any(b < a for a, b in zip(counts, counts[1:])):
                bad.append(f"{fam.name}{key}: buckets fall")
            elif counts[-1] != h["count"]:
                bad.append(f"{fam.name}{key}: +Inf {counts[-1]} != count {h['count']}")
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return 1
    print(f"{len(fams)} families")
    return 0


def value(path, name, selector=""):
    want = dict(p.split("=", 1) for p in selector.split(",") if p)
    total = 0.0
    for fam in families(path):
        for s in fam.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in want.items()):
                total += s.value
    print(f"{total:g}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    if len(sys.argv) >= 4 and sys.argv[1] == "value":
        sys.exit(value(*sys.argv[2:5]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
