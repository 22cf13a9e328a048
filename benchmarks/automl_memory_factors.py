"""Calibrates ``FAMILY_FACTORS`` in ``modelyard/ml/automl/resources.py``.

Run:  .venv/bin/python benchmarks/automl_memory_factors.py [--rows 20000] [--width 30]
          [--families lightgbm,linear,...]

For each family, a fresh subprocess builds a float64 training matrix of ``rows x width``
(the shape the fold cache hands a learner), notes its peak RSS, fits the family's default
configuration on it and predicts, and notes the peak RSS again (``ru_maxrss``). The
factor is the growth divided by the training matrix's bytes: the working memory of a fit
as a multiple of its input. Small matrices overstate fixed costs (a library's buffers),
so the factors in resources.py are these figures at 20,000 x 30 or more, rounded up.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys


def child(family_name: str, rows: int, width: int) -> None:
    import numpy as np

    from modelyard.ml.automl.families import FAMILIES, FamilyContext

    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, width))
    y = (X[:, 0] + rng.standard_normal(rows) > 0).astype(int)
    family = FAMILIES[family_name]
    ctx = FamilyContext(
        task="classification",
        n_rows=rows,
        n_features=width,
        n_classes=2,
        seed=0,
        n_jobs=1,
        positive_ratio=1.0,
        fit_time_limit_s=120.0,
    )
    model = family.make(family.default(ctx), ctx)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    model.fit(X, y)
    model.predict_proba(X[: rows // 4])
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"family": family_name, "factor": (after - before) / X.nbytes}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--width", type=int, default=30)
    parser.add_argument("--families", default="")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.rows, args.width)
    from modelyard.ml.automl.families import available_families
    from modelyard.ml.automl.resources import FAMILY_FACTORS

    names = args.families.split(",") if args.families else available_families()
    print(f"{args.rows:,} x {args.width} float64 ({args.rows * args.width * 8 / 2**20:.1f} MiB)")
    print(f"{'family':<22} {'measured':>9} {'in use':>7}")
    for name in names:
        command = [sys.executable, __file__, "--child", name]
        command += ["--rows", str(args.rows), "--width", str(args.width)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            print(f"{name:<22} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        factor = json.loads(done.stdout.strip().splitlines()[-1])["factor"]
        print(f"{name:<22} {factor:>9.2f} {FAMILY_FACTORS.get(name, float('nan')):>7.2f}")


if __name__ == "__main__":
    main()
