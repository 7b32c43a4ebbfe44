"""The same network in Keras, TensorFlow and scikit-learn (chapters 4 and 5).

* ``keras_twin(net)``: a compiled Keras 3 model with the same layers, activations, loss,
  regularisation, optimizer and current weights as the nnbook ``Network`` ``net``;
  ``keras_targets`` and ``keras_fit_kwargs`` give the matching ``model.fit`` arguments.
* ``tape_gradients(net, X, y)``: the gradient of ``net.cost(X, y)`` computed by TensorFlow's
  ``GradientTape`` through the Keras twin, in the order of ``net.parameters()``, to hold
  against ``net.gradients(X, y)``.
* ``sklearn_twin(net)``: the ``MLPClassifier`` or ``MLPRegressor`` with the matching
  hyperparameters, as far as scikit-learn allows; ``sklearn_start_from`` makes its next
  ``fit`` start from ``net``'s current weights.

TensorFlow and Keras are imported only inside the functions that need them, after
``TF_CPP_MIN_LOG_LEVEL=3`` and ``TF_ENABLE_ONEDNN_OPTS=0`` are set (unless already set), so
``import nnbook`` stays fast and TensorFlow stays quiet.

What the twins share, and where they cannot
-------------------------------------------
Keras: layers, activations, losses, penalties and the SGD and momentum rules are the same,
so a float64 twin trained by SGD ends an epoch with nnbook's weights to about 1e-14.
Keras rounds some hyperparameters to float32 even in a float64 model (the L1/L2
coefficients, the momentum; TensorFlow's float64 GELU has a float32 constant), which
shows at the 1e-9 level. Keras casts the NumPy inputs of ``fit`` and ``predict`` to its
global float type, so a float64 twin also needs ``keras.config.set_floatx("float64")``.
Keras puts ``epsilon`` under the square root in Adagrad and RMSprop,
``w -= eta g / sqrt(r + eps_K)``, where nnbook has ``eta g / (sqrt(r) + eps)``; the twin
uses ``eps_K = eps^2``, and ``sqrt(r + eps^2)`` lies between ``(sqrt(r) + eps) / sqrt(2)``
and ``sqrt(r) + eps``. Keras' Adam steps by
``eta sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)``: it adds ``eps`` to the
*uncorrected* ``sqrt(v)``, which is nnbook's (textbook) rule
``eta m^ / (sqrt(v^) + eps')`` with ``eps' = eps / sqrt(1 - beta2^t)`` in place of
``eps``, about 32 eps at the first step and tending to eps as t grows
(``tests/test_frameworks.py`` checks one step against this formula). These differences
matter only while the accumulated squares are comparable with ``eps^2``. Dropout draws its
masks from Keras' own generator, so a network with dropout follows a different random path
in Keras.

scikit-learn fixes more. Its cost on a mini-batch of ``n_B`` samples is

    C_sk = c * (mean loss as nnbook computes it) + alpha / (2 n_B) * sum W^2,

with ``c = 1`` for the cross-entropies and ``c = K / 2`` for squared error with ``K``
outputs (scikit-learn halves the squared error, and with several outputs the gradient it
follows is that of the sum over the outputs, not of the mean it reports).
nnbook's cost is ``C = mean loss + l2 * sum W^2``. So ``C_sk = c * C`` exactly when

    alpha = 2 c * l2 * n_B         (alpha = 2 l2 n_B for classification),

and then the same SGD or momentum steps need ``learning_rate_init = learning_rate / c``;
Adam is invariant to the factor ``c`` if ``epsilon`` is multiplied by it. ``n_B`` is the
batch size, so the relation is exact only for mini-batches of size ``batch_size``: a
smaller last batch gets a stronger penalty in scikit-learn. Beyond that, scikit-learn has
one activation for all hidden layers (identity, logistic, tanh or relu), a fixed output
layer (softmax for several classes, one logistic unit for two, identity for regression),
no L1, dropout, batch normalisation, gradient clipping, Adagrad or RMSprop; its Adam has the
same epsilon placement as Keras'; it draws its own initial weights (Glorot uniform, biases
too) unless ``sklearn_start_from`` copies ours in; its early stopping watches the
validation *score* (accuracy or R^2) rather than the validation cost and waits one epoch
longer than ``patience`` says.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from .activations import get_activation
from .convolution import AvgPool2D, Conv2D, Flatten, MaxPool2D
from .layers import Dense
from .losses import get_loss
from .optimizers import SGD, Adagrad, Adam, Momentum, RMSprop, get_optimizer
from .regularization import BatchNorm, Dropout

__all__ = ["keras_twin", "keras_targets", "keras_fit_kwargs", "tape_gradients",
           "sklearn_twin", "sklearn_start_from", "import_tensorflow"]


def import_tensorflow():
    """Import and return ``(tensorflow, keras)`` quietly, with the Keras TensorFlow backend.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (no C++ log lines), ``TF_ENABLE_ONEDNN_OPTS=0`` (no
    oneDNN banner, and reproducible float rounding) and ``KERAS_BACKEND=tensorflow`` unless
    they are already set, then turns off Keras' progress bars. Introduced in chapter 4.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise RuntimeError("nnbook.frameworks needs Keras with the TensorFlow backend, got "
                           f"{keras.backend.backend()!r} (set KERAS_BACKEND=tensorflow)")
    # Progress bars would land in notebook outputs (and differ from run to run).
    keras.utils.disable_interactive_logging()
    return tf, keras


