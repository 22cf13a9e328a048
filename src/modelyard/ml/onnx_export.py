"""Export a fitted scikit-learn pipeline to ONNX, and prove the export predicts the same.

skl2onnx converts the scikit-learn parts; onnxmltools adds LightGBM and XGBoost. Our own
wrappers are reduced to what ONNX can express before conversion: the label-encoding
classifier becomes its inner estimator, whose label indices the graph maps back to the
original labels; the ``FunctionTransformer`` steps that only cast columns (to float, to
text) become casts of the typed graph inputs; an imputer's missing-value indicator
columns become ``IsNaN`` of the marked inputs, appended to the plain imputer's output;
an imputer by group that learned no group medians (no numeric training value was missing)
is the plain imputer on the numeric columns, and one that did is refused. The graph's
inputs are named exactly as the columns. Anything else without a converter is refused
with the name of the step, and so is a graph whose predictions differ from the
pipeline's on the sample.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from modelyard.errors import InvalidInputError

NUMERIC_KINDS = ("numeric", "integer")
PROBABILITY_TOLERANCE = 1e-4
VALUE_TOLERANCE = 1e-4
_CAST_FUNCTIONS = ("_as_float", "as_text", "as_documents")
_registered = False


def unsupported(step: str, reason: str) -> InvalidInputError:
    return InvalidInputError(
        f"This model cannot be exported to ONNX: step {step!r} {reason}. Download the MLflow "
        "model zip instead; it runs anywhere with Python.",
        code="model.onnx_unsupported",
        details={"step": step, "reason": reason},
    )


def _register_converters() -> None:
    """Our indicator columns, and LightGBM and XGBoost from onnxmltools, registered once."""
    global _registered
    if _registered:
        return
    from skl2onnx import update_registered_converter

    update_registered_converter(
        ImputedWithIndicators,
        "ModelyardImputedWithIndicators",
        _indicator_shape,
        _convert_indicators,
    )

    try:
        from lightgbm import LGBMClassifier, LGBMRegressor
        from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm

        _register_booster(LGBMClassifier, LGBMRegressor, "LightGbm", convert_lightgbm)
    except ImportError:  # onnxmltools or lightgbm absent: those models stay unsupported
        pass
    try:
        from onnxmltools.convert.xgboost.operator_converters.XGBoost import convert_xgboost
        from xgboost import XGBClassifier, XGBRegressor

        _register_booster(XGBClassifier, XGBRegressor, "XGBoost", convert_xgboost)
    except ImportError:
        pass
    _registered = True


def _register_booster(classifier: type, regressor: type, library: str, convert: Any) -> None:
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )

    update_registered_converter(
        classifier,
        f"{library}{classifier.__name__}",
        calculate_linear_classifier_output_shapes,
        convert,
        options={"nocl": [True, False], "zipmap": [True, False, "columns"]},
    )
    update_registered_converter(
        regressor,
        f"{library}{regressor.__name__}",
        calculate_linear_regressor_output_shapes,
        convert,
    )


def _simplify(estimator: Any, path: str) -> Any:
    """A copy of ``estimator`` made of parts skl2onnx knows, or raise naming the step."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import StackingClassifier, VotingClassifier, VotingRegressor
    from sklearn.impute import KNNImputer, SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    name = type(estimator).__name__
    if name in ("FoldBaggedClassifier", "FoldBaggedRegressor"):  # a soft vote of its folds
        from modelyard.ml.automl.bagging import as_voting

        try:
            return _simplify(as_voting(estimator), path)
        except ValueError as exc:
            raise unsupported(path, str(exc)) from exc
    if name == "LabelEncodedClassifier":  # its labels are put back on the graph's output
        return _simplify(estimator.estimator_, f"{path}/estimator")
    if isinstance(estimator, Pipeline):
        clone = copy.copy(estimator)
        steps = [(n, _simplify(s, f"{path}/{n}")) for n, s in estimator.steps]
        kept = [(n, s) for n, s in steps if s is not None]
        if not kept:
            return None
        clone.steps = kept
        return clone
    if isinstance(estimator, ColumnTransformer):
        clone = copy.copy(estimator)
        parts = [
            (n, t if isinstance(t, str) else _simplify(t, f"{path}/{n}"), cols)
            for n, t, cols in (_without_groups(part, path) for part in estimator.transformers_)
        ]
        clone.transformers_ = [(n, "passthrough" if t is None else t, c) for n, t, c in parts]
        return clone
    if isinstance(estimator, VotingClassifier | VotingRegressor | StackingClassifier):
        clone = copy.copy(estimator)
        clone.estimators_ = [
            _simplify(e, f"{path}/{n}")
            for (n, _), e in zip(estimator.estimators, estimator.estimators_, strict=False)
        ]
        if isinstance(estimator, VotingClassifier):
            clone.flatten_transform = False  # transform() only; predictions are unchanged
        if getattr(estimator, "weights", None) is not None:
            clone.weights = np.asarray(estimator.weights, dtype=float)
        return clone
    if isinstance(estimator, SimpleImputer | KNNImputer) and estimator.add_indicator:
        return _with_indicator_columns(estimator, path)
    if type(estimator).__name__ == "SimpleImputer" and estimator.statistics_.dtype == object:
        clone = copy.copy(estimator)  # text columns arrive with missing values filled in
        clone.missing_values = "__missing__"
        return clone
    if isinstance(estimator, FunctionTransformer):
        func = getattr(estimator.func, "__name__", repr(estimator.func))
        if estimator.func is None or func in _CAST_FUNCTIONS[:2]:
            return None  # the graph inputs are typed already: the cast is dropped
        raise unsupported(path, f"applies the function {func!r}, which has no ONNX converter")
    return estimator


