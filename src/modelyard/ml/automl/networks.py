"""The PyTorch modules behind :mod:`modelyard.ml.automl.deep` (imported only when used).

Module-level classes, so fitted estimators pickle by reference like any other model.
"""

from __future__ import annotations

import torch
from torch import nn


class MLP(nn.Module):
    """Blocks of Linear -> (BatchNorm ->) ReLU -> Dropout, then a linear head."""

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        *,
        hidden_size: int,
        n_layers: int,
        dropout: float,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = n_inputs
        for _ in range(n_layers):
            norm = [nn.BatchNorm1d(hidden_size)] if batch_norm else []
            layers += [nn.Linear(width, hidden_size), *norm, nn.ReLU(), nn.Dropout(dropout)]
            width = hidden_size
        self.layers = nn.Sequential(*layers, nn.Linear(width, n_outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class FeatureTokenizer(nn.Module):
    """Each feature value times its own learned vector, plus a bias; a [CLS] token first."""

    def __init__(self, n_inputs: int, d_token: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_inputs, d_token) / d_token**0.5)
        self.bias = nn.Parameter(torch.zeros(n_inputs, d_token))
        self.cls = nn.Parameter(torch.randn(1, 1, d_token) / d_token**0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = x.unsqueeze(-1) * self.weight + self.bias
        return torch.cat([self.cls.expand(len(x), -1, -1), tokens], dim=1)


class TabularTransformer(nn.Module):
    """FT-Transformer style: feature tokens, pre-norm encoder layers, head on [CLS]."""

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        *,
        d_token: int,
        n_layers: int,
        n_heads: int,
        dropout: float,
    ) -> None:
        super().__init__()
        heads = n_heads if d_token % n_heads == 0 else 1
        self.tokens = FeatureTokenizer(n_inputs, d_token)
        layer = nn.TransformerEncoderLayer(
            d_token, heads, 2 * d_token, dropout, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d_token), nn.ReLU(), nn.Linear(d_token, n_outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        encoded: torch.Tensor = self.encoder(self.tokens(x))
        output: torch.Tensor = self.head(encoded[:, 0])
        return output
