"""A run's training configuration as YAML, and training again from it: "Re-run" (the same
configuration, a new job) and "train from a configuration file"."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from modelyard.db.tables import SqlDatasetVersion
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Job, Permission
from modelyard.domain.training import TrainingOptions
from modelyard.errors import InvalidInputError
from modelyard.services.training import TrainingService, run_row
from modelyard.services.versions import version_row

CONFIG_FORMAT = 1


class RunConfigService:
    def __init__(self, uow: UnitOfWork, training: TrainingService) -> None:
        self._uow = uow
        self._training = training

    def config(self, actor: Actor, run_id: int) -> dict[str, Any]:
        """The full training configuration of a run: dataset version, target, options, seed."""
        actor.require(Permission.READ, "read run configurations")
        with self._uow.begin() as session:
            row = run_row(session, actor, run_id)
            version = session.get_one(SqlDatasetVersion, row.dataset_version_id)
            options = TrainingOptions.model_validate(row.details.get("options") or {})
            return {
                "modelyard_config": CONFIG_FORMAT,
                "run_id": row.id,
                "dataset_version_id": row.dataset_version_id,
                "data_hash": version.content_hash,
                "target": row.target,
                "project_id": row.project_id,
                "options": options.model_dump(),
            }

    def config_yaml(self, actor: Actor, run_id: int) -> str:
        import yaml

        return str(yaml.safe_dump(self.config(actor, run_id), sort_keys=False))

    def rerun(self, actor: Actor, run_id: int) -> Job:
        """A new training job with the run's exact configuration."""
        return self._start(actor, self.config(actor, run_id))

    def start_from_yaml(self, actor: Actor, text: str) -> Job:
        """A new training job from a configuration (as `config_yaml` writes it)."""
        return self._start(actor, parse_config(text))

    def _start(self, actor: Actor, config: dict[str, Any]) -> Job:
        options = TrainingOptions.model_validate(config.get("options") or {})
        if config.get("data_hash"):
            self._check_data_hash(actor, int(config["dataset_version_id"]), config["data_hash"])
        return self._training.start(
            actor,
            int(config["dataset_version_id"]),
            str(config["target"]),
            project_id=config.get("project_id"),
            options=options,
        )

    def _check_data_hash(self, actor: Actor, version_id: int, data_hash: str) -> None:
        with self._uow.begin() as session:
            actual = version_row(session, actor, version_id).content_hash
        if actual != data_hash:
            raise InvalidInputError(
                f"Dataset version {version_id} does not hold the data this configuration was "
                f"made on (hash {str(data_hash)[:12]}..., found {actual[:12]}...). Point "
                "dataset_version_id at the right version, or remove data_hash to train anyway.",
                code="run_config.data_changed",
            )


def parse_config(text: str) -> dict[str, Any]:
    """A checked training configuration from YAML text (InvalidInputError says what is wrong)."""
    import yaml

    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInputError(
            f"The configuration is not valid YAML: {exc}", code="run_config.invalid_yaml"
        ) from exc
    if not isinstance(config, dict):
        raise InvalidInputError(
            "The configuration must be a YAML mapping with dataset_version_id, target and "
            "options (export one with `modelyard runs config RUN_ID`).",
            code="run_config.invalid",
        )
    missing = [k for k in ("dataset_version_id", "target") if config.get(k) in (None, "")]
    if missing:
        raise InvalidInputError(
            f"The configuration lacks {', '.join(missing)}; add them (export a complete one "
            "with `modelyard runs config RUN_ID`).",
            code="run_config.missing",
            details={"missing": missing},
        )
    if not isinstance(config["dataset_version_id"], int):
        raise InvalidInputError(
            "dataset_version_id must be a whole number.", code="run_config.invalid"
        )
    try:
        TrainingOptions.model_validate(config.get("options") or {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidInputError(
            f"The configuration's options are invalid: {problems}.",
            code="run_config.invalid_options",
        ) from exc
    return config
