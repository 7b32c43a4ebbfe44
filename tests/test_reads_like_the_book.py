"""The package's structure as ARCHITECTURE.md describes it: the backward pass of chapter 2 as
plain functions, the losses answering the task questions, one number checker, one layer
contract, and the methods that evaluate a network never changing what ``fit`` learned.

The independent references are written out in each test: NumPy's own one-hot by
``np.eye``, the penalty and its gradient by the formulas of chapter 4, and the loop
version of the convolution of chapter 5.
"""

import numpy as np
import pytest

from nnbook import BatchNorm, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool2D, Network
from nnbook.convolution import conv2d_loop_backward, conv2d_loop_forward
from nnbook.data import one_hot as data_one_hot
from nnbook.losses import LOSSES, get_loss, one_hot
from nnbook.network import backward, forward
from nnbook.regularization import add_penalty_gradient, penalty
from nnbook.validation import check_number


def test_backward_function_is_what_gradients_runs():
    # net.gradients (no penalty) must be the chapter-2 functions forward + backward.
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    net = Network([Dense(4, 6, "tanh"), Dense(6, 3, "softmax")], seed=1).initialize()
    expected = net.gradients(X, y)
    forward(net.layers_, X)
    backward(net.layers_, get_loss("cross_entropy"), np.eye(3)[y])
    ours = [g for layer in net.layers_ for g in layer.grads]
    assert all(np.array_equal(a, b) for a, b in zip(ours, expected))


def test_penalty_and_its_gradient_follow_the_formulas_of_chapter_4():
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    l1, l2 = 0.01, 0.1
    assert penalty([W, b], [True, False], l1, l2) == pytest.approx(
        l1 * np.abs(W).sum() + l2 * (W ** 2).sum(), rel=1e-14)
    grads = [np.zeros_like(W), np.zeros_like(b)]
    add_penalty_gradient([W, b], grads, [True, False], l1, l2)
    np.testing.assert_allclose(grads[0], 2 * l2 * W + l1 * np.sign(W), rtol=1e-14)
    assert not np.any(grads[1])  # biases are not penalised


def test_one_hot_encoders_agree_with_numpy_eye():
    labels = np.array([2, 0, 1, 2])
    reference = np.eye(3)[labels]
    np.testing.assert_array_equal(one_hot(labels, 3), reference)
    np.testing.assert_array_equal(data_one_hot(labels), reference)
    np.testing.assert_array_equal(get_loss("cross_entropy").encode(labels, 3, float),
                                  reference)
    np.testing.assert_array_equal(get_loss("binary_cross_entropy").encode([1, 0], 1, float),
                                  [[1.0], [0.0]])


def test_losses_answer_the_task_questions():
    binary, categorical, mse = (get_loss(name) for name in
                                ("binary_cross_entropy", "cross_entropy", "mse"))
    assert (binary.n_outputs(2), binary.n_classes(1)) == (1, 2)
    assert (categorical.n_outputs(5), categorical.n_classes(5)) == (5, 5)
    a = np.array([[0.2], [0.7]])
    np.testing.assert_array_equal(binary.predict_index(a), [0, 1])
    np.testing.assert_allclose(binary.probabilities(a), [[0.8, 0.2], [0.3, 0.7]])
    np.testing.assert_array_equal(categorical.predict_index(np.array([[0.1, 0.9]])), [1])
    assert binary.binary and not categorical.binary and categorical.accepts_one_hot
    with pytest.raises(ValueError, match="does not classify"):
        mse.n_outputs(2)
    assert {loss.keras_name for loss in (binary, categorical, mse)} == {
        "BinaryCrossentropy", "CategoricalCrossentropy", "MeanSquaredError"}
    assert set(LOSSES) == {"mse", "binary_cross_entropy", "cross_entropy"}


@pytest.mark.parametrize("value, expected, error", [
    (True, "positive integer", TypeError), (0, "positive integer", ValueError),
    (2.0, "positive integer", TypeError), (True, "positive number", TypeError),
    (-1.0, "positive number", ValueError), (np.inf, "positive number", ValueError),
    (-0.1, "non-negative number", ValueError), (1.0, "number in [0, 1)", ValueError),
    ("0.1", "number in [0, 1)", TypeError),
])
def test_check_number_refuses_naming_the_argument(value, expected, error):
    with pytest.raises(error, match=r"^rate must be a "):
        check_number(value, "rate", expected)


def test_check_number_accepts_and_converts():
    assert check_number(np.int64(3), "n", "positive integer") == 3
    assert check_number(0, "l2", "non-negative number") == 0.0
    assert isinstance(check_number(1, "learning_rate"), float)


@pytest.mark.parametrize("method", ["cost", "gradients", "score"])
def test_evaluating_a_network_leaves_what_fit_learned_alone(method):
    # Before the fix, cost/gradients/score on an unfitted network set classes_ from y.
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((12, 3)), np.array(["b", "a", "c"] * 4)
    net = Network([Dense(3, 3, "softmax")], seed=0).initialize()
    getattr(net, method)(X, y)  # the labels are read as at fit, but not stored
    assert not hasattr(net, "classes_")


def test_regression_targets_of_cost_do_not_change_predict_shape():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((10, 2)), rng.standard_normal(10)
    net = Network([Dense(2, 1)], loss="mse", epochs=1, seed=0).fit(X, y)
    net.cost(X, y.reshape(-1, 1))
    assert net.predict(X).shape == (10,)


def test_every_layer_declares_the_contract():
    for method in ("build", "forward", "backward", "backward_delta", "set_parameters",
                   "set_buffers", "output_shape", "infer_sizes"):
        assert callable(getattr(Layer, method))
    with pytest.raises(NotImplementedError, match="no activation"):
        Flatten().backward_delta(np.zeros((1, 2)))
    for layer in (Dense(2, 2), Conv2D(1, 2, 3), MaxPool2D(2), Flatten(), Dropout(0.5),
                  BatchNorm(2)):
        assert layer.cache == {} and layer.buffers == []


def test_buffers_are_the_batchnorm_statistics_and_state_is_deprecated():
    layer = BatchNorm(3)
    layer.build(np.random.default_rng(0), "float64")
    assert layer.buffers[0] is layer.moving_mean
    assert layer.buffers[1] is layer.moving_variance
    layer.set_buffers([np.full(3, 0.5), np.full(3, 2.0)])
    np.testing.assert_array_equal(layer.moving_variance, 2.0)
    with pytest.warns(DeprecationWarning, match="buffers"):
        assert layer.state is layer.buffers
    assert not hasattr(layer, "statistics") and not hasattr(layer, "set_statistics")


@pytest.mark.parametrize("stride, padding", [(1, "same"), (2, "valid"), (2, 1)])
def test_conv2d_layer_agrees_with_the_loop_version(stride, padding):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 7, 6, 3))
    layer = Conv2D(3, 4, (3, 2), stride=stride, padding=padding)
    layer.build(rng, "float64")
    layer.b[...] = rng.standard_normal(4)
    z = layer.forward(x)
    np.testing.assert_allclose(z, conv2d_loop_forward(x, layer.W, layer.b, stride, padding),
                               rtol=1e-12, atol=1e-12)
    delta = rng.standard_normal(z.shape)
    dx = layer.backward_delta(delta)
    dx_loop, dW_loop, db_loop = conv2d_loop_backward(x, layer.W, delta, stride, padding)
    for ours, loop in ((dx, dx_loop), (layer.dW, dW_loop), (layer.db, db_loop)):
        np.testing.assert_allclose(ours, loop, rtol=1e-12, atol=1e-12)
