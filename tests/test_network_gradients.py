"""Tests of ``Network.cost`` and ``Network.gradients`` (backpropagation, chapter 2), and of
nnbook.gradcheck.

Networks of one to four Dense layers mix every activation, every loss and the L1/L2
penalties. Two independent references:

* centred finite differences written in this file, perturbing the network's own parameter
  arrays and re-evaluating ``cost``: norm-wise relative error per array at most 1e-7;
* autograd differentiating a forward pass written in this file with ``autograd.numpy``
  from the network's parameter arrays and the textbook loss formulas: at most 1e-10.

The cost itself is also checked against the autograd forward pass, so the finite
differences cannot agree with a wrong cost.
"""

import autograd
import autograd.numpy as anp
import autograd.scipy.special as asp
import numpy as np
import pytest

from nnbook import Dense, Network, gradcheck
from nnbook.activations import ELU, LeakyReLU

N_SAMPLES = 9


def twin_activation(activation):
    """The autograd version of an nnbook activation, from its formula."""
    name = activation.name
    alpha = getattr(activation, "alpha", None)
    formulas = {
        "identity": lambda z: z,
        "sigmoid": lambda z: 0.5 * (anp.tanh(0.5 * z) + 1.0),
        "tanh": anp.tanh,
        "relu": lambda z: anp.maximum(z, 0.0),
        "leaky_relu": lambda z: anp.where(z > 0, z, alpha * z),
        "elu": lambda z: anp.where(z > 0, z, alpha * (anp.exp(anp.minimum(z, 0.0)) - 1.0)),
        "gelu": lambda z: 0.5 * z * (1.0 + asp.erf(z / np.sqrt(2.0))),
        "silu": lambda z: z * 0.5 * (anp.tanh(0.5 * z) + 1.0),
        "softmax": lambda z: anp.exp(z - asp.logsumexp(z, axis=1, keepdims=True)),
    }
    return formulas[name]


def twin_cost(params, net, X, Y):
    """cost(X, y) written out: forward pass, mean loss over samples, L1 and L2 penalties.

    ``Y`` is the target matrix (one-hot labels, 0/1 column or regression targets).
    """
    a = X
    for i, layer in enumerate(net.layers):
        W, b = params[2 * i], params[2 * i + 1]
        z = anp.dot(a, W) + b
        a = twin_activation(layer.activation)(z)
    if net.loss == "mse":
        loss = anp.mean((a - Y) ** 2)
    elif net.loss == "binary_cross_entropy":
        loss = anp.mean(anp.logaddexp(0.0, z) - Y * z)
    else:
        loss = anp.sum(Y * (asp.logsumexp(z, axis=1, keepdims=True) - z)) / X.shape[0]
    weights = params[0::2]
    penalty = net.l2 * sum(anp.sum(W * W) for W in weights)
    penalty = penalty + net.l1 * sum(anp.sum(anp.abs(W)) for W in weights)
    return loss + penalty


def centred_differences(f, arrays, h):
    """(f(w + h e_i) - f(w - h e_i)) / 2h for every entry of every array (in place)."""
    result = []
    for array in arrays:
        g = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + h
            plus = f()
            array[index] = saved - h
            minus = f()
            array[index] = saved
            g[index] = (plus - minus) / (2.0 * h)
        result.append(g)
    return result


