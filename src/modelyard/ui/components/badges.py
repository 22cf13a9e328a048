"""Coloured status badges for jobs and projects."""

from __future__ import annotations

from nicegui import ui

COLORS = {
    "queued": "grey-7",
    "running": "blue-7",
    "succeeded": "positive",
    "failed": "negative",
    "cancelled": "orange-8",
    "draft": "grey-7",
    "exploring": "blue-7",
    "training": "indigo-7",
    "in_review": "orange-8",
    "in_production": "positive",
    "retired": "grey-5",
}


def status_badge(status: str, *, marker: str = "status") -> ui.badge:
    text = status.replace("_", " ")
    return ui.badge(text, color=COLORS.get(status, "grey-7")).classes("px-2 py-1").mark(marker)
