"""Weight initializers (chapter 2 explains why the scale matters; chapter 4 uses them).

Each initializer is a function ``init(shape, rng, fan_in, fan_out) -> array`` drawing from the
NumPy generator ``rng``. ``fan_in`` and ``fan_out`` are the numbers of inputs and outputs of one
unit (for a convolution: kernel area times channels), passed explicitly so that the same
functions serve dense and convolutional layers.

* ``normal``: N(0, 1), the "naive" choice of the source notes, which saturates deep sigmoid nets;
* ``glorot_uniform`` / ``glorot_normal``: variance 2 / (fan_in + fan_out) (Glorot and Bengio 2010),
  the default for sigmoid, tanh, softmax and identity layers, as in Keras;
* ``he_normal`` / ``he_uniform``: variance 2 / fan_in (He et al. 2015), the default for the ReLU
  family.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "normal", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "zeros",
    "get_initializer", "INITIALIZERS", "default_initializer",
]


def normal(shape, rng, fan_in, fan_out):
    """Standard normal weights, N(0, 1). Introduced in chapter 2."""
    return rng.standard_normal(shape)


def glorot_uniform(shape, rng, fan_in, fan_out):
    """U(-r, r) with r = sqrt(6 / (fan_in + fan_out)), so Var = 2 / (fan_in + fan_out). Chapter 2."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def glorot_normal(shape, rng, fan_in, fan_out):
    """N(0, 2 / (fan_in + fan_out)). Introduced in chapter 2."""
    return rng.standard_normal(shape) * np.sqrt(2.0 / (fan_in + fan_out))


def he_normal(shape, rng, fan_in, fan_out):
    """N(0, 2 / fan_in), keeping the variance of ReLU activations constant. Chapter 2."""
    return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)


def he_uniform(shape, rng, fan_in, fan_out):
    """U(-r, r) with r = sqrt(6 / fan_in). Introduced in chapter 2."""
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape)


def zeros(shape, rng, fan_in, fan_out):
    """All zeros: the biases of ``Dense`` and ``Conv2D``. Introduced in chapter 1."""
    return np.zeros(shape)


INITIALIZERS = {
    f.__name__: f
    for f in (normal, glorot_uniform, glorot_normal, he_normal, he_uniform, zeros)
}

_RELU_FAMILY = {"relu", "leaky_relu", "elu", "gelu", "silu"}


def default_initializer(activation_name):
    """He for the ReLU family, Glorot (uniform, as Keras) otherwise. Chapter 2."""
    return he_normal if activation_name in _RELU_FAMILY else glorot_uniform


def get_initializer(initializer, argument="initializer"):
    """Return an initializer function from a name in ``INITIALIZERS`` or a callable."""
    if callable(initializer):
        return initializer
    if isinstance(initializer, str):
        try:
            return INITIALIZERS[initializer]
        except KeyError:
            raise ValueError(
                f"{argument} must be one of {sorted(INITIALIZERS)}, got {initializer!r}"
            ) from None
    raise TypeError(f"{argument} must be a name or a callable, got {type(initializer).__name__}")
