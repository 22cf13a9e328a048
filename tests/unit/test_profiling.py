import json
import math
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from palmerpenguins import load_penguins

import modelyard.profiling as profiling
import modelyard.profiling.source as profiling_source
from modelyard.errors import InvalidInputError
from modelyard.profiling import (
    CapOutliers,
    DeduplicateRows,
    DropConstantColumns,
    FixTypes,
    Impute,
    apply_steps,
    parse_steps,
    profile_table,
    render_html,
    sample_table,
)
from modelyard.profiling.correlations import cramers_v
from modelyard.profiling.timeseries import decompose


def _mixed(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(10, 2, n)
    start = datetime(2021, 1, 1)
    return pa.table(
        {
            "customer_id": np.arange(1000, 1000 + n),
            "x": x,
            "x_twice": 2 * x + 1,
            "level": rng.choice(["low", "mid", "high"], n),
            "tier": rng.choice(["gold", "silver", "bronze", "none"], n),
            "flag": rng.random(n) < 0.3,
            "yes_no": rng.choice(["yes", "no"], n),
            "constant": ["same"] * n,
            "joined": [start + timedelta(days=int(d)) for d in rng.integers(0, 700, n)],
            "joined_text": [(start + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(n)],
            "amount_text": [f"{v:.2f}" for v in rng.uniform(0, 100, n)],
            "note": [f"customer {i} wrote a long remark about the service today" for i in range(n)],
            "count": rng.poisson(3, n),
        }
    )


@pytest.fixture(scope="module")
def penguins() -> pa.Table:
    return pa.Table.from_pandas(load_penguins(), preserve_index=False)


@pytest.fixture(scope="module")
def penguin_profile(penguins):
    return profile_table(penguins, target="species")


@pytest.fixture(scope="module")
def mixed_profile():
    return profile_table(_mixed())


def test_package_exports_what_it_declares():
    assert all(hasattr(profiling, name) for name in profiling.__all__)


def test_statistics_match_pandas():
    rng = np.random.default_rng(3)
    values = rng.normal(50, 5, 500)
    values[rng.random(500) < 0.1] = np.nan
    frame = pd.DataFrame({"v": values, "k": rng.choice(["a", "b", "b", "c"], 500)})
    column = profile_table(pa.Table.from_pandas(frame)).column("v")
    series = frame["v"]
    assert column.count == series.count() and column.missing == series.isna().sum()
    assert column.distinct == series.nunique()
    assert math.isclose(column.mean, series.mean()) and math.isclose(column.std, series.std())
    assert column.min == series.min() and column.max == series.max()
    assert math.isclose(column.median, series.median())
    for label, q in [("p05", 0.05), ("p25", 0.25), ("p75", 0.75), ("p99", 0.99)]:
        assert math.isclose(column.quantiles[label], series.quantile(q))
    assert sum(column.histogram.counts) == series.count()
    q1, q3 = series.quantile([0.25, 0.75])
    fences = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    assert column.outliers.iqr_count == ((series < fences[0]) | (series > fences[1])).sum()
    z = (series - series.mean()).abs() / series.std()
    assert column.outliers.z_count == (z > 3).sum()
    assert column.box.lower_whisker == series[series >= fences[0]].min()


def test_top_values_and_mode_match_pandas():
    frame = pd.DataFrame({"k": ["a", "b", "b", "c", "b", "a", None]})
    column = profile_table(pa.Table.from_pandas(frame)).column("k")
    assert column.mode == "b" and column.missing == 1
    assert [(t.value, t.count) for t in column.top_values] == [("b", 3), ("a", 2), ("c", 1)]


def test_kinds_are_inferred_with_reasons(mixed_profile):
    kinds = {c.name: c.kind for c in mixed_profile.columns}
    assert kinds == {
        "customer_id": "identifier",
        "x": "numeric",
        "x_twice": "numeric",
        "level": "categorical",
        "tier": "categorical",
        "flag": "boolean",
        "yes_no": "boolean",
        "constant": "constant",
        "joined": "datetime",
        "joined_text": "datetime",
        "amount_text": "numeric",
        "note": "text",
        "count": "integer",
    }
    assert "identifier" in mixed_profile.column("customer_id").kind_reason
    assert "parse as numbers" in mixed_profile.column("amount_text").kind_reason


def test_a_perfectly_correlated_pair_is_found(mixed_profile):
    top = mixed_profile.correlations.top_pairs[0]
    assert {top.a, top.b} == {"x", "x_twice"} and top.method == "pearson"
    assert math.isclose(top.value, 1.0) and math.isclose(top.spearman, 1.0)


def test_cramers_v_of_identical_categoricals_is_one():
    codes = np.random.default_rng(0).integers(0, 4, 300)
    assert math.isclose(cramers_v(codes, codes), 1.0)
    independent = np.random.default_rng(1).integers(0, 4, 300)
    assert cramers_v(codes, independent) < 0.2


def test_mixed_pairs_use_the_correlation_ratio(penguin_profile):
    matrix = penguin_profile.correlations
    i, j = matrix.columns.index("species"), matrix.columns.index("flipper_length_mm")
    assert matrix.methods[i][j] == "correlation_ratio" and matrix.values[i][j] > 0.8


def test_quality_score_drops_with_missing_values_and_duplicates():
    clean = _mixed(200)
    dirty = pa.concat_tables([clean, clean.slice(0, 40)])
    x = dirty.column("x").to_numpy().copy()
    dirty = dirty.set_column(1, "x", pa.array(x, mask=np.arange(len(x)) % 4 == 0))
    before, after = profile_table(clean).quality, profile_table(dirty).quality
    assert after.score < before.score
    assert after.completeness < before.completeness and after.uniqueness < before.uniqueness
    assert before.uniqueness == 100.0


def test_suggestions_cover_constant_id_impute_dedupe_and_types():
    table = _mixed(200)
    x = table.column("x").to_numpy().copy()
    table = table.set_column(1, "x", pa.array(x, mask=np.arange(200) % 10 == 0))
    table = pa.concat_tables([table, table.slice(0, 5)])
    steps = {s.kind: s for s in profile_table(table).suggestions}
    assert steps["drop_constant_columns"].columns == ["constant"]
    assert steps["drop_identifier_columns"].columns == ["customer_id"]
    assert "x" in steps["impute"].columns
    assert "deduplicate_rows" in steps
    assert set(steps["fix_types"].columns) <= {"amount_text", "joined_text", "yes_no"}


def test_leaky_column_is_suggested_for_dropping(penguins):
    leak = penguins.append_column("species_code", penguins.column("species"))
    steps = {s.kind: s for s in profile_table(leak, target="species").suggestions}
    assert steps["drop_leaky_columns"].columns == ["species_code"]


def test_apply_steps_produces_the_expected_table():
    table = pa.table(
        {
            "a": [1.0, None, 3.0, 3.0, 100.0],
            "b": ["x", None, "y", "y", "x"],
            "c": [7, 7, 7, 7, 7],
            "n": ["1", "2", "oops", "n/a", "5"],
        }
    )
    steps = [
        DropConstantColumns(columns=["c"]),
        Impute(columns=["a"], method="median"),
        Impute(columns=["b"], method="most_frequent"),
        FixTypes(columns=["n"], to="numeric"),
        CapOutliers(columns=["a"], bounds={"a": (0.0, 10.0)}),
        DeduplicateRows(),
    ]
    out = apply_steps(table, steps)
    assert out.column_names == ["a", "b", "n"]
    assert out.column("a").to_pylist() == [1.0, 3.0, 3.0, 10.0]
    assert out.column("b").to_pylist() == ["x", "x", "y", "x"]
    assert out.column("n").to_pylist() == [1.0, 2.0, None, 5.0]
    assert table.column("a").null_count == 1  # the input is untouched


def test_apply_steps_accepts_dataframes_and_json_steps():
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0], "t": ["p", None, "q"]})
    steps = [{"kind": "impute", "columns": ["a"], "method": "mean"}]
    steps.append({"kind": "impute", "columns": ["t"], "method": "constant", "fill_value": "?"})
    out = apply_steps(frame, steps)
    assert out.column("a").to_pylist() == [1.0, 2.0, 3.0]
    assert out.column("t").to_pylist() == ["p", "?", "q"]