def _network_ready(net):
    """Check that ``net`` is an nnbook Network and create its parameters if needed."""
    from .network import Network

    if not isinstance(net, Network):
        raise TypeError(f"net must be an nnbook Network, got {type(net).__name__}")
    net.parameters()  # validates the hyperparameters and initializes when needed
    return net


# ---------------------------------------------------------------------------- Keras
def _keras_activation(activation, keras):
    """The Keras activation (a name or a function) computing the same as ``activation``."""
    activation = get_activation(activation)
    name = activation.name
    simple = {"identity": "linear", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
              "softmax": "softmax", "silu": "silu"}
    if name in simple:
        return simple[name]
    if name == "leaky_relu":
        alpha = activation.alpha

        def leaky_relu(z):  # Keras' default slope is 0.2, nnbook's 0.01
            return keras.activations.leaky_relu(z, negative_slope=alpha)
        return leaky_relu
    if name == "elu":
        alpha = activation.alpha

        def elu(z):
            return keras.activations.elu(z, alpha=alpha)
        return elu
    if name == "gelu":
        def gelu(z):  # nnbook's GELU is the exact erf form; Keras defaults to tanh's
            return keras.activations.gelu(z, approximate=False)
        return gelu
    raise ValueError(f"no Keras twin for the activation {name!r}")


def _dense_to_keras(layer, keras, dtype, regularizer, index):
    keras_layer = keras.layers.Dense(
        layer.n_outputs, activation=_keras_activation(layer.activation, keras),
        kernel_regularizer=regularizer, dtype=dtype, name=f"dense_{index}",
    )
    return keras_layer, [layer.W, layer.b]


def _dropout_to_keras(layer, keras, dtype, regularizer, index, seed=None):
    return keras.layers.Dropout(layer.rate, seed=seed, dtype=dtype,
                                name=f"dropout_{index}"), []


def _batchnorm_to_keras(layer, keras, dtype, regularizer, index):
    keras_layer = keras.layers.BatchNormalization(
        axis=-1, momentum=layer.momentum, epsilon=layer.epsilon, dtype=dtype,
        name=f"batch_norm_{index}",
    )
    return keras_layer, [layer.gamma, layer.beta, layer.moving_mean, layer.moving_variance]