def rel_error(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


# (id, layer specs (n_in, n_out, activation), loss, l1, l2, target kind)
CONFIGS = [
    ("1-sigmoid-bce", [(4, 1, "sigmoid")], "binary_cross_entropy", 0.0, 0.0, "binary"),
    ("1-softmax-ce", [(4, 3, "softmax")], "cross_entropy", 0.0, 0.0, "labels"),
    ("1-identity-mse", [(4, 2, "identity")], "mse", 0.0, 0.0, "targets"),
    ("1-identity-mse-1d-l2", [(4, 1, "identity")], "mse", 0.0, 0.05, "vector"),
    ("2-tanh-softmax-ce", [(4, 5, "tanh"), (5, 3, "softmax")], "cross_entropy", 0.0, 0.0,
     "labels"),
    ("2-gelu-sigmoid-bce-l1", [(4, 6, "gelu"), (6, 1, "sigmoid")], "binary_cross_entropy",
     0.01, 0.0, "binary"),
    ("2-relu-tanh-mse", [(4, 5, "relu"), (5, 2, "tanh")], "mse", 0.0, 0.0, "targets"),
    ("3-sigmoid-elu-identity-mse-l2", [(4, 5, "sigmoid"), (5, 4, ELU(0.5)), (4, 2, "identity")],
     "mse", 0.0, 0.02, "targets"),
    ("3-leaky-silu-sigmoid-mse", [(4, 5, LeakyReLU(0.2)), (5, 4, "silu"), (4, 1, "sigmoid")],
     "mse", 0.0, 0.0, "vector"),
    ("3-identity-leaky-sigmoid-bce-l1-l2",
     [(4, 3, "identity"), (3, 5, "leaky_relu"), (5, 1, "sigmoid")],
     "binary_cross_entropy", 0.01, 0.02, "binary"),
    ("4-relu-tanh-gelu-softmax-ce-l1-l2",
     [(4, 6, "relu"), (6, 5, "tanh"), (5, 4, "gelu"), (4, 3, "softmax")],
     "cross_entropy", 0.005, 0.01, "onehot"),
    ("4-silu-identity-elu-softmax-mse",
     [(4, 5, "silu"), (5, 4, "identity"), (4, 5, "elu"), (5, 3, "softmax")],
     "mse", 0.0, 0.0, "targets"),
    ("4-sigmoid-softmax-relu-sigmoid-bce",
     [(4, 5, "sigmoid"), (5, 4, "softmax"), (4, 6, "relu"), (6, 1, "sigmoid")],
     "binary_cross_entropy", 0.0, 0.01, "binary"),
]


def build(config, seed=0):
    """A network with random (not initial) parameters, data, targets y as passed to the
    network and the target matrix Y of the twin."""
    _, specs, loss, l1, l2, kind = config
    net = Network([Dense(n_in, n_out, activation) for n_in, n_out, activation in specs],
                  loss=loss, l1=l1, l2=l2, seed=seed).initialize()
    rng = np.random.default_rng(seed + 1)
    # Biases away from zero so that their gradients are really tested, weights of order one
    # so that no unit saturates.
    net.set_parameters([rng.normal(scale=0.8 if p.ndim == 2 else 0.3, size=p.shape)
                        for p in net.parameters()])
    X = rng.normal(size=(N_SAMPLES, specs[0][0]))
    n_out = specs[-1][1]
    if kind == "labels":
        y = np.arange(N_SAMPLES) % n_out
        Y = np.eye(n_out)[y]
    elif kind == "onehot":
        y = Y = np.eye(n_out)[rng.permutation(np.arange(N_SAMPLES) % n_out)]
    elif kind == "binary":
        y = np.arange(N_SAMPLES) % 2
        Y = y[:, None] * 1.0
    elif kind == "vector":
        y = rng.normal(size=N_SAMPLES)
        Y = y[:, None]
    else:
        y = Y = rng.normal(size=(N_SAMPLES, n_out))
    return net, X, y, Y


@pytest.fixture(params=CONFIGS, ids=[c[0] for c in CONFIGS])
def case(request):
    return build(request.param)


def test_cost_matches_the_formula(case):
    net, X, y, Y = case
    expected = twin_cost(net.parameters(), net, X, Y)
    assert net.cost(X, y) == pytest.approx(expected, rel=1e-13)


def test_gradients_match_autograd(case):
    net, X, y, Y = case
    params = net.parameters()
    gradients = net.gradients(X, y)
    expected = autograd.grad(twin_cost)([p.copy() for p in params], net, X, Y)
    assert len(gradients) == len(params) == 2 * len(net.layers)
    for g, g_ref, p in zip(gradients, expected, params):
        assert g.shape == p.shape
        assert rel_error(g, g_ref) <= 1e-10, rel_error(g, g_ref)


def test_gradients_match_centred_finite_differences(case):
    net, X, y, _ = case
    gradients = net.gradients(X, y)
    numeric = centred_differences(lambda: net.cost(X, y), net.parameters(), h=1e-5)
    for g, g_fd in zip(gradients, numeric):
        assert np.linalg.norm(g) > 1e-6, "a vanishing gradient would make the check empty"
        assert rel_error(g, g_fd) <= 1e-7, rel_error(g, g_fd)


def test_gradients_do_not_change_parameters_and_return_copies():
    net, X, y, _ = build(CONFIGS[4])
    before = [p.copy() for p in net.parameters()]
    first = net.gradients(X, y)
    first_copy = [g.copy() for g in first]
    net.gradients(X[:3], y[:3])  # a second call must not overwrite the first result
    for g, g_copy in zip(first, first_copy):
        np.testing.assert_array_equal(g, g_copy)
    for p, p0 in zip(net.parameters(), before):
        np.testing.assert_array_equal(p, p0)


def test_penalties_are_added_to_cost_and_gradients():
    # The same network with and without penalties: the difference is exactly
    # l1 sum|W| + l2 sum W^2 and its gradient l1 sign(W) + 2 l2 W, biases untouched.
    config = CONFIGS[10]
    net, X, y, _ = build(config)
    plain = build((config[0], config[1], config[2], 0.0, 0.0, config[5]))[0]
    params = net.parameters()
    weights = params[0::2]
    penalty = 0.005 * sum(np.abs(W).sum() for W in weights) + 0.01 * sum((W**2).sum()
                                                                         for W in weights)
    assert net.cost(X, y) - plain.cost(X, y) == pytest.approx(penalty, rel=1e-12)
    for i, (g, g0) in enumerate(zip(net.gradients(X, y), plain.gradients(X, y))):
        expected = 0.005 * np.sign(params[i]) + 0.02 * params[i] if i % 2 == 0 else 0.0
        np.testing.assert_allclose(g - g0, expected, rtol=1e-10, atol=1e-15)


# ---------------------------------------------------------------- nnbook.gradcheck


def test_relative_error_formula():
    a, b = np.array([3.0, 4.0]), np.array([3.0, 0.0])
    # ||a - b|| = 4, ||a|| + ||b|| = 5 + 3
    assert gradcheck.relative_error(a, b) == pytest.approx(0.5)
    assert gradcheck.relative_error(b, a) == pytest.approx(0.5)
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.relative_error(a, -a) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="shape"):
        gradcheck.relative_error(a, np.ones(3))


