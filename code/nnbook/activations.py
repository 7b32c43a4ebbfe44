"""Activation functions and their derivatives (chapters 1, 2 and 4).

Each activation is an object with

* ``value(z)``: the activation ``a = f(z)``, applied row by row to a batch ``z`` of shape
  ``(n_samples, n_units)`` (or any shape for the element-wise ones);
* ``derivative(z)``: ``f'(z)`` element-wise (not defined for softmax, whose derivative is a
  matrix per sample);
* ``backward(z, a, grad_a)``: the vector-Jacobian product ``dC/dz`` given ``dC/da``. For an
  element-wise activation this is ``grad_a * f'(z)`` (a Hadamard product, chapter 2); for
  softmax it uses the full Jacobian without ever forming it.

All are written so that no overflow or invalid-value warning occurs for ``|z|`` up to at
least 1e3: exponentials are only ever taken of non-positive numbers.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfc

__all__ = [
    "Activation", "Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU",
    "Softmax", "get_activation", "ACTIVATIONS",
]


class Activation:
    """Base class: an element-wise activation ``a = f(z)``. Introduced in chapter 1."""

    name = "activation"

    def value(self, z):
        raise NotImplementedError

    def derivative(self, z):
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        """Return dC/dz from dC/da (chapter 2: delta = dC/da * f'(z), element-wise)."""
        return grad_a * self.derivative(z)

    def __call__(self, z):
        return self.value(z)

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash((type(self), tuple(sorted(vars(self).items()))))


class Identity(Activation):
    """f(z) = z, the output activation for regression. Introduced in chapter 1."""

    name = "identity"

    def value(self, z):
        return z

    def derivative(self, z):
        return np.ones_like(z)

    def backward(self, z, a, grad_a):
        return grad_a


def _sigmoid(z):
    # 1 / (1 + exp(-z)): for z < -709 exp(-z) overflows to inf and the quotient is the
    # correct limit 0, so the overflow is expected and silenced; in-place steps keep this
    # hot function (every hidden layer of chapter 4) at three array operations.
    with np.errstate(over="ignore"):
        e = np.exp(-np.asarray(z))
    if e.ndim == 0:  # NumPy returns a scalar for 0-d input, which has no `out=`
        return 1.0 / (1.0 + e)
    e += 1.0
    return np.reciprocal(e, out=e)


def _float_type(z):
    """The floating dtype of the results for input z (float32 stays float32)."""
    return np.result_type(np.asarray(z).dtype, np.float32)


class Sigmoid(Activation):
    """The logistic function 1 / (1 + exp(-z)). Introduced in chapter 1."""

    name = "sigmoid"

    def value(self, z):
        return _sigmoid(z)

    def derivative(self, z):
        s = _sigmoid(z)
        return s * (1.0 - s)

    def backward(self, z, a, grad_a):
        # f'(z) = a (1 - a): reuse the forward value instead of recomputing exponentials;
        # (grad_a * a) * (1 - a), the second product in place.
        delta = grad_a * a
        delta *= 1.0 - a
        return delta


class Tanh(Activation):
    """The hyperbolic tangent. Introduced in chapter 2."""

    name = "tanh"

    def value(self, z):
        return np.tanh(z)

    def derivative(self, z):
        t = np.tanh(z)
        return 1.0 - t * t

    def backward(self, z, a, grad_a):
        return grad_a * (1.0 - a * a)


class ReLU(Activation):
    """The rectified linear unit max(0, z); f'(0) is taken as 0, as in Keras. Chapter 2."""

    name = "relu"

    def value(self, z):
        return np.maximum(z, 0.0)

    def derivative(self, z):
        return (np.asarray(z) > 0).astype(_float_type(z))

    def backward(self, z, a, grad_a):
        # A product with the 0/1 mask is several times faster than np.where on large arrays.
        return grad_a * (z > 0)


class LeakyReLU(Activation):
    """max(alpha z, z) with a small slope ``alpha`` for z < 0 (Maas et al. 2013). Chapter 4."""

    name = "leaky_relu"

    def __init__(self, alpha=0.01):
        if not alpha >= 0:
            raise ValueError(f"alpha must be non-negative, got {alpha!r}")
        self.alpha = float(alpha)

    def value(self, z):
        return np.where(z > 0, z, self.alpha * z)

    def derivative(self, z):
        return np.where(np.asarray(z) > 0, 1.0, self.alpha).astype(_float_type(z))

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha})"


