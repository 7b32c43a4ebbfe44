"""Layers: the forward/backward contract and the fully connected layer (chapters 1, 2).

Every layer follows one contract (the CS231n layer API, see STYLE.md):

* ``build(rng, dtype)`` creates the parameters (called by ``Network.initialize``);
* ``forward(x, training)`` returns the output and keeps what ``backward`` needs;
* ``backward(grad_out, need_input_grad=True)`` takes dC/d(output), stores the gradients of
  the parameters in ``grads`` (same order as ``params``) and returns dC/d(input), or None
  when the caller does not need it (the first layer of a network);
* ``params`` / ``grads``: lists of live arrays that optimizers update in place;
  ``regularized``: one flag per parameter, True for weights (L1/L2 apply), False for biases;
* ``state``: arrays that are not trained but belong to the model, such as the running
  statistics of batch normalisation; early stopping saves and restores them with ``params``;
* ``input_shape``: the shape of one sample (``None`` for any size), checked by ``Network``;
  ``output_shape(input_shape)``: the shape of one output sample;
* ``infer_sizes(input_shape, n_outputs=None)``: fill in the sizes left out when the layer
  was made (``None``), from the shape of one input sample and, for the last layer of a
  network, the number of outputs the targets need. ``Network`` calls it at ``fit`` on its
  own copies of the layers, before ``build``; the layers in its ``layers`` list keep their
  ``None``. Layers whose sizes are all given ignore it.

A layer with an ``activation`` computes ``z`` (pre-activation) and ``a = f(z)``; its
``backward`` turns dC/da into the error ``delta = dC/dz`` and calls ``backward_delta``, which
``Network`` calls directly when the loss gives ``delta`` in closed form (chapter 2).
"""

from __future__ import annotations

import numbers

import numpy as np

from .activations import get_activation
from .initializers import default_initializer, get_initializer

__all__ = ["Layer", "Dense", "check_positive_int"]


