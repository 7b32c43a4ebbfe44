"""Gradient-based optimizers with per-parameter state (chapter 4; SGD from chapter 1).

An optimizer's ``step(params, grads)`` updates every array of ``params`` **in place** from
the matching array of ``grads``; it is called once per mini-batch. State (velocities,
accumulated squares, moments) is kept per parameter array, created at the first step, and
cleared by ``reset()``. ``iterations`` counts the steps taken, which Adam's bias correction
uses.

With ``clip_norm`` set, the gradients are first rescaled so that their global norm (over
all arrays together) is at most ``clip_norm`` (Pascanu et al. 2013).

Update rules, for a parameter ``w`` with gradient ``g``, learning rate ``eta``:

* SGD:      w <- w - eta g
* Momentum: v <- mu v - eta g;  w <- w + v                       (Polyak 1964)
* Adagrad:  r <- r + g^2;  w <- w - eta g / (sqrt(r) + eps)       (Duchi et al. 2011)
* RMSprop:  r <- rho r + (1 - rho) g^2;  w <- w - eta g / (sqrt(r) + eps)   (Hinton 2012)
* Adam:     m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
            m^ = m / (1 - b1^t);  v^ = v / (1 - b2^t);  w <- w - eta m^ / (sqrt(v^) + eps)
            (Kingma and Ba 2015)
"""

from __future__ import annotations

import copy

import numpy as np

from .validation import check_number

__all__ = ["Optimizer", "SGD", "Momentum", "Adagrad", "RMSprop", "Adam", "get_optimizer",
           "OPTIMIZERS"]


class Optimizer:
    """Base class: plain gradient descent plus clipping and step counting. Chapter 1."""

    name = "optimizer"

    def __init__(self, learning_rate=0.01, clip_norm=None):
        self.learning_rate = check_number(learning_rate, "learning_rate")
        self.clip_norm = None if clip_norm is None else check_number(clip_norm, "clip_norm")
        self.reset()

    def reset(self):
        """Forget all state, as before the first step."""
        self.iterations = 0
        self.state = None

    def _init_state(self, params):
        return None

    def step(self, params, grads):
        """Update every array in ``params`` in place, using the matching ``grads``."""
        if self.clip_norm is not None:
            grads = clip_by_global_norm(grads, self.clip_norm)
        if self.state is None:
            self.state = self._init_state(params)
        self.iterations += 1
        self._update(params, grads)

    def _update(self, params, grads):
        raise NotImplementedError

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items()
                           if k not in ("state", "iterations"))
        return f"{type(self).__name__}({fields})"


def clip_by_global_norm(grads, clip_norm):
    """Rescale ``grads`` so that sqrt(sum of all squared entries) <= clip_norm. Chapter 4."""
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    if norm <= clip_norm:
        return grads
    scale = clip_norm / norm
    return [g * scale for g in grads]


class SGD(Optimizer):
    """Plain (stochastic) gradient descent, w <- w - eta g. Introduced in chapter 1."""

    name = "sgd"

    def _update(self, params, grads):
        eta = self.learning_rate
        for w, g in zip(params, grads):
            w -= eta * g


class Momentum(Optimizer):
    """Gradient descent with momentum ``mu`` (heavy ball), as Keras ``SGD(momentum=mu)``.
    Introduced in chapter 4."""

    name = "momentum"

    def __init__(self, learning_rate=0.01, momentum=0.9, clip_norm=None):
        self.momentum = check_number(momentum, "momentum", "number in [0, 1)")
        super().__init__(learning_rate, clip_norm)

    def _init_state(self, params):
        return [np.zeros_like(w) for w in params]

    def _update(self, params, grads):
        for w, g, v in zip(params, grads, self.state):
            v *= self.momentum
            v -= self.learning_rate * g
            w += v


class Adagrad(Optimizer):
    """Per-coordinate steps scaled by the root of all past squared gradients. Chapter 4."""

    name = "adagrad"

    def __init__(self, learning_rate=0.01, epsilon=1e-7, initial_accumulator=0.0,
                 clip_norm=None):
        self.epsilon = check_number(epsilon, "epsilon")
        if not initial_accumulator >= 0:
            raise ValueError(f"initial_accumulator must be >= 0, got {initial_accumulator!r}")
        self.initial_accumulator = float(initial_accumulator)
        super().__init__(learning_rate, clip_norm)

    def _init_state(self, params):
        return [np.full_like(w, self.initial_accumulator) for w in params]

    def _update(self, params, grads):
        for w, g, r in zip(params, grads, self.state):
            r += g * g
            w -= self.learning_rate * g / (np.sqrt(r) + self.epsilon)


class RMSprop(Optimizer):
    """Steps scaled by a running root mean square of the gradients (decay ``rho``). Chapter 4."""

    name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7, clip_norm=None):
        self.rho = check_number(rho, "rho", "number in [0, 1)")
        self.epsilon = check_number(epsilon, "epsilon")
        super().__init__(learning_rate, clip_norm)

    def _init_state(self, params):
        return [np.zeros_like(w) for w in params]

    def _update(self, params, grads):
        for w, g, r in zip(params, grads, self.state):
            r *= self.rho
            r += (1.0 - self.rho) * g * g
            w -= self.learning_rate * g / (np.sqrt(r) + self.epsilon)


class Adam(Optimizer):
    """Adam: momentum and RMSprop with bias-corrected moment estimates. Chapter 4."""

    name = "adam"

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 clip_norm=None):
        self.beta1 = check_number(beta1, "beta1", "number in [0, 1)")
        self.beta2 = check_number(beta2, "beta2", "number in [0, 1)")
        self.epsilon = check_number(epsilon, "epsilon")
        super().__init__(learning_rate, clip_norm)

    def _init_state(self, params):
        return [(np.zeros_like(w), np.zeros_like(w)) for w in params]

    def _update(self, params, grads):
        t = self.iterations
        correction1 = 1.0 - self.beta1 ** t
        correction2 = 1.0 - self.beta2 ** t
        for w, g, (m, v) in zip(params, grads, self.state):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            w -= self.learning_rate * (m / correction1) / (np.sqrt(v / correction2) + self.epsilon)


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adagrad, RMSprop, Adam)}


def get_optimizer(optimizer, learning_rate, argument="optimizer"):
    """A fresh optimizer from a name (with ``learning_rate``) or a copy of an Optimizer object.

    A copy, so that fitting twice, or cloning a network, never shares optimizer state.
    Introduced in chapter 1.
    """
    if isinstance(optimizer, Optimizer):
        fresh = copy.deepcopy(optimizer)
        fresh.reset()
        return fresh
    if isinstance(optimizer, str):
        try:
            cls = OPTIMIZERS[optimizer]
        except KeyError:
            raise ValueError(
                f"{argument} must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}"
            ) from None
        return cls(learning_rate=learning_rate)
    raise TypeError(
        f"{argument} must be a name from {sorted(OPTIMIZERS)} or an Optimizer object, "
        f"got {type(optimizer).__name__}"
    )
