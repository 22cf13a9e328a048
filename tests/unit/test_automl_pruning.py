import optuna
import pytest

from modelyard.ml.automl.pruning import FamilyPruner, make_pruner, rungs_for


def test_median_pruning_is_kept_on_folds_and_small_data():
    assert isinstance(make_pruner(10_000, 5), optuna.pruners.MedianPruner)
    assert isinstance(make_pruner(200_000, 3), optuna.pruners.MedianPruner)
    assert rungs_for("lightgbm", 10_000, 5) == ()


def test_boosting_trials_on_large_holdout_data_go_through_halving_rungs():
    pruner = make_pruner(200_000, 1)
    assert isinstance(pruner, FamilyPruner)
    assert [step for _, step in rungs_for("lightgbm", 200_000, 1)] == [1, 3]
    assert rungs_for("linear", 200_000, 1) == ()


@pytest.mark.parametrize("family, pruned", [("lightgbm", True), ("linear", False)])
def test_successive_halving_stops_a_weak_booster_at_the_first_rung(family, pruned):
    study = optuna.create_study(direction="maximize", pruner=make_pruner(200_000, 1))
    names = ["lightgbm", "linear"]
    for score in (0.9, 0.91, 0.92):  # boosting trials that set the first rung's bar
        study.enqueue_trial({"family": "lightgbm"})
        trial = study.ask()
        trial.suggest_categorical("family", names)
        trial.report(score, 1)
        assert not trial.should_prune()  # records the rung's score
        study.tell(trial, score)
    study.enqueue_trial({"family": family})
    weak = study.ask()
    assert weak.suggest_categorical("family", names) == family
    weak.report(0.5, 1)
    assert weak.should_prune() is pruned
