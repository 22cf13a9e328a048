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
    MIN_GROUP_ROWS,
    MIN_INDICATOR_ROWS,
    CommonIndicatorIterativeImputer,
    CommonIndicatorKNNImputer,
    CommonIndicatorSimpleImputer,
    GroupMedianImputer,
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


# --- imputation by group --------------------------------------------------------------------


def _islands(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Penguin-like rows: the bill length and the species follow the island; the year
    follows nothing; a few rows lack their measurements."""
    rng = np.random.default_rng(seed)
    island = rng.choice(["Biscoe", "Dream", "Torgersen"], n)
    centre = pd.Series(island).map({"Biscoe": 48.0, "Dream": 44.0, "Torgersen": 39.0})
    bill = centre.to_numpy() + rng.normal(0, 1.0, n)
    year = rng.normal(2008, 1, n)
    bill[:12] = np.nan  # commonly missing: keeps its indicator
    year[-3:] = np.nan  # rarely missing, and unrelated to the island
    return pd.DataFrame({"bill": bill, "year": year, "island": island})


def test_a_missing_number_takes_the_median_of_its_group() -> None:
    frame = _islands()
    imputer = GroupMedianImputer(n_groups=1).fit(frame)
    assert [position for position, *_ in imputer.fills_] == [0]  # the year has no group
    assert list(imputer.get_feature_names_out(frame.columns)) == [
        "bill",
        "year",
        "missingindicator_bill",
    ]
    rows = pd.DataFrame(
        {
            "bill": [np.nan] * 5 + [41.5],
            "year": [np.nan] * 6,
            "island": ["Biscoe", "Dream", "Torgersen", "Atlantis", None, "Dream"],
        }
    )
    out = imputer.transform(rows)
    medians = frame.groupby("island")["bill"].median()  # of the known bills
    overall = frame["bill"].median()
    np.testing.assert_allclose(out[:3, 0], medians[["Biscoe", "Dream", "Torgersen"]])
    np.testing.assert_allclose(out[3:5, 0], [overall, overall])  # unseen, missing group
    assert out[5, 0] == 41.5  # a known value stays
    np.testing.assert_allclose(out[:, 1], frame["year"].median())
    np.testing.assert_array_equal(out[:, 2], [1, 1, 1, 1, 1, 0])


def test_a_group_too_small_or_unrelated_gets_the_overall_median() -> None:
    frame = _islands()
    small = (frame["island"] == "Torgersen") & frame["bill"].notna()
    frame.loc[small[small].index[MIN_GROUP_ROWS - 1 :], "bill"] = np.nan
    imputer = GroupMedianImputer(n_groups=1).fit(frame)
    ((_, _, levels, _),) = imputer.fills_
    assert sorted(levels) == ["Biscoe", "Dream"]  # Torgersen keeps too few known bills
    shuffled = frame.assign(island=np.random.default_rng(1).permutation(frame["island"]))
    assert GroupMedianImputer(n_groups=1).fit(shuffled).fills_ == []
    # two large levels and 60 single rows, none related to the bill: by chance they explain
    # ~20% of its variance; adjusted for the number of levels, about nothing
    frame = _islands()
    tags = np.random.default_rng(2).choice(["a", "b"], len(frame)).astype(object)
    tags[12:72] = [f"tag{i}" for i in range(60)]
    assert GroupMedianImputer(n_groups=1).fit(frame.assign(island=tags)).fills_ == []


def _scaled_classifier(frame: pd.DataFrame) -> LabelEncodedClassifier:
    """A logistic regression behind the default scaled preprocessing (island: a group)."""
    from modelyard.ml.automl.columns import classify_columns
    from modelyard.ml.automl.preprocessing import build_preprocessor

    y = np.where(
        frame["bill"].fillna(frame["island"].map({"Biscoe": 48.0}).fillna(40)) > 46,
        "Gentoo",
        "Adelie",
    )
    prep = build_preprocessor(classify_columns(frame), scaled=True, task="classification", seed=0)
    model = Pipeline([("preprocess", prep), ("model", LogisticRegression(C=100.0))])
    return LabelEncodedClassifier(model).fit(frame, y)


def test_a_row_without_measurements_is_judged_by_its_group() -> None:
    frame = _islands()
    model = _scaled_classifier(frame)
    step = model.estimator_[0].named_transformers_["numeric"][0]
    assert isinstance(step, GroupMedianImputer) and step.fills_
    row = pd.DataFrame({"bill": [np.nan], "year": [np.nan], "island": ["Biscoe"]})
    gentoo = list(model.classes_).index("Gentoo")
    assert model.predict_proba(row)[0, gentoo] > 0.9  # Biscoe's bills are Gentoo's


def test_the_compiled_model_imputes_by_group_too() -> None:
    from modelyard.ml.scoring import feature_frame, score

    frame = _islands()
    model = _scaled_classifier(frame)
    assert model.estimator_[0].named_transformers_["numeric"][0].fills_
    columns = [("bill", "numeric"), ("year", "numeric"), ("island", "categorical")]
    served = compile_model(model, columns, task="classification")
    assert served.is_compiled, served.reason
    rows = pd.concat(
        [frame, frame.head(4).assign(bill=np.nan, island=["Dream", "x", None, "Biscoe"])]
    )
    got = served.predict_frame(rows)
    expected = score(model, feature_frame(rows, columns), task="classification")
    np.testing.assert_allclose(got.probabilities, expected.probabilities, rtol=0, atol=1e-9)
    records = served.predict_records(rows.head(8).to_dict("records"))
    np.testing.assert_allclose(records.probabilities, expected.probabilities[:8], atol=1e-9)


def test_onnx_exports_a_group_imputer_that_fills_nothing_and_refuses_one_that_does() -> None:
    import onnxruntime as rt

    columns = [("bill", "numeric"), ("year", "numeric"), ("island", "categorical")]
    complete = _islands().dropna()
    model = _scaled_classifier(complete)
    session = rt.InferenceSession(
        export_onnx(model, complete, columns, task="classification"),
        providers=["CPUExecutionProvider"],
    )
    _, probabilities = session.run(None, onnx_inputs(complete, columns))
    np.testing.assert_allclose(probabilities, model.predict_proba(complete), atol=1e-5)
    with pytest.raises(InvalidInputError) as caught:
        export_onnx(_scaled_classifier(_islands()), _islands(), columns, task="classification")
    assert caught.value.code == "model.onnx_unsupported"
    assert "median of the row's group" in caught.value.message
    assert "imputation='median'" in caught.value.message


def test_group_levels_are_the_text_the_categorical_columns_become() -> None:
    from modelyard.ml.automl.columns import as_text

    frame = pd.DataFrame(
        {
            "n": [1.0, np.nan, 3.0, 4.0, 5.0],
            "text": ["a", None, "b", "a", np.nan],
            "flag": [True, False, None, True, False],
            "code": pd.Series([1, 2, None, 4, 5], dtype="Int64"),
            "mixed": [1.5, "x", 2, None, pd.NA],
        }
    )
    groups = GroupMedianImputer(n_groups=4)._groups(frame)
    expected = as_text(frame.iloc[:, 1:])
    assert pd.DataFrame(groups).equals(pd.DataFrame(expected))
