#!/usr/bin/python3
"""scikit-learn side of `npm run bench:tuning`: GridSearchCV over Ridge on the peer-bench data, as JSON.

    /usr/bin/python3 bench/peers/tuning_sklearn.py --data /tmp/mlbench-data/reg_100k.csv --alphas a1,a2,... [--repeat 1]

Protocol (peer-bench README, restated so the repo stands alone): split row i into test iff
rank(fmix32((i + 42*0x9E3779B9) mod 2^32)) < 0.2 n; preprocessing fitted on the train part (median impute +
standard scale of x0..x19, one-hot of cat_a/b/c over sorted train levels with the last dropped) -> 252 features.
Tuning: GridSearchCV(Ridge(), {"alpha": alphas}, cv=PredefinedSplit(i % 3 over the train rows),
scoring="neg_root_mean_squared_error", refit=True, n_jobs=None) -- 3 folds x 12 alphas + the refit.
The TypeScript side uses the same folds (foldCol = i % 3) and the same grid mapped to Spark's regParam.
"""
import argparse
import json
import statistics
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

CAT = ["cat_a", "cat_b", "cat_c"]


def split_mask(n, seed=42, frac=0.2):
    with np.errstate(over="ignore"):
        h = np.arange(n, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) & 0xFFFFFFFF)
        h = (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    order = np.argsort(h, kind="stable")
    mask = np.zeros(n, dtype=bool)
    mask[order[: int(n * frac)]] = True
    return mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--alphas", required=True)
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    alphas = [float(x) for x in a.alphas.split(",")]
    df = pd.read_csv(a.data)
    test = split_mask(len(df))
    tr = df[~test]
    num = [c for c in df.columns if c not in CAT + ["target"]]
    drop_last = [sorted(tr[c].unique())[-1] for c in CAT]
    ct = ColumnTransformer([
        ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), num),
        ("cat", OneHotEncoder(drop=drop_last, handle_unknown="ignore", sparse_output=False), CAT),
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = np.ascontiguousarray(ct.fit_transform(tr), dtype=np.float64)
    y = tr["target"].to_numpy()
    folds = PredefinedSplit(np.arange(len(y)) % 3)
    times = []
    for _ in range(a.repeat):
        gs = GridSearchCV(Ridge(), {"alpha": alphas}, cv=folds, scoring="neg_root_mean_squared_error", refit=True)
        t = time.perf_counter()
        gs.fit(x, y)
        times.append(time.perf_counter() - t)
    print(json.dumps({
        "library": "sklearn", "version": sklearn.__version__, "numpy": np.__version__,
        "fit_s": statistics.median(times), "fit_s_all": times, "n_train": int(x.shape[0]), "n_features": int(x.shape[1]),
        "mean_rmse": [-float(v) for v in gs.cv_results_["mean_test_score"]],
        "std_rmse": [float(v) for v in gs.cv_results_["std_test_score"]],
        "best_alpha": float(gs.best_params_["alpha"]),
    }))


if __name__ == "__main__":
    main()