def _without_groups(part: tuple[str, Any, Any], path: str) -> tuple[str, Any, Any]:
    """A ColumnTransformer part whose numbers are imputed by group (``GroupMedianImputer``)
    as the plain imputer on the numeric columns alone, when it fills nothing by group."""
    from sklearn.pipeline import Pipeline

    name, transformer, columns = part
    steps = transformer.steps if isinstance(transformer, Pipeline) else []
    if not steps or type(steps[0][1]).__name__ != "GroupMedianImputer":
        return part
    imputer = steps[0][1]
    if imputer.fills_:
        raise unsupported(
            f"{path}/{name}/{steps[0][0]}",
            "imputes missing numbers by the median of the row's group (a categorical "
            "column), which has no ONNX converter; train with imputation='median' to export",
        )
    plain = copy.copy(transformer)
    plain.steps = [(steps[0][0], imputer.imputer_), *steps[1:]]
    return name, plain, list(columns)[: imputer.n_numbers]


def _with_indicator_columns(imputer: Any, path: str) -> Any:
    """The imputer as a plain scikit-learn one (which skl2onnx converts) and, when it marks
    features, the 0/1 indicator columns it appends, which skl2onnx has no converter for."""
    from sklearn.impute import KNNImputer, SimpleImputer

    base = SimpleImputer if isinstance(imputer, SimpleImputer) else KNNImputer
    plain = base.__new__(base)
    plain.__dict__.update(imputer.__dict__, add_indicator=False, indicator_=None)
    features = [] if imputer.indicator_ is None else list(imputer.indicator_.features_)
    if not features:
        return plain
    if not _is_nan(imputer.missing_values):
        raise unsupported(path, "marks missing values other than NaN in indicator columns")
    width = plain.transform(np.zeros((1, imputer.n_features_in_))).shape[1] + len(features)
    return ImputedWithIndicators(plain, np.asarray(features, dtype=np.int64), width)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and np.isnan(value)


class ImputedWithIndicators(TransformerMixin, BaseEstimator):
    """An imputer's output followed by a 0/1 column per marked feature (is it NaN?): what
    an imputer with ``add_indicator`` computes, in parts that ONNX can express."""

    def __init__(self, imputer: Any, features: np.ndarray, width: int) -> None:
        self.imputer, self.features, self.width = imputer, features, width


