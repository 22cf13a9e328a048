import re

import pytest
from sqlalchemy import func, select

from modelyard.db.tables import SqlFeedback
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError
from modelyard.services.feedback import live_metrics, outcome
from tests.factories import churn_frame, make_deployment


def test_live_metrics():
    assert live_metrics("classification", ["a", "b", "a"], ["a", "a", "a"]) == {"accuracy": 2 / 3}
    assert live_metrics("regression", [1.0, 3.0], [2.0, 3.0]) == {
        "mae": 0.5,
        "rmse": pytest.approx(0.7071, 1e-3),
    }
    assert live_metrics("regression", [], []) == {}
    assert live_metrics("anomaly", [1, 1, 0, 0], [1, 0, 1, 0]) == {
        "accuracy": 0.5,
        "precision": 0.5,
        "recall": 0.5,
    }
    assert live_metrics("anomaly", [0, 0], [0, 0]) == {"accuracy": 1.0}  # nothing flagged


@pytest.mark.parametrize(
    ("task", "given", "stored"),
    [
        ("classification", "yes", "yes"),
        ("regression", 3, 3.0),
        ("regression", "2.5", 2.5),
        ("anomaly", True, 1),
        ("anomaly", "Normal", 0),
        ("anomaly", 1, 1),
    ],
)
def test_outcomes_are_stored_as_the_task_reads_them(task, given, stored):
    assert outcome(task, given) == stored


@pytest.mark.parametrize(
    ("task", "given", "code", "says"),
    [
        ("regression", "abc", "feedback.bad_actual", "outcome is a number, not 'abc'"),
        ("regression", True, "feedback.bad_actual", "outcome is a number"),
        ("regression", float("inf"), "feedback.bad_actual", "finite value"),
        ("anomaly", "maybe", "feedback.bad_actual", "1 (anomaly) or 0 (normal)"),
        ("clustering", 2, "feedback.not_supported", "no true outcome"),
        ("classification", None, "feedback.bad_actual", "true label"),
    ],
)
def test_an_outcome_the_task_cannot_read_is_refused(task, given, code, says):
    with pytest.raises(InvalidInputError, match=re.escape(says)) as caught:
        outcome(task, given, 3)
    assert caught.value.code == code and caught.value.details == {"index": 3}


def test_feedback_turns_into_live_metrics_per_version(services, admin, tmp_path):
    make_deployment(services, admin, tmp_path)
    frame = churn_frame().head(6)
    result = services.deployments.predict(
        admin, "churn", frame.drop(columns="churned").to_dict(orient="records")
    )
    items = [
        {"prediction_id": i, "actual": a}
        for i, a in zip(result.prediction_ids, frame["churned"], strict=True)
    ]
    services.feedback.record(
        admin, **items[0]
    )  # right after predict: found although logging is async
    services.feedback.record_many(admin, items[1:4])
    (metrics,) = services.feedback.metrics(admin, "churn")
    assert (metrics.n_predictions, metrics.n_feedback) == (6, 4)
    expected = (
        sum(str(p) == a for p, a in zip(result.predictions[:4], frame["churned"][:4], strict=True))
        / 4
    )
    assert metrics.metrics == {"accuracy": expected}


def test_bad_feedback_changes_nothing(services, admin, tmp_path):
    make_deployment(services, admin, tmp_path)
    result = services.deployments.predict(
        admin, "churn", churn_frame().drop(columns="churned").head(2).to_dict(orient="records")
    )
    first, second = result.prediction_ids
    with pytest.raises(NotFoundError, match="no prediction with id 'nope'"):
        services.feedback.record_many(
            admin,
            [{"prediction_id": first, "actual": "yes"}, {"prediction_id": "nope", "actual": "no"}],
        )
    with pytest.raises(ConflictError, match="appears twice"):
        services.feedback.record_many(admin, [{"prediction_id": first, "actual": "yes"}] * 2)
    with pytest.raises(InvalidInputError, match="true label"):
        services.feedback.record(admin, second, None)
    services.feedback.record(admin, first, "yes")
    with pytest.raises(ConflictError, match="already has feedback"):
        services.feedback.record(admin, first, "no")
    with services.uow.begin() as session:
        assert session.scalar(select(func.count()).select_from(SqlFeedback)) == 1
