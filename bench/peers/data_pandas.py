#!/usr/bin/python3
"""Peer figures for `npm run bench:data`: pandas read_csv and a pandas EDA of the same file.

Usage: /usr/bin/python3 bench/peers/data_pandas.py CSV [--repeat 3]
Prints one JSON object: read_csv_s / eda_s (wall-clock seconds per run), read_csv_cpu_s / eda_cpu_s (CPU
seconds of the process), peak_rss_mb, versions.
The EDA mirrors what `cauce eda` computes: describe() (count/mean/std/min/quartiles/max), isna().sum(),
nunique(), top-10 value_counts of the text columns, IQR outlier counts, Pearson corr() of the numeric columns,
and monthly counts when a datetime column exists (reg_1m has none).
"""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

path = sys.argv[1]
repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3

read_s = []
read_cpu_s = []
df = None
for _ in range(repeat):
    t = time.perf_counter()
    c = time.process_time()
    df = pd.read_csv(path)
    read_s.append(time.perf_counter() - t)
    read_cpu_s.append(time.process_time() - c)

eda_s = []
eda_cpu_s = []
for _ in range(repeat):
    t = time.perf_counter()
    c = time.process_time()
    num = df.select_dtypes("number")
    desc = num.describe()
    nulls = df.isna().sum()
    distinct = df.nunique()
    tops = {c: df[c].value_counts().head(10) for c in df.select_dtypes("object").columns}
    q1 = num.quantile(0.25)
    q3 = num.quantile(0.75)
    iqr = q3 - q1
    outliers = ((num < q1 - 1.5 * iqr) | (num > q3 + 1.5 * iqr)).sum()
    corr = num.corr()
    eda_s.append(time.perf_counter() - t)
    eda_cpu_s.append(time.process_time() - c)

print(json.dumps({
    "read_csv_s": read_s,
    "read_csv_cpu_s": read_cpu_s,
    "eda_s": eda_s,
    "eda_cpu_s": eda_cpu_s,
    "rows": int(len(df)),
    "columns": int(df.shape[1]),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "pandas": pd.__version__,
    "numpy": np.__version__,
    "python": sys.version.split()[0],
}))
