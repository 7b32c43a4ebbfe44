"""Tests of nnbook.frameworks (chapter 4): the Keras, TensorFlow and scikit-learn twins.

The references are the frameworks themselves: the Keras twin must predict what the nnbook
network predicts, ``tf.GradientTape`` must give the gradients ``Network.gradients`` gives,
one epoch of SGD without shuffling must leave both with the same weights, and the
scikit-learn twin, started from nnbook's weights, must take the same steps (which checks
the conversion ``alpha = 2 c l2 batch_size`` derived in the module docstring).
"""

import contextlib
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from nnbook import Dense, Network, data
from nnbook import frameworks as fw
from nnbook.convolution import AvgPool2D, Conv2D, Flatten, MaxPool2D
from nnbook.gradcheck import relative_error
from nnbook.optimizers import Adagrad, Momentum, RMSprop
from nnbook.regularization import BatchNorm, Dropout

FLOAT32_TOLERANCE = 1e-5


TF_MISSING = "TensorFlow is not installed: the Keras and GradientTape twins cannot be checked"


@pytest.fixture(scope="module")
def tf_keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    pytest.importorskip("tensorflow", reason=TF_MISSING)
    pytest.importorskip("keras", reason=TF_MISSING)
    return fw.import_tensorflow()


@contextlib.contextmanager
def keras_floatx(keras, dtype):
    """Keras casts NumPy inputs of fit and predict to its global float type, so float64
    twins need that type to be float64 too (restored afterwards)."""
    floatx = keras.config.floatx()
    keras.config.set_floatx(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(floatx)


@pytest.fixture
def keras_float64(tf_keras):
    with keras_floatx(tf_keras[1], "float64"):
        yield


@pytest.fixture(scope="module")
def digits():
    X, y = data.load_digits()
    return X[:320], y[:320]


def classifier(hidden="tanh", dtype="float64", **kwargs):
    layers = [Dense(64, 16, hidden), BatchNorm(16), Dense(16, 12, "elu"), Dropout(0.25),
              Dense(12, 10, "softmax")]
    return Network(layers, dtype=dtype, seed=0, **kwargs)


def test_import_does_not_load_tensorflow():
    code = ("import sys, nnbook, nnbook.frameworks; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("hidden", ["sigmoid", "relu", "leaky_relu", "gelu", "silu"])
def test_keras_twin_predicts_what_nnbook_predicts(tf_keras, digits, hidden):
    X, _ = digits
    net = classifier(hidden, dtype="float32").initialize()
    # Non-trivial batch-normalisation statistics, to see that they are copied.
    bn = net.layers_[1]
    bn.set_buffers([np.full(16, 0.1), np.full(16, 2.0)])
    model = fw.keras_twin(net)
    assert [w.dtype for w in model.get_weights()] == ["float32"] * len(model.get_weights())
    keras_proba = model.predict(X, verbose=0)
    assert relative_error(keras_proba, net.predict_proba(X)) < FLOAT32_TOLERANCE


# Every network built in chapters 4 and 5, as (layers, loss, sample shape of the inputs).
CHAPTER_NETWORKS = {
    "4.1 regression": ([Dense(2, 50, "relu"), Dense(50, 50, "relu"), Dense(50, 1)], "mse",
                       (2,)),
    "4.2 binary": ([Dense(30, 16, "relu"), Dense(16, 1, "sigmoid")], "binary_cross_entropy",
                   (30,)),
    "4.2 digits": ([Dense(64, 100, "relu"), Dense(100, 10, "softmax")], "cross_entropy",
                   (64,)),
    "4.2 MNIST": ([Dense(784, 128, "relu"), Dense(128, 10, "softmax")], "cross_entropy",
                  (784,)),
    "4.3 sigmoid": ([Dense(64, 50, "sigmoid"), Dense(50, 10, "softmax")], "cross_entropy",
                    (64,)),
    "4.4 deep tanh": ([Dense(64, 64, "tanh") for _ in range(4)] + [Dense(64, 10, "softmax")],
                      "cross_entropy", (64,)),
    "4.5 two ReLU layers": ([Dense(64, 64, "relu"), Dense(64, 64, "relu"),
                             Dense(64, 10, "softmax")], "cross_entropy", (64,)),
    "4.6 dropout": ([Dropout(0.2), Dense(784, 256, "relu"), Dropout(0.5),
                     Dense(256, 256, "relu"), Dropout(0.5), Dense(256, 10, "softmax")],
                    "cross_entropy", (784,)),
    "4.6 batch norm": ([Dense(64, 64, "sigmoid"), BatchNorm(64, momentum=0.9),
                        Dense(64, 64, "sigmoid"), BatchNorm(64, momentum=0.9),
                        Dense(64, 10, "softmax")], "cross_entropy", (64,)),
    "4.7 comparison, inferred sizes": ([Dense(n_outputs=100, activation="relu"),
                                        Dense(activation="softmax")], "cross_entropy", (64,)),
    "5.2 digits CNN": ([Conv2D(1, 16, 3, padding="same", activation="relu"),
                        Conv2D(16, 32, 3, padding="same", activation="relu"), MaxPool2D(2),
                        Flatten(), Dense(4 * 4 * 32, 64, "relu"), Dense(64, 10, "softmax")],
                       "cross_entropy", (8, 8, 1)),
    "5.2 MNIST CNN": ([Conv2D(1, 8, 3, padding="same", activation="relu"), MaxPool2D(2),
                       Conv2D(8, 16, 3, padding="same", activation="relu"), MaxPool2D(2),
                       Flatten(), Dense(7 * 7 * 16, 64, "relu"), Dense(64, 10, "softmax")],
                      "cross_entropy", (28, 28, 1)),
    "5.4 MLP on images": ([Flatten(), Dense(784, 64, "relu"), Dense(64, 10, "softmax")],
                          "cross_entropy", (28, 28, 1)),
    "5.4 CNN without dense hidden layer": (
        [Conv2D(1, 8, 3, padding="same", activation="relu"), MaxPool2D(2),
         Conv2D(8, 16, 3, padding="same", activation="relu"), MaxPool2D(2), Flatten(),
         Dense(7 * 7 * 16, 10, "softmax")], "cross_entropy", (28, 28, 1)),
    # The other options of the layers: strides, explicit and "same" padding of pooling,
    # average pooling (chapter 5's first notebook), and sizes inferred from the data.
    "5 options": ([Conv2D(2, 4, (3, 2), stride=2, padding=1, activation="tanh"),
                   AvgPool2D(2, padding="same"), Conv2D(out_channels=3, kernel_size=2,
                                                        padding="valid", activation="elu"),
                   MaxPool2D(3, stride=1, padding="same"), BatchNorm(3, input_shape=(
                       None, None, 3)), Flatten(), Dense(n_outputs=5, activation="gelu"),
                   Dense(activation="softmax")], "cross_entropy", (11, 9, 2)),
}


@pytest.mark.parametrize("name", CHAPTER_NETWORKS)
def test_keras_twin_of_every_chapter_network_predicts_the_same(tf_keras, keras_float64, name):
    layers, loss, sample_shape = CHAPTER_NETWORKS[name]
    rng = np.random.default_rng(11)
    X = rng.uniform(0.0, 1.0, size=(40, *sample_shape))
    y = (np.arange(40) % 10) if loss == "cross_entropy" else np.arange(40) % 2
    if loss == "mse":
        y = X[:, 0] - X[:, 1]
    net = Network(layers, loss=loss, seed=5, dtype="float64").initialize(X, y)
    for layer in net.layers_:
        if isinstance(layer, BatchNorm):  # statistics that are not the identity's
            n = layer.n_features
            layer.set_buffers([rng.normal(size=n) * 0.1, rng.uniform(0.5, 2.0, size=n)])
    model = fw.keras_twin(net)
    ours = net.predict(X) if loss == "mse" else net.predict_proba(X)
    theirs = model.predict(X, verbose=0)
    if loss == "mse":
        theirs = theirs[:, 0]
    elif loss == "binary_cross_entropy":
        theirs = np.hstack([1.0 - theirs, theirs])
    assert theirs.dtype == np.float64
    assert np.max(np.abs(ours - theirs)) < 1e-8
    assert np.max(np.abs(ours)) > 1e-3  # a non-trivial output


def test_tape_gradients_of_a_cnn_match_backpropagation(tf_keras):
    # An explicit CNN initialized without data: the tape takes the image size from X.
    rng = np.random.default_rng(13)
    X, y = rng.uniform(size=(6, 8, 8, 1)), np.arange(6) % 3
    net = Network([Conv2D(1, 3, 3, padding="same", activation="relu"), MaxPool2D(2),
                   Flatten(), Dense(4 * 4 * 3, 3, "softmax")], l2=1e-3, seed=2).initialize()
    errors = [relative_error(a, b) for a, b in zip(net.gradients(X, y),
                                                   fw.tape_gradients(net, X, y))]
    assert max(errors) < 1e-8, errors
    with pytest.raises(ValueError, match="input_shape"):
        fw.keras_twin(net)  # the image size is unknown without data


def test_keras_adam_is_adam_with_a_rescaled_epsilon(tf_keras, keras_float64):
    # One Keras Adam step against the formula of the module notes: Keras' step equals the
    # textbook rule with eps / sqrt(1 - beta2^t) in place of eps. A large epsilon makes the
    # difference to the textbook step with eps itself visible.
    tf, keras = tf_keras
    rng = np.random.default_rng(12)
    w0, g = rng.normal(size=5), rng.normal(size=5) * 10.0 ** rng.integers(-4, 1, size=5)
    # Betas exact in float32, in which Keras stores them.
    eta, beta1, beta2, eps = 0.1, 0.875, 1 - 2.0**-10, 1e-3
    variable = tf.Variable(w0.copy())
    optimizer = keras.optimizers.Adam(learning_rate=eta, beta_1=beta1, beta_2=beta2,
                                      epsilon=eps)
    optimizer.apply_gradients([(tf.constant(g), variable)])
    keras_step = w0 - variable.numpy()
    m_hat, v_hat = g, g * g  # (1 - beta1) g / (1 - beta1), the same for v, at t = 1
    keras_form = eta * np.sqrt(1 - beta2) / (1 - beta1) * ((1 - beta1) * g) / (
        np.sqrt((1 - beta2) * g * g) + eps)
    textbook_rescaled = eta * m_hat / (np.sqrt(v_hat) + eps / np.sqrt(1 - beta2))
    textbook = eta * m_hat / (np.sqrt(v_hat) + eps)
    np.testing.assert_allclose(keras_step, keras_form, rtol=1e-6)
    np.testing.assert_allclose(keras_step, textbook_rescaled, rtol=1e-6)
    assert np.max(np.abs(keras_step - textbook) / np.abs(textbook)) > 0.1
    # The wrong relation, eps * sqrt(1 - beta2^t) in place of eps, is far off.
    wrong = eta * m_hat / (np.sqrt(v_hat) + eps * np.sqrt(1 - beta2))
    assert np.max(np.abs(keras_step - wrong) / np.abs(wrong)) > 0.1


def test_tensorflow_tests_are_skipped_with_a_reason_without_tensorflow(tmp_path):
    # A plugin that makes TensorFlow and Keras unimportable, as on a machine without them:
    # the test modules that need them must skip those tests, not error.
    plugin = tmp_path / "no_tensorflow.py"
    plugin.write_text("import sys\nsys.modules['tensorflow'] = None\n"
                      "sys.modules['keras'] = None\n")
    tests = os.path.dirname(os.path.abspath(__file__))
    modules = [os.path.join(tests, name) for name in (
        "test_frameworks.py", "test_keras_agreement.py", "test_regularization.py",
        "test_convolution.py")]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *modules, "-p", "no_tensorflow", "-p", "no:nbval",
         "-p", "no:cacheprovider", "-o", "addopts=", "-q", "-rs",
         "-k", "(keras or tape or twin or tensorflow or one_epoch) and not sklearn "
               "and not without_tensorflow"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True, text=True)
    summary = result.stdout.strip().splitlines()[-1]
    assert " error" not in summary and " failed" not in summary, result.stdout[-3000:]
    assert "skipped" in summary, result.stdout[-3000:]
    assert "TensorFlow is not installed" in result.stdout  # the reason, as written


def test_keras_twin_for_regression_and_binary_classification(tf_keras, keras_float64):
    X, z = data.make_franke(200, seed=1)
    net = Network([Dense(2, 20, "tanh"), Dense(20, 1)], loss="mse", seed=0).initialize()
    model = fw.keras_twin(net)
    assert model.loss.name == "mean_squared_error"
    np.testing.assert_allclose(model.predict(X, verbose=0)[:, 0], net.predict(X).ravel(),
                               rtol=1e-12)
    y = (z > 0.4).astype(int)
    net = Network([Dense(2, 20, "relu"), Dense(20, 1, "sigmoid")],
                  loss="binary_cross_entropy", seed=0).initialize()
    model = fw.keras_twin(net)
    np.testing.assert_allclose(model.predict(X, verbose=0)[:, 0], net.predict_proba(X)[:, 1],
                               rtol=1e-12)
    np.testing.assert_array_equal(fw.keras_targets(net, y)[:, 0], y)


@pytest.mark.parametrize("dtype, tolerance", [("float32", FLOAT32_TOLERANCE),
                                              ("float64", 1e-8)])
@pytest.mark.parametrize("training", [False, True])
def test_tape_gradients_match_backpropagation(tf_keras, digits, dtype, tolerance, training):
    # float64: Keras rounds the L1/L2 coefficients to float32 (relative 1e-9 at most here).
    X, y = digits
    X, y = X[:50], y[:50]
    net = classifier("tanh", dtype=dtype, l1=1e-3, l2=1e-2).initialize()
    net.layers_[3].fix_mask(np.random.default_rng(1).random((50, 12)) >= 0.25)
    cost, tape = fw.tape_gradients(net, X, y, training=training, return_cost=True)
    backprop = net.gradients(X, y, training=training)
    assert len(tape) == len(backprop) == len(net.parameters())
    errors = [relative_error(a, b) for a, b in zip(backprop, tape)]
    assert max(errors) < tolerance, errors
    assert abs(cost - net.cost(X, y, training=training)) < tolerance * cost


def test_tape_gradients_need_a_fixed_dropout_mask(tf_keras, digits):
    X, y = digits
    net = classifier().initialize()
    with pytest.raises(ValueError, match="fix_mask"):
        fw.tape_gradients(net, X, y, training=True)


@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-12), ("float32", 1e-4)])
def test_one_epoch_of_sgd_gives_the_same_weights(tf_keras, digits, dtype, tolerance):
    with keras_floatx(tf_keras[1], dtype):
        one_epoch_of_sgd(digits, dtype, tolerance)


