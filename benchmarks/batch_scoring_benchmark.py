"""Batch scoring: 1,000,000 rows x 20 features through Modelyard's batch path vs the plain
pipeline.

Run:  .venv/bin/python benchmarks/batch_scoring_benchmark.py [--rows 1000000] [--train-rows 5000]

A LightGBM pipeline is built with the real AutoML code (the preprocessing the engine
builds, the family's default estimator, the label-encoding wrapper of every saved
classifier) and fitted on ``--train-rows`` rows. The scored table is written to Parquet
once. Each way of scoring then runs in its own subprocess, so that its peak memory
(``ru_maxrss``) is its own, and reads the Parquet file batch by batch as a scoring job does:

- ``batch path``: ``services.scoring._scored`` (the job's function): Arrow columns straight
  to NumPy, the compiled model, the output table with prediction and probability columns,
  written to Parquet.
- ``plain pipeline``: each batch to pandas, ``feature_frame`` + the fitted pipeline's
  ``predict``/``predict_proba`` (what the job did before), the same output written.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
N_FEATURES = 20
BATCH_ROWS = 200_000
COLUMNS = [(f"f{i:02d}", "numeric") for i in range(N_FEATURES)]


def _model(train_rows: int) -> Any:
    import numpy as np
    import pandas as pd
    from sklearn.pipeline import Pipeline

    from modelyard.ml.automl.columns import classify_columns
    from modelyard.ml.automl.estimators import LabelEncodedClassifier
    from modelyard.ml.automl.families import FAMILIES, FamilyContext
    from modelyard.ml.automl.preprocessing import build_preprocessor

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(train_rows, N_FEATURES)), columns=[n for n, _ in COLUMNS])
    y = np.where(X["f00"] + X["f01"] - X["f02"] * X["f03"] > 0, "yes", "no")
    family = FAMILIES["lightgbm"]
    ctx = FamilyContext("classification", train_rows, N_FEATURES, 2, seed=0, n_jobs=2)
    prep = build_preprocessor(classify_columns(X), scaled=False, task="classification", seed=0)
    pipeline = Pipeline([("preprocess", prep), ("model", family.make(family.default(ctx), ctx))])
    return LabelEncodedClassifier(pipeline).fit(X, y)


def _data(path: Path, rows: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(1)
    values = rng.normal(size=(rows, N_FEATURES))
    values[rng.random(values.shape) < 0.01] = np.nan
    table = pa.table({name: values[:, i] for i, (name, _) in enumerate(COLUMNS)})
    pq.write_table(table, path)


def _score(kind: str, model_path: Path, data_path: Path, out_path: Path) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    from modelyard.ml.compiled import compile_model
    from modelyard.ml.scoring import feature_frame, score
    from modelyard.services.scoring import _scored

    model = pickle.loads(model_path.read_bytes())
    served = compile_model(model, COLUMNS, task="classification")
    assert served.is_compiled, served.reason
    started = time.perf_counter()
    writer = None
    rows = 0
    for batch in ds.dataset(data_path).to_batches(batch_size=BATCH_ROWS):
        if kind == "batch path":
            table = _scored(batch, served)
        else:
            scores = score(model, feature_frame(batch.to_pandas(), COLUMNS), task="classification")
            table = pa.Table.from_batches([batch])
            table = table.append_column("prediction", pa.array(scores.predictions.tolist()))
            assert scores.probabilities is not None and scores.labels is not None
            for index, label in enumerate(scores.labels):
                column = pa.array(scores.probabilities[:, index])
                table = table.append_column(f"probability_{label}", column)
        writer = writer or pq.ParquetWriter(out_path, table.schema, compression="zstd")
        writer.write_table(table)
        rows += batch.num_rows
    if writer is not None:
        writer.close()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "rows": rows, "seconds": seconds, "peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--train-rows", type=int, default=5000)
    parser.add_argument("--worker", nargs=4, metavar=("KIND", "MODEL", "DATA", "OUT"))
    args = parser.parse_args()
    if args.worker:
        kind, model, data, out = args.worker
        print(json.dumps(_score(kind, Path(model), Path(data), Path(out))))
        return
    print(f"load average before: {os.getloadavg()}", flush=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    with tempfile.TemporaryDirectory(prefix="modelyard-batch-bench-") as tmp:
        model_path, data_path = Path(tmp) / "model.pkl", Path(tmp) / "data.parquet"
        model_path.write_bytes(pickle.dumps(_model(args.train_rows)))
        _data(data_path, args.rows)
        results = []
        for kind in ("batch path", "plain pipeline"):
            command = [sys.executable, __file__, "--worker", kind, str(model_path), str(data_path)]
            command.append(str(Path(tmp) / f"{kind.replace(' ', '_')}.parquet"))
            out = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-2000:])
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(results[-1], flush=True)
    print()
    print(f"{'scoring':16} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'peak MB':>8}")
    for r in results:
        print(
            f"{r['kind']:16} {r['rows']:10,} {r['seconds']:8.2f} "
            f"{r['rows'] / r['seconds']:10,.0f} {r['peak_mb']:8.0f}"
        )
    print(f"speed-up: {results[1]['seconds'] / results[0]['seconds']:.2f}x")
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