def _indicator_shape(operator: Any) -> None:
    from skl2onnx.common.data_types import FloatTensorType

    rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = FloatTensorType([rows, operator.raw_operator.width])


def _convert_indicators(scope: Any, operator: Any, container: Any) -> None:
    from onnx import TensorProto
    from skl2onnx.algebra.onnx_operator import OnnxSubEstimator
    from skl2onnx.algebra.onnx_ops import OnnxCast, OnnxConcat, OnnxGather, OnnxIsNaN

    raw, version, X = operator.raw_operator, container.target_opset, operator.inputs[0]
    imputed = OnnxSubEstimator(raw.imputer, X, op_version=version)
    marked = OnnxGather(X, raw.features, axis=1, op_version=version)
    flags = OnnxCast(
        OnnxIsNaN(marked, op_version=version), to=TensorProto.FLOAT, op_version=version
    )
    joined = OnnxConcat(
        imputed, flags, axis=1, op_version=version, output_names=operator.outputs[:1]
    )
    joined.add_to(scope, container)


def _initial_types(columns: Sequence[tuple[str, str]]) -> list[tuple[str, Any]]:
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    return [
        (name, FloatTensorType([None, 1]) if kind in NUMERIC_KINDS else StringTensorType([None, 1]))
        for name, kind in columns
    ]