def one_epoch_of_sgd(digits, dtype, tolerance):
    # 320 samples in batches of 32, no shuffling, L2 exactly representable in float32.
    X, y = digits
    net = Network([Dense(64, 20, "sigmoid"), BatchNorm(20), Dense(20, 10, "softmax")],
                  optimizer="sgd", learning_rate=0.5, l2=2.0 ** -8, batch_size=32, epochs=1,
                  shuffle=False, seed=3, dtype=dtype).initialize()
    model = fw.keras_twin(net)
    before = [p.copy() for p in net.parameters()]
    model.fit(X, fw.keras_targets(net, y), **fw.keras_fit_kwargs(net))
    net.set_params(warm_start=True).fit(X, y)
    keras_weights = [np.asarray(w) for w in model.trainable_weights]
    moved = [relative_error(a, b) for a, b in zip(before, net.parameters())]
    assert min(moved) > 1e-3  # training really changed every array
    errors = [relative_error(a, b) for a, b in zip(net.parameters(), keras_weights)]
    assert max(errors) < tolerance, errors
    bn = net.layers_[1]
    stats = model.layers[1].get_weights()[2:]
    assert max(relative_error(a, b) for a, b in zip(bn.buffers, stats)) < tolerance
    assert relative_error(model.predict(X, verbose=0), net.predict_proba(X)) < tolerance