class ELU(Activation):
    """z for z > 0, alpha (exp(z) - 1) otherwise (Clevert et al. 2016). Chapter 4."""

    name = "elu"

    def __init__(self, alpha=1.0):
        if not alpha > 0:
            raise ValueError(f"alpha must be positive, got {alpha!r}")
        self.alpha = float(alpha)

    def value(self, z):
        # expm1 of min(z, 0): accurate near 0 and never overflows for large positive z.
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def derivative(self, z):
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0))).astype(
            _float_type(z))

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"


_SQRT_HALF = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class GELU(Activation):
    """z Phi(z), Phi the standard normal CDF (Hendrycks and Gimpel 2016); exact form, as
    Keras' ``gelu(approximate=False)``. Introduced in chapter 4.

    Phi(z) = erfc(-z / sqrt 2) / 2 rather than (1 + erf(z / sqrt 2)) / 2: the two are equal,
    but for very negative z the second cancels to 0 while erfc keeps full relative accuracy.
    """

    name = "gelu"

    def value(self, z):
        return 0.5 * z * erfc(-z * _SQRT_HALF)

    def derivative(self, z):
        phi = _INV_SQRT_2PI * np.exp(-0.5 * z * z)
        return 0.5 * erfc(-z * _SQRT_HALF) + z * phi


class SiLU(Activation):
    """z sigmoid(z), also called swish (Elfwing et al. 2018). Introduced in chapter 4."""

    name = "silu"

    def value(self, z):
        return z * _sigmoid(z)

    def derivative(self, z):
        s = _sigmoid(z)
        return s * (1.0 + z * (1.0 - s))


class Softmax(Activation):
    """Row-wise exp(z_k) / sum_j exp(z_j), the output of a multiclass classifier. Chapter 2.

    Shifting each row by its maximum leaves the value unchanged and keeps every exponent
    non-positive, so nothing overflows.
    """

    name = "softmax"

    def value(self, z):
        e = z - z.max(axis=-1, keepdims=True)
        np.exp(e, out=e)
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def derivative(self, z):
        raise TypeError(
            "softmax has no element-wise derivative: its Jacobian per sample is "
            "diag(a) - a a^T; use backward(z, a, grad_a) for the product with a vector"
        )

    def jacobian(self, z):
        """The per-sample Jacobians da_i/dz_j, shape (n_samples, k, k)."""
        a = self.value(np.atleast_2d(z))
        return a[:, :, None] * np.eye(a.shape[1]) - a[:, :, None] * a[:, None, :]

    def backward(self, z, a, grad_a):
        # (diag(a) - a a^T) g = a * (g - <a, g>), row by row.
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


ACTIVATIONS = {
    cls.name: cls
    for cls in (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, GELU, SiLU, Softmax)
}


def get_activation(activation, argument="activation"):
    """Return an Activation object from a name (see ``ACTIVATIONS``) or an object.

    Raises ValueError for an unknown name and TypeError for anything else, naming
    ``argument`` in the message. Introduced in chapter 1.
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        try:
            return ACTIVATIONS[activation]()
        except KeyError:
            raise ValueError(
                f"{argument} must be one of {sorted(ACTIVATIONS)}, got {activation!r}"
            ) from None
    raise TypeError(
        f"{argument} must be a name from {sorted(ACTIVATIONS)} or an Activation object, "
        f"got {type(activation).__name__}"
    )
