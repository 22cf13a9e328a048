"""Model families: each one's search space, a sound default, and how to build the estimator.

A space maps a hyperparameter to ``("int" | "float", low, high, is_log)`` or
``("cat", choices)``. The estimators are imported inside ``make`` so that listing the
families costs nothing; a family whose library is not installed is simply unavailable.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from modelyard.ml.automl.targets import Task

Space = dict[str, tuple[Any, ...]]
_ROW_SCALED = frozenset({"random_forest", "extra_trees", "knn"})
_TREE_ROWS = 50_000  # a single exact-split tree gains on LightGBM more slowly than a forest
Params = dict[str, Any]


@dataclass(frozen=True)
class FamilyContext:
    """What a family needs to know about the data to size its space and build a model."""

    task: Task
    n_rows: int
    n_features: int
    n_classes: int
    seed: int
    n_jobs: int
    positive_ratio: float = 1.0  # negatives per positive (binary classification)
    fit_time_limit_s: float | None = None  # for learners that can stop early (networks)


@dataclass(frozen=True)
class Family:
    name: str
    is_scaled: bool  # needs imputed, scaled inputs (linear, k-NN, networks)
    cost: float  # rough fit time relative to a default LightGBM
    requires: str | None
    space: Callable[[FamilyContext], Space]
    default: Callable[[FamilyContext], Params]
    make: Callable[[Params, FamilyContext], Any]

    def cost_at(self, n_rows: int) -> float:
        """Relative cost on ``n_rows`` rows. Exact-split forests and k-NN grow faster with
        rows than histogram boosting (measured: a forest ~15x a LightGBM fit on 250 rows,
        ~50x on 50,000), and so does one decision tree, more slowly (depth 8 on 50
        features: 0.1x a default LightGBM on 1,000 rows, 0.5x on 10,000, 1.1x on 50,000,
        1.4x on 200,000; 61 s on 512,000 rows in the 1M-row benchmark)."""
        if self.name in _ROW_SCALED:
            return self.cost * (1 + n_rows / 10_000)
        if self.name == "decision_tree":
            return self.cost * (1 + n_rows / _TREE_ROWS)
        return self.cost

    @property
    def is_available(self) -> bool:
        return self.requires is None or importlib.util.find_spec(self.requires) is not None


def _is_classification(ctx: FamilyContext) -> bool:
    return ctx.task == "classification"


def _with_class_weight(space: Space, ctx: FamilyContext, choices: tuple[Any, ...]) -> Space:
    return {**space, "class_weight": ("cat", choices)} if _is_classification(ctx) else space


def _min_leaf_high(ctx: FamilyContext, cap: int = 100) -> int:
    return max(3, min(cap, ctx.n_rows // 10))


# --- gradient boosting -------------------------------------------------------------------


def _lightgbm_space(ctx: FamilyContext) -> Space:
    space: Space = {
        "n_estimators": ("int", 20, 1000, True),
        "learning_rate": ("float", 0.01, 0.3, True),
        "num_leaves": ("int", 4, 256, True),
        "min_child_samples": ("int", 2, _min_leaf_high(ctx), True),
        "subsample": ("float", 0.5, 1.0, False),
        "colsample_bytree": ("float", 0.3, 1.0, False),
        "reg_alpha": ("float", 1e-8, 10.0, True),
        "reg_lambda": ("float", 1e-8, 10.0, True),
        # randomised split thresholds (AutoGluon's LightGBMXT): smoother on small data
        "extra_trees": ("cat", (False, True)),
    }
    return _with_class_weight(space, ctx, (None, "balanced"))


# Up to this many rows LightGBM's default draws its split thresholds at random (extra
# trees, AutoGluon's LightGBMXT). Measured with 100 rounds: better on every benchmark
# dataset under 2,000 rows (digits' log loss 0.105 -> 0.067 in 5-fold validation, iris
# 0.61 -> 0.24, diabetes R2 0.38 -> 0.47), equal at 10,000 rows, worse in regression
# from 20,000 (synthetic R2 0.972 -> 0.970).
EXTRA_TREES_MAX_ROWS = 10_000


def _lightgbm_default(ctx: FamilyContext) -> Params:
    params: Params = {
        "n_estimators": 100,
        "learning_rate": 0.1,
        "num_leaves": 31,
        "min_child_samples": min(20, _min_leaf_high(ctx)),
        "subsample": 1.0,
        "colsample_bytree": 1.0,
        "reg_alpha": 1e-8,
        "reg_lambda": 1e-8,
        "extra_trees": ctx.n_rows <= EXTRA_TREES_MAX_ROWS,
    }
    return {**params, "class_weight": None} if _is_classification(ctx) else params


def _lightgbm(params: Params, ctx: FamilyContext) -> Any:
    from lightgbm import LGBMClassifier, LGBMRegressor

    cls = LGBMClassifier if _is_classification(ctx) else LGBMRegressor
    common: Params = {"subsample_freq": 1, "random_state": ctx.seed, "verbose": -1}
    return cls(**params, **common, n_jobs=ctx.n_jobs)


def _xgboost_space(ctx: FamilyContext) -> Space:
    space: Space = {
        "n_estimators": ("int", 20, 1000, True),
        "learning_rate": ("float", 0.01, 0.3, True),
        "max_depth": ("int", 2, 12, False),
        "min_child_weight": ("float", 0.01, 20.0, True),
        "subsample": ("float", 0.5, 1.0, False),
        "colsample_bytree": ("float", 0.3, 1.0, False),
        "reg_alpha": ("float", 1e-8, 10.0, True),
        "reg_lambda": ("float", 1e-3, 10.0, True),
    }
    if _is_classification(ctx) and ctx.n_classes == 2:
        space["class_weight"] = ("cat", (None, "balanced"))
    return space


def _xgboost_default(ctx: FamilyContext) -> Params:
    params: Params = {
        "n_estimators": 100,
        "learning_rate": 0.1,
        "max_depth": 6,
        "min_child_weight": 1.0,
        "subsample": 1.0,
        "colsample_bytree": 1.0,
        "reg_alpha": 1e-8,
        "reg_lambda": 1.0,
    }
    if _is_classification(ctx) and ctx.n_classes == 2:
        params["class_weight"] = None
    return params


def _xgboost(params: Params, ctx: FamilyContext) -> Any:
    from xgboost import XGBClassifier, XGBRegressor

    from modelyard.ml.automl.estimators import LabelEncodedClassifier

    settings = dict(params)
    is_balanced = settings.pop("class_weight", None) == "balanced"
    common = {"tree_method": "hist", "random_state": ctx.seed, "n_jobs": ctx.n_jobs}
    if not _is_classification(ctx):
        return XGBRegressor(**settings, **common, verbosity=0)
    weight = ctx.positive_ratio if is_balanced else 1.0
    model = XGBClassifier(**settings, **common, scale_pos_weight=weight, verbosity=0)
    return LabelEncodedClassifier(model)


def _catboost_space(ctx: FamilyContext) -> Space:
    space: Space = {
        "iterations": ("int", 50, 1000, True),
        "learning_rate": ("float", 0.01, 0.3, True),
        "depth": ("int", 3, 10, False),
        "l2_leaf_reg": ("float", 0.5, 30.0, True),
        "random_strength": ("float", 0.1, 10.0, True),
    }
    return _with_class_weight(space, ctx, (None, "Balanced"))


def _catboost_default(ctx: FamilyContext) -> Params:
    params: Params = {
        "iterations": 300,
        "learning_rate": 0.08,
        "depth": 6,
        "l2_leaf_reg": 3.0,
        "random_strength": 1.0,
    }
    return {**params, "class_weight": None} if _is_classification(ctx) else params


def _catboost(params: Params, ctx: FamilyContext) -> Any:
    from catboost import CatBoostClassifier, CatBoostRegressor

    settings = dict(params)
    weights = settings.pop("class_weight", None)
    common = {
        "random_seed": ctx.seed,
        "thread_count": ctx.n_jobs,
        "verbose": 0,
        "allow_writing_files": False,
    }
    if not _is_classification(ctx):
        return CatBoostRegressor(**settings, **common)
    return CatBoostClassifier(**settings, **common, auto_class_weights=weights)


def _hgb_space(ctx: FamilyContext) -> Space:
    space: Space = {
        "max_iter": ("int", 20, 500, True),
        "learning_rate": ("float", 0.01, 0.3, True),
        "max_leaf_nodes": ("int", 4, 128, True),
        "min_samples_leaf": ("int", 2, _min_leaf_high(ctx), True),
        "l2_regularization": ("float", 1e-8, 10.0, True),
        "max_features": ("float", 0.3, 1.0, False),
    }
    return _with_class_weight(space, ctx, (None, "balanced"))


def _hgb_default(ctx: FamilyContext) -> Params:
    params: Params = {
        "max_iter": 100,
        "learning_rate": 0.1,
        "max_leaf_nodes": 31,
        "min_samples_leaf": min(20, _min_leaf_high(ctx)),
        "l2_regularization": 1e-8,
        "max_features": 1.0,
    }
    return {**params, "class_weight": None} if _is_classification(ctx) else params


def _hgb(params: Params, ctx: FamilyContext) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    cls = (
        HistGradientBoostingClassifier if _is_classification(ctx) else HistGradientBoostingRegressor
    )
    return cls(**params, random_state=ctx.seed)


# --- bagged and single trees --------------------------------------------------------------


def _forest_space(ctx: FamilyContext) -> Space:
    space: Space = {
        "n_estimators": ("int", 50, 500, True),
        "max_features": ("float", 0.05, 1.0, False),
        "min_samples_leaf": ("int", 1, 20, True),
    }
    return _with_class_weight(space, ctx, (None, "balanced", "balanced_subsample"))


def _forest_default(ctx: FamilyContext) -> Params:
    if not _is_classification(ctx):
        return {"n_estimators": 200, "max_features": 1.0, "min_samples_leaf": 1}
    share = round(max(0.05, 1 / math.sqrt(max(ctx.n_features, 1))), 3)
    return {"n_estimators": 200, "max_features": share, "min_samples_leaf": 1, "class_weight": None}


def _forest(kind: str) -> Callable[[Params, FamilyContext], Any]:
    def make(params: Params, ctx: FamilyContext) -> Any:
        from sklearn import ensemble

        suffix = "Classifier" if _is_classification(ctx) else "Regressor"
        cls = getattr(ensemble, f"{kind}{suffix}")
        return cls(**params, random_state=ctx.seed, n_jobs=ctx.n_jobs)

    return make


def _tree_space(ctx: FamilyContext) -> Space:
    space: Space = {
        "max_depth": ("int", 2, 30, False),
        "min_samples_leaf": ("int", 1, _min_leaf_high(ctx, 50), True),
    }
    return _with_class_weight(space, ctx, (None, "balanced"))


def _tree_default(ctx: FamilyContext) -> Params:
    params: Params = {"max_depth": 8, "min_samples_leaf": min(5, _min_leaf_high(ctx, 50))}
    return {**params, "class_weight": None} if _is_classification(ctx) else params


def _tree(params: Params, ctx: FamilyContext) -> Any:
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    cls = DecisionTreeClassifier if _is_classification(ctx) else DecisionTreeRegressor
    return cls(**params, random_state=ctx.seed)


# --- distance and linear models -----------------------------------------------------------


def _knn_space(ctx: FamilyContext) -> Space:
    return {
        "n_neighbors": ("int", 1, max(2, min(50, ctx.n_rows // 4)), True),
        "weights": ("cat", ("uniform", "distance")),
        "p": ("cat", (1, 2)),
    }


def _knn_default(ctx: FamilyContext) -> Params:
    return {"n_neighbors": min(5, max(2, ctx.n_rows // 4)), "weights": "distance", "p": 2}


def _knn(params: Params, ctx: FamilyContext) -> Any:
    from sklearn.neighbors import KNeighborsRegressor

    from modelyard.ml.automl.estimators import SmoothedKNeighborsClassifier

    cls = SmoothedKNeighborsClassifier if _is_classification(ctx) else KNeighborsRegressor
    return cls(**params, n_jobs=ctx.n_jobs)


def _linear_space(ctx: FamilyContext) -> Space:
    if not _is_classification(ctx):
        return {"alpha": ("float", 1e-5, 10.0, True), "l1_ratio": ("float", 0.01, 1.0, False)}
    space: Space = {"C": ("float", 1e-4, 1e3, True), "l1_ratio": ("float", 0.0, 1.0, False)}
    return _with_class_weight(space, ctx, (None, "balanced"))


def _linear_default(ctx: FamilyContext) -> Params:
    if not _is_classification(ctx):
        return {"alpha": 1e-3, "l1_ratio": 0.5}
    return {"C": 1.0, "l1_ratio": 0.0, "class_weight": None}


def _linear(params: Params, ctx: FamilyContext) -> Any:
    from sklearn.linear_model import ElasticNet, LogisticRegression

    # ``max_iter`` is in ``params`` when a search trial stopped at its deadline (deadline.py)
    if not _is_classification(ctx):
        return ElasticNet(**{"max_iter": 2000, **params}, random_state=ctx.seed)
    is_pure_l2 = params.get("l1_ratio", 0.0) == 0.0
    solver, max_iter = ("lbfgs", 1000) if is_pure_l2 else ("saga", 300)
    return LogisticRegression(
        **{"max_iter": max_iter, **params}, solver=solver, random_state=ctx.seed
    )


# --- support vector machines ---------------------------------------------------------------

SVM_MAX_ROWS = 20_000  # kernel SVMs grow with the square of the rows
SVM_KERNEL_MAX_ROWS = 5_000  # above this, a linear SVM (calibrated) instead of a kernel one


def _svm_space(ctx: FamilyContext) -> Space:
    space: Space = {"C": ("float", 1e-3, 1e3, True)}
    if ctx.n_rows <= SVM_KERNEL_MAX_ROWS:
        space["gamma"] = ("float", 1e-4, 1.0, True)
    if not _is_classification(ctx):
        space["epsilon"] = ("float", 1e-3, 1.0, True)
    return _with_class_weight(space, ctx, (None, "balanced"))


def _svm_default(ctx: FamilyContext) -> Params:
    params: Params = {"C": 1.0}
    if ctx.n_rows <= SVM_KERNEL_MAX_ROWS:
        params["gamma"] = round(1.0 / max(ctx.n_features, 1), 6)
    if not _is_classification(ctx):
        params["epsilon"] = 0.1
    return {**params, "class_weight": None} if _is_classification(ctx) else params


def _svm(params: Params, ctx: FamilyContext) -> Any:
    """RBF SVC/SVR up to 5,000 rows, LinearSVC/LinearSVR above; classifiers get
    probabilities from 3-fold sigmoid calibration. Refused above 20,000 rows."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR

    if ctx.n_rows > SVM_MAX_ROWS:
        raise ValueError(
            f"{ctx.n_rows:,} rows: more than the SVM family's {SVM_MAX_ROWS:,} "
            "(its fit time grows with the square of the rows); use boosting or linear"
        )
    settings = dict(params)
    is_kernel = "gamma" in settings
    if not _is_classification(ctx):
        if is_kernel:
            return SVR(kernel="rbf", **settings)
        return LinearSVR(**settings, max_iter=5000, random_state=ctx.seed)
    if is_kernel:
        svm: Any = SVC(kernel="rbf", **settings, random_state=ctx.seed)
    else:
        svm = LinearSVC(**settings, max_iter=5000, random_state=ctx.seed)
    return CalibratedClassifierCV(svm, method="sigmoid", cv=3)