def test_keras_optimizers_are_twins(tf_keras):
    _, keras = tf_keras
    cases = [
        ("momentum", keras.optimizers.SGD, {"momentum": 0.9}),
        (Adagrad(0.1, clip_norm=1.0), keras.optimizers.Adagrad, {"global_clipnorm": 1.0}),
        (RMSprop(0.01, rho=0.8), keras.optimizers.RMSprop, {"rho": 0.8, "epsilon": 1e-14}),
        ("adam", keras.optimizers.Adam, {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8}),
    ]
    for optimizer, expected_type, settings in cases:
        net = Network([Dense(3, 2, "softmax")], optimizer=optimizer, learning_rate=0.05)
        twin = fw.keras_twin(net).optimizer
        assert type(twin) is expected_type
        for name, value in settings.items():
            assert getattr(twin, name) == pytest.approx(value), (optimizer, name)


def test_keras_fit_kwargs_with_early_stopping(tf_keras):
    _, keras = tf_keras
    net = Network([Dense(3, 2, "softmax")], batch_size=16, epochs=7, patience=3,
                  validation_fraction=0.2)
    kwargs = fw.keras_fit_kwargs(net)
    assert (kwargs["batch_size"], kwargs["epochs"], kwargs["verbose"]) == (16, 7, 0)
    assert kwargs["validation_split"] == 0.2
    (callback,) = kwargs["callbacks"]
    assert isinstance(callback, keras.callbacks.EarlyStopping) and callback.patience == 3


