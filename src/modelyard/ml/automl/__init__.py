"""Time-budgeted AutoML for tables: recommend a set-up, search, ensemble, refit, test.

    from modelyard.ml.automl import AutoMLConfig, fit_automl, recommend

    advice = recommend(frame, "churned")          # task, metric, families, ... with reasons
    result = fit_automl(frame, "churned", advice.to_config(time_budget_s=30))
    result.model.predict(new_rows)                # a fitted scikit-learn estimator

Pure: no files, databases, MLflow or Dask. Learners (LightGBM, XGBoost, CatBoost, Optuna,
torch) are imported when a search runs, so importing this package stays cheap.
"""

from modelyard.ml.automl.config import AutoMLConfig
from modelyard.ml.automl.engine import fit_automl
from modelyard.ml.automl.families import available_families
from modelyard.ml.automl.metrics import METRICS
from modelyard.ml.automl.recommend import DataProfile, Recommendation, Suggestion, recommend
from modelyard.ml.automl.result import AutoMLResult
from modelyard.ml.automl.trials import TrialRecord

__all__ = [
    "METRICS",
    "AutoMLConfig",
    "AutoMLResult",
    "DataProfile",
    "Recommendation",
    "Suggestion",
    "TrialRecord",
    "available_families",
    "fit_automl",
    "recommend",
]