# --- neural networks (PyTorch, the ``dl`` extra) ------------------------------------------

MAX_TRANSFORMER_FEATURES = 100


def _network_space(ctx: FamilyContext) -> Space:
    return {
        "hidden_size": ("cat", (32, 64, 128, 256)),
        "n_layers": ("int", 1, 4, False),
        "dropout": ("float", 0.0, 0.5, False),
        "learning_rate": ("float", 1e-4, 1e-2, True),
        "weight_decay": ("float", 1e-6, 1e-2, True),
        "batch_size": ("cat", (64, 128, 256)),
    }


def _network_default(ctx: FamilyContext) -> Params:
    return {
        "hidden_size": 128,
        "n_layers": 2,
        "dropout": 0.1,
        "learning_rate": 1e-3,
        "weight_decay": 1e-5,
        "batch_size": 128,
    }


# From this many features the MLP's default normalises each hidden layer (batch norm).
# Measured in 5-fold validation, default MLP otherwise: log loss on digits (64 features)
# 0.101 -> 0.064, breast cancer (30) 0.146 -> 0.068, wine (13) 0.130 -> 0.128; worse with
# few features (iris 0.138 -> 0.147, penguins 0.042 -> 0.049, diabetes R2 0.526 -> 0.508)
# and even on 10,000 rows of 20 (synthetic classification log loss 0.181 -> 0.183).
BATCH_NORM_MIN_FEATURES = 30