# ----------------------------------------------------------------------------- scikit-learn
def test_sklearn_twin_hyperparameters():
    net = Network([Dense(64, 30, "tanh"), Dense(30, 20, "tanh"), Dense(20, 10, "softmax")],
                  optimizer=Momentum(0.05, momentum=0.8), l2=1e-3, batch_size=50, epochs=12,
                  seed=4)
    twin = fw.sklearn_twin(net)
    assert isinstance(twin, MLPClassifier)
    params = twin.get_params()
    assert params["hidden_layer_sizes"] == (30, 20)
    assert params["activation"] == "tanh" and params["solver"] == "sgd"
    assert params["alpha"] == pytest.approx(2 * 1e-3 * 50)
    assert params["learning_rate_init"] == 0.05 and params["momentum"] == 0.8
    assert params["nesterovs_momentum"] is False
    assert (params["batch_size"], params["max_iter"], params["random_state"]) == (50, 12, 4)
    # Regression with one output: sklearn halves the squared error, so c = 1/2.
    net = Network([Dense(2, 10, "relu"), Dense(10, 1)], loss="mse", optimizer="adam",
                  learning_rate=0.01, l2=1e-2, batch_size=20)
    twin = fw.sklearn_twin(net)
    assert isinstance(twin, MLPRegressor)
    assert twin.alpha == pytest.approx(2 * 0.5 * 1e-2 * 20)
    assert twin.learning_rate_init == 0.01 and twin.epsilon == pytest.approx(0.5e-8)


