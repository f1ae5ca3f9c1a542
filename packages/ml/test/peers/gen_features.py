#!/usr/bin/python3
"""Reference numbers for the feature stages and evaluators of @cauce/ml, from scikit-learn / numpy.

Run with Debian's python (it has sklearn 1.2, numpy 1.24):
    /usr/bin/python3 packages/ml/test/peers/gen_features.py
It writes packages/ml/test/fixtures/features.json (inputs and the peer's outputs). Every random draw is
seeded, so the file is reproducible. Where Spark ML defines a number differently from scikit-learn, the
definition used here is stated next to it (the tests compare with exactly these definitions):

* StandardScaler: Spark uses the corrected sample std (ddof=1); sklearn's `scale_` is ddof=0. We store
  sklearn's mean_, var_ and its transform output; the test converts with n/(n-1).
* Median (Imputer) and quantiles (QuantileDiscretizer): Spark returns the element of rank ceil(q*n),
  which is numpy's `method="inverted_cdf"`; sklearn's SimpleImputer(median) averages the two middles.
* MinMaxScaler: a constant feature maps to 0.5*(min+max) in Spark and to `min` in sklearn: the constant
  column is left out of the sklearn comparison.
* areaUnderPR: Spark's curve is (0, precision at the highest threshold) followed by (recall, precision)
  at every distinct score, integrated with the trapezoid rule. It differs from sklearn's
  average_precision_score (a step-wise sum), so we build Spark's curve from sklearn's own
  `_binary_clf_curve` counts (tps, fps per distinct threshold) and integrate it with numpy.
* RegressionEvaluator 'var': Spark's explainedVariance = sum((pred - mean(label))^2) / n (not sklearn's
  explained_variance_score).
* PCA: components are unique up to sign; Spark's transform does not center. We store sklearn's components_
  and explained_variance_ratio_; the test aligns signs.
"""
import json
import os

import numpy as np
from sklearn import metrics
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.metrics._ranking import _binary_clf_curve
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, OneHotEncoder, PolynomialFeatures,
                                   StandardScaler, normalize)

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "features.json")
rng = np.random.default_rng(20240905)


def L(a):
    return np.asarray(a, dtype=float).tolist()


fx = {}

# ---- dense matrix: 4 informative features + 1 constant --------------------------------------------
n = 200
X = np.column_stack([
    rng.normal(10, 2, n), rng.normal(-3, 0.5, n), rng.exponential(4, n), rng.uniform(-1, 1, n),
    np.full(n, 3.0),
])
X[rng.random(n) < 0.3, 3] = 0.0  # some zeros, for sparse paths
fx["X"] = L(X)
ss = StandardScaler().fit(X)
fx["standard"] = {"mean": L(ss.mean_), "var_ddof0": L(ss.var_), "sklearn_transform": L(ss.transform(X))}
mm = MinMaxScaler(feature_range=(-1, 2)).fit(X[:, :4])
fx["minmax"] = {"min": -1, "max": 2, "transform": L(mm.transform(X[:, :4]))}
fx["maxabs"] = {"transform": L(MaxAbsScaler().fit_transform(X))}
fx["normalizer"] = {p: L(normalize(X[:40], norm=p)) for p in ["l1", "l2", "max"]}  # first 40 rows
pca = PCA(n_components=2, svd_solver="full").fit(X[:, :4])
fx["pca"] = {"k": 2, "components": L(pca.components_), "explainedVarianceRatio": L(pca.explained_variance_ratio_)}
P = X[:6, :3]
for d in (2, 3):
    pf = PolynomialFeatures(degree=d, include_bias=False).fit(P)
    fx[f"poly{d}"] = {"input": L(P), "output": L(pf.transform(P)), "powers": pf.powers_.tolist()}

# ---- columns with missing values (Imputer) ---------------------------------------------------------
m = 101
a = np.round(rng.normal(5, 2, m), 1)
b = rng.integers(0, 6, m).astype(float)
a[rng.random(m) < 0.2] = np.nan
b[rng.random(m) < 0.2] = np.nan
fx["impute"] = {
    "a": [None if np.isnan(v) else v for v in a],
    "b": [None if np.isnan(v) else v for v in b],
    "mean": L(SimpleImputer(strategy="mean").fit(np.column_stack([a, b])).statistics_),
    "mode": L(SimpleImputer(strategy="most_frequent").fit(np.column_stack([a, b])).statistics_),
    "median_inverted_cdf": [float(np.quantile(v[~np.isnan(v)], 0.5, method="inverted_cdf")) for v in (a, b)],
    "median_sklearn": L(SimpleImputer(strategy="median").fit(np.column_stack([a, b])).statistics_),
}

# ---- categories (StringIndexer → OneHotEncoder) ----------------------------------------------------
levels = np.array(["red", "green", "blue", "amber", "violet"])
cats = levels[rng.choice(5, 60, p=[0.35, 0.25, 0.2, 0.15, 0.05])]
fx["categories"] = cats.tolist()
order = sorted(set(cats), key=lambda s: (-np.sum(cats == s), s))
idx = np.array([order.index(c) for c in cats], dtype=float)
enc = OneHotEncoder(categories=[list(range(len(order)))], drop=[len(order) - 1], sparse_output=False)
fx["onehot"] = {"labelsFrequencyDesc": order, "indices": L(idx), "dropLast": L(enc.fit_transform(idx[:, None]))}

# ---- quantiles (QuantileDiscretizer) ----------------------------------------------------------------
q = rng.gamma(2, 3, 301)
fx["quantile"] = {"x": L(q), "numBuckets": 4,
                  "splits": [float(np.quantile(q, i / 4, method="inverted_cdf")) for i in (1, 2, 3)]}