def _conv2d_to_keras(layer, keras, dtype, regularizer, index):
    convolution = dict(
        strides=layer.stride, activation=_keras_activation(layer.activation, keras),
        kernel_regularizer=regularizer, dtype=dtype,
    )
    if isinstance(layer.padding, str):
        keras_layer = keras.layers.Conv2D(layer.out_channels, layer.kernel_size,
                                          padding=layer.padding, name=f"conv2d_{index}",
                                          **convolution)
    else:
        # Keras' Conv2D pads only "same" or "valid": explicit zeros come from a
        # ZeroPadding2D layer in front, the pair standing for the one nnbook layer.
        keras_layer = keras.Sequential([
            keras.layers.ZeroPadding2D(layer.padding, dtype=dtype),
            keras.layers.Conv2D(layer.out_channels, layer.kernel_size, padding="valid",
                                **convolution),
        ], name=f"conv2d_{index}")
    return keras_layer, [layer.W, layer.b]


def _pool_to_keras(layer, keras, dtype, regularizer, index):
    # With "same" padding both libraries take the maximum (the mean) over the real
    # pixels of a window only.
    kind = (keras.layers.MaxPooling2D if isinstance(layer, MaxPool2D)
            else keras.layers.AveragePooling2D)
    keras_layer = kind(layer.pool_size, layer.stride, padding=layer.padding, dtype=dtype,
                       name=f"{type(layer).__name__.lower()}_{index}")
    return keras_layer, []


def _flatten_to_keras(layer, keras, dtype, regularizer, index):
    # Both flatten (height, width, channels) in row-major order.
    return keras.layers.Flatten(dtype=dtype, name=f"flatten_{index}"), []


#: The Keras twin of every layer type of the package: ``builder(layer, keras, dtype,
#: regularizer, index)`` returns ``(keras_layer, weights)``, ``weights`` being the list that
#: ``keras_layer.set_weights`` takes (``layer.params`` first, then ``layer.buffers``) and
#: ``regularizer`` the Keras regularizer of the penalised weights (or None). A new layer
#: gets its builder here (ARCHITECTURE.md, "The layer contract").
_KERAS_BUILDERS = {Dense: _dense_to_keras, Dropout: _dropout_to_keras,
                   BatchNorm: _batchnorm_to_keras, Conv2D: _conv2d_to_keras,
                   MaxPool2D: _pool_to_keras, AvgPool2D: _pool_to_keras,
                   Flatten: _flatten_to_keras}


def _keras_loss(loss, keras, dtype):
    # Keras losses compute in float32 unless told otherwise, even for a float64 model.
    loss = get_loss(loss)
    if loss.keras_name is None:
        raise ValueError(f"no Keras twin for the loss {loss.name!r}")
    return getattr(keras.losses, loss.keras_name)(dtype=dtype)


def _keras_optimizer(optimizer, keras):
    """The Keras optimizer with the same rule and hyperparameters (see the module notes)."""
    clip = {"global_clipnorm": optimizer.clip_norm} if optimizer.clip_norm else {}
    lr = optimizer.learning_rate
    if type(optimizer) is SGD:
        return keras.optimizers.SGD(learning_rate=lr, **clip)
    if type(optimizer) is Momentum:
        return keras.optimizers.SGD(learning_rate=lr, momentum=optimizer.momentum, **clip)
    # Keras adds epsilon under the square root: sqrt(r + eps^2) lies between
    # (sqrt(r) + eps) / sqrt(2) and sqrt(r) + eps, the closest its rule comes to nnbook's.
    if type(optimizer) is Adagrad:
        return keras.optimizers.Adagrad(
            learning_rate=lr, initial_accumulator_value=optimizer.initial_accumulator,
            epsilon=optimizer.epsilon ** 2, **clip)
    if type(optimizer) is RMSprop:
        return keras.optimizers.RMSprop(learning_rate=lr, rho=optimizer.rho,
                                        epsilon=optimizer.epsilon ** 2, **clip)
    if type(optimizer) is Adam:
        return keras.optimizers.Adam(learning_rate=lr, beta_1=optimizer.beta1,
                                     beta_2=optimizer.beta2, epsilon=optimizer.epsilon, **clip)
    raise ValueError(f"no Keras twin for the optimizer {type(optimizer).__name__}")