def test_sklearn_twin_of_a_network_with_inferred_sizes():
    # Two target columns: c = K / 2 = 1, read from the fitted network's last layer.
    X, z = data.make_franke(60, seed=3)
    Z = np.column_stack([z, X[:, 0]])
    net = Network([Dense(n_outputs=12, activation="tanh"), Dense()], loss="mse", l2=1e-2,
                  batch_size=20, epochs=2, seed=0).fit(X, Z)
    twin = fw.sklearn_twin(net)
    assert twin.hidden_layer_sizes == (12,)
    assert twin.alpha == pytest.approx(2 * 1.0 * 1e-2 * 20)


@pytest.mark.parametrize("net, match", [
    (Network([Dense(4, 5, "elu"), Dense(5, 3, "softmax")]), "elu"),
    (Network([Dense(4, 5, "relu"), Dense(5, 5, "tanh"), Dense(5, 3, "softmax")]), "one activ"),
    (Network([Dense(4, 5, "relu"), Dropout(0.5), Dense(5, 3, "softmax")]), "dense"),
    (Network([Dense(4, 5, "relu"), Dense(5, 3, "softmax")], l1=0.1), "l1"),
    (Network([Dense(4, 5, "relu"), Dense(5, 3, "softmax")], optimizer="rmsprop"), "Adam"),
    (Network([Dense(4, 5, "relu"), Dense(5, 2, "sigmoid")], loss="mse"), "identity"),
])
def test_sklearn_twin_refuses_what_sklearn_cannot_do(net, match):
    with pytest.raises(ValueError, match=match):
        fw.sklearn_twin(net)


