"""Regularisation (chapter 4): the L1/L2 penalties, inverted dropout, batch normalisation.

``penalty`` and ``add_penalty_gradient`` are the weight penalties that ``Network`` adds to
its cost and to the gradients of backpropagation (``l1`` and ``l2``); the two layers below
follow the layer contract of ``nnbook.layers`` (``build``, ``forward(x, training)``,
``backward(grad_out, need_input_grad)``, ``params``/``grads``/``regularized``,
``input_shape``/``output_shape``), so they slot into a ``Network``'s list of layers::

    Network([Dense(64, 128, "relu"), Dropout(0.3), BatchNorm(128), Dense(128, 10, "softmax")])

Both behave differently in training and in inference, which is why every forward pass of a
``Network`` says which one it is (``training=True`` inside ``fit`` and in
``cost(..., training=True)``, ``False`` in ``predict`` and ``score``). Their conventions are
those of Keras (``keras.layers.Dropout``, ``keras.layers.BatchNormalization``), against which
``tests/test_regularization.py`` checks them.
"""

from __future__ import annotations

import numpy as np

from .layers import Layer
from .validation import check_number, check_positive_int

__all__ = ["penalty", "add_penalty_gradient", "Dropout", "BatchNorm"]


# ---------------------------------------------------------------------- L1 and L2 penalties
def penalty(params, regularized, l1=0.0, l2=0.0):
    """The penalty ``l1 * sum|W| + l2 * sum W^2`` over the parameters flagged in
    ``regularized`` (the weights, not the biases): what ``Network.cost`` adds to the mean
    loss, with Keras' convention for the coefficients. Introduced in chapter 4."""
    total = 0.0
    if l2:
        total += l2 * sum(float(np.sum(p * p)) for p, r in zip(params, regularized) if r)
    if l1:
        total += l1 * sum(float(np.sum(np.abs(p))) for p, r in zip(params, regularized) if r)
    return total


def add_penalty_gradient(params, grads, regularized, l1=0.0, l2=0.0):
    """Add the gradient of ``penalty`` to ``grads`` in place: ``2 l2 W + l1 sign(W)`` for
    every weight, the last two terms of eq. (eq-ch2-bp4-matrix); ``sign(0) = 0`` picks one
    subgradient of ``|W|``. Introduced in chapter 4."""
    for p, g, r in zip(params, grads, regularized):
        if r:
            if l2:
                g += 2.0 * l2 * p
            if l1:
                g += l1 * np.sign(p)


def _check_shape(input_shape, argument):
    """``input_shape`` as a tuple of positive ints or None, or a TypeError/ValueError."""
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) == 0:
        raise TypeError(f"{argument} must be a non-empty tuple such as (None,), got "
                        f"{input_shape!r}")
    for entry in input_shape:
        if entry is not None:
            check_positive_int(entry, argument)
    return tuple(None if entry is None else int(entry) for entry in input_shape)


