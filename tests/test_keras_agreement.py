"""nnbook against Keras/TensorFlow, an independent implementation (chapters 1, 2 and 4).

* Each nnbook optimizer and the matching Keras optimizer, hyperparameters set to match,
  apply the same three gradients to the same float64 variables: the parameters after
  every step agree to 1e-6 relative (in practice far better).
* A Network and a Keras model holding the same weights (Keras' kernel has the shape of
  our W) give the same outputs and the same cost, and the same parameters after one SGD
  step on the same mini-batch, with L1/L2 penalties; and after three Adam steps.

Keras runs in float64 here (restored afterwards) so that the comparisons measure the
formulas, not float32 round-off. TensorFlow is imported once, inside the fixture, after the
environment variables that keep it quiet.
"""

import os

import numpy as np
import pytest

from nnbook import Dense, Network
from nnbook import optimizers as opt
from nnbook.activations import ELU, LeakyReLU


@pytest.fixture(scope="module")
def keras():
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    reason = "TensorFlow is not installed: nothing to compare with"
    pytest.importorskip("tensorflow", reason=reason)
    keras_module = pytest.importorskip("keras", reason=reason)

    # Both the float type and the dtype policy: once any layer has been built (by another
    # test module, say), Keras has cached its global policy and set_floatx alone no longer
    # reaches new layers, which would then compute in float32.
    previous = keras_module.config.floatx(), keras_module.config.dtype_policy()
    keras_module.config.set_floatx("float64")
    keras_module.config.set_dtype_policy("float64")
    keras_module.utils.set_random_seed(2024)
    yield keras_module
    keras_module.config.set_floatx(previous[0])
    keras_module.config.set_dtype_policy(previous[1])


def rel_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


# ---------------------------------------------------------------- optimizers

# Keras keeps the learning rate in a float32 variable and, even for float64 variables, turns
# Python-float hyperparameters (momentum, beta_1, beta_2, the initial accumulator) into
# float32 constants before casting them: 0.999 becomes 0.99900001, which moves Adam's first
# step by 6e-6 relative. So the hyperparameters below are exact binary fractions, the same
# number on both sides, and the steps can be compared to 1e-9; one Adam case keeps the usual
# defaults (0.9, 0.999), where only the 1e-6 required of the parameters can hold.
LR = 0.0625

# name -> (nnbook optimizer, Keras optimizer factory, tolerance on the displacement).
# Keras puts Adagrad's and RMSprop's epsilon inside the square root and uses Adam's
# "epsilon hat" (added to sqrt(v) before the bias correction of v); tiny epsilons on both
# sides make these differences vanish (1e-11 relative), so what is compared is the update
# rule itself. Adagrad's accumulator starts at 0.125 on both sides.
OPTIMIZER_PAIRS = {
    "sgd": (lambda: opt.SGD(learning_rate=LR),
            lambda k: k.optimizers.SGD(learning_rate=LR), 1e-9),
    "momentum": (lambda: opt.Momentum(learning_rate=LR, momentum=0.75),
                 lambda k: k.optimizers.SGD(learning_rate=LR, momentum=0.75), 1e-9),
    "adagrad": (lambda: opt.Adagrad(learning_rate=LR, epsilon=1e-12,
                                    initial_accumulator=0.125),
                lambda k: k.optimizers.Adagrad(learning_rate=LR, initial_accumulator_value=0.125,
                                               epsilon=1e-24), 1e-9),
    "rmsprop": (lambda: opt.RMSprop(learning_rate=LR, rho=0.75, epsilon=1e-12),
                lambda k: k.optimizers.RMSprop(learning_rate=LR, rho=0.75, epsilon=1e-24), 1e-9),
    "adam": (lambda: opt.Adam(learning_rate=LR, beta1=0.75, beta2=0.9375, epsilon=1e-12),
             lambda k: k.optimizers.Adam(learning_rate=LR, beta_1=0.75, beta_2=0.9375,
                                         epsilon=1e-12), 1e-9),
    "adam-defaults": (lambda: opt.Adam(learning_rate=LR),
                      lambda k: k.optimizers.Adam(learning_rate=LR, epsilon=1e-8), 1e-4),
    "sgd-clip": (lambda: opt.SGD(learning_rate=LR, clip_norm=0.5),
                 lambda k: k.optimizers.SGD(learning_rate=LR, global_clipnorm=0.5), 1e-9),
    "adam-clip": (lambda: opt.Adam(learning_rate=LR, beta1=0.75, beta2=0.9375, epsilon=1e-12,
                                   clip_norm=0.5),
                  lambda k: k.optimizers.Adam(learning_rate=LR, beta_1=0.75, beta_2=0.9375,
                                              epsilon=1e-12, global_clipnorm=0.5), 1e-9),
}