def _keras_input_shape(net, input_shape=None):
    """The sample shape for ``keras.Input``: ``input_shape`` if given, else the shape of
    the data the network was built for (``fit`` or ``initialize(X)``), else the first
    layer's, with the sizes it leaves open (a leading Dropout or BatchNorm takes any
    width) taken from the first layer that fixes them."""
    if input_shape is not None:
        return tuple(int(size) for size in input_shape)
    if getattr(net, "_sample_shape", None) is not None:
        return net._sample_shape
    shape = net.layers_[0].input_shape
    for layer in net.layers_:
        if not isinstance(layer, (Dropout, BatchNorm)):
            known = layer.input_shape
            if known is not None and len(known) == len(shape):
                shape = tuple(s if k is None else k for s, k in zip(shape, known))
            break
    return shape


def keras_twin(net, jit_compile=False, input_shape=None):
    """A compiled Keras 3 model that is ``net``'s twin. Introduced in chapter 4, used for
    the convolutional networks of chapter 5.

    Same layers in the same order (``Dense``, ``Dropout``, ``BatchNorm``, ``Conv2D``,
    ``MaxPool2D``, ``AvgPool2D``, ``Flatten``: every layer of the package), same
    activations, same current weights (and batch
    normalisation statistics), same dtype, the same loss (means over samples, as in
    nnbook), the L1/L2 penalties of ``net`` as kernel regularizers (Keras adds
    ``l1 * sum|W| + l2 * sum W^2`` to the loss, exactly nnbook's penalty), and the same
    optimizer rule and hyperparameters, clipping included. ``net`` is initialized from
    its seed first if it has no parameters yet. The model is compiled with an accuracy
    metric for classification and ``jit_compile=False`` (XLA compilation costs more time
    than it saves on networks this small).

    ``input_shape`` is the shape of one sample; by default that of the data ``net`` was
    built for by ``fit`` or ``initialize(X)``, else the first layer's, which leaves the
    image size of a convolutional network open (then it must be given).

    Train it with ``model.fit(X, keras_targets(net, y), **keras_fit_kwargs(net))``. For a
    float64 network call ``keras.config.set_floatx("float64")`` first: Keras casts the
    NumPy inputs of ``fit`` and ``predict`` to that global type (float32 by default).
    """
    tf, keras = import_tensorflow()
    _network_ready(net)
    dtype = np.dtype(net.dtype).name
    penalty = None
    if net.l1 or net.l2:
        penalty = keras.regularizers.L1L2(l1=float(net.l1), l2=float(net.l2))
    keras_layers, weights = [], []
    for index, layer in enumerate(net.layers_):
        builder = _KERAS_BUILDERS.get(type(layer))
        if builder is None:
            raise TypeError(f"keras_twin has no Keras twin for {type(layer).__name__}; "
                            "add a builder to nnbook.frameworks._KERAS_BUILDERS")
        if builder is _dropout_to_keras and net.seed is not None:
            keras_layer, layer_weights = builder(layer, keras, dtype, penalty, index,
                                                 seed=int(net.seed) + index)
        else:
            keras_layer, layer_weights = builder(layer, keras, dtype, penalty, index)
        keras_layers.append(keras_layer)
        weights.append(layer_weights)
    shape = _keras_input_shape(net, input_shape)
    if None in shape and any(isinstance(layer, Flatten) for layer in net.layers_):
        raise ValueError(
            f"input_shape: the image size is unknown (the first layer takes {shape}), and "
            "the dense layers after Flatten need it: pass keras_twin(net, input_shape=("
            "height, width, channels)), or build net with data first (fit or initialize(X))"
        )
    inputs = keras.Input(shape=shape, dtype=dtype)
    model = keras.Sequential([inputs, *keras_layers])
    for keras_layer, layer_weights in zip(keras_layers, weights):
        if layer_weights:
            keras_layer.set_weights([np.asarray(w) for w in layer_weights])
    loss = get_loss(net.loss)
    optimizer = get_optimizer(net.optimizer, net.learning_rate)
    # Keras creates the learning-rate variable and the compiled loss in its global float
    # type (float32 by default), which would mix float32 into a float64 model and make
    # regularized float64 training fail; so that type is switched for these two steps.
    floatx = keras.config.floatx()
    keras.config.set_floatx(dtype)
    try:
        model.compile(optimizer=_keras_optimizer(optimizer, keras),
                      loss=_keras_loss(loss, keras, dtype),
                      metrics=["accuracy"] if loss.is_classification else None,
                      jit_compile=jit_compile)
    finally:
        keras.config.set_floatx(floatx)
    return model


