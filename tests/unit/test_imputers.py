from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.estimators import LabelEncodedClassifier
from modelyard.ml.automl.imputers import (
    MIN_INDICATOR_ROWS,
    CommonIndicatorIterativeImputer,
    CommonIndicatorKNNImputer,
    CommonIndicatorSimpleImputer,
)
from modelyard.ml.compiled import compile_model
from modelyard.ml.onnx_export import export_onnx, onnx_inputs


def _missing(n: int = 200, *, common: int = 30, rare: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=["common", "rare", "full"])
    frame.loc[: common - 1, "common"] = np.nan
    frame.loc[n - rare :, "rare"] = np.nan
    return frame


@pytest.mark.parametrize(
    "imputer",
    [
        CommonIndicatorSimpleImputer(strategy="median", add_indicator=True),
        CommonIndicatorKNNImputer(n_neighbors=3, add_indicator=True),
        CommonIndicatorIterativeImputer(max_iter=3, random_state=0, add_indicator=True),
    ],
    ids=["simple", "knn", "iterative"],
)
def test_only_a_commonly_missing_feature_gets_an_indicator(imputer) -> None:
    frame = _missing()
    out = imputer.fit_transform(frame)
    assert list(imputer.get_feature_names_out()) == [
        "common",
        "rare",
        "full",
        "missingindicator_common",
    ]
    assert out.shape == (200, 4) and not np.isnan(out).any()
    np.testing.assert_array_equal(out[:, 3], frame["common"].isna().to_numpy(dtype=float))
    # rows missing a feature that was never (or rarely) missing in training: imputed, no
    # new columns
    unseen = frame.assign(full=np.nan, rare=np.nan)
    assert imputer.transform(unseen).shape == (200, 4)


def test_a_feature_missing_in_just_enough_rows_keeps_its_indicator() -> None:
    frame = _missing(rare=MIN_INDICATOR_ROWS)
    imputer = CommonIndicatorSimpleImputer(strategy="median", add_indicator=True).fit(frame)
    assert list(imputer.indicator_.features_) == [0, 1]


def _classifier(frame: pd.DataFrame, imputer: Any = None) -> LabelEncodedClassifier:
    y = np.where(frame["full"].fillna(0) + frame["common"].fillna(1) > 0, "yes", "no")
    imputer = imputer or CommonIndicatorSimpleImputer(strategy="median", add_indicator=True)
    numeric = Pipeline([("impute", imputer), ("scale", StandardScaler())])
    prep = ColumnTransformer([("numeric", numeric, list(frame.columns))])
    model = Pipeline([("preprocess", prep), ("model", LogisticRegression())])
    return LabelEncodedClassifier(model).fit(frame, y)


def test_the_compiled_model_applies_the_same_indicators() -> None:
    from modelyard.ml.scoring import feature_frame, score

    frame = _missing()
    model = _classifier(frame)
    columns = [(name, "numeric") for name in frame.columns]
    served = compile_model(model, columns, task="classification")
    assert served.is_compiled, served.reason
    got = served.predict_frame(frame)
    expected = score(model, feature_frame(frame, columns), task="classification")
    np.testing.assert_allclose(got.probabilities, expected.probabilities, rtol=0, atol=1e-9)


@pytest.mark.parametrize("common", [0, 30], ids=["no indicator", "one indicator"])
@pytest.mark.parametrize("kind", [CommonIndicatorSimpleImputer, CommonIndicatorKNNImputer])
def test_onnx_computes_the_same_indicator_columns(kind, common) -> None:
    import onnxruntime as rt

    columns = [(name, "numeric") for name in ("common", "rare", "full")]
    frame = _missing(common=common)
    model = _classifier(frame, kind(add_indicator=True))
    marked = model.estimator_[0].named_transformers_["numeric"][0].indicator_.features_
    assert list(marked) == ([0] if common else [])
    session = rt.InferenceSession(
        export_onnx(model, frame, columns, task="classification"),
        providers=["CPUExecutionProvider"],
    )
    _, probabilities = session.run(None, onnx_inputs(frame, columns))
    np.testing.assert_allclose(probabilities, model.predict_proba(frame), atol=1e-5)
    unseen = frame.head(5).assign(rare=np.nan, common=[np.nan, 1.0, np.nan, 2.0, np.nan])
    _, probabilities = session.run(None, onnx_inputs(unseen, columns))
    np.testing.assert_allclose(probabilities, model.predict_proba(unseen), atol=1e-5)


def test_onnx_refuses_indicators_of_missing_values_other_than_nan() -> None:
    frame = _missing().fillna(-1.0)
    imputer = CommonIndicatorSimpleImputer(missing_values=-1.0, add_indicator=True)
    model = _classifier(frame, imputer)
    columns = [(name, "numeric") for name in frame.columns]
    with pytest.raises(InvalidInputError) as caught:
        export_onnx(model, frame, columns, task="classification")
    assert caught.value.code == "model.onnx_unsupported"
    assert "other than NaN" in caught.value.message
