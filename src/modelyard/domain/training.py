"""What a training request may ask of the AutoML search."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TrainingOptions(BaseModel):
    """Search settings; unset ones take the recommendation's or the server's defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_budget_s: float | None = Field(
        default=None, gt=0, description="Wall-clock budget, seconds."
    )
    seed: int = Field(
        default=0, ge=0, description="Same seed, data and settings: same leaderboard."
    )
    metric: str | None = Field(
        default=None, description="e.g. roc_auc, log_loss, accuracy, rmse, r2."
    )
    validation: str = Field(
        default="auto",
        description="auto, holdout, kfold, stratified_kfold, group_kfold, timeseries.",
    )
    n_folds: int = Field(default=5, ge=2, le=20)
    group_column: str | None = Field(default=None, description="For group_kfold.")
    time_column: str | None = Field(default=None, description="For timeseries validation.")
    families: list[str] | None = Field(
        default=None, description="Model families to search (default: all that fit the data)."
    )
    max_predict_latency_ms: float | None = Field(
        default=None,
        gt=0,
        description=(
            "Largest single-row predict latency a model may have, as a deployment serves it "
            "(the compiled path when the model compiles); slower trials are left out."
        ),
    )
    max_model_size_mb: float | None = Field(
        default=None, gt=0, description="Largest pickled model size; bigger trials are left out."
    )
    ensemble: bool = True
    max_trials: int | None = Field(default=None, ge=1)
    # preprocessing, imbalance, threshold and selection (docs/preprocessing.md)
    imputation: Literal[
        "auto", "mean", "median", "most_frequent", "constant", "knn", "iterative"
    ] = Field(default="auto", description="Missing numeric values: auto (median), mean, ...")
    scaling: Literal["auto", "standard", "robust", "minmax", "none"] = "auto"
    encoding: Literal["auto", "onehot", "ordinal", "target"] = "auto"
    interactions: Literal["none", "always", "search"] = Field(
        default="none", description="Degree-2 features for linear, SVM and k-NN models."
    )
    resampling: Literal["none", "oversample", "undersample", "smote"] = "none"
    threshold_metric: (
        Literal["f1", "balanced_accuracy", "accuracy", "precision", "recall", "mcc"] | None
    ) = Field(default=None, description="Tune the binary decision threshold for this metric.")
    cost_matrix: list[list[float]] | None = Field(
        default=None,
        description="[[tn_cost, fp_cost], [fn_cost, tp_cost]]: threshold of least expected cost.",
    )
    feature_selection: Literal[
        "none",
        "auto",
        "variance",
        "mutual_info",
        "rfe",
        "l1",
        "tree_importance",
        "permutation",
        "neural",
    ] = "none"
    max_features: int | None = Field(default=None, ge=1)
    task: str | None = Field(
        default=None,
        pattern="^(classification|regression|clustering|anomaly)$",
        description="classification, regression, clustering or anomaly (default: from the "
        "target). clustering and anomaly need no target.",
    )
    n_clusters: int | None = Field(
        default=None, ge=2, le=100, description="Clustering: a fixed number of clusters."
    )
    contamination: float | None = Field(
        default=None, gt=0, le=0.5, description="Anomaly: expected share of anomalies (0, 0.5]."
    )

    @property
    def is_unsupervised(self) -> bool:
        return self.task in ("clustering", "anomaly")
