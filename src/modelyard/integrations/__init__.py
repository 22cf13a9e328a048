"""Adapters that implement the ports on real infrastructure."""

__all__: list[str] = []