class Dropout(Layer):
    """Inverted dropout (Srivastava et al. 2014), as ``keras.layers.Dropout``. Chapter 4.

    In training, every input is kept with probability ``1 - rate`` and set to zero
    otherwise, and the kept ones are divided by ``1 - rate``, so that the expected output
    equals the input; in inference the layer is the identity, and nothing needs rescaling.
    The keep-masks are drawn from the generator handed to ``build`` (a ``Network``'s seeded
    generator), so a seeded network drops the same units on every run.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping each input.
    input_shape : tuple or None
        Shape of one sample, ``None`` meaning any size: ``(None,)`` after a dense layer,
        ``(None, None, None)`` after a convolution; the default, None, takes whatever
        the layer before gives.

    For gradient checks and comparisons with a framework, ``fix_mask(keep)`` makes every
    training-mode pass use the given 0/1 mask instead of drawing one.
    """

    def __init__(self, rate, input_shape=None):
        super().__init__()
        self.rate = check_number(rate, "rate", "number in [0, 1)")
        self.input_shape = None if input_shape is None else _check_shape(input_shape,
                                                                          "input_shape")
        self.rng = None
        self.fixed_mask = None

    def __repr__(self):
        return f"Dropout({self.rate})"

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def infer_sizes(self, input_shape, n_outputs=None):
        if self.input_shape is None:  # any size: keep only the number of axes
            self.input_shape = (None,) * len(input_shape)

    def build(self, rng, dtype):
        # No parameters; the generator is shared with the network (shuffling, other layers).
        self.rng = rng if rng is not None else np.random.default_rng()

    def fix_mask(self, keep):
        """Use the 0/1 array ``keep`` (shape of a whole batch) as the keep-mask of every
        training-mode forward pass from now on; ``fix_mask(None)`` draws masks again."""
        if keep is None:
            self.fixed_mask = None
            return self
        keep = np.asarray(keep)
        if keep.dtype == bool:
            keep = keep.astype(np.float64)
        if not np.all((keep == 0) | (keep == 1)):
            raise ValueError("keep must contain only 0 and 1 (or False and True)")
        self.fixed_mask = keep
        return self

    def forward(self, x, training=False):
        if not training or self.rate == 0.0:
            self.cache["mask"] = None
            return x
        if self.fixed_mask is not None:
            if self.fixed_mask.shape != x.shape:
                raise ValueError(f"the fixed mask has shape {self.fixed_mask.shape} but the "
                                 f"batch has shape {x.shape}")
            keep = self.fixed_mask.astype(x.dtype)
        else:
            if self.rng is None:
                raise RuntimeError("Dropout.build(rng, dtype) must be called before training")
            keep = (self.rng.random(x.shape) >= self.rate).astype(x.dtype)
        # The scaled mask is what both the forward and the backward pass multiply by.
        self.cache["mask"] = mask = keep / (1.0 - self.rate)
        return x * mask

    def backward(self, grad_out, need_input_grad=True):
        if not need_input_grad:
            return None
        # d(x * mask)/dx = mask: the error flows back only through the units that were kept.
        mask = self.cache["mask"]
        return grad_out if mask is None else grad_out * mask


