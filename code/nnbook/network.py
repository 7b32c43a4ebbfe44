"""The ``Network`` estimator: layers + loss + optimizer + training loop (chapters 1-5).

``Network`` follows scikit-learn's conventions (hyperparameters in ``__init__``, data in
``fit``, learned state ending in ``_``), so ``clone``, ``GridSearchCV``, ``cross_val_score``
and ``Pipeline`` work on it as on ``MLPClassifier``. See DESIGN.md for the interface.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score
from sklearn.utils import ClassifierTags, RegressorTags
from threadpoolctl import threadpool_limits

from .layers import Layer, check_positive_int
from .losses import get_loss
from .optimizers import Optimizer, get_optimizer

__all__ = ["Network", "TrainingDivergedError"]


class TrainingDivergedError(FloatingPointError):
    """Raised by ``Network.fit`` when the cost becomes NaN or infinite. Chapter 1."""


def _check_non_negative(value, argument):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{argument} must be a non-negative number, got {value!r}")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{argument} must be a non-negative number, got {value!r}")
    return float(value)


def _as_numeric_array(values, argument, dtype):
    """``values`` as a finite floating array of ``dtype``, or a TypeError/ValueError."""
    try:
        array = np.asarray(values)
    except Exception as error:  # ragged nested lists and the like
        raise ValueError(f"{argument} could not be converted to an array: {error}") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ) or np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{argument} must contain real numbers, got dtype {array.dtype}")
    array = array.astype(dtype, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{argument} contains NaN or infinite values")
    return array


class Network(BaseEstimator):
    """A feed-forward neural network trained by mini-batch gradient descent. Chapter 1.

    Parameters
    ----------
    layers : list of Layer
        The layers in order, e.g. ``[Dense(64, 100, "sigmoid"), Dense(100, 10, "softmax")]``.
        They are templates: ``fit`` works on deep copies, so the list itself never changes.
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
    layers_ : the trained layers; ``parameters()`` lists their arrays.
    classes_ : the class labels (classification only).
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
        else:
            tags.estimator_type, tags.regressor_tags = "regressor", RegressorTags()
        return tags

    # ------------------------------------------------------------------ validation
    def _check_hyperparameters(self):
        if not isinstance(self.layers, (list, tuple)) or len(self.layers) == 0:
            raise TypeError(f"layers must be a non-empty list of Layer objects, got {self.layers!r}")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a Layer, got {type(layer).__name__}")
        self._output_shape = self._chain_shapes(self.layers[0].input_shape)
        output = self.layers[-1]
        if output.activation is None:
            raise ValueError("layers: the last layer must have an activation (e.g. Dense)")
        self._loss = get_loss(self.loss)
        canonical = self._loss.canonical_activation
        if canonical is not None and output.activation.name != canonical:
            raise ValueError(
                f"loss={self._loss.name!r} needs a {canonical} output layer, "
                f"got activation {output.activation.name!r}"
            )
        if self._loss.name == "binary_cross_entropy" and self._output_shape != (1,):
            raise ValueError(
                f"loss='binary_cross_entropy' needs one output unit, got {self._output_shape}"
            )
        if isinstance(self.optimizer, str):
            get_optimizer(self.optimizer, 1.0)  # an unknown name raises, naming `optimizer`
            self._check_learning_rate()
        elif not isinstance(self.optimizer, Optimizer):
            get_optimizer(self.optimizer, 1.0)  # raises the TypeError naming `optimizer`
        check_positive_int(self.batch_size, "batch_size")
        check_positive_int(self.epochs, "epochs")
        _check_non_negative(self.l1, "l1")
        _check_non_negative(self.l2, "l2")
        if self.patience is not None:
            check_positive_int(self.patience, "patience")
        if self.dtype not in ("float64", "float32", np.float64, np.float32):
            raise ValueError(f"dtype must be 'float64' or 'float32', got {self.dtype!r}")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral)
        ):
            raise TypeError(f"seed must be an integer or None, got {self.seed!r}")

    def _chain_shapes(self, shape, data_argument=None):
        """The output shape of one sample of ``shape`` after all layers, or a ValueError
        naming the first layer that cannot take what the one before it gives. With sizes
        unknown (None, e.g. image sides before a convolution), only what is known is
        checked; ``_check_X`` repeats the check with the data's own sample shape."""
        source = "" if data_argument is None else f" for {data_argument} of sample shape " \
                                                  f"{tuple(shape)}"
        for i, layer in enumerate(self.layers):
            expected = layer.input_shape
            if len(expected) != len(shape) or any(
                e is not None and s is not None and e != s for e, s in zip(expected, shape)
            ):
                giver = f"layers[{i - 1}] gives" if i else "it gets"
                raise ValueError(
                    f"layers[{i}] expects inputs of shape {expected} but {giver} {shape}{source}"
                )
            try:
                shape = layer.output_shape(shape)
            except ValueError as error:
                raise ValueError(f"layers[{i}] cannot take inputs of shape {shape}{source}: "
                                 f"{error}") from None
        return shape

    def _check_learning_rate(self):
        lr = self.learning_rate
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
            raise TypeError(f"learning_rate must be a positive number, got {lr!r}")
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"learning_rate must be a positive number, got {lr!r}")

    def _check_X(self, X, argument="X"):
        X = _as_numeric_array(X, argument, self.dtype)
        expected = self.layers[0].input_shape
        if X.ndim != len(expected) + 1:
            raise ValueError(
                f"{argument} must have {len(expected) + 1} dimensions (samples, "
                f"{', '.join(str(e) for e in expected)}), got shape {X.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError(f"{argument} has no samples")
        for got, want in zip(X.shape[1:], expected):
            if want is not None and got != want:
                raise ValueError(
                    f"{argument} has samples of shape {X.shape[1:]}, but the first layer "
                    f"expects {tuple(expected)}"
                )
        if any(size is None for size in expected):
            # Sizes the layers left open (image sides) are known now: check the whole chain.
            self._chain_shapes(X.shape[1:], argument)
        return X

    def _encode_targets(self, y, n_samples, fitting, argument="y"):
        """Targets as the array the loss compares with the output layer."""
        try:
            y = np.asarray(y)
        except Exception as error:
            raise ValueError(f"{argument} could not be converted to an array: {error}") from None
        if y.shape[0:1] != (n_samples,):
            raise ValueError(
                f"X and {argument} have different numbers of samples: {n_samples} and "
                f"{y.shape[0] if y.ndim else 'a scalar'}"
            )
        n_outputs = self._output_shape[-1]
        if not self._loss.is_classification:
            y = _as_numeric_array(y, argument, self.dtype)
            if fitting:
                self._y_is_1d = y.ndim == 1
            y2 = y.reshape(n_samples, -1) if y.ndim == 1 else y
            if y2.ndim != 2 or y2.shape[1] != n_outputs:
                raise ValueError(
                    f"{argument} must have {n_outputs} target column(s) to match the last "
                    f"layer, got shape {y.shape}"
                )
            return y2
        if y.ndim == 2 and y.shape[1] == n_outputs and n_outputs > 1:
            # One-hot (or soft) labels for the categorical cross-entropy.
            y = _as_numeric_array(y, argument, self.dtype)
            if np.any(y < 0) or np.any(y > 1) or not np.allclose(y.sum(axis=1), 1.0):
                raise ValueError(f"{argument}: one-hot rows must be in [0, 1] and sum to 1")
            if fitting:
                self.classes_ = np.arange(n_outputs)
            return y
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(
                f"{argument} must be a vector of labels or a one-hot array with {n_outputs} "
                f"columns, got shape {y.shape}"
            )
        if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            raise ValueError(f"{argument} contains NaN or infinite values")
        n_classes = 2 if self._loss.name == "binary_cross_entropy" else n_outputs
        if fitting:
            try:
                labels = np.unique(y)
            except TypeError:  # e.g. None among strings: labels that cannot be ordered
                raise ValueError(
                    f"{argument} must hold labels of one kind (all numbers or all strings) "
                    f"with no missing values"
                ) from None
            if y.dtype.kind in "iub" and np.all((labels >= 0) & (labels < n_classes)):
                # Integer labels index the output units directly, even if a class is absent.
                self.classes_ = np.arange(n_classes)
            elif len(labels) == n_classes:
                self.classes_ = labels
            else:
                raise ValueError(
                    f"{argument} has {len(labels)} distinct labels but the network has outputs "
                    f"for {n_classes} classes; use as many output units as classes, or "
                    f"integer labels 0..{n_classes - 1}"
                )
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, len(self.classes_) - 1)
        unknown = self.classes_[index] != y
        if np.any(unknown):
            raise ValueError(
                f"{argument} has labels outside the network's classes {list(self.classes_)}: "
                f"{sorted(set(np.asarray(y)[unknown].tolist()))[:5]}"
            )
        if self._loss.name == "binary_cross_entropy":
            return index.astype(self.dtype).reshape(-1, 1)
        one_hot = np.zeros((n_samples, n_outputs), dtype=self.dtype)
        one_hot[np.arange(n_samples), index] = 1.0
        return one_hot

    # ------------------------------------------------------------------ parameters
    def initialize(self):
        """Create fresh parameters from ``seed`` (``fit`` does this too); returns self.

        Useful to inspect or differentiate the untrained network (chapter 2) or to copy
        its initial weights into a Keras twin (chapter 4).
        """
        self._check_hyperparameters()
        self._rng = np.random.default_rng(self.seed)
        self.layers_ = copy.deepcopy(list(self.layers))
        for layer in self.layers_:
            layer.build(self._rng, self.dtype)
        self._params = [p for layer in self.layers_ for p in layer.params]
        self._grads = [g for layer in self.layers_ for g in layer.grads]
        self._regularized = [r for layer in self.layers_ for r in layer.regularized]
        return self

    def _ensure_initialized(self):
        if not hasattr(self, "layers_"):
            self.initialize()
        else:
            self._check_hyperparameters()

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
        a = X
        for layer in self.layers_:
            a = layer.forward(a, training)
        return a

    def _output_values(self):
        """What the loss reads from the last forward pass: the logits z for a canonical
        pair (evaluated stably from z), the activations a otherwise."""
        output = self.layers_[-1]
        return output.z if self._loss.canonical_activation is not None else output.a

    def _mean_loss(self, values, y):
        if self._loss.canonical_activation is not None:
            return self._loss.value_from_logits(values, y)
        return self._loss.value(values, y)

    def _batch_cost(self, y):
        """Mean loss of the last forward pass (without regularisation)."""
        return self._mean_loss(self._output_values(), y)

    def _penalty(self):
        penalty = 0.0
        if self.l2:
            penalty += self.l2 * sum(float(np.sum(p * p)) for p, r in
                                     zip(self._params, self._regularized) if r)
        if self.l1:
            penalty += self.l1 * sum(float(np.sum(np.abs(p))) for p, r in
                                     zip(self._params, self._regularized) if r)
        return penalty

    def _backward(self, y):
        """Fill every layer's ``grads`` with dC/dparams for the last forward pass."""
        output = self.layers_[-1]
        if self._loss.canonical_activation is not None:
            delta = self._loss.delta(output.z, output.a, y)
        else:
            delta = output.activation.backward(
                output.z, output.a, self._loss.gradient(output.a, y)
            )
        grad = output.backward_delta(delta, need_input_grad=len(self.layers_) > 1)
        for i in range(len(self.layers_) - 2, -1, -1):
            grad = self.layers_[i].backward(grad, need_input_grad=i > 0)
        if self.l1 or self.l2:
            for p, g, r in zip(self._params, self._grads, self._regularized):
                if r:
                    if self.l2:
                        g += 2.0 * self.l2 * p
                    if self.l1:
                        g += self.l1 * np.sign(p)

    def cost(self, X, y, training=False):
        """The scalar cost at the current parameters: mean loss over the samples of (X, y)
        plus the L1/L2 penalties. ``training=True`` runs layers in training mode (dropout,
        batch statistics). Chapter 2."""
        self._ensure_initialized()
        X = self._check_X(X)
        y = self._encode_targets(y, X.shape[0], fitting=not hasattr(self, "classes_"))
        self._forward(X, training)
        return self._batch_cost(y) + self._penalty()

    def gradients(self, X, y, training=False):
        """Gradient of ``cost(X, y)`` with respect to ``parameters()``, by backpropagation:
        a list of new arrays with the same shapes and order. Chapter 2."""
        self._ensure_initialized()
        X = self._check_X(X)
        y = self._encode_targets(y, X.shape[0], fitting=not hasattr(self, "classes_"))
        self._forward(X, training)
        self._backward(y)
        return [g.copy() for g in self._grads]

    # ------------------------------------------------------------------ training
    def fit(self, X, y, validation_data=None):
        """Train on (X, y) for ``epochs`` passes of mini-batch updates; returns self.

        ``validation_data=(X_val, y_val)`` adds ``val_loss`` and ``val_score`` to
        ``history_`` after every epoch. With ``patience`` set, training stops once the
        validation cost has not improved for ``patience`` epochs and the parameters of the
        best epoch are restored (early stopping, chapter 4); without ``validation_data`` a
        seeded ``validation_fraction`` of (X, y) is held out for it. Raises
        ``TrainingDivergedError`` if the cost becomes NaN or infinite.
        """
        continuing = self.warm_start and hasattr(self, "layers_")
        if continuing:
            self._check_hyperparameters()
        else:
            for attribute in ("classes_", "_y_is_1d"):
                self.__dict__.pop(attribute, None)
            self.initialize()
        X = self._check_X(X)
        y = self._encode_targets(y, X.shape[0], fitting=True)
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
        for epoch in range(self.epochs):
            epoch_cost = self._train_epoch(X, y)
            if not np.isfinite(epoch_cost):
                raise TrainingDivergedError(
                    f"training diverged in epoch {epoch + 1}: the cost became {epoch_cost}. "
                    f"Try a smaller learning rate (now {self.optimizer_.learning_rate:g}), "
                    f"standardized inputs, or gradient clipping (clip_norm)."
                )
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
                        best_state = [s.copy() for s in self._state()]
                    else:
                        waited += 1
            if self.verbose:
                print(line)
            if self.patience is not None and waited >= self.patience:
                break
        if best_params is not None:
            self.set_parameters(best_params)
            for live, saved in zip(self._state(), best_state):
                live[...] = saved

    def _state(self):
        """The layers' non-trained arrays (e.g. batch-norm running statistics)."""
        return [s for layer in self.layers_ for s in layer.state]

    def _validation_set(self, X, y, validation_data):
        """The validation data as a dict, or None; holds out part of (X, y) if needed."""
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("validation_data must be a pair (X_val, y_val)")
            X_val = self._check_X(validation_data[0], "validation_data[0]")
            y_raw = validation_data[1]
            y_val = self._encode_targets(y_raw, X_val.shape[0], False, "validation_data[1]")
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
        at the parameters it saw, the running mean that Keras reports."""
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
                batch = order[start:start + batch_size]
                y_batch = y[batch]
                self._forward(X[batch], training=True)
                outputs[start:start + len(batch)] = self._output_values()
                if penalized:  # each mini-batch's penalty at the parameters it saw
                    penalty_sum += self._penalty() * len(batch)
                self._backward(y_batch)
                self.optimizer_.step(self._params, self._grads)
            return self._mean_loss(outputs, y[order]) + penalty_sum / n

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self):
        if not hasattr(self, "layers_"):
            raise NotFittedError(
                "This Network is not fitted yet: call fit(X, y) (or initialize()) first."
            )

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes) (classification only)."""
        self._check_fitted()
        if not self._loss.is_classification:
            raise AttributeError("predict_proba is only available for classification losses")
        a = self._forward(self._check_X(X))
        if self._loss.name == "binary_cross_entropy":
            return np.hstack([1.0 - a, a])
        return a.copy()

    def predict(self, X):
        """Class labels (classification) or predicted targets (regression)."""
        self._check_fitted()
        a = self._forward(self._check_X(X))
        return self._output_to_prediction(a)

    def _output_to_prediction(self, a):
        if self._loss.name == "binary_cross_entropy":
            return self._classes()[(a[:, 0] > 0.5).astype(int)]
        if self._loss.is_classification:
            return self._classes()[np.argmax(a, axis=1)]
        # Regression: the shape of the targets seen in fit; before any fit, a vector for a
        # single output (as scikit-learn's regressors return).
        as_vector = getattr(self, "_y_is_1d", self._output_shape == (1,))
        return a[:, 0].copy() if as_vector else a.copy()

    def _classes(self):
        if not hasattr(self, "classes_"):
            n = 2 if self._loss.name == "binary_cross_entropy" else self._output_shape[-1]
            return np.arange(n)
        return self.classes_

    def score(self, X, y):
        """Accuracy for classification, coefficient of determination R^2 for regression."""
        self._check_fitted()
        X = self._check_X(X)
        encoded = self._encode_targets(y, X.shape[0], fitting=not hasattr(self, "classes_"))
        return self._score_output(self._forward(X), y, encoded)

    def _score_output(self, a, y_raw, y_encoded):
        prediction = self._output_to_prediction(a)
        if self._loss.is_classification:
            if self._loss.name == "cross_entropy" and np.ndim(y_raw) == 2 and \
                    np.shape(y_raw)[1] > 1:
                truth = self._classes()[np.argmax(y_encoded, axis=1)]
            else:
                truth = np.asarray(y_raw).ravel()
            return float(np.mean(prediction == truth))
        return float(r2_score(y_encoded, a))
