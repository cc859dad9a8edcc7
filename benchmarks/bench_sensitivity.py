"""Benchmark of the SMAA-2 robustness analysis (scoring.engine.sensitivity).

Problem: 10,000 weight samples x 500 candidates x 5 criteria (risk minimised), weighted sum,
seeded synthetic scores on the 0-100 scale. Measured in one run, in one process:

(a) ``scoring.engine.sensitivity(...)`` end to end (validation, weight draws, chunked kernel, ranks with
    the tie rule, acceptability counts, central weights, confidence factors, reference ranking);
(b) a loop that evaluates scikit-criteria once per sample (``mkdm`` + ``WeightedSumModel``, minimised
    criterion inverted first, as scikit-criteria 0.10 requires) and counts its ranks: timed on a few
    hundred samples and extrapolated linearly to 10,000 (the output says so); its counts are checked
    against ``sensitivity`` on the same weight draws;
(c) the numpy floor: one matrix product ``W @ X.T`` (10,000 x 5 by 5 x 500, float64) plus one
    ``argsort`` of the (10,000, 500) result along the candidate axis.

Wall times are the best of ``--repeat`` runs (interleaved, so that load from other processes on
the machine hits (a) and (c) alike); the CPU time of the same runs is printed beside them. Prints
the wall-time ratios (b)/(a) (goal >= 100) and (a)/(c) (goal <= 2).

    .venv/bin/python benchmarks/bench_sensitivity.py [--samples 10000] [--candidates 500]
        [--loop-samples 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd

CRITERIA = ("strength", "market", "risk", "poverty", "demonstration")
OBJECTIVES = {c: "min" if c == "risk" else "max" for c in CRITERIA}


def make_matrix(n: int, seed: int = 2024) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = np.clip(rng.normal(70, 12, size=(n, len(CRITERIA))), 0, 100).round(2)
    return pd.DataFrame(
        values,
        columns=list(CRITERIA),
        index=pd.Index([f"P{i:04d}" for i in range(n)], name="project_id"),
    )


def skcriteria_loop(X: pd.DataFrame, W: np.ndarray) -> np.ndarray:
    """Rank-acceptability counts from one scikit-criteria evaluation per weight vector."""
    import skcriteria
    from skcriteria.agg.simple import WeightedSumModel

    A = X.to_numpy(dtype=float)
    minimise = np.array([OBJECTIVES[c] == "min" for c in X.columns])
    Ai = np.where(minimise[None, :], 100.0 - A, A)  # WeightedSumModel refuses minimised criteria
    n = A.shape[0]
    counts = np.zeros((n, n), dtype=np.int64)
    model = WeightedSumModel()
    for w in W:
        dm = skcriteria.mkdm(matrix=Ai, objectives=[max] * A.shape[1], weights=w)
        result = model.evaluate(dm)
        ranks = np.asarray(result.rank_, dtype=int)
        counts[np.arange(n), ranks - 1] += 1
    return counts


def numpy_floor(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    return np.argsort(W @ X.T, axis=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--candidates", type=int, default=500)
    ap.add_argument("--loop-samples", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from scoring.engine.ranking import METHODS
    from scoring.engine.sensitivity import RANK_ELEMENTS, sensitivity

    s, n, m = args.samples, args.candidates, len(CRITERIA)
    X = make_matrix(n)
    weights = dict.fromkeys(CRITERIA, 1.0)
    Xi = METHODS["weighted_sum"].inverted(
        X.to_numpy(), np.array([OBJECTIVES[c] == "min" for c in CRITERIA])
    )
    W_floor = np.random.default_rng(args.seed).dirichlet(np.ones(m), size=s)

    def run_vectorised():
        return sensitivity(
            X,
            weights=weights,
            objectives=OBJECTIVES,
            method="weighted_sum",
            samples=s,
            seed=args.seed,
        )

    run_vectorised()  # warm-up: imports, first-touch allocations
    numpy_floor(Xi, W_floor)
    t_vec, t_floor, c_vec, c_floor = [], [], [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_vectorised()
        t_vec.append(time.perf_counter() - t0)
        c_vec.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        numpy_floor(Xi, W_floor)
        t_floor.append(time.perf_counter() - t0)
        c_floor.append(time.process_time() - c0)

    # (b) scikit-criteria, one evaluation per sample, on the first weight draws of the same seed
    k = min(args.loop_samples, s)
    W_loop = np.random.default_rng(args.seed).dirichlet(np.ones(m), size=k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        loop_counts = skcriteria_loop(X, W_loop)
        t_loop_k = time.perf_counter() - t0
    t_loop = t_loop_k * s / k
    check = sensitivity(
        X, weights=weights, objectives=OBJECTIVES, method="weighted_sum", samples=k, seed=args.seed
    )
    agree = np.array_equal(check.counts.to_numpy(), loop_counts)

    best_vec, best_floor = min(t_vec), min(t_floor)
    print("SMAA-2 sensitivity benchmark / 稳健性分析基准")
    print(
        f"  problem: {s:,} weight samples x {n} candidates x {m} criteria, weighted_sum, "
        f"float64; {result.chunk_size} samples per kernel call, ranked "
        f"{max(1, min(result.chunk_size, RANK_ELEMENTS // n))} at a time"
    )
    print(f"  machine: {platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}")
    print(
        f"  (a) vectorised scoring.engine.sensitivity : {best_vec:8.3f} s  "
        f"(best of {args.repeat}; median {np.median(t_vec):.3f} s)"
    )
    print(
        f"  (b) scikit-criteria loop           : {t_loop:8.1f} s  "
        f"(EXTRAPOLATED: {k} samples timed in {t_loop_k:.2f} s, x {s / k:.1f}; "
        f"counts equal to (a) on those samples: {'yes' if agree else 'NO'})"
    )
    print(
        f"  (c) numpy floor (matmul + argsort) : {best_floor:8.3f} s  "
        f"(best of {args.repeat}; median {np.median(t_floor):.3f} s)"
    )
    print(
        f"      CPU time (all threads), best  : (a) {min(c_vec):.3f} s, (c) {min(c_floor):.3f} s "
        f"-> {min(c_vec) / min(c_floor):.2f}x"
    )
    r1, r2 = t_loop / best_vec, best_vec / best_floor
    print(
        f"  ratio (b)/(a) speed-up over the loop : {r1:8.1f}x   goal >= 100x  "
        f"{'OK' if r1 >= 100 else 'MISSED'}"
    )
    print(
        f"  ratio (a)/(c) cost over the floor    : {r2:8.2f}x   goal <= 2x    "
        f"{'OK' if r2 <= 2 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
