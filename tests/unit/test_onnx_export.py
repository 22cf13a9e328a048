import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.estimators import LabelEncodedClassifier
from modelyard.ml.onnx_export import export_onnx, onnx_inputs
from tests.factories import churn_frame

COLUMNS = [("tenure", "numeric"), ("spend", "numeric"), ("plan", "categorical")]


def _data():
    frame = churn_frame()
    return frame[[name for name, _ in COLUMNS]], frame["churned"]


def _pipeline(numeric_step):
    prep = ColumnTransformer(
        [
            ("numeric", numeric_step, ["tenure", "spend"]),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), ["plan"]),
        ]
    )
    model = Pipeline([("preprocess", prep), ("model", LogisticRegression())])
    return LabelEncodedClassifier(model)


def test_a_convertible_pipeline_gives_the_same_labels_and_probabilities():
    import onnxruntime as rt

    X, y = _data()
    fitted = _pipeline(StandardScaler()).fit(X, y)
    content = export_onnx(fitted, X, COLUMNS, task="classification")
    session = rt.InferenceSession(content, providers=["CPUExecutionProvider"])
    labels, probabilities = session.run(None, onnx_inputs(X, COLUMNS))
    assert list(labels.reshape(-1)) == list(fitted.predict(X))
    np.testing.assert_allclose(probabilities, fitted.predict_proba(X), atol=1e-5)


def test_a_step_without_a_converter_is_named():
    X, y = _data()
    fitted = _pipeline(FunctionTransformer(np.square)).fit(X, y)
    with pytest.raises(InvalidInputError) as caught:
        export_onnx(fitted, X, COLUMNS, task="classification")
    assert caught.value.code == "model.onnx_unsupported"
    assert caught.value.details["step"].endswith("preprocess/numeric")
    assert "'square'" in caught.value.message


@pytest.mark.parametrize("family", ["lightgbm", "xgboost"])
@pytest.mark.parametrize(
    "labels", [np.array(["no", "yes"]), np.array([3, 5, 7])], ids=["text", "integers"]
)
def test_boosters_answer_with_the_original_labels_under_the_column_names(family, labels):
    import onnx
    import onnxruntime as rt
    from lightgbm import LGBMClassifier
    from sklearn.datasets import make_classification
    from xgboost import XGBClassifier

    X, y = make_classification(
        300,
        4,
        n_informative=3,
        n_redundant=0,
        n_classes=len(labels),
        n_clusters_per_class=1,
        random_state=0,
    )
    frame = pd.DataFrame(X, columns=["mean radius", "area (cm2)", "x-y", "plain"])
    columns = [(name, "numeric") for name in frame.columns]
    booster = (
        LGBMClassifier(n_estimators=20, verbose=-1)
        if family == "lightgbm"
        else XGBClassifier(n_estimators=20)
    )
    prep = ColumnTransformer([("numeric", "passthrough", list(frame.columns))])
    model = LabelEncodedClassifier(Pipeline([("preprocess", prep), ("model", booster)]))
    model.fit(frame, labels[y])
    content = export_onnx(model, frame, columns, task="classification")
    assert [i.name for i in onnx.load_from_string(content).graph.input] == list(frame.columns)
    session = rt.InferenceSession(content, providers=["CPUExecutionProvider"])
    got, probabilities = session.run(None, onnx_inputs(frame, columns))
    assert list(got.reshape(-1)) == list(model.predict(frame))
    np.testing.assert_allclose(probabilities, model.predict_proba(frame), atol=1e-5)


@pytest.mark.parametrize("family", ["lightgbm", "xgboost"])
def test_booster_regressors_convert(family):
    import onnxruntime as rt
    from lightgbm import LGBMRegressor
    from sklearn.datasets import make_regression
    from xgboost import XGBRegressor

    X, y = make_regression(300, 4, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    columns = [(name, "numeric") for name in frame.columns]
    booster = LGBMRegressor(verbose=-1) if family == "lightgbm" else XGBRegressor()
    prep = ColumnTransformer([("numeric", "passthrough", list(frame.columns))])
    model = Pipeline([("preprocess", prep), ("model", booster.set_params(n_estimators=20))])
    model.fit(frame, y)
    session = rt.InferenceSession(
        export_onnx(model, frame, columns, task="regression"), providers=["CPUExecutionProvider"]
    )
    (got,) = session.run(None, onnx_inputs(frame, columns))
    np.testing.assert_allclose(got.reshape(-1), model.predict(frame), rtol=1e-4, atol=1e-3)


def test_a_calibrated_ensemble_whose_label_comes_from_its_probabilities():
    import onnxruntime as rt
    from sklearn.ensemble import RandomForestClassifier, VotingClassifier

    X, y = _data()
    voting = VotingClassifier(
        [("linear", LogisticRegression()), ("forest", RandomForestClassifier(10, random_state=0))],
        voting="soft",
        weights=[2, 1],
    )
    prep = ColumnTransformer(
        [
            ("numeric", StandardScaler(), ["tenure", "spend"]),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), ["plan"]),
        ]
    )
    model = LabelEncodedClassifier(Pipeline([("preprocess", prep), ("model", voting)]))
    model.fit(X, y)
    model.temperature = 0.6
    session = rt.InferenceSession(
        export_onnx(model, X, COLUMNS, task="classification"), providers=["CPUExecutionProvider"]
    )
    labels, probabilities = session.run(None, onnx_inputs(X, COLUMNS))
    assert list(labels.reshape(-1)) == list(model.predict(X))
    np.testing.assert_allclose(probabilities, model.predict_proba(X), atol=1e-5)
