"""The small network N(x; theta) of chapter 6 and its derivatives with respect to x.

The parameters are one flat vector (what SciPy's optimizers expect); the derivatives of
N with respect to its *inputs* are propagated forward through the layers by the chain
rule (the tangent pass), for all points at once, in ``autograd.numpy``, so that autograd
can differentiate the result with respect to the parameters.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np

ACTIVATIONS = ("sigmoid", "tanh")


def _check_layer_sizes(layer_sizes) -> tuple:
    sizes = tuple(layer_sizes)
    if len(sizes) < 3 or any(int(s) != s or s < 1 for s in sizes) or sizes[-1] != 1:
        raise ValueError(
            "layer_sizes must be positive integers (inputs, hidden..., 1) with at least one "
            f"hidden layer and one output; got {layer_sizes!r}"
        )
    return tuple(int(s) for s in sizes)


def parameter_count(layer_sizes) -> int:
    """Number of weights and biases of an MLP with the given layer sizes.

    Introduced in chapter 6. Layer l has a weight matrix of shape
    ``(layer_sizes[l-1], layer_sizes[l])`` and a bias of length ``layer_sizes[l]``.
    """
    sizes = _check_layer_sizes(layer_sizes)
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def init_parameters(layer_sizes, seed: int = 0, scheme: str = "glorot") -> np.ndarray:
    """Initial parameters as one flat vector (weights then bias, layer by layer).

    Introduced in chapter 6. ``scheme="glorot"``: weights normal with variance
    2 / (fan_in + fan_out), biases zero. ``scheme="normal"``: every weight and bias
    standard normal, the set-up of the source lecture notes.
    """
    sizes = _check_layer_sizes(layer_sizes)
    if scheme not in ("glorot", "normal"):
        raise ValueError(f"scheme must be 'glorot' or 'normal'; got {scheme!r}")
    rng = np.random.default_rng(seed)
    pieces = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if scheme == "glorot":
            pieces.append(rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), n_in * n_out))
            pieces.append(np.zeros(n_out))
        else:
            pieces.append(rng.standard_normal(n_in * n_out))
            pieces.append(rng.standard_normal(n_out))
    return np.concatenate(pieces)


def unpack_parameters(theta, layer_sizes) -> list:
    """Split a flat parameter vector into ``[(W1, b1), (W2, b2), ...]`` (autograd-safe).

    Introduced in chapter 6.
    """
    sizes = _check_layer_sizes(layer_sizes)
    if np.shape(theta) != (parameter_count(sizes),):
        raise ValueError(
            f"theta must have shape ({parameter_count(sizes)},) for layer sizes {sizes}; "
            f"got {np.shape(theta)}"
        )
    layers, start = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = anp.reshape(theta[start : start + n_in * n_out], (n_in, n_out))
        start += n_in * n_out
        b = theta[start : start + n_out]
        start += n_out
        layers.append((W, b))
    return layers


def _activation(name: str, z, order: int = 2):
    """Value and derivatives (up to ``order``) of the activation, from one evaluation."""
    if name == "sigmoid":
        # 1/(1+exp(-z)) written through tanh: no overflow for large |z|.
        s = 0.5 * (anp.tanh(0.5 * z) + 1.0)
        if order == 0:
            return s, None, None
        ds = s * (1.0 - s)
        return s, ds, (ds * (1.0 - 2.0 * s) if order == 2 else None)
    t = anp.tanh(z)
    if order == 0:
        return t, None, None
    dt = 1.0 - t * t
    return t, dt, (-2.0 * t * dt if order == 2 else None)


def _check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
    return activation


def _check_input_shape(X, layer_sizes) -> None:
    if np.ndim(X) != 2 or np.shape(X)[1] != layer_sizes[0]:
        raise ValueError(
            f"X must have shape (n_points, {layer_sizes[0]}) for layer sizes "
            f"{tuple(layer_sizes)}; got {np.shape(X)}"
        )


def network_output(theta, X, layer_sizes, activation: str = "sigmoid"):
    """N(X; theta) at every row of X, shape (n_points,): hidden layers with the activation,
    a linear output. Introduced in chapter 6.
    """
    _check_input_shape(X, layer_sizes)
    a = X
    layers = unpack_parameters(theta, layer_sizes)
    for W, b in layers[:-1]:
        a = _activation(activation, anp.matmul(a, W) + b, order=0)[0]
    W, b = layers[-1]
    return (anp.matmul(a, W) + b)[:, 0]


def network_jet(theta, X, layer_sizes, activation: str = "sigmoid", order: int = 2):
    """N, dN/dx_k and d^2N/dx_k^2 at all points at once, by the chain rule through the layers.

    Introduced in chapter 6. Returns ``(N, dN, d2N)`` with shapes ``(n,)``, ``(n, d)`` and
    ``(n, d)`` (``d2N`` is None when ``order == 1``). For every input direction k the
    layer recursion is (sigma applied elementwise, ``*`` elementwise)::

        z = a W + b,       dz = da W,                  d2z = d2a W
        a = sigma(z),      da = sigma'(z) * dz,        d2a = sigma''(z) * dz**2 + sigma'(z) * d2z

    starting from da = e_k and d2a = 0 at the input. The directions are stacked on a
    leading axis, so a single matrix product per layer serves every point and direction.
    Written in ``autograd.numpy``: autograd differentiates the result w.r.t. theta.
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2; got {order!r}")
    _check_input_shape(X, layer_sizes)
    layers = unpack_parameters(theta, layer_sizes)
    a = X
    for index, (W, b) in enumerate(layers):
        z = anp.matmul(a, W) + b
        if index == 0:
            # Derivative of z = x W + b along input direction k is row k of W, at every point.
            dz = W[:, None, :]
            d2z = None
        else:
            dz = anp.matmul(da, W)
            d2z = anp.matmul(d2a, W) if order == 2 else None
        if index == len(layers) - 1:
            break
        s, ds, d2s = _activation(activation, z, order)
        a = s
        da = ds * dz
        if order == 2:
            d2a = d2s * dz**2 if d2z is None else d2s * dz**2 + ds * d2z
    N = z[:, 0]
    dN = anp.transpose(dz[:, :, 0])
    d2N = anp.transpose(d2z[:, :, 0]) if order == 2 else None
    return N, dN, d2N

