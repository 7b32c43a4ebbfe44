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

A loss also answers the questions of the task it decides (the way the cost classes of
Nielsen's ``network2.py`` carry their own ``delta``), so that ``Network`` and
``nnbook.frameworks`` never compare loss names: how many output units ``K`` classes
need (``n_outputs``) and how many classes ``K`` units tell apart (``n_classes``), how
class indices are encoded as targets (``encode``: one-hot rows, or a 0/1 column), which
class an output predicts (``predict_index``), the class probabilities
(``probabilities``), and what the output error ``Delta^L`` of an output layer is
(``output_error``, step 3 of the algorithm of chapter 2).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Loss", "MeanSquaredError", "BinaryCrossEntropy", "CrossEntropy", "get_loss", "LOSSES",
    "one_hot",
]

# Probabilities are clipped to [EPSILON, 1 - EPSILON] only on the generic path from `a`,
# where an exact 0 or 1 can occur in floating point; Keras uses the same constant.
EPSILON = 1e-7


def one_hot(index, n_classes, dtype=np.float64):
    """Class indices 0..K-1 as one-hot rows of shape (n, K): the one encoder of the package
    (``nnbook.data.one_hot``, ``Network`` and ``keras_targets`` use it). Chapter 2."""
    index = np.asarray(index)
    encoded = np.zeros((index.size, int(n_classes)), dtype=dtype)
    encoded[np.arange(index.size), index.ravel()] = 1.0
    return encoded


class Loss:
    """Base class of the losses. Introduced in chapter 1."""

    name = "loss"
    #: name of the output activation whose combination has a simple output error
    canonical_activation = None
    #: True when the loss compares class probabilities with labels
    is_classification = False
    #: True when the loss tells exactly two classes apart, with one output unit
    binary = False
    #: True when targets may come as one-hot rows (several columns) as well as labels
    accepts_one_hot = False
    #: the output activation scikit-learn's MLP uses with this loss
    sklearn_output = None
    #: the class in ``keras.losses`` with the same definition
    keras_name = None

    def value(self, a, y):
        raise NotImplementedError

    def gradient(self, a, y):
        raise NotImplementedError

    def value_from_logits(self, z, y):
        raise NotImplementedError

    def delta(self, z, a, y):
        """Output error dC/dz for the canonical output activation (chapter 2)."""
        raise NotImplementedError

    def output_error(self, z, a, y, activation):
        """Step 3 of the algorithm of chapter 2: the output error
        Delta^L = dC/dZ^L of an output layer with pre-activations z,
        activations a and ``activation``. In closed form for the canonical
        pair (``delta``), else by eq-ch2-bp1-matrix: dC/dA^L times f'(Z^L)."""
        if self.canonical_activation is not None:
            return self.delta(z, a, y)
        return activation.backward(z, a, self.gradient(a, y))

    def uses_logits(self):
        """Whether the cost is evaluated from the logits ``z`` (the canonical pair, stable)
        rather than from the activations ``a``."""
        return self.canonical_activation is not None

    def mean(self, output, y):
        """The mean loss from what ``uses_logits`` says the output layer hands over."""
        return self.value_from_logits(output, y) if self.uses_logits() else \
            self.value(output, y)

    # The task questions; a regression loss has no classes.
    def n_outputs(self, n_classes):
        """Output units needed to tell ``n_classes`` classes apart (chapter 1)."""
        raise ValueError(f"loss={self.name!r} does not classify")

    def n_classes(self, n_outputs):
        """Classes that ``n_outputs`` output units tell apart (None if unknown)."""
        raise ValueError(f"loss={self.name!r} does not classify")

    def encode(self, index, n_outputs, dtype):
        """Class indices as the targets the loss compares with the output layer."""
        raise ValueError(f"loss={self.name!r} does not classify")

    def predict_index(self, a):
        """The index of the class each output row predicts."""
        raise ValueError(f"loss={self.name!r} does not classify")

    def probabilities(self, a):
        """Class probabilities, one column per class, from the output activations."""
        raise ValueError(f"loss={self.name!r} does not classify")

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))


class MeanSquaredError(Loss):
    """C = mean over samples and outputs of (a - y)^2. Introduced in chapter 1."""

    name = "mse"
    sklearn_output = "identity"
    keras_name = "MeanSquaredError"

    def value(self, a, y):
        return float(np.mean((a - y) ** 2))

    def gradient(self, a, y):
        return 2.0 * (a - y) / a.size


class BinaryCrossEntropy(Loss):
    """C = -mean[y log a + (1 - y) log(1 - a)], for sigmoid outputs. Chapter 2."""

    name = "binary_cross_entropy"
    canonical_activation = "sigmoid"
    is_classification = True
    binary = True
    sklearn_output = "sigmoid"
    keras_name = "BinaryCrossentropy"

    def n_outputs(self, n_classes):
        return 1  # one sigmoid unit: the probability of the second class

    def n_classes(self, n_outputs):
        return 2

    def encode(self, index, n_outputs, dtype):
        return np.asarray(index).astype(dtype).reshape(-1, 1)

    def predict_index(self, a):
        return (a[:, 0] > 0.5).astype(int)

    def probabilities(self, a):
        return np.hstack([1.0 - a, a])

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
    accepts_one_hot = True
    sklearn_output = "softmax"
    keras_name = "CategoricalCrossentropy"

    def n_outputs(self, n_classes):
        return n_classes  # one softmax unit per class

    def n_classes(self, n_outputs):
        return n_outputs

    def encode(self, index, n_outputs, dtype):
        return one_hot(index, n_outputs, dtype)

    def predict_index(self, a):
        return np.argmax(a, axis=1)

    def probabilities(self, a):
        return a.copy()

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