def keras_targets(net, y):
    """``y`` encoded as Keras' loss expects it for ``net``'s twin: one-hot rows for the
    categorical cross-entropy (classes in the order of ``net.classes_``), a 0/1 column for
    the binary one, a 2-D array of targets for regression; in ``net``'s dtype.
    Introduced in chapter 4."""
    _network_ready(net)
    loss = get_loss(net.loss)
    y = np.asarray(y)
    n_outputs = net.layers_[-1].output_shape(None)[-1]
    if not loss.is_classification:
        return y.reshape(len(y), -1).astype(net.dtype)
    if loss.accepts_one_hot and y.ndim == 2 and y.shape[1] == n_outputs > 1:
        return y.astype(net.dtype)  # already one-hot
    y = y.ravel()
    classes = getattr(net, "classes_", np.arange(loss.n_classes(n_outputs)))
    index = np.searchsorted(classes, y)
    if np.any(index >= len(classes)) or np.any(classes[np.minimum(index, len(classes) - 1)] != y):
        raise ValueError(f"y has labels outside the network's classes {list(classes)}")
    return loss.encode(index, n_outputs, net.dtype)


def keras_fit_kwargs(net):
    """The ``model.fit`` keyword arguments that match ``net``'s training loop: batch size,
    epochs, shuffling and ``verbose=0``; with ``patience``, an ``EarlyStopping`` callback on
    the validation loss that restores the best weights, and ``validation_split`` (Keras
    holds out the *last* samples, nnbook a random subset). Introduced in chapter 4."""
    kwargs = {"batch_size": int(net.batch_size), "epochs": int(net.epochs),
              "shuffle": bool(net.shuffle), "verbose": 0}
    if net.patience is not None:
        _, keras = import_tensorflow()
        kwargs["callbacks"] = [keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=int(net.patience), restore_best_weights=True)]
        kwargs["validation_split"] = float(net.validation_fraction)
    return kwargs


def tape_gradients(net, X, y, training=False, return_cost=False):
    """Gradient of ``net.cost(X, y, training)`` by TensorFlow's ``GradientTape``, computed
    through ``keras_twin(net)``: a list of NumPy arrays in the order and shapes of
    ``net.parameters()``, to compare with ``net.gradients(X, y, training)``. With
    ``return_cost=True`` returns ``(cost, gradients)``. Introduced in chapter 4.

    In training mode a ``Dropout`` layer with ``rate > 0`` must have a fixed mask
    (``net.layers_[i].fix_mask(keep)``), which the tape then uses too: the two frameworks
    draw different random masks, and a gradient comparison needs the same one.
    """
    tf, keras = import_tensorflow()
    _network_ready(net)
    model = keras_twin(net, input_shape=np.shape(X)[1:])
    dtype = np.dtype(net.dtype).name
    a = tf.constant(np.asarray(X, dtype=dtype))
    targets = tf.constant(keras_targets(net, y))
    loss = _keras_loss(net.loss, keras, dtype)
    with tf.GradientTape() as tape:
        for layer, keras_layer in zip(net.layers_, model.layers):
            if isinstance(layer, Dropout) and training and layer.rate > 0:
                if layer.fixed_mask is None:
                    raise ValueError(
                        "tape_gradients in training mode needs a fixed mask in every Dropout "
                        "layer: call net.layers_[i].fix_mask(keep) first")
                scaled = layer.fixed_mask / (1.0 - layer.rate)
                a = a * tf.constant(scaled.astype(dtype))
            else:
                a = keras_layer(a, training=training)
        cost = loss(targets, a)
        if model.losses:
            cost = cost + tf.add_n(model.losses)
    gradients = tape.gradient(cost, model.trainable_weights)
    gradients = [np.asarray(g) for g in gradients]
    return (float(cost), gradients) if return_cost else gradients


