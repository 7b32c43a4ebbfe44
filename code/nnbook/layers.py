"""Layers: the forward/backward contract and the fully connected layer (chapters 1, 2).

Every layer follows one contract, declared on ``Layer`` below and described in the
repository's ARCHITECTURE.md ("The layer contract"); it is the CS231n layer API:

* ``build(rng, dtype)`` creates the parameters (called by ``Network.initialize``);
* ``forward(x, training)`` returns the output and keeps what ``backward`` needs: a layer
  with an ``activation`` keeps ``z`` (pre-activation) and ``a = f(z)``, the quantities of
  chapter 2; everything else it keeps goes into the one dict ``cache``;
* ``backward(grad_out, need_input_grad=True)`` takes dC/d(output), stores the gradients of
  the parameters in ``grads`` (same order as ``params``) and returns dC/d(input), or None
  when the caller does not need it (the first layer of a network);
* ``backward_delta(delta, need_input_grad=True)``, for a layer with an activation: the
  same from ``delta = dC/dz``. ``backward`` turns dC/da into ``delta`` and calls it;
  ``Network`` calls it directly when the loss gives ``delta`` in closed form (chapter 2);
* ``params`` / ``grads``: lists of live arrays that optimizers update in place;
  ``regularized``: one flag per parameter, True for weights (L1/L2 apply), False for biases;
* ``buffers``: arrays that are not trained but belong to the model, such as the running
  statistics of batch normalisation; early stopping saves and restores them with
  ``params``, ``set_buffers`` copies values in (as ``set_parameters`` does for ``params``);
* ``input_shape``: the shape of one sample (``None`` for any size), checked by ``Network``;
  ``output_shape(input_shape)``: the shape of one output sample;
* ``infer_sizes(input_shape, n_outputs=None)``: fill in the sizes left out when the layer
  was made (``None``), from the shape of one input sample and, for the last layer of a
  network, the number of outputs the targets need. ``Network`` calls it at ``fit`` on its
  own copies of the layers, before ``build``; the layers in its ``layers`` list keep their
  ``None``. Layers whose sizes are all given ignore it.
"""

from __future__ import annotations

import warnings

import numpy as np

from .activations import get_activation
from .initializers import default_initializer, get_initializer, zeros
from .validation import check_positive_int

__all__ = ["Layer", "Dense"]


def _copy_into(targets, values, owner):
    """Copy ``values`` into the live arrays ``targets`` (same number, same shapes)."""
    if len(values) != len(targets):
        raise ValueError(f"values must hold {len(targets)} arrays for {owner!r}, got "
                         f"{len(values)}")
    for target, value in zip(targets, values):
        value = np.asarray(value)
        if value.shape != target.shape:
            raise ValueError(
                f"values: expected an array of shape {target.shape}, got {value.shape}"
            )
        target[...] = value


class Layer:
    """Base class of all layers; see the module docstring for the contract. Chapter 2."""

    activation = None
    input_shape: tuple = ()

    def __init__(self):
        self.params, self.grads, self.regularized, self.buffers = [], [], [], []
        self.cache = {}

    @property
    def state(self):
        """Deprecated name of ``buffers`` (it collided with ``Optimizer.state``)."""
        warnings.warn("Layer.state is now Layer.buffers", DeprecationWarning, stacklevel=2)
        return self.buffers

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

    def backward_delta(self, delta, need_input_grad=True):
        """For a layer with an activation: fill ``grads`` and return dC/d(input) from
        ``delta = dC/dz`` (chapter 2); ``backward`` is ``backward_delta`` after the
        activation's derivative."""
        raise NotImplementedError(f"{type(self).__name__} has no activation: use backward")

    def set_parameters(self, values):
        """Copy ``values`` into the live parameter arrays (shapes must match)."""
        _copy_into(self.params, values, self)

    def set_buffers(self, values):
        """Copy ``values`` into the live ``buffers`` (shapes must match)."""
        _copy_into(self.buffers, values, self)


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
        self.b = np.asarray(zeros((self.n_outputs,), rng, self.n_inputs, self.n_outputs),
                            dtype=dtype)
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)
        self.params, self.grads, self.regularized = [self.W, self.b], [self.dW, self.db], [True, False]

    def forward(self, x, training=False):
        self.cache["x"] = x
        self.z = x @ self.W
        self.z += self.b  # in place: one temporary array less in the hot loop
        self.a = self.activation.value(self.z)
        return self.a

    def backward(self, grad_out, need_input_grad=True):
        """Given dC/da: delta = dC/da * f'(z), the Hadamard product of
        eq-ch2-bp1-matrix and eq-ch2-bp2-matrix, then ``backward_delta``."""
        delta = self.activation.backward(self.z, self.a, grad_out)
        return self.backward_delta(delta, need_input_grad)

    def backward_delta(self, delta, need_input_grad=True):
        """Given delta = dC/dz: dC/dW = x^T delta (eq-ch2-bp4-matrix),
        dC/db = the sum of delta over the samples (eq-ch2-bp3-matrix), and
        dC/dx = delta W^T for the layer below (eq-ch2-bp2-matrix)."""
        np.matmul(self.cache["x"].T, delta, out=self.dW)
        delta.sum(axis=0, out=self.db)
        return delta @ self.W.T if need_input_grad else None
