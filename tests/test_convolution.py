"""Tests of nnbook.convolution (chapter 5).

References, none of them the code under test:
* the loop versions, written straight from the index formulas (and themselves checked
  against scipy.signal.correlate2d on single channels);
* centred finite differences in float64 (relative error <= 1e-7);
* Keras Conv2D / MaxPooling2D / AveragePooling2D with the same weights, forward outputs
  and GradientTape gradients in float32 (relative error <= 1e-5).
"""

import os

import numpy as np
import pytest
from scipy.signal import correlate2d
from sklearn.base import clone

from nnbook import Dense, Network
from nnbook.activations import ReLU
from nnbook.convolution import (
    AvgPool2D, Conv2D, Flatten, MaxPool2D, col2im, conv2d_backward, conv2d_forward,
    conv2d_loop_backward, conv2d_loop_forward, conv_output_size, im2col, padding_amounts,
)
from nnbook.gradcheck import check_gradients, numerical_gradient, relative_error

# (height, width, in_channels, out_channels, kernel_size, stride, padding)
CONV_CASES = [
    (7, 8, 3, 4, 3, 1, "same"),
    (7, 8, 3, 4, 3, 2, "same"),        # odd total padding: Keras puts the extra zero last
    (8, 8, 2, 5, (2, 3), 3, "same"),
    (9, 7, 1, 2, 3, 2, "valid"),
    (6, 6, 3, 3, 4, 2, "same"),        # even kernel
    (6, 7, 2, 3, (3, 2), (2, 1), 1),   # integer padding, different strides per axis
]


def _conv_data(rng, case, dtype=np.float64):
    h, w, c, f, k, s, pad = case
    kh, kw = (k, k) if isinstance(k, int) else k
    x = rng.standard_normal((2, h, w, c)).astype(dtype)
    W = rng.standard_normal((kh, kw, c, f)).astype(dtype)
    b = rng.standard_normal(f).astype(dtype)
    return x, W, b, s, pad


# ---------------------------------------------------------------------- sizes and padding
@pytest.mark.parametrize("n", [1, 5, 8, 28])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_output_size_formula(n, k, s):
    for p in range(3):
        if n + 2 * p >= k:
            assert conv_output_size(n, k, s, p) == (n + 2 * p - k) // s + 1
    if n >= k:
        assert conv_output_size(n, k, s, "valid") == (n - k) // s + 1
    assert conv_output_size(n, k, s, "same") == -(-n // s)


def test_same_padding_is_asymmetric_like_keras():
    # 8 pixels, kernel 3, stride 2: 4 outputs need (4 - 1) * 2 + 3 = 9 pixels: one zero,
    # which TensorFlow places after the image.
    pads, out = padding_amounts((8, 8), 3, 2, "same")
    assert pads == ((0, 1), (0, 1)) and out == (4, 4)
    pads, out = padding_amounts((7, 6), 4, 1, "same")
    assert pads == ((1, 2), (1, 2)) and out == (7, 6)


def test_im2col_by_hand():
    x = np.arange(12.0).reshape(1, 3, 4, 1)
    cols = im2col(x, 2, stride=1, padding="valid")
    expected = np.array([[0, 1, 4, 5], [1, 2, 5, 6], [2, 3, 6, 7],
                         [4, 5, 8, 9], [5, 6, 9, 10], [6, 7, 10, 11]], dtype=float)
    np.testing.assert_array_equal(cols, expected)


@pytest.mark.parametrize("case", CONV_CASES)
def test_col2im_is_the_adjoint_of_im2col(case):
    rng = np.random.default_rng(1)
    x, W, _, s, pad = _conv_data(rng, case)
    cols = im2col(x, W.shape[:2], s, pad)
    other = rng.standard_normal(cols.shape)
    lhs = np.sum(cols * other)
    rhs = np.sum(x * col2im(other, x.shape, W.shape[:2], s, pad))
    assert abs(lhs - rhs) <= 1e-12 * (abs(lhs) + abs(rhs))


# ---------------------------------------------------------------------- loops vs vectorized
def test_loop_forward_matches_scipy_correlate():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 6, 7, 1))
    W = rng.standard_normal((3, 2, 1, 1))
    z = conv2d_loop_forward(x, W, np.zeros(1), padding="valid")
    expected = correlate2d(x[0, :, :, 0], W[:, :, 0, 0], mode="valid")
    assert relative_error(z[0, :, :, 0], expected) <= 1e-14