# ---------------------------------------------------------------------------- scikit-learn
_SKLEARN_ACTIVATIONS = {"identity": "identity", "sigmoid": "logistic", "tanh": "tanh",
                        "relu": "relu"}


def _sklearn_cost_factor(net):
    """c in C_sk = c C (module notes): 1 for cross-entropies, K/2 for squared error."""
    loss = get_loss(net.loss)
    if loss.is_classification:
        return 1.0
    n_outputs = net.layers[-1].n_outputs
    if n_outputs is None:  # inferred at fit: the trained network knows it
        n_outputs = net.parameters()[-1].shape[-1]
    return n_outputs / 2.0


def sklearn_twin(net):
    """The ``MLPClassifier`` (cross-entropies) or ``MLPRegressor`` (``"mse"``) whose
    training matches ``net``'s as far as scikit-learn allows. Introduced in chapter 4.

    Hidden layer sizes and activation, solver (``"sgd"`` for nnbook's SGD and momentum,
    without Nesterov; ``"adam"``), batch size, epochs (``max_iter``, with
    ``n_iter_no_change=epochs`` so that training is never cut short), shuffling and seed
    are copied. The L2 penalty and the learning rate are converted so that the cost
    scikit-learn minimises on a full mini-batch is a constant multiple ``c`` of nnbook's
    (see the module notes):

        alpha = 2 c l2 batch_size,   learning_rate_init = learning_rate / c (SGD, momentum),

    ``c = 1`` for classification and ``K / 2`` for regression with ``K`` outputs; for Adam
    ``learning_rate_init = learning_rate`` and ``epsilon = c * epsilon``. With
    ``patience``, scikit-learn's early stopping on the validation score is switched on.

    Raises ValueError, naming the setting, for what scikit-learn cannot do: layers other
    than ``Dense``, hidden layers with different or unsupported activations, an output
    activation other than scikit-learn's, L1, gradient clipping, Adagrad and RMSprop.
    """
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    from .network import Network

    if not isinstance(net, Network):
        raise TypeError(f"net must be an nnbook Network, got {type(net).__name__}")
    net._check_hyperparameters()
    layers = list(net.layers)
    for i, layer in enumerate(layers):
        if type(layer) is not Dense:
            raise ValueError(f"layers[{i}]: scikit-learn's MLP has only dense layers, got "
                             f"{type(layer).__name__}")
    hidden = layers[:-1]
    names = {layer.activation.name for layer in hidden}
    if len(names) > 1:
        raise ValueError(f"layers: scikit-learn uses one activation for all hidden layers, "
                         f"got {sorted(names)}")
    name = names.pop() if names else "identity"
    if name not in _SKLEARN_ACTIVATIONS:
        raise ValueError(f"layers: scikit-learn has no {name!r} activation; it offers "
                         f"{sorted(_SKLEARN_ACTIVATIONS)}")
    loss = get_loss(net.loss)
    output = layers[-1].activation.name
    expected = loss.sklearn_output
    if output != expected:
        raise ValueError(f"layers: with loss={loss.name!r} scikit-learn's output layer is "
                         f"{expected}, got {output!r}")
    if net.l1:
        raise ValueError("l1: scikit-learn's MLP has only an L2 penalty")
    optimizer = get_optimizer(net.optimizer, net.learning_rate)
    if optimizer.clip_norm is not None:
        raise ValueError("optimizer: scikit-learn's MLP has no gradient clipping (clip_norm)")
    c = _sklearn_cost_factor(net)
    batch_size = int(net.batch_size)
    settings = dict(
        hidden_layer_sizes=tuple(layer.n_outputs for layer in hidden),
        activation=_SKLEARN_ACTIVATIONS[name],
        alpha=2.0 * c * float(net.l2) * batch_size,
        batch_size=batch_size, learning_rate="constant", max_iter=int(net.epochs),
        shuffle=bool(net.shuffle), random_state=net.seed, tol=0.0,
        n_iter_no_change=int(net.epochs), warm_start=bool(net.warm_start),
        verbose=bool(net.verbose),
    )
    if type(optimizer) in (SGD, Momentum):
        settings.update(solver="sgd", learning_rate_init=optimizer.learning_rate / c,
                        momentum=getattr(optimizer, "momentum", 0.0),
                        nesterovs_momentum=False)
    elif type(optimizer) is Adam:
        settings.update(solver="adam", learning_rate_init=optimizer.learning_rate,
                        beta_1=optimizer.beta1, beta_2=optimizer.beta2,
                        epsilon=c * optimizer.epsilon)
    else:
        raise ValueError(f"optimizer: scikit-learn's MLP offers SGD (with momentum) and Adam, "
                         f"got {type(optimizer).__name__}")
    if net.patience is not None:
        settings.update(early_stopping=True, validation_fraction=net.validation_fraction,
                        n_iter_no_change=max(1, int(net.patience) - 1))
    estimator = MLPClassifier if loss.is_classification else MLPRegressor
    return estimator(**settings)