def _fit_quietly(model, X, y):
    """Fit a scikit-learn MLP for its fixed max_iter (its ConvergenceWarning is the plan)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def _steps_of_both(net, X, y):
    """Train net and its scikit-learn twin from the same start; their final parameters."""
    twin = _fit_quietly(fw.sklearn_start_from(fw.sklearn_twin(net), net, X, y), X, y)
    net.set_params(warm_start=True).fit(X, y)
    theirs = [p for pair in zip(twin.coefs_, twin.intercepts_) for p in pair]
    return twin, theirs, [relative_error(a, b) for a, b in zip(net.parameters(), theirs)]


@pytest.mark.parametrize("optimizer, learning_rate", [("sgd", 0.2), ("momentum", 0.05)])
def test_sklearn_twin_takes_the_same_steps(digits, optimizer, learning_rate):
    # Batches of 32 divide 320, so the L2 relation holds on every mini-batch.
    X, y = digits
    net = Network([Dense(64, 24, "tanh"), Dense(24, 10, "softmax")], optimizer=optimizer,
                  learning_rate=learning_rate, l2=1e-2, batch_size=32, epochs=2,
                  shuffle=False, seed=5).initialize()
    twin, theirs, errors = _steps_of_both(net, X, y)
    assert max(errors) < 1e-12, errors
    assert twin.loss_curve_[-1] == pytest.approx(net.history_["loss"][-1], rel=1e-3)


def test_sklearn_twin_regression_takes_the_same_steps():
    X, z = data.make_franke(240, seed=2)
    net = Network([Dense(2, 16, "relu"), Dense(16, 16, "relu"), Dense(16, 1)], loss="mse",
                  optimizer="sgd", learning_rate=0.05, l2=1e-3, batch_size=16, epochs=3,
                  shuffle=False, seed=6).initialize()
    twin, theirs, errors = _steps_of_both(net, X, z)
    assert max(errors) < 1e-12, errors
    # Without the factor c = 1/2 in the learning rate the paths would part.
    wrong = fw.sklearn_twin(net).set_params(learning_rate_init=0.05)
    wrong = fw.sklearn_start_from(wrong, net.set_params(warm_start=False).initialize(), X, z)
    _fit_quietly(wrong, X, z)
    assert relative_error(wrong.coefs_[0], theirs[0]) > 1e-3
