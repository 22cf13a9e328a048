"""Deep learning for tables in PyTorch (the ``dl`` extra), as scikit-learn estimators.

Two architectures behind one estimator pair:

- ``"mlp"``: blocks of Linear -> ReLU -> Dropout, with batch normalisation before the
  ReLU when ``batch_norm`` is set.
- ``"transformer"``: a small FT-Transformer-style network: every feature becomes a token
  (its value times a learned vector plus a bias), a [CLS] token is prepended, a few
  pre-norm transformer layers mix them, and the head reads the [CLS] token.

Inputs are numeric matrices (the engine's scaled preprocessing comes first). Training uses
AdamW on mini-batches with early stopping on a seeded 10% validation split (best weights
restored), stops at ``max_time_s`` if given, reports every epoch to ``on_epoch(epoch,
train_loss, val_loss)`` when set, and runs on the GPU when one is present
(``device="auto"``). Fitted models live on the CPU, so they pickle and serve anywhere.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

OnEpoch = Callable[[int, float, float], None]


def _network(est: Any, n_inputs: int, n_outputs: int) -> Any:
    from modelyard.ml.automl import networks

    layers = {"n_layers": est.n_layers, "dropout": est.dropout}
    if est.architecture == "mlp":
        return networks.MLP(
            n_inputs,
            n_outputs,
            hidden_size=est.hidden_size,
            batch_norm=est.batch_norm,
            **layers,
        )
    return networks.TabularTransformer(
        n_inputs, n_outputs, d_token=est.hidden_size, n_heads=est.n_heads, **layers
    )


class _TorchTabular(BaseEstimator):
    def __init__(
        self,
        architecture: str = "mlp",
        *,
        hidden_size: int = 64,
        n_layers: int = 2,
        n_heads: int = 4,
        dropout: float = 0.1,
        batch_norm: bool = False,
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-5,
        batch_size: int = 128,
        max_epochs: int = 100,
        patience: int = 10,
        max_time_s: float | None = None,
        device: str = "auto",
        n_threads: int | None = None,
        random_state: int | None = 0,
        on_epoch: OnEpoch | None = None,
    ) -> None:
        self.architecture = architecture
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_heads = n_heads
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.max_time_s = max_time_s
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.on_epoch = on_epoch

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("batch_norm", False)  # models saved before the option existed
        super().__setstate__(state)

    def _train(self, X: np.ndarray, target: np.ndarray, n_outputs: int) -> None:
        import torch

        if self.architecture not in ("mlp", "transformer"):
            raise ValueError(
                f"architecture must be 'mlp' or 'transformer', not {self.architecture!r}"
            )
        if self.batch_norm and self.architecture == "mlp" and len(X) < 2:
            raise ValueError(f"batch_norm needs at least 2 training rows, got {len(X)}")
        previous_threads = torch.get_num_threads()
        if self.n_threads:
            torch.set_num_threads(self.n_threads)
        try:
            torch.manual_seed(0 if self.random_state is None else self.random_state)
            device = self._device()
            network = _network(self, X.shape[1], n_outputs).to(device)
            best = self._fit_loop(network, X, target, device=device)
            network.load_state_dict(best)
            self.module_ = network.cpu().eval()
        finally:
            torch.set_num_threads(previous_threads)

    def _device(self) -> Any:
        import torch

        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)

    def _fit_loop(self, network: Any, X: np.ndarray, target: np.ndarray, *, device: Any) -> Any:
        """Epochs until early stopping, ``max_epochs`` or ``max_time_s``; the best weights."""
        import torch

        train, val = _split_rows(len(X), self.random_state)
        tensors = _tensors(X, target, device)
        optimiser = torch.optim.AdamW(
            network.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        seed = 0 if self.random_state is None else self.random_state
        generator = torch.Generator().manual_seed(seed)
        deadline = time.perf_counter() + (np.inf if self.max_time_s is None else self.max_time_s)
        best_state, best_loss, stale = copy.deepcopy(network.state_dict()), np.inf, 0
        self.n_epochs_ = 0
        for epoch in range(self.max_epochs):
            train_loss = self._epoch(
                network, optimiser, tensors, rows=train, generator=generator, deadline=deadline
            )
            val_loss = self._loss(network, tensors, val if len(val) else train)
            self.n_epochs_ = epoch + 1
            if self.on_epoch is not None:
                self.on_epoch(epoch, train_loss, val_loss)
            if val_loss < best_loss - 1e-6:
                best_state, best_loss, stale = copy.deepcopy(network.state_dict()), val_loss, 0
            else:
                stale += 1
            if stale >= self.patience or time.perf_counter() > deadline:
                break
        self.best_val_loss_ = float(best_loss)
        return best_state

    def _epoch(
        self,
        network: Any,
        optimiser: Any,
        tensors: Any,
        *,
        rows: np.ndarray,
        generator: Any,
        deadline: float,
    ) -> float:
        """One pass over the rows in shuffled mini-batches (cut short at the deadline)."""
        import torch

        network.train()
        X, target = tensors
        order = torch.as_tensor(rows)[torch.randperm(len(rows), generator=generator)]
        total, seen = 0.0, 0
        for batch in _batches(order, self.batch_size):
            batch = batch.to(X.device)
            optimiser.zero_grad()
            loss = self._criterion(network(X[batch]), target[batch])
            loss.backward()
            optimiser.step()
            total, seen = total + float(loss.detach()) * len(batch), seen + len(batch)
            if time.perf_counter() > deadline:
                break
        return total / max(seen, 1)

    def _loss(self, network: Any, tensors: Any, rows: np.ndarray) -> float:
        import torch

        network.eval()
        X, target = tensors
        index = torch.as_tensor(rows, device=X.device)
        with torch.no_grad():
            return float(self._criterion(network(X[index]), target[index]))

    def _raw(self, X: Any) -> np.ndarray:
        import torch

        check_is_fitted(self, "module_")
        X = validate_data(self, X, reset=False, dtype=np.float32)
        with torch.no_grad():
            outputs = [
                self.module_(torch.as_tensor(X[start : start + 4096])).numpy()
                for start in range(0, len(X), 4096)
            ]
        return np.concatenate(outputs) if outputs else np.empty((0, 1), dtype=np.float32)

    def _criterion(self, output: Any, target: Any) -> Any:
        raise NotImplementedError


class TorchTabularClassifier(ClassifierMixin, _TorchTabular):
    """An MLP or transformer-style network for classification (scikit-learn API)."""

    def fit(self, X: Any, y: Any) -> TorchTabularClassifier:
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        codes = encoder.transform(y).astype(np.int64)
        self._train(X, codes, max(len(self.classes_), 2))
        return self

    def _criterion(self, output: Any, target: Any) -> Any:
        from torch.nn import functional

        return functional.cross_entropy(output, target)

    def predict_proba(self, X: Any) -> np.ndarray:
        logits = self._raw(X).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba[:, : len(self.classes_)] / proba[:, : len(self.classes_)].sum(
            axis=1, keepdims=True
        )

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "module_")
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])


class TorchTabularRegressor(RegressorMixin, _TorchTabular):
    """An MLP or transformer-style network for regression (target standardised inside)."""

    def fit(self, X: Any, y: Any) -> TorchTabularRegressor:
        X, y = validate_data(self, X, y, dtype=np.float32, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        self.y_mean_ = float(y.mean())
        self.y_scale_ = float(y.std()) or 1.0
        target = ((y - self.y_mean_) / self.y_scale_).astype(np.float32).reshape(-1, 1)
        self._train(X, target, 1)
        return self

    def _criterion(self, output: Any, target: Any) -> Any:
        from torch.nn import functional

        return functional.mse_loss(output, target)

    def predict(self, X: Any) -> np.ndarray:
        return self._raw(X)[:, 0].astype(np.float64) * self.y_scale_ + self.y_mean_


def _split_rows(n_rows: int, seed: int | None) -> tuple[np.ndarray, np.ndarray]:
    """A seeded 90/10 split of row positions (no validation rows when there are very few)."""
    order = np.random.default_rng(seed).permutation(n_rows)
    n_val = int(n_rows * 0.1) if n_rows >= 20 else 0
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def _batches(order: Any, size: int) -> list[Any]:
    """``order`` in slices of ``size``; a lone last row joins the slice before it (batch
    normalisation cannot train on one row)."""
    starts = list(range(0, len(order), size))
    if len(starts) > 1 and len(order) - starts[-1] == 1:
        starts.pop()
    ends = [*starts[1:], len(order)]
    return [order[start:end] for start, end in zip(starts, ends, strict=True)]


def _tensors(X: np.ndarray, target: np.ndarray, device: Any) -> tuple[Any, Any]:
    import torch

    return torch.as_tensor(X, device=device), torch.as_tensor(target, device=device)
