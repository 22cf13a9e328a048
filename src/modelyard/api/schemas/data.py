"""Bodies of the data routes: dictionary, type fixes, SQL workbench, connections."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from modelyard.domain import ColumnInfo


class ColumnInfoUpdate(ColumnInfo):
    pass


class ColumnInfoPatch(BaseModel):
    description: str | None = Field(default=None, max_length=2000)
    unit: str | None = Field(default=None, max_length=100)
    role: str | None = Field(default=None, max_length=50)


class TypeChange(BaseModel):
    kinds: dict[str, str] = Field(
        description="Column -> kind: numeric, integer, boolean, categorical, datetime or text.",
        examples=[{"zip_code": "categorical", "signup": "datetime"}],
    )


class SqlRun(BaseModel):
    sql: str = Field(min_length=1, max_length=100_000, description="One SELECT statement.")
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=1000)


class SqlSaveResult(BaseModel):
    sql: str = Field(min_length=1, max_length=100_000)
    dataset_name: str = Field(description="The dataset the result becomes a version of.")
    project_id: int | None = None


class SqlSaveQuery(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    sql: str = Field(min_length=1, max_length=100_000)


class ConnectionCreate(BaseModel):
    name: str
    url: str | None = Field(
        default=None, description="SQLAlchemy URL; stored encrypted, never shown back in full."
    )
    env_var: str | None = Field(
        default=None, description="Or: the server environment variable that holds the URL."
    )


class ConnectionImport(BaseModel):
    sql: str = Field(min_length=1, max_length=100_000, description="One reading query.")
    dataset_name: str
    project_id: int | None = None


class ProfileStart(BaseModel):
    target: str | None = Field(default=None, description="Column to analyse as the target.")


class CleaningRequest(BaseModel):
    steps: list[dict[str, Any]] = Field(
        description="Cleaning steps, e.g. from the profile's suggestions: each has a 'kind' "
        "(drop_constant_columns, drop_identifier_columns, drop_leaky_columns, impute, "
        "cap_outliers, fix_types, deduplicate_rows), 'columns' and its own options.",
        examples=[[{"kind": "impute", "columns": ["age"], "method": "median"}]],
    )


class SampleRequest(BaseModel):
    method: str = Field(description="random, stratified, systematic or cluster.")
    size: int = Field(ge=1, description="Rows in the sample.")
    seed: int = Field(default=0, ge=0)
    column: str | None = Field(default=None, description="Stratified: the column to keep balanced.")
