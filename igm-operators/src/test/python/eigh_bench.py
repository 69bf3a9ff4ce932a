#!/usr/bin/env python3
"""numpy's np.linalg.eigh (LAPACK dsyevd) on the matrices FlatRefreshBenchmark uses, for comparison.

    python3 igm-operators/src/test/python/eigh_bench.py [--dims 1024] [--repeat 10]
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 igm-operators/src/test/python/eigh_bench.py

The matrix is C = Z Zᵀ with Z d×d standard normal (full-rank Wishart, like the Java benchmark's Σ z zᵀ).
Reports eigh alone and the full T refresh in numpy (eigh + V·diag(s)·Vᵀ), in ms: mean ± std, and min.
"""
import argparse
import ctypes
import glob
import os
import time

import numpy as np


def openblas_info():
    """Core name and thread count of the OpenBLAS numpy loaded (threadpoolctl is not installed here)."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*.so*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        # numpy's wheels rename the symbols (scipy_openblas_*64_ for the ILP64 build)
        for name in ("scipy_openblas_{}64_", "scipy_openblas_{}", "openblas_{}"):
            try:
                core = getattr(lib, name.format("get_corename"))
                threads = getattr(lib, name.format("get_num_threads"))
            except AttributeError:
                continue
            core.restype = ctypes.c_char_p
            return f"{os.path.basename(path)} core={core().decode()} threads={threads()}"
    return "openblas library not found"


def timed(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return np.mean(times), np.std(times), np.min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dims", type=int, nargs="+", default=[1024])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--tau", type=float, default=0.4)
    args = parser.parse_args()

    print(f"numpy {np.__version__}; {openblas_info()}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE')} OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    rng = np.random.default_rng(1)
    for d in args.dims:
        z = rng.standard_normal((d, d))
        c = z @ z.T

        def refresh():
            lam, v = np.linalg.eigh(c)
            s = np.exp(-args.tau * (lam - lam[0]) / (lam[-1] - lam[0]))
            return (v * s) @ v.T

        for name, fn in (("eigh", lambda: np.linalg.eigh(c)), ("T refresh", refresh)):
            mean, std, best = timed(fn, args.repeat)
            print(f"d={d:5d} {name:10s} {mean:9.2f} ± {std:6.2f} ms  (min {best:.2f}, n={args.repeat})")


if __name__ == "__main__":
    main()
