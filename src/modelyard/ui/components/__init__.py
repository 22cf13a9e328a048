"""Reusable widgets for the pages: cards, charts, tables, forms and the job monitor."""

__all__: list[str] = []
