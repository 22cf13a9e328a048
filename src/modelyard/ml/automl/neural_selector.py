"""A neural feature selector: stochastic gates (Yamada et al., ICML 2020) in PyTorch.

Each input feature passes through a gate ``z = clamp(mu + 0.5 + sigma * eps, 0, 1)``
(``eps`` Gaussian noise while training) before a small network predicts the target.
The loss adds ``penalty * mean(P(z > 0))``, so gates of features that do not help close;
features are ranked by their gate's open probability ``Phi((mu + 0.5) / sigma)``.

torch is imported lazily (the ``dl`` extra); a GPU is used when present. The same seed
and data give the same scores on the same device.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SIGMA = 0.5
MAX_ROWS = 5_000  # the gates are learned on a seeded sample of larger data


def gate_scores(
    X: np.ndarray,
    y: np.ndarray,
    *,
    task: str,
    seed: int = 0,
    penalty: float = 0.05,
    epochs: int = 100,
    hidden: int = 32,
    learning_rate: float = 0.05,
    batch_size: int = 256,
) -> np.ndarray:
    """One open-probability in [0, 1] per column of ``X`` (standardised numbers)."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError(
            "The neural feature selector needs PyTorch: pip install 'modelyard[dl]'."
        ) from exc

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: threads cost more than they save
    try:
        return _train(
            torch,
            X,
            y,
            task=task,
            seed=seed,
            penalty=penalty,
            epochs=epochs,
            hidden=hidden,
            learning_rate=learning_rate,
            batch_size=batch_size,
        )
    finally:
        torch.set_num_threads(threads)


def _train(
    torch: Any,
    X: np.ndarray,
    y: np.ndarray,
    *,
    task: str,
    seed: int,
    penalty: float,
    epochs: int,
    hidden: int,
    learning_rate: float,
    batch_size: int,
) -> np.ndarray:
    if len(X) > MAX_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(len(X), MAX_ROWS, replace=False))
        X, y = np.asarray(X)[rows], np.asarray(y)[rows]
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    is_classification = task == "classification"
    inputs = torch.as_tensor(np.asarray(X, dtype=np.float32), device=device)
    if is_classification:
        _, codes = np.unique(np.asarray(y), return_inverse=True)
        target = torch.as_tensor(codes, dtype=torch.long, device=device)
        n_out = max(2, int(codes.max()) + 1)
        loss_fn: Any = torch.nn.CrossEntropyLoss()
    else:
        values = np.asarray(y, dtype=np.float32)
        values = (values - values.mean()) / (values.std() or 1.0)
        target = torch.as_tensor(values, device=device).unsqueeze(1)
        n_out = 1
        loss_fn = torch.nn.MSELoss()
    n_rows, n_features = inputs.shape
    mu = torch.zeros(n_features, device=device, requires_grad=True)
    network = torch.nn.Sequential(
        torch.nn.Linear(n_features, hidden),
        torch.nn.Tanh(),
        torch.nn.Linear(hidden, n_out),
    ).to(device)
    optimiser = torch.optim.Adam([mu, *network.parameters()], lr=learning_rate)
    normal = torch.distributions.Normal(0.0, 1.0)
    for _ in range(epochs):
        order = torch.randperm(n_rows, generator=generator).to(device)
        for start in range(0, n_rows, batch_size):
            batch = order[start : start + batch_size]
            noise = torch.randn(n_features, generator=generator).to(device) * SIGMA
            gates = torch.clamp(mu + 0.5 + noise, 0.0, 1.0)
            loss = loss_fn(network(inputs[batch] * gates), target[batch])
            loss = loss + penalty * normal.cdf((mu + 0.5) / SIGMA).sum() / math.sqrt(n_features)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    with torch.no_grad():
        scores = normal.cdf((mu + 0.5) / SIGMA).cpu().numpy()
    return np.asarray(scores, dtype=float)