def test_fix_types_and_capping_at_computed_fences():
    table = pa.table(
        {
            "when": ["2024-01-02", " 2024-02-03 ", "soon", None],
            "ok": ["Yes", "no", "maybe", "TRUE"],
            "n": [1.0, 2.0, 3.0, 400.0],
        }
    )
    out = apply_steps(
        table,
        [
            FixTypes(columns=["when"], to="datetime"),
            FixTypes(columns=["ok"], to="boolean"),
            FixTypes(columns=["n"], to="integer"),
            CapOutliers(columns=["n"]),
        ],
    )
    assert out.column("when").to_pylist() == [
        datetime(2024, 1, 2),
        datetime(2024, 2, 3),
        None,
        None,
    ]
    assert out.column("ok").to_pylist() == [True, False, None, True]
    assert out.column("n").type == pa.int64()
    assert out.column("n").to_pylist() == [1, 2, 3, 253]  # q3 + 1.5 IQR = 102.25 + 150.75


def test_knn_imputation_uses_related_columns():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, 300)
    y = 3 * x
    y_missing = y.copy()
    y_missing[:20] = np.nan
    table = pa.table({"x": x, "y": pa.array(y_missing, mask=np.isnan(y_missing))})
    out = apply_steps(table, [Impute(columns=["y"], method="knn", n_neighbors=3)])
    filled = np.array(out.column("y").to_pylist()[:20])
    assert np.abs(filled - y[:20]).max() < 0.5


