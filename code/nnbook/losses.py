"""Loss functions: value and gradient with respect to the network output (chapters 1, 2).

Conventions (the same as Keras, so that costs and gradients can be compared with it):

* every loss is a **mean over the samples** of the mini-batch, so the learning rate does not
  depend on the batch size;
* ``MeanSquaredError`` also averages over the output units: ``mean((a - y)**2)``, no 1/2;
* ``BinaryCrossEntropy`` averages over samples and output units;
* ``CrossEntropy`` sums over the classes of one sample and averages over samples.

``value(a, y)`` and ``gradient(a, y)`` work from the activations ``a`` of the output layer.
The two cross-entropies also pair with their *canonical* output activation (sigmoid for the
binary one, softmax for the categorical one): for that pair, ``value_from_logits(z, y)``
evaluates the cost from the pre-activations ``z`` without ever taking ``log(0)``, and
``delta(z, a, y)`` returns the output error ``dC/dz = (a - y) / n`` directly, which is both
cheaper and more accurate than multiplying ``dC/da`` by the activation's derivative
(chapter 2 derives it).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Loss", "MeanSquaredError", "BinaryCrossEntropy", "CrossEntropy", "get_loss", "LOSSES",
]

# Probabilities are clipped to [EPSILON, 1 - EPSILON] only on the generic path from `a`,
# where an exact 0 or 1 can occur in floating point; Keras uses the same constant.
EPSILON = 1e-7


class Loss:
    """Base class of the losses. Introduced in chapter 1."""

    name = "loss"
    #: name of the output activation whose combination has a simple output error
    canonical_activation = None
    #: True when the loss compares class probabilities with labels
    is_classification = False

    def value(self, a, y):
        raise NotImplementedError

    def gradient(self, a, y):
        raise NotImplementedError

    def value_from_logits(self, z, y):
        raise NotImplementedError

    def delta(self, z, a, y):
        """Output error dC/dz for the canonical output activation (chapter 2)."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))


class MeanSquaredError(Loss):
    """C = mean over samples and outputs of (a - y)^2. Introduced in chapter 1."""

    name = "mse"

    def value(self, a, y):
        return float(np.mean((a - y) ** 2))

    def gradient(self, a, y):
        return 2.0 * (a - y) / a.size


class BinaryCrossEntropy(Loss):
    """C = -mean[y log a + (1 - y) log(1 - a)], for sigmoid outputs. Chapter 2."""

    name = "binary_cross_entropy"
    canonical_activation = "sigmoid"
    is_classification = True

    def value(self, a, y):
        a = np.clip(a, EPSILON, 1.0 - EPSILON)
        return float(-np.mean(y * np.log(a) + (1.0 - y) * np.log1p(-a)))

    def gradient(self, a, y):
        a = np.clip(a, EPSILON, 1.0 - EPSILON)
        return (a - y) / (a * (1.0 - a)) / a.size

    def value_from_logits(self, z, y):
        # -[y log s(z) + (1-y) log(1-s(z))] = max(z, 0) - z y + log(1 + exp(-|z|))
        return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))

    def delta(self, z, a, y):
        return (a - y) / a.size


class CrossEntropy(Loss):
    """C = -mean over samples of sum_k y_k log a_k, for softmax outputs. Chapter 2."""

    name = "cross_entropy"
    canonical_activation = "softmax"
    is_classification = True

    def value(self, a, y):
        a = np.clip(a, EPSILON, 1.0)
        return float(-np.sum(y * np.log(a)) / a.shape[0])

    def gradient(self, a, y):
        a = np.clip(a, EPSILON, 1.0)
        return -y / a / a.shape[0]

    def value_from_logits(self, z, y):
        # log softmax(z)_k = z_k - logsumexp(z), with the row maximum shifted out.
        z_max = z.max(axis=1, keepdims=True)
        log_sum = np.log(np.sum(np.exp(z - z_max), axis=1, keepdims=True)) + z_max
        return float(np.sum(y * (log_sum - z)) / z.shape[0])

    def delta(self, z, a, y):
        delta = a - y
        delta /= a.shape[0]
        return delta


LOSSES = {cls.name: cls for cls in (MeanSquaredError, BinaryCrossEntropy, CrossEntropy)}


def get_loss(loss, argument="loss"):
    """Return a Loss object from a name (see ``LOSSES``) or an object. Chapter 1."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        try:
            return LOSSES[loss]()
        except KeyError:
            raise ValueError(f"{argument} must be one of {sorted(LOSSES)}, got {loss!r}") from None
    raise TypeError(
        f"{argument} must be a name from {sorted(LOSSES)} or a Loss object, "
        f"got {type(loss).__name__}"
    )
