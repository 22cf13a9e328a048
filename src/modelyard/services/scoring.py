"""Batch scoring: a model version over a whole dataset version, in chunks, as a job.

Rows are read batch by batch from the version's Parquet file and written batch by batch
with the prediction (and one probability column per class) added, so memory holds one
chunk at a time whatever the size of the table.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlJob
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Job, JobKind, JobStatus, Permission
from modelyard.errors import ConflictError, DependencyUnavailableError, InvalidInputError
from modelyard.ml.compiled import ServedModel
from modelyard.ml.scoring import output_names
from modelyard.ports import ArtifactStore, ProgressReporter, Tracker
from modelyard.services.jobs import JobService, add_job, job_row, to_job
from modelyard.services.models import model_version_row, to_model_version
from modelyard.services.serving_cache import ServingCache
from modelyard.services.versions import version_row

BATCH_ROWS = 200_000
FORMATS = ("csv", "parquet")


class BatchScoringService:
    def __init__(
        self,
        uow: UnitOfWork,
        artifacts: ArtifactStore,
        tracker: Tracker,
        jobs: JobService | None,
        *,
        serving: ServingCache | None = None,
    ) -> None:
        self._uow = uow
        self._artifacts = artifacts
        self._tracker = tracker
        self._jobs = jobs
        self._serving = serving or ServingCache(tracker)

    def start(self, actor: Actor, model_version_id: int, dataset_version_id: int) -> Job:
        """Queue a scoring job after checking the data has every feature the model needs."""
        actor.require(Permission.WRITE, "score datasets")
        if self._jobs is None:
            raise DependencyUnavailableError("This process runs no jobs.", code="jobs.unavailable")
        with self._uow.begin() as session:
            check_scorable(session, actor, model_version_id, dataset_version_id)
            params = {
                "model_version_id": model_version_id,
                "dataset_version_id": dataset_version_id,
            }
            job_id = add_job(session, actor, JobKind.SCORE, params).id
        self._jobs.dispatch(job_id)
        with self._uow.begin() as session:
            return to_job(session.get_one(SqlJob, job_id))

    def execute(
        self, actor: Actor, job_id: int, params: dict[str, Any], reporter: ProgressReporter
    ) -> dict[str, Any]:
        with self._uow.begin() as session:
            model = to_model_version(
                session, model_version_row(session, actor, int(params["model_version_id"]))
            )
            key = version_row(session, actor, int(params["dataset_version_id"])).artifact_path
        served = self._serving.get(model)
        dataset = self._artifacts.arrow_dataset(key)
        total, done = dataset.count_rows(), 0
        with tempfile.TemporaryDirectory(prefix="modelyard-score-") as tmp:
            out = Path(tmp) / "scores.parquet"
            writer: pq.ParquetWriter | None = None
            try:
                for batch in dataset.to_batches(batch_size=BATCH_ROWS):
                    scored = _scored(batch, served)
                    writer = writer or pq.ParquetWriter(out, scored.schema, compression="zstd")
                    writer.write_table(scored)
                    done += batch.num_rows
                    reporter.report(
                        done / max(total, 1) * 0.95, f"scored {done:,} of {total:,} rows"
                    )
            finally:
                if writer is not None:
                    writer.close()
            digest = _sha256(out)
            result_key = f"scores/{digest[:2]}/{digest}.parquet"
            self._artifacts.put_file(out, result_key)
        reporter.report(1.0, f"scored {done:,} rows")
        return {"rows": done, "artifact": result_key, "model": f"{model.name}:{model.version}"}

    def export(self, actor: Actor, job_id: int, fmt: str) -> Iterator[bytes]:
        """The scores of a finished job as CSV or Parquet bytes, chunk by chunk."""
        actor.require(Permission.READ, "download scores")
        if fmt not in FORMATS:
            raise InvalidInputError(
                f"Format must be one of {', '.join(FORMATS)}.", code="scoring.bad_format"
            )
        with self._uow.begin() as session:
            job = job_row(session, actor, job_id)
            if job.kind != JobKind.SCORE or job.status != JobStatus.SUCCEEDED or not job.result:
                raise ConflictError(
                    f"Job {job_id} is not a finished scoring job.", code="scoring.not_ready"
                )
            key = str(job.result["artifact"])
        return _chunks(self._artifacts, key, fmt)


def check_scorable(
    session: Session, actor: Actor, model_version_id: int, dataset_version_id: int
) -> None:
    """Raise unless both exist in the actor's workspace and the data has every feature."""
    model = to_model_version(session, model_version_row(session, actor, model_version_id))
    data = version_row(session, actor, dataset_version_id)
    present = {c["name"] for c in data.columns}
    missing = [c.name for c in model.feature_columns if c.name not in present]
    if missing:
        raise InvalidInputError(
            f"The dataset version lacks the model's feature(s): {', '.join(missing)}.",
            code="scoring.missing_features",
            details={"missing": missing},
        )


def _scored(batch: pa.RecordBatch, served: ServedModel) -> pa.Table:
    scores = served.predict_arrow(batch)
    table = pa.Table.from_batches([batch])
    name, prefix = output_names(served.task)
    table = table.append_column(name, pa.array(scores.predictions.tolist()))
    if scores.labels is not None and scores.probabilities is not None:
        for index, label in enumerate(scores.labels):
            table = table.append_column(
                f"{prefix}{label}", pa.array(scores.probabilities[:, index])
            )
    return table


def _chunks(artifacts: ArtifactStore, key: str, fmt: str) -> Iterator[bytes]:
    from pyarrow import csv as pacsv

    with artifacts.open(key) as fh:
        if fmt == "parquet":
            yield from iter(lambda: fh.read(1 << 20), b"")
            return
        parquet = pq.ParquetFile(fh)
        for number, batch in enumerate(parquet.iter_batches(batch_size=50_000)):
            buffer = io.BytesIO()
            pacsv.write_csv(
                pa.Table.from_batches([batch]),
                buffer,
                pacsv.WriteOptions(include_header=number == 0),
            )
            yield buffer.getvalue()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


__all__ = ["FORMATS", "BatchScoringService", "check_scorable"]
