"""Pure machine learning: task detection, pipelines, training and evaluation. No I/O."""

from modelyard.ml.training import TrainingOutcome, detect_task, train_tabular_model

__all__ = ["TrainingOutcome", "detect_task", "train_tabular_model"]