@pytest.mark.parametrize(
    ("step", "fragment"),
    [
        ({"kind": "impute", "columns": ["nope"], "method": "mean"}, "unknown column"),
        ({"kind": "impute", "columns": ["b"], "method": "mean"}, "needs a numeric column"),
        ({"kind": "impute", "columns": ["a"], "method": "constant"}, "needs a fill_value"),
        ({"kind": "impute", "columns": ["a"], "method": "constant", "fill_value": "x"}, "fit"),
        ({"kind": "cap_outliers", "columns": ["b"]}, "numeric"),
        ({"kind": "drop_constant_columns", "columns": []}, "at least one column"),
        ({"kind": "explode", "columns": ["a"]}, "not valid"),
        ({"kind": "impute", "columns": ["a"], "method": "magic"}, "not valid"),
    ],
)
def test_bad_steps_raise_and_return_nothing(step, fragment):
    table = pa.table({"a": [1.0, None], "b": ["x", "y"]})
    good = {"kind": "drop_constant_columns", "columns": ["b"]}
    with pytest.raises(InvalidInputError, match=fragment):
        apply_steps(table, [{"kind": "deduplicate_rows"}, step, good])
    assert table.column_names == ["a", "b"]


def test_step_after_a_drop_cannot_use_the_dropped_column():
    table = pa.table({"a": [1.0, None], "b": [1, 1]})
    steps = [DropConstantColumns(columns=["b"]), Impute(columns=["b"], method="mean")]
    with pytest.raises(InvalidInputError, match="step 2 \\(impute\\): unknown column") as info:
        apply_steps(table, steps)
    assert info.value.details == {"step": 2, "kind": "impute"}


def test_steps_round_trip_through_json(penguin_profile):
    data = json.loads(json.dumps([s.model_dump(mode="json") for s in penguin_profile.suggestions]))
    assert parse_steps(data) == penguin_profile.suggestions