@pytest.mark.parametrize("case", CONV_CASES)
def test_loop_and_vectorized_agree(case):
    rng = np.random.default_rng(3)
    x, W, b, s, pad = _conv_data(rng, case)
    z_loop = conv2d_loop_forward(x, W, b, s, pad)
    z_fast = conv2d_forward(x, W, b, s, pad)
    assert relative_error(z_loop, z_fast) <= 1e-12
    delta = rng.standard_normal(z_loop.shape)
    for g_loop, g_fast in zip(conv2d_loop_backward(x, W, delta, s, pad),
                              conv2d_backward(x, W, delta, s, pad)):
        assert relative_error(g_loop, g_fast) <= 1e-12

    layer = Conv2D(x.shape[3], W.shape[3], W.shape[:2], s, pad)
    layer.build(rng, "float64")
    layer.set_parameters([W, b])
    assert relative_error(layer.forward(x), z_loop) <= 1e-12
    dx = layer.backward(delta)
    dx_loop, dW_loop, db_loop = conv2d_loop_backward(x, W, delta, s, pad)
    assert relative_error(dx, dx_loop) <= 1e-12
    assert relative_error(layer.dW, dW_loop) <= 1e-12
    assert relative_error(layer.db, db_loop) <= 1e-12


def test_relu_fast_path_equals_generic_backward():
    rng = np.random.default_rng(4)
    layer = Conv2D(2, 3, 3, activation="relu")
    layer.build(rng, "float64")
    x = rng.standard_normal((3, 5, 5, 2))
    a = layer.forward(x)
    grad = rng.standard_normal(a.shape)
    dx = layer.backward(grad)
    dW = layer.dW.copy()
    dx_generic = layer.backward_delta(ReLU().backward(layer.z, a, grad))
    np.testing.assert_array_equal(dx, dx_generic)
    np.testing.assert_array_equal(dW, layer.dW)


# ---------------------------------------------------------------------- finite differences
def _input_gradient_error(layer, x, rng):
    """Relative error of layer.backward against centred differences of sum(out * G)."""
    G = rng.standard_normal(layer.forward(x).shape)
    analytic = layer.backward(G)
    numeric = numerical_gradient(lambda: float(np.sum(layer.forward(x) * G)), [x])[0]
    return relative_error(analytic, numeric)


@pytest.mark.parametrize("case", CONV_CASES[:4])
def test_conv_gradients_by_finite_differences(case):
    rng = np.random.default_rng(5)
    x, W, b, s, pad = _conv_data(rng, case)
    layer = Conv2D(x.shape[3], W.shape[3], W.shape[:2], s, pad, activation="tanh")
    layer.build(rng, "float64")
    layer.set_parameters([W * 0.3, b])
    assert _input_gradient_error(layer, x, rng) <= 1e-7
    G = rng.standard_normal(layer.forward(x).shape)
    layer.backward(G, need_input_grad=False)
    numeric = numerical_gradient(lambda: float(np.sum(layer.forward(x) * G)), layer.params)
    assert relative_error(layer.grads[0], numeric[0]) <= 1e-7
    assert relative_error(layer.grads[1], numeric[1]) <= 1e-7