def _mlp_space(ctx: FamilyContext) -> Space:
    return {**_network_space(ctx), "batch_norm": ("cat", (False, True))}


def _mlp_default(ctx: FamilyContext) -> Params:
    return {**_network_default(ctx), "batch_norm": ctx.n_features >= BATCH_NORM_MIN_FEATURES}


def _network(architecture: str) -> Callable[[Params, FamilyContext], Any]:
    def make(params: Params, ctx: FamilyContext) -> Any:
        from modelyard.ml.automl.deep import TorchTabularClassifier, TorchTabularRegressor

        if architecture == "transformer" and ctx.n_features > MAX_TRANSFORMER_FEATURES:
            raise ValueError(
                f"{ctx.n_features} features: more than the transformer's "
                f"{MAX_TRANSFORMER_FEATURES} (attention grows with the square)"
            )
        cls = TorchTabularClassifier if _is_classification(ctx) else TorchTabularRegressor
        settings: Params = {"max_epochs": 200, "patience": 12, "n_threads": ctx.n_jobs}
        return cls(
            architecture,
            **params,
            **settings,
            max_time_s=ctx.fit_time_limit_s,
            random_state=ctx.seed,
        )

    return make


_ET, _RF = _forest("ExtraTrees"), _forest("RandomForest")
_MLP, _TRANSFORMER = _network("mlp"), _network("transformer")