@pytest.mark.parametrize("name", OPTIMIZER_PAIRS)
def test_optimizer_matches_keras_for_three_steps(keras, name):
    import tensorflow as tf

    make_ours, make_keras, step_tolerance = OPTIMIZER_PAIRS[name]
    rng = np.random.default_rng(7)
    initial = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    gradients = [[rng.normal(size=(4, 3)), rng.normal(size=3)] for _ in range(3)]
    if name.endswith("clip"):
        norm = np.sqrt(sum(np.sum(g * g) for g in gradients[0]))
        assert norm > 1.0, "the clipping must be active in the first step"

    ours, theirs = make_ours(), make_keras(keras)
    params = [p.copy() for p in initial]
    variables = [keras.Variable(p.copy(), dtype="float64") for p in initial]
    for step, grads in enumerate(gradients, start=1):
        ours.step(params, grads)
        theirs.apply([tf.constant(g) for g in grads], variables)
        for p, v, p0 in zip(params, variables, initial):
            v = v.numpy()
            assert rel_error(p, v) <= 1e-6, (step, rel_error(p, v))
            # The displacement is a much stricter measure than the parameters themselves.
            assert rel_error(p - p0, v - p0) <= step_tolerance, (step, rel_error(p - p0, v - p0))


# ---------------------------------------------------------------- networks

def keras_activation(keras, activation):
    """The Keras function computing the same activation as an nnbook Activation."""
    name = activation.name
    if name == "identity":
        return "linear"
    if name == "leaky_relu":
        # Keras' default slope is 0.2; ours is given by alpha.
        return lambda z: keras.activations.leaky_relu(z, negative_slope=activation.alpha)
    if name == "elu":
        return lambda z: keras.activations.elu(z, alpha=activation.alpha)
    if name == "gelu":
        # Keras' default is the tanh approximation; ours is the exact erf form.
        return lambda z: keras.activations.gelu(z, approximate=False)
    return name


KERAS_LOSSES = {"mse": "mean_squared_error", "binary_cross_entropy": "binary_crossentropy",
                "cross_entropy": "categorical_crossentropy"}


def keras_twin(keras, net, optimizer):
    """A Keras Sequential model with the architecture, penalties and weights of ``net``."""
    layers = [keras.Input(shape=(net.layers[0].n_inputs,), dtype="float64")]
    for layer in net.layers:
        regularizer = keras.regularizers.L1L2(l1=net.l1, l2=net.l2) if (net.l1 or net.l2) \
            else None
        layers.append(keras.layers.Dense(layer.n_outputs,
                                         activation=keras_activation(keras, layer.activation),
                                         kernel_regularizer=regularizer))
    model = keras.Sequential(layers)
    params = net.parameters()
    for i, keras_layer in enumerate(model.layers):
        kernel, bias = keras_layer.get_weights()
        assert kernel.shape == params[2 * i].shape  # Keras' kernel is our W, unchanged
        keras_layer.set_weights([params[2 * i], params[2 * i + 1]])
    model.compile(optimizer=optimizer, loss=KERAS_LOSSES[net.loss], run_eagerly=True)
    return model


# name -> (layers, loss, l1, l2, tolerance). Slopes and penalties are binary fractions,
# exact in Keras' float32 constants (see above). Keras' exact GELU multiplies by a float32
# 1/sqrt(2), which limits its float64 values to 2e-7 relative: that network is held to the
# 1e-5/1e-6 the comparison requires, the others to 1e-9.
NETWORKS = {
    "tanh-softmax-ce": ([Dense(5, 8, "tanh"), Dense(8, 3, "softmax")], "cross_entropy",
                        0.0, 0.0, 1e-9),
    "relu-gelu-sigmoid-bce-l2": ([Dense(5, 6, "relu"), Dense(6, 4, "gelu"),
                                  Dense(4, 1, "sigmoid")], "binary_cross_entropy", 0.0, 0.015625,
                                 1e-6),
    "elu-leaky-silu-identity-mse-l1-l2": ([Dense(5, 6, ELU(0.75)),
                                           Dense(6, 5, LeakyReLU(0.125)),
                                           Dense(5, 4, "silu"), Dense(4, 2, "identity")],
                                          "mse", 0.00390625, 0.015625, 1e-9),
}