@pytest.mark.parametrize("pool", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize("size, stride, padding", [(2, None, "valid"), (3, 2, "valid"),
                                                   (3, 2, "same"), (2, 1, "same")])
def test_pool_gradients_by_finite_differences(pool, size, stride, padding):
    rng = np.random.default_rng(6)
    # Distinct values spaced far more than the step h = 1e-6: no ties inside any window,
    # so max pooling is differentiable at x.
    x = rng.permutation(2 * 7 * 8 * 2).reshape(2, 7, 8, 2) * 0.01
    assert _input_gradient_error(pool(size, stride, padding), x, rng) <= 1e-7


@pytest.mark.parametrize("shape, size, padding", [((2, 8, 6, 2), 2, "valid"),
                                                  ((2, 6, 9, 1), (2, 3), "valid"),
                                                  ((1, 8, 8, 3), 4, "same")])
def test_max_pool_gradients_by_finite_differences_when_windows_tile_the_input(
        shape, size, padding):
    # Windows that cover every pixel exactly once: MaxPool2D.backward writes the gradient
    # directly instead of accumulating it (its fast branch).
    sizes = (size, size) if isinstance(size, int) else size
    assert shape[1] % sizes[0] == 0 and shape[2] % sizes[1] == 0
    rng = np.random.default_rng(8)
    x = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.01  # no ties
    assert _input_gradient_error(MaxPool2D(size, padding=padding), x, rng) <= 1e-7


def max_pool_backward_by_loops(x, G, size, stride):
    """Reference: each output's gradient goes to the first maximum of its window in
    row-major order (np.argmax of the flattened window), valid padding."""
    dx = np.zeros_like(x)
    for n in range(G.shape[0]):
        for i in range(G.shape[1]):
            for j in range(G.shape[2]):
                for c in range(G.shape[3]):
                    window = x[n, i * stride:i * stride + size, j * stride:j * stride + size, c]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, i * stride + p, j * stride + q, c] += G[n, i, j, c]
    return dx


@pytest.mark.parametrize("shape, size, stride", [((2, 4, 6, 2), 2, 2),  # windows tile
                                                 ((2, 5, 5, 2), 3, 1),  # windows overlap
                                                 ((1, 7, 7, 1), 3, 2)])
def test_max_pool_ties_send_the_gradient_to_the_first_maximum(shape, size, stride):
    # Inputs from {0, 1, 2}: nearly every window holds its maximum more than once.
    rng = np.random.default_rng(9)
    x = rng.integers(0, 3, size=shape).astype(float)
    pool = MaxPool2D(size, stride)
    out = pool.forward(x)
    G = rng.standard_normal(out.shape)
    np.testing.assert_array_equal(pool.backward(G), max_pool_backward_by_loops(x, G, size,
                                                                                stride))


def test_network_gradients_by_finite_differences():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((5, 9, 8, 2))
    y = rng.integers(0, 3, 5)
    net = Network([
        Conv2D(2, 3, 3, stride=2, padding="same", activation="tanh"),
        MaxPool2D(2, stride=1),
        Conv2D(3, 4, (2, 3), padding="valid", activation="sigmoid"),
        AvgPool2D(2, padding="same"),         # (9, 8) -> (5, 4) -> (4, 3) -> (3, 1) -> (2, 1)
        Flatten(),
        Dense(2 * 1 * 4, 3, activation="softmax"),
    ], l2=1e-3, seed=0).initialize()
    errors = check_gradients(net, X, y)
    assert max(errors) <= 1e-7, errors


# ---------------------------------------------------------------------- Keras
@pytest.fixture(scope="module")
def tf_keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    reason = "TensorFlow is not installed: the layers cannot be compared with Keras'"
    tf = pytest.importorskip("tensorflow", reason=reason)
    keras = pytest.importorskip("keras", reason=reason)
    return tf, keras


def _tape_gradients(tf, layer, x, G, variables=()):
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = layer(xt)
        objective = tf.reduce_sum(out * G)
    return out.numpy(), [g.numpy() for g in tape.gradient(objective, [xt, *variables])]


@pytest.mark.parametrize("case", CONV_CASES[:5])
def test_conv_matches_keras(tf_keras, case):
    tf, keras = tf_keras
    rng = np.random.default_rng(8)
    x, W, b, s, pad = _conv_data(rng, case, np.float32)
    layer = Conv2D(x.shape[3], W.shape[3], W.shape[:2], s, pad, activation="tanh")
    layer.build(rng, "float32")
    layer.set_parameters([W * 0.3, b])
    twin = keras.layers.Conv2D(W.shape[3], W.shape[:2], s, padding=pad, activation="tanh")
    twin.build((None, *x.shape[1:]))
    twin.set_weights([layer.W, layer.b])
    a = layer.forward(x)
    G = rng.standard_normal(a.shape).astype(np.float32)
    dx = layer.backward(G)
    out, (gx, gW, gb) = _tape_gradients(tf, twin, x, G, [twin.kernel, twin.bias])
    assert a.dtype == dx.dtype == layer.dW.dtype == np.float32
    assert a.shape == out.shape
    for ours, theirs in [(a, out), (dx, gx), (layer.dW, gW), (layer.db, gb)]:
        assert relative_error(ours, theirs) <= 1e-5


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("size, stride, padding", [(2, None, "valid"), (3, 2, "valid"),
                                                   (3, 2, "same"), (2, None, "same")])