@pytest.mark.parametrize("method", ["random", "stratified", "systematic", "cluster"])
def test_each_sampling_method_returns_the_size_asked(penguins, method):
    out = sample_table(penguins, method=method, size=100, seed=1, column="species")
    assert out.num_rows == 100 and out.schema == penguins.schema
    again = sample_table(penguins, method=method, size=100, seed=1, column="species")
    assert out.equals(again)


def test_stratified_sampling_keeps_class_proportions(penguins):
    out = sample_table(penguins, method="stratified", size=172, seed=0, column="species")
    full = pd.Series(penguins.column("species").to_pylist()).value_counts(normalize=True)
    part = pd.Series(out.column("species").to_pylist()).value_counts(normalize=True)
    assert (full - part).abs().max() < 0.01


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"method": "random", "size": 0}, "sampling.bad_size"),
        ({"method": "random", "size": 10_000}, "sampling.bad_size"),
        ({"method": "stratified", "size": 10}, "sampling.column_required"),
        ({"method": "stratified", "size": 10, "column": "wingspan"}, "sampling.unknown_column"),
        ({"method": "lottery", "size": 10}, "sampling.unknown_method"),
    ],
)
def test_bad_samples_are_refused(penguins, kwargs, code):
    with pytest.raises(InvalidInputError) as info:
        sample_table(penguins, seed=0, **kwargs)
    assert info.value.code == code


def test_cluster_sampling_needs_numeric_columns():
    with pytest.raises(InvalidInputError, match="numeric columns") as info:
        sample_table(pa.table({"a": list("abcdef")}), method="cluster", size=3, seed=0)
    assert info.value.code == "sampling.no_numeric_columns"


def test_html_report_is_self_contained(penguin_profile, mixed_profile):
    for profile in (penguin_profile, mixed_profile):
        html = render_html(profile, title="Report <test>")
        assert "http://" not in html and "https://" not in html
        assert " src=" not in html and "Report &lt;test&gt;" in html
        for column in profile.columns:
            assert column.name in html
        assert html.count("<svg") >= 5


def test_profile_to_dict_is_strict_json(penguin_profile, mixed_profile):
    for profile in (penguin_profile, mixed_profile):
        text = json.dumps(profile.to_dict(), allow_nan=False)
        assert json.loads(text)["n_rows"] == profile.n_rows


def test_a_stored_profile_reads_back_and_renders(penguin_profile, mixed_profile):
    for profile in (penguin_profile, mixed_profile):
        stored = json.loads(json.dumps(profile.to_dict(), allow_nan=False))
        again = profiling.Profile.model_validate(stored)
        assert again == profile
        assert render_html(again, title="again").count("<svg") >= 5


def test_unreadable_sources_are_refused(tmp_path):
    with pytest.raises(InvalidInputError) as info:
        profile_table(tmp_path / "missing.parquet")
    assert info.value.code == "profile.no_source"
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"not parquet at all")
    with pytest.raises(InvalidInputError) as info:
        profile_table(garbage)
    assert info.value.code == "profile.unreadable"


def test_penguins_target_analysis(penguin_profile):
    target = penguin_profile.target
    assert target.task == "classification"
    assert {v.value for v in target.class_balance} == {"Adelie", "Gentoo", "Chinstrap"}
    assert math.isclose(target.imbalance_ratio, 152 / 68)
    best = target.relations[0]
    assert best.feature in {"flipper_length_mm", "bill_length_mm", "bill_depth_mm"}
    assert best.mutual_information > 0.3 and set(best.series) == {"Adelie", "Gentoo", "Chinstrap"}
    assert penguin_profile.scatter_matrix.color is not None


