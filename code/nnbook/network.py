"""The ``Network`` estimator: layers + loss + optimizer + training loop (chapters 1-5).

The algorithm of chapter 2 ("The algorithm", steps 1-6) is written out in the order the
chapter numbers it: ``forward`` (step 2) and ``backward`` (steps 3 and 4) below, the
update (step 5) in ``Network._train_epoch`` through the optimizer, the mini-batches and
epochs (steps 1 and 6) in ``Network._train_epoch`` and ``Network._train_epochs``. The
checks of the data live in ``nnbook.validation``, the L1/L2 penalty in
``nnbook.regularization`` (chapter 4).

``Network`` follows scikit-learn's conventions (hyperparameters in ``__init__``, data in
``fit``, learned state ending in ``_``), so ``clone``, ``GridSearchCV``, ``cross_val_score``
and ``Pipeline`` work on it as on ``MLPClassifier``. ARCHITECTURE.md ("The estimator")
describes the interface.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score
from sklearn.utils import ClassifierTags, RegressorTags
from sklearn.utils.metaestimators import available_if
from threadpoolctl import threadpool_limits

from .layers import Layer
from .losses import get_loss
from .optimizers import Optimizer, get_optimizer
from .regularization import add_penalty_gradient, penalty
from .validation import (chain_shapes, check_feature_names, check_inputs, check_number,
                         check_positive_int, encode_targets)

__all__ = ["Network", "TrainingDivergedError", "forward", "backward"]


class TrainingDivergedError(FloatingPointError):
    """Raised by ``Network.fit`` when training diverges: the cost becomes NaN or infinite,
    or grows far above where it started and keeps growing (see ``Network.fit``). Chapter 1.
    """


#: ``fit`` stops with TrainingDivergedError when an epoch's cost exceeds this many times
#: the cost at the start of ``fit`` (and is still growing); see ``Network.fit``.
DIVERGENCE_FACTOR = 1e3
#: Starting costs below this count as this much, so that a cost that starts at (almost)
#: zero does not make every later rounding error look like divergence.
DIVERGENCE_FLOOR = 1e-6


def forward(layers, X, training=False):
    """Step 2 of the algorithm of chapter 2, the forward pass: A^0 = X, then
    for l = 1, ..., L the layer computes Z^l and A^l (eq-ch2-forward-matrix)
    and keeps them for the backward pass. Returns A^L."""
    A = X
    for layer in layers:
        A = layer.forward(A, training)
    return A


def backward(layers, loss, Y):
    """Steps 3 and 4 of the algorithm of chapter 2, after forward(layers, X):
    fill every layer's grads with dC/dW^l and dC/db^l of the mean loss over
    the mini-batch with targets Y (the penalty is added by Network)."""
    output = layers[-1]
    # Step 3: the output error Delta^L by eq-ch2-bp1-matrix or, for a loss
    # and its canonical output activation, in closed form (eq-ch2-delta-bce,
    # eq-ch2-delta-softmax).
    Delta = loss.output_error(output.z, output.a, Y, output.activation)
    # Step 4, l = L: dC/dW^L and dC/db^L (eq-ch2-bp4-matrix, eq-ch2-bp3-matrix)
    # and Delta^L (W^L)^T, the first factor of eq-ch2-bp2-matrix.
    grad_A = output.backward_delta(Delta, need_input_grad=len(layers) > 1)
    # Step 4, l = L-1, ..., 1: layer l multiplies by f'(Z^l) to get Delta^l
    # (eq-ch2-bp2-matrix), fills its gradients and hands Delta^l (W^l)^T on;
    # the first layer computes no gradient for the inputs.
    for l in range(len(layers) - 1, 0, -1):
        grad_A = layers[l - 1].backward(grad_A, need_input_grad=l > 1)


def _classifies(net):
    """Whether ``net``'s loss classifies; decides if ``predict_proba`` exists."""
    try:
        return get_loss(net.loss).is_classification
    except (TypeError, ValueError):
        return True  # a bad loss is reported by the method itself, naming `loss`


def _layer_signature(layers):
    """What identifies a list of layers for warm start: each layer's repr (type, sizes,
    activation, options)."""
    return [repr(layer) for layer in layers]