def test_pool_matches_keras(tf_keras, kind, size, stride, padding):
    tf, keras = tf_keras
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 7, 9, 3)).astype(np.float32)
    ours, twin = (
        (MaxPool2D(size, stride, padding), keras.layers.MaxPooling2D(size, stride, padding))
        if kind == "max" else
        (AvgPool2D(size, stride, padding), keras.layers.AveragePooling2D(size, stride, padding))
    )
    a = ours.forward(x)
    G = rng.standard_normal(a.shape).astype(np.float32)
    dx = ours.backward(G)
    out, (gx,) = _tape_gradients(tf, twin, x, G)
    assert a.dtype == dx.dtype == np.float32
    assert a.shape == out.shape
    assert relative_error(a, out) <= 1e-5
    assert relative_error(dx, gx) <= 1e-5


# ---------------------------------------------------------------------- bad input
def test_bad_input_raises_clear_errors():
    layer = Conv2D(3, 4, 3, padding="valid")
    layer.build(np.random.default_rng(0), "float64")
    with pytest.raises(ValueError, match="x must have 4 dimensions"):
        layer.forward(np.zeros((5, 5, 3)))
    with pytest.raises(ValueError, match="in_channels=3"):
        layer.forward(np.zeros((1, 5, 5, 2)))
    with pytest.raises(ValueError, match="kernel_size .* larger than the padded input"):
        layer.forward(np.zeros((1, 2, 5, 3)))
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2D(1, 1, 5, padding=1).output_shape((2, 2, 1))
    with pytest.raises(ValueError, match="pool_size"):
        MaxPool2D(3).forward(np.zeros((1, 2, 2, 1)))
    with pytest.raises(ValueError, match="padding"):
        Conv2D(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match="padding"):
        Conv2D(1, 1, 3, padding=-1)
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2D(1, 1, (3, 3, 3))
    with pytest.raises(ValueError, match="stride"):
        MaxPool2D(2, stride=0)
    with pytest.raises(TypeError, match="out_channels"):
        Conv2D(1, 2.5, 3)
    with pytest.raises(ValueError, match="W.shape"):
        conv2d_loop_forward(np.zeros((1, 4, 4, 2)), np.zeros((3, 3, 1, 1)), np.zeros(1))


def test_network_checks_image_shapes():
    X = np.zeros((4, 8, 8, 1))
    y = np.arange(4) % 2
    net = Network([Conv2D(3, 2, 3), Flatten(), Dense(128, 2, activation="softmax")])
    with pytest.raises(ValueError, match="X"):
        net.fit(X, y)
    net = Network([Conv2D(1, 2, 3), Flatten(), Dense(128, 2, activation="softmax")])
    with pytest.raises(ValueError, match="4 dimensions"):
        net.fit(X.reshape(4, 64), y)


# ---------------------------------------------------------------------- in a Network
def test_cnn_learns_digits_reproducibly():
    from nnbook.data import load_digits, train_test_split

    X, y = load_digits(images=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y)
    net = Network([
        Conv2D(1, 8, 3, activation="relu"), MaxPool2D(2), Flatten(),
        Dense(4 * 4 * 8, 10, activation="softmax"),
    ], optimizer="adam", learning_rate=0.01, epochs=4, seed=1, dtype="float32")
    net.fit(X_train, y_train)
    assert net.score(X_test, y_test) > 0.9
    again = clone(net).fit(X_train, y_train)
    for p, q in zip(net.parameters(), again.parameters()):
        np.testing.assert_array_equal(p, q)
    assert all(p.dtype == np.float32 for p in net.parameters())
