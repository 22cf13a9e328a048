"""The artifact store on any fsspec filesystem (a local folder by default, S3 at scale)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import fsspec

from modelyard.errors import DependencyUnavailableError, NotFoundError


class FsspecArtifactStore:
    def __init__(self, root_uri: str) -> None:
        self._fs, root = fsspec.core.url_to_fs(root_uri)
        self._root = root.rstrip("/")
        self._protocol = root_uri.split("://", 1)[0] if "://" in root_uri else "file"
        try:
            self._fs.makedirs(self._root, exist_ok=True)
        except OSError as exc:
            raise DependencyUnavailableError(
                f"The artifact store at {root_uri!r} cannot be used: {exc.strerror or exc}.",
                code="artifacts.unavailable",
            ) from exc

    def _path(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"artifact key must be relative: {key!r}")
        return f"{self._root}/{key}"

    def put_file(self, local_path: Path, key: str) -> None:
        """Copy a file in; the write goes to a temporary name first, then is moved."""
        target = self._path(key)
        self._fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        partial = f"{target}.partial"
        self._fs.put_file(str(local_path), partial)
        self._fs.mv(partial, target)

    def open(self, key: str) -> IO[bytes]:
        path = self._path(key)
        if not self._fs.exists(path):
            raise NotFoundError(
                f"Artifact {key!r} is missing from the store.", code="artifact.missing"
            )
        return self._fs.open(path, "rb")

    def exists(self, key: str) -> bool:
        return bool(self._fs.exists(self._path(key)))

    def delete(self, key: str) -> None:
        path = self._path(key)
        if self._fs.exists(path):
            self._fs.rm(path)

    def local_path(self, key: str) -> Path | None:
        return Path(self._path(key)) if self._protocol == "file" else None

    def put_bytes(self, data: bytes, key: str) -> None:
        target = self._path(key)
        self._fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        partial = f"{target}.partial"
        self._fs.pipe_file(partial, data)
        self._fs.mv(partial, target)

    def arrow_dataset(self, key: str) -> Any:
        import pyarrow.dataset as ds
        from pyarrow.fs import FSSpecHandler, PyFileSystem

        path = self._path(key)
        if not self._fs.exists(path):
            raise NotFoundError(
                f"Artifact {key!r} is missing from the store.", code="artifact.missing"
            )
        if self._protocol == "file":
            return ds.dataset(path, format="parquet")
        return ds.dataset(path, format="parquet", filesystem=PyFileSystem(FSSpecHandler(self._fs)))

    def uri(self, key: str) -> str:
        path = self._path(key)
        return path if self._protocol == "file" else f"{self._protocol}://{path}"