class BatchNorm(Layer):
    """Batch normalisation (Ioffe and Szegedy 2015), as ``keras.layers.BatchNormalization``.
    Introduced in chapter 4.

    Each of the ``n_features`` inputs is normalised and then scaled and shifted by two
    trained parameters, ``gamma`` (starts at 1) and ``beta`` (starts at 0):

    * training: ``y = gamma (x - mu_B) / sqrt(var_B + epsilon) + beta`` with the mean and
      the (biased) variance of the current mini-batch, and the running statistics move
      towards them: ``m <- momentum m + (1 - momentum) mu_B``, likewise for the variance;
    * inference: the same formula with the running mean and variance instead, so a
      prediction does not depend on the other samples in the batch.

    The backward pass in training mode accounts for ``mu_B`` and ``var_B`` depending on every
    sample of the batch (chapter 4 derives it). ``gamma`` and ``beta`` are not L1/L2
    regularised (``regularized`` is False for both), as in Keras by default.

    Parameters
    ----------
    n_features : int or None
        Number of features (the last axis), each with its own statistics; None (the
        default) leaves it to ``Network.fit``, which takes it from the layer before.
    momentum, epsilon : float
        Keras' defaults, 0.99 and 1e-3.
    input_shape : tuple, optional
        Shape of one sample; default ``(n_features,)``, e.g. ``(None, None, n_features)``
        after a convolution (statistics are then taken over samples and pixels). With
        ``n_features`` inferred, the number of axes is inferred too.

    Attributes
    ----------
    gamma, beta : the trained scale and shift (``params``);
    moving_mean, moving_variance : the running statistics used in inference; also listed,
        as live arrays, in ``buffers``.
    """

    def __init__(self, n_features=None, momentum=0.99, epsilon=1e-3, input_shape=None):
        super().__init__()
        self.n_features = (None if n_features is None
                           else check_positive_int(n_features, "n_features"))
        self.momentum = check_number(momentum, "momentum", "number in [0, 1)")
        self.epsilon = check_number(epsilon, "epsilon", "positive number")
        if input_shape is None:
            input_shape = None if self.n_features is None else (self.n_features,)
        self.input_shape = None if input_shape is None else _check_shape(input_shape,
                                                                          "input_shape")
        if self.n_features is None and self.input_shape is not None:
            self.n_features = self.input_shape[-1]  # may still be None: inferred at fit
        elif self.input_shape is not None and self.input_shape[-1] != self.n_features:
            raise ValueError(f"input_shape must end with n_features={self.n_features}, got "
                             f"{self.input_shape}")
        self.gamma = self.beta = None
        self.moving_mean = self.moving_variance = None

    def __repr__(self):
        return f"BatchNorm({self.n_features}, momentum={self.momentum}, epsilon={self.epsilon})"

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def infer_sizes(self, input_shape, n_outputs=None):
        if self.n_features is None:
            if len(input_shape) == 0 or input_shape[-1] is None:
                raise ValueError(f"n_features cannot be inferred from inputs of shape "
                                 f"{tuple(input_shape)}")
            self.n_features = int(input_shape[-1])
        if self.input_shape is None:
            self.input_shape = (None,) * (len(input_shape) - 1) + (self.n_features,)
        elif self.input_shape[-1] is None:
            self.input_shape = self.input_shape[:-1] + (self.n_features,)

    def build(self, rng, dtype):
        n = self.n_features
        self.gamma, self.beta = np.ones(n, dtype=dtype), np.zeros(n, dtype=dtype)
        self.moving_mean = np.zeros(n, dtype=dtype)
        self.moving_variance = np.ones(n, dtype=dtype)
        self.dgamma, self.dbeta = np.zeros_like(self.gamma), np.zeros_like(self.beta)
        self.params, self.grads = [self.gamma, self.beta], [self.dgamma, self.dbeta]
        self.regularized = [False, False]
        # Arrays that define the layer's behaviour without being trained by the optimizer
        # (Keras stores them after gamma and beta); whoever snapshots and restores
        # ``params`` (early stopping) restores these too.
        self.buffers = [self.moving_mean, self.moving_variance]

    def forward(self, x, training=False):
        if self.gamma is None:
            raise RuntimeError("BatchNorm.build(rng, dtype) must be called first")
        if x.shape[-1] != self.n_features:
            raise ValueError(f"expected {self.n_features} features on the last axis, got "
                             f"shape {x.shape}")
        axes = tuple(range(x.ndim - 1))
        if training:
            mean = x.mean(axis=axes)
            variance = x.var(axis=axes)  # biased (divides by m), as Keras
            self.moving_mean *= self.momentum
            self.moving_mean += (1.0 - self.momentum) * mean
            self.moving_variance *= self.momentum
            self.moving_variance += (1.0 - self.momentum) * variance
        else:
            mean, variance = self.moving_mean, self.moving_variance
        inv_std = 1.0 / np.sqrt(variance + self.epsilon)
        x_hat = (x - mean) * inv_std
        self.cache.update(axes=axes, training=bool(training), inv_std=inv_std, x_hat=x_hat)
        return self.gamma * x_hat + self.beta

    def backward(self, grad_out, need_input_grad=True):
        axes, inv_std, x_hat = self.cache["axes"], self.cache["inv_std"], self.cache["x_hat"]
        np.sum(grad_out * x_hat, axis=axes, out=self.dgamma)
        np.sum(grad_out, axis=axes, out=self.dbeta)
        if not need_input_grad:
            return None
        grad_x_hat = grad_out * self.gamma
        if not self.cache["training"]:
            # Fixed statistics: the layer is an affine map of each feature.
            return grad_x_hat * inv_std
        # mu_B and var_B depend on every sample: subtracting the batch means of grad_x_hat
        # and of grad_x_hat * x_hat projects out the directions that the normalisation
        # removes (a shift of all samples, and a rescaling of them).
        return inv_std * (
            grad_x_hat
            - grad_x_hat.mean(axis=axes)
            - x_hat * (grad_x_hat * x_hat).mean(axis=axes)
        )