def check_positive_int(value, argument):
    """Return ``value`` as an int, or raise naming ``argument`` if it is not a positive integer."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{argument} must be a positive integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{argument} must be a positive integer, got {value!r}")
    return int(value)


class Layer:
    """Base class of all layers; see the module docstring for the contract. Chapter 2."""

    activation = None
    input_shape: tuple = ()

    def __init__(self):
        self.params, self.grads, self.regularized, self.state = [], [], [], []

    def build(self, rng, dtype):
        """Create the parameters; layers without parameters need not override this."""

    def output_shape(self, input_shape):
        return input_shape

    def infer_sizes(self, input_shape, n_outputs=None):
        """Fill in sizes left as None from ``input_shape`` (one sample); see the module
        docstring. The base layer has no sizes of its own."""

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad_out, need_input_grad=True):
        raise NotImplementedError

    def set_parameters(self, values):
        """Copy ``values`` into the live parameter arrays (shapes must match)."""
        if len(values) != len(self.params):
            raise ValueError(
                f"values must hold {len(self.params)} arrays for {self!r}, got {len(values)}"
            )
        for param, value in zip(self.params, values):
            value = np.asarray(value)
            if value.shape != param.shape:
                raise ValueError(
                    f"values: expected an array of shape {param.shape}, got {value.shape}"
                )
            param[...] = value


class Dense(Layer):
    """Fully connected layer ``a = f(x W + b)``. Introduced in chapter 1.

    Parameters
    ----------
    n_inputs, n_outputs : int or None
        Number of inputs per sample and number of units. Either both are given,
        ``Dense(64, 100, "sigmoid")``, or they are left to ``Network.fit``, which infers
        them from the data (chapter 4): ``Dense(n_outputs=100, activation="sigmoid")``
        takes its inputs from the layer before (or the features of ``X``), and a last
        layer ``Dense(activation="softmax")`` gets one unit per class (per target column
        in regression). A single number, ``Dense(100)``, is refused rather than guessed:
        in Keras it would mean 100 units, here the first argument is ``n_inputs``.
    activation : str or Activation
        One of ``nnbook.activations.ACTIVATIONS`` (default ``"identity"``).
    initializer : str or callable, optional
        Weight initializer; default Glorot uniform for sigmoid/tanh/softmax/identity and
        He normal for the ReLU family (chapter 2). Biases start at zero.

    The weight matrix ``W`` has shape ``(n_inputs, n_outputs)`` and samples are rows, as in
    Keras, so ``z = x @ W + b`` for a mini-batch ``x`` of shape ``(n_samples, n_inputs)``.
    """

    def __init__(self, n_inputs=None, n_outputs=None, activation="identity", initializer=None):
        super().__init__()
        if n_inputs is not None and n_outputs is None:
            raise TypeError(
                f"n_outputs is missing: Dense({n_inputs!r}) gives only n_inputs. Write "
                f"Dense(n_inputs, n_outputs) with both sizes, or Dense(n_outputs={n_inputs!r})"
                f" for {n_inputs!r} units with n_inputs inferred at fit (Keras' Dense(units))"
            )
        self.n_inputs = None if n_inputs is None else check_positive_int(n_inputs, "n_inputs")
        self.n_outputs = (None if n_outputs is None
                          else check_positive_int(n_outputs, "n_outputs"))
        self.activation = get_activation(activation)
        self.initializer = (
            default_initializer(self.activation.name) if initializer is None
            else get_initializer(initializer)
        )
        self.input_shape = (self.n_inputs,)
        self.W = self.b = None

    def __repr__(self):
        activation = f"activation={self.activation.name!r}"
        if self.n_inputs is not None:
            return f"Dense({self.n_inputs}, {self.n_outputs}, {activation})"
        if self.n_outputs is not None:
            return f"Dense(n_outputs={self.n_outputs}, {activation})"
        return f"Dense({activation})"

    def output_shape(self, input_shape):
        return (self.n_outputs,)

    def infer_sizes(self, input_shape, n_outputs=None):
        if self.n_inputs is None:
            if len(input_shape) != 1 or input_shape[0] is None:
                raise ValueError(
                    f"n_inputs cannot be inferred from inputs of shape {tuple(input_shape)}: "
                    "a Dense layer takes vectors (put a Flatten before it)"
                )
            self.n_inputs = int(input_shape[0])
            self.input_shape = (self.n_inputs,)
        if self.n_outputs is None:
            if n_outputs is None:
                raise ValueError(
                    "n_outputs can be inferred only for the last layer (from the targets); "
                    "give the units of a hidden layer, e.g. Dense(n_outputs=100, ...)"
                )
            self.n_outputs = check_positive_int(n_outputs, "n_outputs")

    def build(self, rng, dtype):
        shape = (self.n_inputs, self.n_outputs)
        self.W = np.asarray(
            self.initializer(shape, rng, self.n_inputs, self.n_outputs), dtype=dtype
        )
        self.b = np.zeros(self.n_outputs, dtype=dtype)
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)
        self.params, self.grads, self.regularized = [self.W, self.b], [self.dW, self.db], [True, False]

    def forward(self, x, training=False):
        self.x = x
        self.z = x @ self.W
        self.z += self.b  # in place: one temporary array less in the hot loop
        self.a = self.activation.value(self.z)
        return self.a

    def backward(self, grad_out, need_input_grad=True):
        delta = self.activation.backward(self.z, self.a, grad_out)
        return self.backward_delta(delta, need_input_grad)

    def backward_delta(self, delta, need_input_grad=True):
        """Given delta = dC/dz: dC/dW = x^T delta, dC/db = sum of delta over samples,
        dC/dx = delta W^T (the matrix-form backpropagation equations of chapter 2)."""
        np.matmul(self.x.T, delta, out=self.dW)
        delta.sum(axis=0, out=self.db)
        return delta @ self.W.T if need_input_grad else None