def test_numerical_gradient_of_known_function_restores_parameters():
    rng = np.random.default_rng(0)
    A, w, v = rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=(2, 2))
    w0, v0 = w.copy(), v.copy()
    # f = w^T A w + sum(sin v): gradient (A + A^T) w and cos v.
    grads = gradcheck.numerical_gradient(lambda: w @ A @ w + np.sin(v).sum(), [w, v])
    np.testing.assert_allclose(grads[0], (A + A.T) @ w, rtol=1e-8)
    np.testing.assert_allclose(grads[1], np.cos(v), rtol=1e-8)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(v, v0)


def test_check_gradients_reports_small_errors_for_a_network():
    net, X, y, _ = build(CONFIGS[4])
    errors = gradcheck.check_gradients(net, X, y)
    assert len(errors) == len(net.parameters())
    assert max(errors) < 1e-7


def test_float32_network_computes_gradients_in_float32():
    net64, X, y, _ = build(CONFIGS[10])
    net32 = Network(net64.layers, loss=net64.loss, l1=net64.l1, l2=net64.l2,
                    dtype="float32").initialize()
    net32.set_parameters(net64.parameters())
    gradients = net32.gradients(X, y)
    assert all(g.dtype == np.float32 for g in gradients)
    for g, g64 in zip(gradients, net64.gradients(X, y)):
        assert rel_error(g.astype(float), g64) <= 1e-5