def _targets(loss, n, rng):
    """(y for nnbook, Y for Keras)."""
    if loss == "cross_entropy":
        labels = np.arange(n) % 3
        return labels, np.eye(3)[labels]
    if loss == "binary_cross_entropy":
        labels = np.arange(n) % 2
        return labels, labels[:, None].astype(float)
    Y = rng.normal(size=(n, 2))
    return Y, Y


@pytest.mark.parametrize("name", NETWORKS)
def test_network_and_keras_model_agree_on_outputs_cost_and_one_sgd_step(keras, name):
    layers, loss, l1, l2, tolerance = NETWORKS[name]
    rng = np.random.default_rng(11)
    X = rng.normal(size=(12, 5))
    y, Y = _targets(loss, len(X), rng)
    # warm_start: fit continues from the parameters copied into Keras; the whole data set
    # is one mini-batch, so one epoch is one step.
    net = Network(layers, loss=loss, optimizer="sgd", learning_rate=0.25, batch_size=len(X),
                  epochs=1, l1=l1, l2=l2, shuffle=False, seed=5, warm_start=True)
    net.initialize()
    net.set_parameters([rng.normal(scale=0.5, size=p.shape) for p in net.parameters()])
    before = [p.copy() for p in net.parameters()]
    model = keras_twin(keras, net, keras.optimizers.SGD(learning_rate=0.25))

    keras_output = model.predict(X, verbose=0)
    ours = net.predict_proba(X) if loss == "cross_entropy" else net._forward(X)
    assert rel_error(ours, keras_output) <= 1e-5
    np.testing.assert_allclose(ours, keras_output, rtol=tolerance, atol=1e-14)

    keras_cost = float(model.evaluate(X, Y, batch_size=len(X), verbose=0))
    assert net.cost(X, y) == pytest.approx(keras_cost, rel=tolerance)

    # train_on_batch reports the cost before its step, penalties included.
    assert float(model.train_on_batch(X, Y)) == pytest.approx(keras_cost, rel=1e-12)
    net.fit(X, y)
    for ours, theirs, start in zip(net.parameters(), model.get_weights(), before):
        assert rel_error(ours, theirs) <= 1e-6
        # The displacement (learning rate times gradient) is the strict measure.
        assert rel_error(ours - start, theirs - start) <= 10 * tolerance


def test_network_and_keras_agree_after_three_adam_steps(keras):
    layers, loss, _, _, _ = NETWORKS["tanh-softmax-ce"]
    rng = np.random.default_rng(12)
    X = rng.normal(size=(12, 5))
    y, Y = _targets(loss, len(X), rng)
    adam = opt.Adam(learning_rate=LR, beta1=0.75, beta2=0.9375, epsilon=1e-12)
    net = Network(layers, loss=loss, optimizer=adam, batch_size=4, epochs=1, shuffle=False,
                  seed=5, warm_start=True).initialize()
    before = [p.copy() for p in net.parameters()]
    model = keras_twin(keras, net, keras.optimizers.Adam(learning_rate=LR, beta_1=0.75,
                                                         beta_2=0.9375, epsilon=1e-12))
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    net.fit(X, y)
    assert net.optimizer_.iterations == 3
    for ours, theirs, start in zip(net.parameters(), model.get_weights(), before):
        assert rel_error(ours, theirs) <= 1e-6
        assert rel_error(ours - start, theirs - start) <= 1e-9


def test_history_loss_is_what_keras_reports_with_penalties(keras):
    # One epoch of three mini-batches with an L2 penalty: Keras' loss is the mean over the
    # mini-batches of (data loss + penalty), each at the parameters the batch saw; the
    # history_ docstring promises the same number.
    layers, loss, l1, l2, _ = NETWORKS["elu-leaky-silu-identity-mse-l1-l2"]
    rng = np.random.default_rng(13)
    X = rng.normal(size=(12, 5))
    y, Y = _targets(loss, len(X), rng)
    net = Network(layers, loss=loss, optimizer="sgd", learning_rate=0.25, batch_size=4,
                  epochs=1, l1=l1, l2=l2, shuffle=False, seed=5, warm_start=True).initialize()
    model = keras_twin(keras, net, keras.optimizers.SGD(learning_rate=0.25))
    keras_history = model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    net.fit(X, y)
    assert net.history_["loss"][0] == pytest.approx(keras_history.history["loss"][0], rel=1e-9)