# ---- evaluators -------------------------------------------------------------------------------------
k = 300
y = rng.normal(0, 3, k)
pred = y + rng.normal(0, 1.5, k)
fx["regression"] = {
    "label": L(y), "prediction": L(pred),
    "rmse": float(np.sqrt(metrics.mean_squared_error(y, pred))), "mse": float(metrics.mean_squared_error(y, pred)),
    "mae": float(metrics.mean_absolute_error(y, pred)), "r2": float(metrics.r2_score(y, pred)),
    "var": float(np.sum((pred - y.mean()) ** 2) / k),
}
yb = (rng.random(k) < 0.4).astype(float)
score = np.round(yb * 0.8 + rng.normal(0, 0.7, k), 2)  # rounding makes ties
fps, tps, _thr = _binary_clf_curve(yb, score)
prec = tps / (tps + fps)
rec = tps / tps[-1]
pr_x = np.concatenate([[0.0], rec])
pr_y = np.concatenate([[prec[0]], prec])
fx["binary"] = {
    "label": L(yb), "score": L(score),
    "areaUnderROC": float(metrics.roc_auc_score(yb, score)),
    "areaUnderPR_spark": float(np.trapz(pr_y, pr_x)),
    "average_precision_sklearn": float(metrics.average_precision_score(yb, score)),
}
ym = rng.integers(0, 3, k).astype(float)
logits = rng.normal(0, 1, (k, 3))
logits[np.arange(k), ym.astype(int)] += 1.2
prob = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
pm = prob.argmax(1).astype(float)
cm = metrics.confusion_matrix(ym, pm, labels=[0, 1, 2])
freq = cm.sum(1) / k
fpr = np.array([(cm[:, l].sum() - cm[l, l]) / (k - cm[l].sum()) for l in range(3)])
fx["multiclass"] = {
    "label": L(ym), "prediction": L(pm), "probability": L(prob),
    "accuracy": float(metrics.accuracy_score(ym, pm)),
    "f1": float(metrics.f1_score(ym, pm, average="weighted")),
    "weightedPrecision": float(metrics.precision_score(ym, pm, average="weighted")),
    "weightedRecall": float(metrics.recall_score(ym, pm, average="weighted")),
    "weightedFalsePositiveRate": float(np.sum(freq * fpr)),
    "precisionByLabel": L(metrics.precision_score(ym, pm, average=None)),
    "recallByLabel": L(metrics.recall_score(ym, pm, average=None)),
    "fMeasureByLabel": L(metrics.f1_score(ym, pm, average=None)),
    "f2ByLabel": L(metrics.fbeta_score(ym, pm, beta=2.0, average=None)),
    "falsePositiveRateByLabel": L(fpr),
    "logLoss": float(metrics.log_loss(ym, prob, labels=[0, 1, 2])),
    "hammingLoss": float(metrics.hamming_loss(ym, pm)),
    "confusionMatrix": cm.tolist(),
}

# ---- univariate feature tests (UnivariateFeatureSelector) ------------------------------------------
from scipy.stats import chi2_contingency
from sklearn.feature_selection import (SelectFdr, SelectFpr, SelectFwe, SelectKBest, SelectPercentile,
                                       f_classif, f_regression)
u = 150
yc = rng.integers(0, 3, u).astype(float)
Xc = rng.normal(0, 1, (u, 8))
Xc[:, 1] += yc * 0.8
Xc[:, 4] -= yc * 0.3
Xc[:, 6] += (yc == 2) * 0.5
yr = Xc[:, 2] * 1.5 - Xc[:, 5] * 0.4 + rng.normal(0, 1, u)
Fc, pc = f_classif(Xc, yc)
Fr, pr = f_regression(Xc, yr)
cat = rng.integers(0, 4, (u, 4)).astype(float)
cat[:, 0] = np.where(rng.random(u) < 0.6, yc, cat[:, 0])
chi = [chi2_contingency(np.array([[np.sum((cat[:, j] == a) & (yc == b)) for b in range(3)] for a in range(4)]),
                        correction=False) for j in range(4)]
sel = {}
for name, score in (("classif", f_classif), ("regression", f_regression)):
    y_ = yc if name == "classif" else yr
    sel[name] = {
        "numTopFeatures3": np.flatnonzero(SelectKBest(score, k=3).fit(Xc, y_).get_support()).tolist(),
        "percentile50": np.flatnonzero(SelectPercentile(score, percentile=50).fit(Xc, y_).get_support()).tolist(),
        "fpr0.05": np.flatnonzero(SelectFpr(score, alpha=0.05).fit(Xc, y_).get_support()).tolist(),
        "fdr0.05": np.flatnonzero(SelectFdr(score, alpha=0.05).fit(Xc, y_).get_support()).tolist(),
        "fwe0.05": np.flatnonzero(SelectFwe(score, alpha=0.05).fit(Xc, y_).get_support()).tolist(),
    }
fx["univariate"] = {
    "X": L(Xc), "yClass": L(yc), "yReg": L(yr), "Xcat": L(cat),
    "fClassif": {"F": L(Fc), "p": L(pc)}, "fRegression": {"F": L(Fr), "p": L(pr)},
    "chi2": {"stat": [float(c[0]) for c in chi], "p": [float(c[1]) for c in chi], "dof": [int(c[2]) for c in chi]},
    "selected": sel,
}

with open(OUT, "w") as f:
    json.dump(fx, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
