import numpy as np
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