class Network(BaseEstimator):
    """A feed-forward neural network trained by mini-batch gradient descent. Chapter 1.

    Parameters
    ----------
    layers : list of Layer
        The layers in order, e.g. ``[Dense(64, 100, "sigmoid"), Dense(100, 10, "softmax")]``.
        They are templates: ``fit`` works on deep copies, so the list itself never changes,
        and every entry becomes a layer of its own, with its own parameters, even when the
        same object is listed twice (``[Dense(4, 4, "tanh")] * 3`` is three layers).
        Sizes may be left out and are then inferred at ``fit`` (chapter 4): the first
        layer's inputs from ``X``, every later layer's inputs from the layer before, the
        last layer's units from the targets (one per class, or per target column), as in
        ``[Dense(n_outputs=100, activation="sigmoid"), Dense(activation="softmax")]``,
        the counterpart of scikit-learn's ``hidden_layer_sizes=(100,)`` and Keras'
        ``Dense(100)``.
    loss : {"mse", "binary_cross_entropy", "cross_entropy"} or Loss
        Decides the task: the cross-entropies classify, ``"mse"`` regresses.
        ``"cross_entropy"`` needs a softmax output layer, ``"binary_cross_entropy"`` a
        sigmoid output layer with one unit.
    optimizer : {"sgd", "momentum", "adagrad", "rmsprop", "adam"} or Optimizer
        A name (built with ``learning_rate`` and the rule's usual defaults) or an Optimizer
        object, whose own hyperparameters, learning rate included, are then used.
    learning_rate : float
        Step size for an optimizer given by name.
    batch_size : int
        Samples per mini-batch (the last one of an epoch may be smaller).
    epochs : int
        Passes over the training data.
    l1, l2 : float
        Penalties added to the cost: ``l1 * sum|W| + l2 * sum W^2`` over all weights (not
        biases), the same convention as Keras' regularizers.
    shuffle : bool
        Reshuffle the samples before every epoch with the seeded generator.
    seed : int or None
        Seeds the initial weights and the shuffling; same seed and data, same result.
    patience : int or None
        Early stopping (chapter 4): stop when the validation cost has not improved for this
        many epochs and restore the best parameters. None trains for all ``epochs``.
    validation_fraction : float
        Share of the training data held out for early stopping when ``fit`` gets no
        ``validation_data``.
    dtype : {"float64", "float32"}
        Floating type of parameters and computations.
    warm_start : bool
        If True, ``fit`` continues from the current parameters instead of re-initializing.
    verbose : bool
        Print the cost after every epoch.

    Attributes
    ----------
    layers_ : the trained layers, with every size filled in; ``parameters()`` lists their
        arrays.
    classes_ : the class labels (classification only).
    n_features_in_ : the number of features of ``X`` at ``fit`` (for 2-D ``X``).
    feature_names_in_ : the column names of ``X`` at ``fit``, when it was a DataFrame with
        string column names; ``predict`` then checks that the columns are the same.
    history_ : dict of per-epoch lists: ``"loss"`` (mean training cost over the epoch's
        mini-batches, as Keras reports it) and, with validation data, ``"val_loss"`` and
        ``"val_score"`` (accuracy, or R^2 for regression).
    optimizer_ : the optimizer with its state after training.
    best_epoch_ : with early stopping, the epoch whose parameters were kept.
    """

    def __init__(self, layers, loss="cross_entropy", optimizer="sgd", learning_rate=0.01,
                 batch_size=32, epochs=100, l1=0.0, l2=0.0, shuffle=True, seed=None,
                 patience=None, validation_fraction=0.1, dtype="float64", warm_start=False,
                 verbose=False):
        self.layers = layers
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.l1 = l1
        self.l2 = l2
        self.shuffle = shuffle
        self.seed = seed
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.dtype = dtype
        self.warm_start = warm_start
        self.verbose = verbose

    def __sklearn_tags__(self):
        # The loss decides the task, so scikit-learn (e.g. cross_val_score choosing
        # stratified folds) sees a classifier or a regressor accordingly.
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        try:
            classifies = get_loss(self.loss).is_classification
        except (TypeError, ValueError):
            return tags
        if classifies:
            tags.estimator_type, tags.classifier_tags = "classifier", ClassifierTags()
            # One sigmoid unit tells two classes apart, no more.
            tags.classifier_tags.multi_class = not get_loss(self.loss).binary
        else:
            tags.estimator_type, tags.regressor_tags = "regressor", RegressorTags()
            # A 2-D array of targets trains one output unit per column.
            tags.target_tags.multi_output = True
        return tags

    # ------------------------------------------------------------------ checks
    def _check_hyperparameters(self):
        """Check every hyperparameter (sets nothing); returns the output shape of one
        sample as far as the layers fix it (None for sizes left to ``fit``)."""
        if not isinstance(self.layers, (list, tuple)) or len(self.layers) == 0:
            raise TypeError(f"layers must be a non-empty list of Layer objects, got {self.layers!r}")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a Layer, got {type(layer).__name__}")
            if i < len(self.layers) - 1 and getattr(layer, "n_outputs", 0) is None:
                raise ValueError(
                    f"layers[{i}]: n_outputs can be inferred only for the last layer (from "
                    f"the targets); give the units of a hidden layer, e.g. "
                    f"Dense(n_outputs=100, ...)"
                )
        first_shape = self.layers[0].input_shape
        template_output = chain_shapes(self.layers,
                                       (None,) if first_shape is None else first_shape)
        output = self.layers[-1]
        if output.activation is None:
            raise ValueError("layers: the last layer must have an activation (e.g. Dense)")
        loss = get_loss(self.loss)
        canonical = loss.canonical_activation
        if canonical is not None and output.activation.name != canonical:
            raise ValueError(
                f"loss={loss.name!r} needs a {canonical} output layer, "
                f"got activation {output.activation.name!r}"
            )
        if loss.binary and template_output not in ((1,), (None,)):
            raise ValueError(
                f"loss={loss.name!r} needs one output unit, got {template_output}"
            )
        if isinstance(self.optimizer, str):
            get_optimizer(self.optimizer, 1.0)  # an unknown name raises, naming `optimizer`
            check_number(self.learning_rate, "learning_rate", "positive number")
        elif not isinstance(self.optimizer, Optimizer):
            get_optimizer(self.optimizer, 1.0)  # raises the TypeError naming `optimizer`
        check_positive_int(self.batch_size, "batch_size")
        check_positive_int(self.epochs, "epochs")
        check_number(self.l1, "l1", "non-negative number")
        check_number(self.l2, "l2", "non-negative number")
        if self.patience is not None:
            check_positive_int(self.patience, "patience")
        if self.dtype not in ("float64", "float32", np.float64, np.float32):
            raise ValueError(f"dtype must be 'float64' or 'float32', got {self.dtype!r}")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral)
        ):
            raise TypeError(f"seed must be an integer or None, got {self.seed!r}")
        return template_output

    def _check_X(self, X, argument="X", reset=False):
        """``X`` as a checked array (``nnbook.validation.check_inputs``). The sample shape
        is held against the trained layers once there are some (and ``reset`` is False),
        else against the template, as ``fit`` needs it (which then records the input
        with ``_set_input``)."""
        if argument == "X" and not reset:
            check_feature_names(self, X, reset=False)
        trained = hasattr(self, "layers_") and not reset
        return check_inputs(X, argument, self.layers_ if trained else self.layers,
                            self.dtype)

    def _encode_targets(self, y, n_samples, argument="y", learn=False):
        """``(Y, learned)`` from ``nnbook.validation.encode_targets`` for this network:
        before any ``fit`` (no ``classes_``) the labels are read as training labels."""
        classes = getattr(self, "classes_", None)
        return encode_targets(y, n_samples, self._loss, self._output_shape[-1], classes,
                              self.dtype, argument, learn=learn or classes is None)

    # ------------------------------------------------------------------ setters
    def _set_loss_and_shapes(self):
        """Check the hyperparameters and set what the methods read from them: the loss
        object and the output shape of one sample (None where ``fit`` infers it)."""
        self._output_shape = self._check_hyperparameters()
        self._loss = get_loss(self.loss)

    def _set_input(self, X_given, X):
        """Record what ``fit`` learns from its input, as scikit-learn does:
        ``feature_names_in_`` from ``X_given`` (a DataFrame's column names) and
        ``n_features_in_`` from the checked array ``X``."""
        check_feature_names(self, X_given, reset=True)
        if X.ndim == 2:
            self.n_features_in_ = X.shape[1]

    def _set_targets(self, learned):
        """Record what ``fit`` learns from its targets (``classes_``, or the shape of
        regression targets), as returned by ``_encode_targets(..., learn=True)``."""
        for attribute in ("classes_", "_y_is_1d", "_target_columns"):
            self.__dict__.pop(attribute, None)
        self.__dict__.update(learned)

    # ------------------------------------------------------------------ parameters
    def initialize(self, X=None, y=None):
        """Create fresh parameters from ``seed`` (``fit`` does this too); returns self.

        Useful to inspect or differentiate the untrained network (chapter 2) or to copy
        its initial weights into a Keras twin (chapter 4). Layers whose sizes were left
        out need the data to infer them: ``initialize(X, y)`` (``X`` for the inputs, ``y``
        for the units of the last layer); the same seed then gives the same parameters
        as ``fit(X, y)`` starts from.
        """
        self._set_loss_and_shapes()
        sample_shape = None
        if X is not None:
            X_given, X = X, self._check_X(X, reset=True)
            self._set_input(X_given, X)
            sample_shape = X.shape[1:]
            if y is not None:
                self._set_targets(self._encode_targets(y, X.shape[0], learn=True)[1])
        elif y is not None:
            raise TypeError("initialize(X, y): y needs X too")
        return self._build_layers(sample_shape)

    def _build_layers(self, sample_shape):
        """``layers_``: a copy of every entry of ``layers`` (each its own layer), with the
        sizes left out inferred from ``sample_shape`` (one sample of X, or None) and, for
        the last layer, from the targets seen by ``_encode_targets``; then built from
        ``seed``. Returns self."""
        n_outputs = self._output_shape[-1]
        if n_outputs is None and self._loss.is_classification:
            classes = getattr(self, "classes_", None)
            n_outputs = self._loss.n_outputs(None if classes is None else len(classes))
        elif n_outputs is None:
            n_outputs = getattr(self, "_target_columns", None)
        layers = [copy.deepcopy(layer) for layer in self.layers]
        shape = sample_shape if sample_shape is not None else layers[0].input_shape
        if shape is None:
            shape = (None,)
        for i, layer in enumerate(layers):
            last = i == len(layers) - 1
            try:
                layer.infer_sizes(tuple(shape), n_outputs if last else None)
            except ValueError as error:
                hint = "" if sample_shape is not None else \
                    " (sizes left out are inferred from the data: call fit(X, y) or " \
                    "initialize(X, y))"
                raise ValueError(f"layers[{i}]: {error}{hint}") from None
            shape = layer.output_shape(tuple(shape))
        self._output_shape = chain_shapes(
            layers, sample_shape if sample_shape is not None else
            ((None,) if layers[0].input_shape is None else layers[0].input_shape),
            None if sample_shape is None else "X")
        self._rng = np.random.default_rng(self.seed)
        self.layers_ = layers
        self._layers_signature = _layer_signature(self.layers)
        # The sample shape the layers were built for (image sides included), when known:
        # a Keras twin needs it to size its dense layers after a Flatten.
        self._sample_shape = None if sample_shape is None else tuple(sample_shape)
        for layer in self.layers_:
            layer.build(self._rng, self.dtype)
        self._params = [p for layer in self.layers_ for p in layer.params]
        self._grads = [g for layer in self.layers_ for g in layer.grads]
        self._regularized = [r for layer in self.layers_ for r in layer.regularized]
        return self

    def _ensure_initialized(self):
        if not hasattr(self, "layers_"):
            self.initialize()
        else:  # the hyperparameters may have changed since (set_params)
            self._check_hyperparameters()
            self._loss = get_loss(self.loss)

    def parameters(self):
        """The live parameter arrays in layer order (W, b, ...); initializes if needed."""
        self._ensure_initialized()
        return list(self._params)

    def set_parameters(self, values):
        """Copy ``values`` (same order and shapes as ``parameters()``) into the network."""
        self._ensure_initialized()
        values = list(values)
        if len(values) != len(self._params):
            raise ValueError(f"values must hold {len(self._params)} arrays, got {len(values)}")
        start = 0
        for layer in self.layers_:
            stop = start + len(layer.params)
            layer.set_parameters(values[start:stop])
            start = stop
        return self

    # ------------------------------------------------------------------ passes
    def _forward(self, X, training=False):
        return forward(self.layers_, X, training)

    def _output_values(self):
        """What the loss reads from the last forward pass: the logits z for a canonical
        pair (evaluated stably from z), the activations a otherwise."""
        output = self.layers_[-1]
        return output.z if self._loss.uses_logits() else output.a

    def _batch_cost(self, Y):
        """Mean loss of the last forward pass (without regularisation)."""
        return self._loss.mean(self._output_values(), Y)

    def _penalty(self):
        return penalty(self._params, self._regularized, self.l1, self.l2)

    def _backward(self, Y):
        """Fill every layer's ``grads`` with dC/dparams for the last forward pass: the
        backward pass of chapter 2, then the penalty's gradient (chapter 4)."""
        backward(self.layers_, self._loss, Y)
        if self.l1 or self.l2:
            add_penalty_gradient(self._params, self._grads, self._regularized, self.l1,
                                 self.l2)

    def cost(self, X, y, training=False):
        """The scalar cost at the current parameters: mean loss over the samples of (X, y)
        plus the L1/L2 penalties. ``training=True`` runs layers in training mode (dropout,
        batch statistics). Chapter 2."""
        self._ensure_initialized()
        X = self._check_X(X)
        Y, _ = self._encode_targets(y, X.shape[0])
        self._forward(X, training)
        return self._batch_cost(Y) + self._penalty()

    def gradients(self, X, y, training=False):
        """Gradient of ``cost(X, y)`` with respect to ``parameters()``, by backpropagation:
        a list of new arrays with the same shapes and order. Chapter 2."""
        self._ensure_initialized()
        X = self._check_X(X)
        Y, _ = self._encode_targets(y, X.shape[0])
        self._forward(X, training)
        self._backward(Y)
        return [g.copy() for g in self._grads]

    # ------------------------------------------------------------------ training
    def fit(self, X, y, validation_data=None):
        """Train on (X, y) for ``epochs`` passes of mini-batch updates; returns self.

        ``validation_data=(X_val, y_val)`` adds ``val_loss`` and ``val_score`` to
        ``history_`` after every epoch. With ``patience`` set, training stops once the
        validation cost has not improved for ``patience`` epochs and the parameters of the
        best epoch are restored (early stopping, chapter 4); without ``validation_data`` a
        seeded ``validation_fraction`` of (X, y) is held out for it.

        Raises ``TrainingDivergedError`` (with the advice to lower the learning rate) when
        training diverges: when an epoch's cost is NaN or infinite, or when it is more
        than ``DIVERGENCE_FACTOR`` = 1000 times the starting cost (the cost of the first
        mini-batch at the parameters ``fit`` starts from, at least ``DIVERGENCE_FLOOR`` =
        1e-6) *and* higher than the epoch before (than the starting cost, in the first
        epoch): a cost that has grown a thousandfold and is still growing. Gradient
        descent that works lowers the cost from where it started, and a noisy epoch does
        not multiply it by a thousand, so working training is never stopped.

        With ``warm_start=True`` and a fitted network, training continues from the
        current parameters and optimizer state; the layers must be those of the last
        ``fit`` (a ValueError says so otherwise).
        """
        continuing = self.warm_start and hasattr(self, "layers_")
        if continuing:
            self._check_hyperparameters()
            self._loss = get_loss(self.loss)
            if _layer_signature(self.layers) != self._layers_signature:
                raise ValueError(
                    "layers changed since the last fit, and warm_start=True cannot continue "
                    "training with different layers: set warm_start=False to train the new "
                    "layers from scratch (or set the old layers back)"
                )
            X = self._check_X(X)
            y, learned = self._encode_targets(y, X.shape[0], learn=True)
            self._set_targets(learned)
        else:
            for attribute in ("classes_", "_y_is_1d", "_target_columns"):
                self.__dict__.pop(attribute, None)
            self._set_loss_and_shapes()
            X_given, X = X, self._check_X(X, reset=True)
            self._set_input(X_given, X)
            y, learned = self._encode_targets(y, X.shape[0], learn=True)
            self._set_targets(learned)
            self._build_layers(X.shape[1:])
        validation = self._validation_set(X, y, validation_data)
        if validation is not None and validation_data is None:
            X, y = validation.pop("train")
        if continuing and hasattr(self, "optimizer_"):
            # Keep the optimizer's state (moments, step count) but honour a learning rate
            # changed with set_params, as scikit-learn's warm start does.
            if isinstance(self.optimizer, str):
                self.optimizer_.learning_rate = float(self.learning_rate)
        else:
            self.optimizer_ = get_optimizer(self.optimizer, self.learning_rate)
        self.history_ = {"loss": []}
        if validation is not None:
            self.history_.update(val_loss=[], val_score=[])
        self.best_epoch_ = None
        # The matrix products of the book's networks are small: BLAS threads cost more to
        # wake than they save, and where cores are shared (Binder, CI) an oversubscribed
        # OpenBLAS was measured 10-1000x slower. Training therefore runs BLAS on one thread.
        with threadpool_limits(limits=1, user_api="blas"):
            self._train_epochs(X, y, validation)
        return self

    def _train_epochs(self, X, y, validation):
        """The epoch loop of ``fit``: history, validation, early stopping, divergence."""
        best_cost, best_params, waited = np.inf, None, 0
        start_cost = previous_cost = None
        for epoch in range(self.epochs):
            epoch_cost, first_batch_cost = self._train_epoch(X, y)
            if start_cost is None:
                start_cost = previous_cost = first_batch_cost
            advice = (f"Try a smaller learning rate (now {self.optimizer_.learning_rate:g}), "
                      f"standardized inputs, or gradient clipping (clip_norm).")
            if not np.isfinite(epoch_cost):
                raise TrainingDivergedError(
                    f"training diverged in epoch {epoch + 1}: the cost became {epoch_cost}. "
                    + advice
                )
            limit = DIVERGENCE_FACTOR * max(start_cost, DIVERGENCE_FLOOR)
            if epoch_cost > limit and epoch_cost > previous_cost:
                raise TrainingDivergedError(
                    f"training diverged in epoch {epoch + 1}: the cost grew from "
                    f"{start_cost:.3g} at the start to {epoch_cost:.3g}, more than "
                    f"{DIVERGENCE_FACTOR:g} times as much, and is still growing. " + advice
                )
            previous_cost = epoch_cost
            self.history_["loss"].append(epoch_cost)
            line = f"epoch {epoch + 1:4d}  loss {epoch_cost:.6f}"
            if validation is not None:
                self._forward(validation["X"])
                val_cost = self._batch_cost(validation["y"]) + self._penalty()
                self.history_["val_loss"].append(val_cost)
                self.history_["val_score"].append(
                    self._score_output(self.layers_[-1].a, validation["y_raw"], validation["y"])
                )
                line += f"  val_loss {val_cost:.6f}  val_score {self.history_['val_score'][-1]:.4f}"
                if self.patience is not None:
                    if val_cost < best_cost:
                        best_cost, waited, self.best_epoch_ = val_cost, 0, epoch + 1
                        best_params = [p.copy() for p in self._params]
                        best_buffers = [s.copy() for s in self._buffers()]
                    else:
                        waited += 1
            if self.verbose:
                print(line)
            if self.patience is not None and waited >= self.patience:
                break
        if best_params is not None:
            self.set_parameters(best_params)
            for live, saved in zip(self._buffers(), best_buffers):
                live[...] = saved

    def _buffers(self):
        """The layers' non-trained arrays (e.g. batch-norm running statistics)."""
        return [s for layer in self.layers_ for s in layer.buffers]

    def _validation_set(self, X, y, validation_data):
        """The validation data as a dict, or None; holds out part of (X, y) if needed."""
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("validation_data must be a pair (X_val, y_val)")
            X_val = self._check_X(validation_data[0], "validation_data[0]")
            y_raw = validation_data[1]
            y_val, _ = self._encode_targets(y_raw, X_val.shape[0], "validation_data[1]")
            return {"X": X_val, "y": y_val, "y_raw": y_raw}
        if self.patience is None:
            return None
        fraction = self.validation_fraction
        if not (isinstance(fraction, numbers.Real) and 0 < fraction < 1):
            raise ValueError(f"validation_fraction must be in (0, 1), got {fraction!r}")
        n = X.shape[0]
        n_val = max(1, int(round(fraction * n)))
        if n_val >= n:
            raise ValueError(f"validation_fraction={fraction} leaves no training samples")
        order = self._rng.permutation(n)
        val, train = order[:n_val], order[n_val:]
        y_raw = self._output_to_prediction(y[val]) if self._loss.is_classification else y[val]
        return {"X": X[val], "y": y[val], "y_raw": y_raw, "train": (X[train], y[train])}

    def _train_epoch(self, X, y):
        """One pass of mini-batch updates over (X, y) in a fresh random order; returns the
        epoch's cost: the mean over mini-batches (weighted by their sizes) of each one's cost
        at the parameters it saw, the running mean that Keras reports; and the cost of the
        first mini-batch alone (at the parameters the epoch started from)."""
        n = X.shape[0]
        batch_size = min(self.batch_size, n)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        # Collecting the outputs and evaluating the loss once per epoch is much cheaper
        # than once per mini-batch.
        outputs = np.empty((n, *self._output_shape), dtype=self.dtype)
        penalized = bool(self.l1 or self.l2)
        penalty_sum = 0.0
        # Divergence is detected by the caller from the returned cost; until then, inf/nan
        # arithmetic must not flood the reader with warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, n, batch_size):
                # Step 1 of the algorithm of chapter 2: a mini-batch (X, Y).
                batch = order[start:start + batch_size]
                Y_batch = y[batch]
                # Step 2: the forward pass.
                self._forward(X[batch], training=True)
                outputs[start:start + len(batch)] = self._output_values()
                if penalized:  # each mini-batch's penalty at the parameters it saw
                    penalty_sum += self._penalty() * len(batch)
                if start == 0:
                    first_penalty = self._penalty() if penalized else 0.0
                # Steps 3 and 4: output error and backward pass, plus the penalty.
                self._backward(Y_batch)
                # Step 5: the update, W <- W - eta dC/dW for plain SGD (chapter 4 swaps in
                # other rules); step 6 is the next turn of this loop.
                self.optimizer_.step(self._params, self._grads)
            first = order[:batch_size]
            first_cost = self._loss.mean(outputs[:len(first)], y[first]) + first_penalty
            return self._loss.mean(outputs, y[order]) + penalty_sum / n, first_cost

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self):
        if not hasattr(self, "layers_"):
            raise NotFittedError(
                "This Network is not fitted yet: call fit(X, y) (or initialize()) first."
            )

    def _predict_output(self, X):
        """The output layer's activations for ``X`` (inference mode). Inputs so large that
        the arithmetic overflows give a ValueError naming X instead of NumPy's
        RuntimeWarnings and NaN predictions; overflow that ends in a finite output (a
        saturated tanh, say) is no error and stays quiet."""
        X = self._check_X(X)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            a = self._forward(X)
        if not np.all(np.isfinite(a)):
            raise ValueError(
                "X: the network's output overflowed to infinity or NaN for these inputs "
                f"(largest |X| is {np.max(np.abs(X)):.3g}); scale the inputs, e.g. with "
                "sklearn.preprocessing.StandardScaler"
            )
        return a

    @available_if(_classifies)
    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes) (classification only: a
        network with ``loss="mse"`` has no ``predict_proba`` attribute)."""
        self._check_fitted()
        return self._loss.probabilities(self._predict_output(X))

    def predict(self, X):
        """Class labels (classification) or predicted targets (regression)."""
        self._check_fitted()
        return self._output_to_prediction(self._predict_output(X))

    def _output_to_prediction(self, a):
        if self._loss.is_classification:
            return self._classes()[self._loss.predict_index(a)]
        # Regression: the shape of the targets seen in fit; before any fit, a vector for a
        # single output (as scikit-learn's regressors return).
        as_vector = getattr(self, "_y_is_1d", self._output_shape == (1,))
        return a[:, 0].copy() if as_vector else a.copy()

    def _classes(self):
        if not hasattr(self, "classes_"):
            return np.arange(self._loss.n_classes(self._output_shape[-1]))
        return self.classes_

    def score(self, X, y):
        """Accuracy for classification, coefficient of determination R^2 for regression."""
        self._check_fitted()
        a = self._predict_output(X)
        Y, _ = self._encode_targets(y, a.shape[0])
        return self._score_output(a, y, Y)

    def _score_output(self, a, y_raw, y_encoded):
        prediction = self._output_to_prediction(a)
        if self._loss.is_classification:
            if self._loss.accepts_one_hot and np.ndim(y_raw) == 2 and np.shape(y_raw)[1] > 1:
                truth = self._classes()[np.argmax(y_encoded, axis=1)]
            else:
                truth = np.asarray(y_raw).ravel()
            return float(np.mean(prediction == truth))
        return float(r2_score(y_encoded, a))