def sklearn_start_from(estimator, net, X, y):
    """Make the next ``estimator.fit(X, y)`` start from ``net``'s current weights; returns
    ``estimator``. Introduced in chapter 4.

    scikit-learn has no argument for initial weights, but with ``warm_start=True`` a fit
    continues from the public ``coefs_`` and ``intercepts_``. So the estimator is fitted
    for one epoch to set up its classes and layer structure (its ConvergenceWarning is
    silenced), then ``net``'s weights and biases replace the ones it learned and its loss
    curve is cleared. The estimator must have the same layer sizes (``sklearn_twin(net)``
    does), and for two classes ``net`` must end in one sigmoid unit, as scikit-learn does.
    """
    from sklearn.exceptions import ConvergenceWarning

    _network_ready(net)
    max_iter = estimator.max_iter
    estimator.set_params(warm_start=False, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    estimator.set_params(warm_start=True, max_iter=max_iter)
    dense = [layer for layer in net.layers_ if isinstance(layer, Dense)]
    if len(dense) != len(estimator.coefs_):
        raise ValueError(f"net has {len(dense)} dense layers, the estimator "
                         f"{len(estimator.coefs_)}")
    for i, layer in enumerate(dense):
        if layer.W.shape != estimator.coefs_[i].shape:
            raise ValueError(f"layer {i}: net's weights have shape {layer.W.shape}, the "
                             f"estimator's {estimator.coefs_[i].shape}")
        estimator.coefs_[i] = layer.W.astype(estimator.coefs_[i].dtype, copy=True)
        estimator.intercepts_[i] = layer.b.astype(estimator.intercepts_[i].dtype, copy=True)
    estimator.loss_curve_ = []
    estimator.best_loss_ = np.inf
    if estimator.early_stopping:
        estimator.validation_scores_ = []
        estimator.best_validation_score_ = -np.inf
    return estimator