# name, needs scaling, cost relative to LightGBM, required module, space, default, make
FAMILIES: dict[str, Family] = {
    family.name: family
    for family in [
        Family("lightgbm", False, 1.0, "lightgbm", _lightgbm_space, _lightgbm_default, _lightgbm),
        Family("linear", True, 0.5, None, _linear_space, _linear_default, _linear),
        Family("extra_trees", False, 5.0, None, _forest_space, _forest_default, _ET),
        Family("xgboost", False, 1.5, "xgboost", _xgboost_space, _xgboost_default, _xgboost),
        Family("random_forest", False, 8.0, None, _forest_space, _forest_default, _RF),
        Family("hist_gradient_boosting", False, 2.0, None, _hgb_space, _hgb_default, _hgb),
        Family("catboost", False, 10.0, "catboost", _catboost_space, _catboost_default, _catboost),
        Family("knn", True, 0.3, None, _knn_space, _knn_default, _knn),
        Family("decision_tree", False, 0.3, None, _tree_space, _tree_default, _tree),
        Family("svm", True, 3.0, None, _svm_space, _svm_default, _svm),
        Family("mlp", True, 8.0, "torch", _mlp_space, _mlp_default, _MLP),
        Family(
            "tabular_transformer",
            True,
            20.0,
            "torch",
            _network_space,
            _network_default,
            _TRANSFORMER,
        ),
    ]
}


def available_families() -> list[str]:
    """Every family whose library is installed, cheapest first for the opening trials."""
    return [name for name, family in FAMILIES.items() if family.is_available]