def onnx_inputs(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
    """The graph's inputs for ``frame``: one (n, 1) array per column, float32 or string."""
    inputs = {}
    for name, kind in columns:
        values = frame[name]
        if kind in NUMERIC_KINDS:
            inputs[name] = values.to_numpy(dtype=np.float32).reshape(-1, 1)
        else:
            text = values.astype(object).where(values.notna(), "__missing__").astype(str)
            inputs[name] = text.to_numpy(dtype=object).reshape(-1, 1)
    return inputs


def _convert(model: Any, columns: Sequence[tuple[str, str]], task: str) -> bytes:
    from skl2onnx import to_onnx

    options = {id(model): {"zipmap": False}} if task == "classification" else None
    try:
        onnx_model = to_onnx(
            model,
            initial_types=_initial_types(columns),
            options=options,
            target_opset={"": 18, "ai.onnx.ml": 3},
        )
    except Exception as exc:  # skl2onnx raises many types; all mean "no converter"
        step = _missing_step(exc)
        raise unsupported(step, f"could not be converted ({type(exc).__name__}: {exc})") from exc
    return bytes(onnx_model.SerializeToString())


def _rename(graph: Any, renamed: dict[str, str]) -> None:
    """Rename tensors wherever nodes produce or consume them."""
    for node in graph.node:
        node.input[:] = [renamed.get(name, name) for name in node.input]
        node.output[:] = [renamed.get(name, name) for name in node.output]


def _with_input_names(content: bytes, names: list[str]) -> bytes:
    """The graph with its inputs named exactly as the columns (skl2onnx makes names such as
    ``mean radius`` into identifiers); the inputs keep the columns' order."""
    import onnx

    model = onnx.load_from_string(content)
    graph = model.graph
    renamed = {i.name: name for i, name in zip(graph.input, names, strict=True) if i.name != name}
    if not renamed:
        return content
    for item in graph.input:
        item.name = renamed.get(item.name, item.name)
    _rename(graph, renamed)
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def _with_labels(content: bytes, classes: np.ndarray) -> bytes:
    """The graph answering with ``classes`` where it answered with their positions (the
    converted model was fitted on label indices): ``Gather`` from a constant of labels.
    Integer labels stay integers; any other label becomes its text."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load_from_string(content)
    graph = model.graph
    output = graph.output[0]
    index = f"{output.name}_index"
    _rename(graph, {output.name: index})
    if classes.dtype.kind in "iu":
        values, kind = classes.astype(np.int64), TensorProto.INT64
    else:
        values, kind = np.array([str(c) for c in classes], dtype=object), TensorProto.STRING
    graph.initializer.append(numpy_helper.from_array(values, name="class_labels"))
    graph.node.append(helper.make_node("Gather", ["class_labels", index], [output.name], axis=0))
    output.type.tensor_type.elem_type = kind
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def _with_temperature(content: bytes, temperature: float) -> bytes:
    """The graph with its probabilities rescaled as ``softmax(log(p) / temperature)``, as
    the calibrated model's ``predict_proba`` does (labels are unchanged by it)."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load_from_string(content)
    graph = model.graph
    output = graph.output[1].name
    raw = f"{output}_uncalibrated"
    _rename(graph, {output: raw})  # a label taken from them is the same either way
    graph.initializer.extend(
        [
            helper.make_tensor("calibration_floor", TensorProto.FLOAT, [], [1e-15]),
            helper.make_tensor("calibration_temperature", TensorProto.FLOAT, [], [temperature]),
        ]
    )
    graph.node.extend(
        [
            helper.make_node("Max", [raw, "calibration_floor"], ["calibration_clipped"]),
            helper.make_node("Log", ["calibration_clipped"], ["calibration_log"]),
            helper.make_node("Div", ["calibration_log", "calibration_temperature"], ["calib_t"]),
            helper.make_node("Softmax", ["calib_t"], [output], axis=1),
        ]
    )
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def _missing_step(exc: Exception) -> str:
    text = str(exc)
    marker = "Unable to find a shape calculator for type '"
    if marker in text:
        return text.split(marker, 1)[1].split("'", 1)[0].rsplit(".", 1)[-1]
    return "model"


def _verify(
    content: bytes,
    pipeline: Any,
    sample: pd.DataFrame,
    columns: Sequence[tuple[str, str]],
    task: str,
) -> None:
    import onnxruntime as rt

    session = rt.InferenceSession(content, providers=["CPUExecutionProvider"])
    outputs = session.run(None, onnx_inputs(sample, columns))
    expected = np.asarray(pipeline.predict(sample))
    labels = np.asarray(outputs[0]).reshape(-1)
    if task == "classification":
        if [str(v) for v in labels] != [str(v) for v in expected]:
            raise unsupported("model", "gives other class labels under ONNX than in Python")
        if len(outputs) > 1 and hasattr(pipeline, "predict_proba"):
            gap = np.max(np.abs(np.asarray(outputs[1]) - pipeline.predict_proba(sample)))
            if gap > PROBABILITY_TOLERANCE:
                raise unsupported("model", f"gives probabilities {gap:.2g} away from Python's")
        return
    gap = np.max(np.abs(labels.astype(float) - expected.astype(float)) / (1 + np.abs(expected)))
    if gap > VALUE_TOLERANCE:
        raise unsupported("model", f"gives predictions {gap:.2g} away (relative) from Python's")


def export_onnx(
    pipeline: Any, sample: pd.DataFrame, columns: Sequence[tuple[str, str]], *, task: str
) -> bytes:
    """The ONNX bytes of ``pipeline``, verified with onnxruntime on ``sample``."""
    _register_converters()
    try:
        simple = _simplify(pipeline, type(pipeline).__name__)
    except InvalidInputError:
        raise
    except Exception as exc:  # an estimator of a shape we do not know how to reduce
        raise unsupported(type(pipeline).__name__, f"cannot be prepared ({exc})") from exc
    content = _with_input_names(_convert(simple, columns, task), [n for n, _ in columns])
    if task == "classification":
        classes, positions = np.asarray(pipeline.classes_), np.asarray(simple.classes_)
        if not np.array_equal(classes, positions):
            content = _with_labels(content, classes)
    temperature = float(getattr(pipeline, "temperature", 1.0))
    if task == "classification" and temperature != 1.0:
        content = _with_temperature(content, temperature)
    _verify(content, pipeline, sample, columns, task)
    return content


__all__ = ["export_onnx", "onnx_inputs", "unsupported"]