def test_numeric_target_is_a_regression(penguins):
    target = profile_table(penguins, target="body_mass_g").target
    assert target.task == "regression" and target.class_balance == []
    assert sum(target.histogram.counts) == 342
    flipper = next(r for r in target.relations if r.feature == "flipper_length_mm")
    means = [m for m in flipper.series["mean"] if m is not None]
    assert means[-1] > means[0] + 1500  # heavier penguins have longer flippers


@pytest.mark.parametrize("streamed", [False, True])
def test_a_parquet_file_profiles_like_the_table(tmp_path, monkeypatch, streamed):
    table = _mixed(300)
    path = tmp_path / "mixed.parquet"
    pq.write_table(table, path)
    if streamed:  # as a big file is read: DuckDB streams it column by column
        monkeypatch.setattr(profiling_source, "SMALL_ROWS", 0)
    seen = []
    from_file = profile_table(path, progress=lambda f, m: seen.append(f), sample_rows=100, seed=2)
    from_table = profile_table(table)
    assert from_file.columns == from_table.columns
    assert from_file.duplicate_rows == from_table.duplicate_rows
    assert from_file.sample_rows == 100 and from_file.correlations.sample_rows == 100
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_time_series_follows_a_flag_target_as_a_rate():
    days = pd.date_range("2022-01-01", periods=60, freq="D")
    table = pa.table({"day": days, "x": np.arange(60.0), "churned": np.arange(60) % 2 == 0})
    series = profile_table(table, target="churned").time_series
    assert series.value_column == "churned" and set(series.observed) == {0.0, 1.0}
    assert series.timestamps[0] == "2022-01-01"


def test_time_series_is_decomposed():
    days = pd.date_range("2022-01-01", periods=120, freq="D")
    weekly = np.tile([0, 1, 2, 3, 2, 1, 0], 18)[:120].astype(float)
    table = pa.table({"day": days, "sales": 10 + 0.1 * np.arange(120) + weekly})
    series = profile_table(table).time_series
    assert series.frequency == "day" and series.period == 7
    assert len(series.timestamps) == 120
    seasonal = np.array(series.seasonal[:7])
    assert np.allclose(seasonal - seasonal.mean(), weekly[:7] - weekly[:7].mean(), atol=0.05)


def test_decompose_without_a_season_keeps_a_trend():
    trend, seasonal, residual = decompose(np.arange(30, dtype=float), 1)
    assert not seasonal.any() and np.nanmax(np.abs(residual)) < 1e-9


def test_unknown_target_and_bad_sample_size_are_refused(penguins):
    with pytest.raises(InvalidInputError, match="not a column") as info:
        profile_table(penguins, target="wingspan")
    assert info.value.code == "profile.target_unknown"
    with pytest.raises(InvalidInputError, match="sample_rows"):
        profile_table(penguins, sample_rows=0)


def test_edge_cases_empty_all_missing_and_single_row():
    empty = profile_table(
        pa.table({"a": pa.array([], pa.float64()), "b": pa.array([], pa.string())})
    )
    assert empty.n_rows == 0 and empty.column("a").kind == "constant"
    json.dumps(empty.to_dict(), allow_nan=False)
    render_html(empty, title="empty")
    missing = profile_table(
        pa.table({"a": [1.0, 2.0, 3.0], "gone": pa.array([None] * 3, pa.float64())})
    )
    gone = missing.column("gone")
    assert gone.kind == "constant" and gone.missing == 3 and gone.mean is None
    one = profile_table(pa.table({"a": [1.5], "b": ["x"], "t": [True]}), target="a")
    assert one.n_rows == 1 and one.column("a").std is None
    json.dumps(one.to_dict(), allow_nan=False)


def test_ten_thousand_columns_do_not_explode():
    rng = np.random.default_rng(0)
    table = pa.table({f"c{i}": rng.integers(0, 5, 20) for i in range(10_000)})
    profile = profile_table(table)
    assert profile.n_columns == 10_000 and len(profile.correlations.columns) <= 40
    assert len(render_html(profile, title="wide")) < 30_000_000
