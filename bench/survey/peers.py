#!/usr/bin/env python3
"""What an analyst would use for the survey step: pandas and polars ``group_by`` over the same
respondents' CSV, counting each unit's answers to each question (bench/survey/README in
BENCHMARKS.md). Checked equal to kaohe's counts (``kaohe-bench survey --counts``) before any
time is taken; prints one JSON line per engine.

    peers.py FILE COUNTS.json RUNS pandas|polars|polars-1

``polars-1`` runs polars on one thread (POLARS_MAX_THREADS=1, set before polars is imported).
The timed section: read the CSV (the four columns used) and group by unit and answer for the
three questions — the result an analyst turns into a pivot table.
"""
import json
import os
import statistics
import sys
import time

path, counts_path, runs, engine = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if engine == "polars-1":
    os.environ["POLARS_MAX_THREADS"] = "1"

UNIT = "1、您居住在哪个镇（街道）？"
QUESTIONS = {
    "safety": "3、您觉得您所在的镇（街道）治安状况如何？",
    "sat": "4、您对公安机关的工作是否满意？",
    "aware": "5、您是否知道本地正在开展平安创建活动？",
}
NO_ANSWER = "(未答)"
COLUMNS = [UNIT, *QUESTIONS.values()]


def pandas_run():
    import pandas as pd

    df = pd.read_csv(path, usecols=COLUMNS, dtype=str, keep_default_na=False, engine="c")
    return {q: df.groupby([UNIT, col], sort=False).size() for q, col in QUESTIONS.items()}


def pandas_counts(groups):
    out = {}
    for q, g in groups.items():
        for (unit, answer), n in g.items():
            add(out, unit, q, answer, int(n))
    return out


def polars_run():
    import polars as pl

    df = pl.read_csv(path, columns=COLUMNS, infer_schema=False)
    return {q: df.group_by([UNIT, col]).len() for q, col in QUESTIONS.items()}


def polars_counts(groups):
    out = {}
    for q, g in groups.items():
        for unit, answer, n in g.iter_rows():
            add(out, unit, q, answer or "", int(n))
    return out


def add(out, unit, q, answer, n):
    # kaohe counts a skipped (跳过) or blank answer as no answer.
    if answer in ("", "(跳过)"):
        answer = NO_ANSWER
    m = out.setdefault(unit, {}).setdefault(q, {})
    m[answer] = m.get(answer, 0) + n


if engine == "pandas":
    import pandas as module

    run, counts = pandas_run, pandas_counts
else:
    import polars as module

    run, counts = polars_run, polars_counts

with open(counts_path, encoding="utf-8") as f:
    expected = json.load(f)
got = counts(run())
if got != expected:
    units = sorted(set(got) ^ set(expected))[:3] or [u for u in expected if got.get(u) != expected[u]][:3]
    print(json.dumps({"engine": engine, "error": f"counts differ from kaohe's (units {units})"}))
    sys.exit(1)
times = []
for _ in range(runs):
    t = time.perf_counter()
    run()
    times.append(time.perf_counter() - t)
threads = 1
if engine == "polars":
    threads = module.thread_pool_size()
print(json.dumps({
    "engine": engine,
    "version": module.__version__,
    "threads": threads,
    "median_seconds": statistics.median(times),
    "runs": runs,
}))
