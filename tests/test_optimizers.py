"""Tests of nnbook.optimizers (chapter 4; SGD from chapter 1).

The first three steps of every optimizer are compared with its update rule written out
below, applied to the same sequence of gradients. Comparisons with the Keras optimizers are
in test_keras_agreement.py (one TensorFlow import for the whole suite).
"""

import numpy as np
import pytest

from nnbook import Dense, Network
from nnbook import optimizers as opt

LR = 0.05


def _problem(seed=0):
    """Two parameter arrays and three steps of gradients, some entries exactly zero."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(3, 2)), rng.normal(size=2)]
    steps = [[rng.normal(size=(3, 2)), rng.normal(size=2)] for _ in range(3)]
    steps[0][0][0, 0] = 0.0  # a coordinate whose first gradient is 0 (Adagrad/RMSprop: 0/eps)
    steps[1][1][:] = 0.0
    return params, steps


def _run(optimizer, n_steps=3, seed=0):
    params, steps = _problem(seed)
    arrays = [p.copy() for p in params]
    ids = [id(a) for a in arrays]
    trajectory = []
    for grads in steps[:n_steps]:
        grads_before = [g.copy() for g in grads]
        optimizer.step(arrays, grads)
        for g, g0 in zip(grads, grads_before):
            np.testing.assert_array_equal(g, g0, err_msg="step must not modify the gradients")
        trajectory.append([a.copy() for a in arrays])
    assert [id(a) for a in arrays] == ids  # updated in place
    return params, steps, trajectory


def _by_hand(update, state0, params, steps):
    """Apply ``update(w, g, state, t) -> (w, state)`` to each array for t = 1, 2, 3."""
    ws = [p.copy() for p in params]
    states = [state0(p) for p in params]
    trajectory = []
    for t, grads in enumerate(steps, start=1):
        for i, g in enumerate(grads):
            ws[i], states[i] = update(ws[i], g, states[i], t)
        trajectory.append([w.copy() for w in ws])
    return trajectory


def _assert_same(trajectory, expected):
    for step, (got_step, expected_step) in enumerate(zip(trajectory, expected), start=1):
        for got, want in zip(got_step, expected_step):
            np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15,
                                       err_msg=f"after step {step}")


def test_sgd_by_hand():
    params, steps, trajectory = _run(opt.SGD(learning_rate=LR))
    expected = _by_hand(lambda w, g, s, t: (w - LR * g, s), lambda p: None, params, steps)
    _assert_same(trajectory, expected)


def test_momentum_by_hand():
    mu = 0.8

    def update(w, g, v, t):
        v = mu * v - LR * g
        return w + v, v

    params, steps, trajectory = _run(opt.Momentum(learning_rate=LR, momentum=mu))
    _assert_same(trajectory, _by_hand(update, np.zeros_like, params, steps))


@pytest.mark.parametrize("r0", [0.0, 0.1])
def test_adagrad_by_hand(r0):
    eps = 1e-7

    def update(w, g, r, t):
        r = r + g**2
        return w - LR * g / (np.sqrt(r) + eps), r

    optimizer = opt.Adagrad(learning_rate=LR, epsilon=eps, initial_accumulator=r0)
    params, steps, trajectory = _run(optimizer)
    _assert_same(trajectory, _by_hand(update, lambda p: np.full_like(p, r0), params, steps))


def test_rmsprop_by_hand():
    rho, eps = 0.85, 1e-7

    def update(w, g, r, t):
        r = rho * r + (1 - rho) * g**2
        return w - LR * g / (np.sqrt(r) + eps), r

    params, steps, trajectory = _run(opt.RMSprop(learning_rate=LR, rho=rho, epsilon=eps))
    _assert_same(trajectory, _by_hand(update, np.zeros_like, params, steps))


def test_adam_by_hand():
    b1, b2, eps = 0.8, 0.95, 1e-8

    def update(w, g, state, t):
        m, v = state
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        return w - LR * m_hat / (np.sqrt(v_hat) + eps), (m, v)

    optimizer = opt.Adam(learning_rate=LR, beta1=b1, beta2=b2, epsilon=eps)
    params, steps, trajectory = _run(optimizer)
    _assert_same(trajectory, _by_hand(update, lambda p: (0 * p, 0 * p), params, steps))
    assert optimizer.iterations == 3


def test_adam_first_step_has_size_learning_rate():
    # With bias correction, m^ = g and v^ = g^2 after one step: every coordinate with a
    # non-zero gradient moves by learning_rate (up to epsilon), whatever the gradient scale.
    w = np.zeros(4)
    opt.Adam(learning_rate=0.01, epsilon=1e-12).step([w], [np.array([1e-4, -3.0, 50.0, 0.0])])
    np.testing.assert_allclose(w, [-0.01, 0.01, -0.01, 0.0], rtol=1e-7)


def test_reset_forgets_state():
    optimizer = opt.Adam(learning_rate=LR)
    _, _, first = _run(optimizer, n_steps=2)
    optimizer.reset()
    assert optimizer.iterations == 0
    _, _, again = _run(optimizer, n_steps=2)
    _assert_same(again, first)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adagrad", "rmsprop", "adam"])
def test_clip_norm_rescales_the_global_gradient_norm(name):
    params, steps = _problem(1)
    grads = [10.0 * g for g in steps[0]]
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    clip = norm / 4.0
    clipped = opt.OPTIMIZERS[name](learning_rate=LR, clip_norm=clip)
    reference = opt.OPTIMIZERS[name](learning_rate=LR)
    a = [p.copy() for p in params]
    b = [p.copy() for p in params]
    grads_before = [g.copy() for g in grads]
    clipped.step(a, grads)
    # clip_norm = norm / 4: the same as the unclipped rule on gradients divided by 4 (one
    # factor for all arrays together, not one per array).
    reference.step(b, [g / 4.0 for g in grads])
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-14, atol=1e-15)
    for g, g0 in zip(grads, grads_before):
        np.testing.assert_array_equal(g, g0)


def test_clip_norm_leaves_small_gradients_alone():
    params, steps = _problem(2)
    norm = np.sqrt(sum(np.sum(g * g) for g in steps[0]))
    a, b = [p.copy() for p in params], [p.copy() for p in params]
    opt.SGD(learning_rate=LR, clip_norm=norm * 1.01).step(a, steps[0])
    opt.SGD(learning_rate=LR).step(b, steps[0])
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_clip_by_global_norm_formula():
    grads = [np.array([3.0, 0.0]), np.array([[0.0], [4.0]])]  # global norm 5
    clipped = opt.clip_by_global_norm(grads, 1.0)
    np.testing.assert_allclose(clipped[0], [0.6, 0.0])
    np.testing.assert_allclose(clipped[1], [[0.0], [0.8]])


def test_get_optimizer_gives_fresh_state():
    adam = opt.Adam(learning_rate=0.3, beta1=0.5)
    _run(adam, n_steps=1)
    fresh = opt.get_optimizer(adam, learning_rate=1.0)
    assert fresh is not adam and fresh.iterations == 0 and fresh.state is None
    # An object keeps its own hyperparameters; a name takes learning_rate.
    assert fresh.learning_rate == 0.3 and fresh.beta1 == 0.5
    assert opt.get_optimizer("rmsprop", learning_rate=0.2).learning_rate == 0.2
    assert adam.iterations == 1  # the original is untouched


def test_network_takes_one_step_per_mini_batch():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.integers(2, size=10)
    adam = opt.Adam(learning_rate=0.01)
    net = Network([Dense(3, 1, "sigmoid")], loss="binary_cross_entropy", optimizer=adam,
                  batch_size=4, epochs=3, seed=0).fit(X, y)
    # 10 samples in batches of 4: 3 mini-batches (4, 4, 2) per epoch.
    assert net.optimizer_.iterations == 9
    assert adam.iterations == 0, "fit must not advance the optimizer passed as a hyperparameter"


def test_network_sgd_epoch_equals_manual_mini_batch_steps():
    # Without shuffling, one epoch of fit is: for each consecutive mini-batch, one step
    # w <- w - eta * gradient of the mean cost over that mini-batch.
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    layers = [Dense(3, 4, "tanh"), Dense(4, 2, "identity")]
    net = Network(layers, loss="mse", learning_rate=0.1, batch_size=4, epochs=1,
                  shuffle=False, seed=3, l2=0.01)
    twin = Network(layers, loss="mse", seed=3, l2=0.01).initialize()
    net.fit(X, y)
    for start in (0, 4, 8):
        grads = twin.gradients(X[start:start + 4], y[start:start + 4])
        for p, g in zip(twin.parameters(), grads):
            p -= 0.1 * g
    for p, q in zip(net.parameters(), twin.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-13, atol=1e-15)
