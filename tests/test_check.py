"""Tests of the exercise checkers (nnbook.check): for every checker, the book's solution
passes, the blank stub fails with the stub hint, and typical wrong answers fail with the
hint meant for them. The independent reference is the mistake itself: each wrong answer
below is written out as a reader would write it, not derived from the checker's code."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from nnbook import autodiff as ad
from nnbook import check


def stub(*args, **kwargs):
    raise NotImplementedError("write your code here")


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free form of 1 / (1 + exp(-z))


def softmax_rows(Z):
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- chapter 1
def step_neuron(X, w, b):
    return (X @ w + b > 0).astype(float)


def perceptron_update(w, b, x, y, eta):
    error = y - float(x @ w + b > 0)
    return w + eta * error * x, b + eta * error


def mse(a, y):
    return np.mean((a - y) ** 2)


def xor_network(X):
    hidden = (X @ np.array([[1.0, -1.0], [1.0, -1.0]]) + np.array([-0.5, 1.5]) > 0)
    return (hidden @ np.array([1.0, 1.0]) - 1.5 > 0).astype(float)


def sigmoid_bump(x, left, right, height, steepness):
    return height * (sigmoid(steepness * (x - left)) - sigmoid(steepness * (x - right)))


# ---------------------------------------------------------------- chapter 2
def mse_gradient(a, y):
    return 2 * (a - y) / a.size


def softmax_jacobian(z):
    a = softmax_rows(z)
    return np.diag(a) - np.outer(a, a)


def softmax_cross_entropy_delta(Z, Y):
    return (softmax_rows(Z) - Y) / Z.shape[0]


def hidden_delta(delta_next, W_next, Z):
    s = sigmoid(Z)
    return (delta_next @ W_next.T) * s * (1 - s)


def dense_backward(X, W, delta):
    return X.T @ delta, delta.sum(axis=0), delta @ W.T


# ---------------------------------------------------------------- chapter 3
def dual_multiply(a, b):
    return a[0] * b[0], a[1] * b[0] + a[0] * b[1]


def dual_divide(a, b):
    return a[0] / b[0], (a[1] * b[0] - a[0] * b[1]) / b[0] ** 2


def forward_derivative(f, x):
    return f(ad.Dual(x, 1.0)).derivative


def reverse_sweep(output):
    order = output.topological_order()
    for node in order:
        node.grad = 0.0
    output.grad = 1.0
    for node in reversed(order):
        for parent, local in node.parents:
            parent.grad += local * node.grad


def example_derivative(x):
    return (x + x * np.exp(x**2)) / np.sqrt(x**2 + np.exp(x**2))


# ---------------------------------------------------------------- chapter 4
def momentum_step(theta, v, g, learning_rate, mu):
    v = mu * v - learning_rate * g
    return theta + v, v


def adam_step(theta, m, s, g, t, learning_rate, beta1, beta2, epsilon):
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g**2
    m_hat, s_hat = m / (1 - beta1 ** (t + 1)), s / (1 - beta2 ** (t + 1))
    return theta - learning_rate * m_hat / (np.sqrt(s_hat) + epsilon), m, s


def dropout_forward(x, mask, p):
    return x * mask / (1 - p)


def batchnorm_forward(X, gamma, beta, epsilon):
    x_hat = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + epsilon)
    return gamma * x_hat + beta


def clip_by_global_norm(grads, clip_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * min(1.0, clip_norm / norm) for g in grads]


# ---------------------------------------------------------------- chapter 5
def conv_output_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def cross_correlate2d(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for p in range(kh):
        for q in range(kw):
            out += kernel[p, q] * image[p:p + out.shape[0], q:q + out.shape[1]]
    return out


def conv_weight_gradient(x, delta, kernel_size):
    kh, kw = kernel_size
    oh, ow = delta.shape[1:3]
    dW = np.zeros((kh, kw, x.shape[3], delta.shape[3]))
    for p in range(kh):
        for q in range(kw):
            dW[p, q] = np.einsum("nijc,nijf->cf", x[:, p:p + oh, q:q + ow], delta)
    return dW


def conv_input_gradient(delta, W):
    kh, kw = W.shape[:2]
    n, oh, ow, _ = delta.shape
    dx = np.zeros((n, oh + kh - 1, ow + kw - 1, W.shape[2]))
    for p in range(kh):
        for q in range(kw):
            dx[:, p:p + oh, q:q + ow] += delta @ W[p, q].T
    return dx


def maxpool_backward(x, grad_out):
    n, h, w, c = x.shape
    windows = x.reshape(n, h // 2, 2, w // 2, 2, c)
    winner = windows == windows.max(axis=(2, 4), keepdims=True)
    dx = winner * grad_out[:, :, None, :, None, :]
    return dx.reshape(x.shape)


# ---------------------------------------------------------------- chapter 6
def diffusion_trial(x, t, N):
    return (1 - t) * np.sin(np.pi * x) + x * (1 - x) * t * N(x, t)


def decay_trial_derivative(t, N, dN):
    return N + t * dN


def decay_cost(t, g, dg, gamma):
    return np.mean((dg + gamma * g) ** 2)


def forward_euler_step(f, t, g, h):
    return g + h * f(t, g)


def second_difference(g, h):
    return (g[:-2] - 2 * g[1:-1] + g[2:]) / h**2


# For every checker: its solution and typical wrong answers with the hint each must get
# (a distinctive piece of the hint's text).
CASES = {
    check.step_neuron: (step_neuron, [
        (lambda X, w, b: (X @ w > 0).astype(float), "bias is missing"),
        (lambda X, w, b: (X @ w + b >= 0).astype(float), "exactly 0"),
        (lambda X, w, b: X @ w + b, "through the step function"),
        (lambda X, w, b: (X @ w + b > 0).astype(float)[:, None], "arranged differently"),
    ]),
    check.perceptron_update: (perceptron_update, [
        (lambda w, b, x, y, eta: (w + eta * (float(x @ w + b > 0) - y) * x,
                                  b + eta * (float(x @ w + b > 0) - y)), "wrong way"),
        (lambda w, b, x, y, eta: (w + eta * (y - float(x @ w + b > 0)) * x, b),
         "bias is not updated"),
        (lambda w, b, x, y, eta: (w + eta * y * x, b + eta * y), "error y - prediction"),
        (lambda w, b, x, y, eta: w + eta * (y - float(x @ w + b > 0)) * x, "the pair"),
    ]),
    check.mse: (mse, [
        (lambda a, y: np.sum((a - y) ** 2), "summed"),
        (lambda a, y: 0.5 * np.mean((a - y) ** 2), "factor 1/2"),
        (lambda a, y: np.mean(np.sum((a - y) ** 2, axis=-1)), "over the samples only"),
        (lambda a, y: np.mean(a - y), "not squared"),
    ]),
    check.xor_network: (xor_network, [
        (lambda X: (X.sum(axis=1) > 0.5).astype(float), "computes OR"),
        (lambda X: (X.sum(axis=1) > 1.5).astype(float), "computes AND"),
        (lambda X: 1.0 - xor_network(X), "inverted"),
        (lambda X: np.array([0.0, 1.0, 1.0, 0.0]), "do not follow the rows of X"),
    ]),
    check.sigmoid_bump: (sigmoid_bump, [
        (lambda x, lo, hi, h, k: sigmoid_bump(x, hi, lo, h, k), "wrong way"),
        (lambda x, lo, hi, h, k: sigmoid_bump(x, lo, hi, 1.0, k), "height is missing"),
        (lambda x, lo, hi, h, k: sigmoid_bump(x, lo, hi, h, 1.0), "steepness is missing"),
        (lambda x, lo, hi, h, k: h * ((x > lo) * 1.0 - (x > hi)), "hard steps"),
    ]),
    check.mse_gradient: (mse_gradient, [
        (lambda a, y: (a - y) / a.size, "factor 2"),
        (lambda a, y: 2 * (a - y) / len(a), "number of samples only"),
        (lambda a, y: 2 * (y - a) / a.size, "sign is wrong"),
        (lambda a, y: a - y, "1/2 (a - y)^2"),
    ]),
    check.softmax_jacobian: (softmax_jacobian, [
        (lambda z: -softmax_jacobian(z), "sign is wrong"),
        (lambda z: -np.outer(softmax_rows(z), softmax_rows(z)), "diagonal term"),
        (lambda z: np.diag(softmax_rows(z) * (1 - softmax_rows(z))), "only the diagonal"),
        (lambda z: (lambda a: np.diag(a) - np.outer(a, a))(np.exp(z) / np.exp(z).sum()),
         "inf or NaN"),
        (lambda z: softmax_jacobian(z)[0], "shape"),
    ]),
    check.softmax_cross_entropy_delta: (softmax_cross_entropy_delta, [
        (lambda Z, Y: softmax_rows(Z) - Y, "1/n of the mean"),
        (lambda Z, Y: (Y - softmax_rows(Z)) / len(Z), "sign is wrong"),
        (lambda Z, Y: (Z - Y) / len(Z), "logits are used"),
        (lambda Z, Y: (softmax_rows(Z) - Y) / Z.size, "number of classes too"),
    ]),
    check.hidden_delta: (hidden_delta, [
        (lambda d, W, Z: d @ W.T, "factor f'(Z)"),
        (lambda d, W, Z: (d @ W.T) * sigmoid(Z), "value sigma(Z)"),
        (lambda d, W, Z: (d @ W) * sigmoid(Z) * (1 - sigmoid(Z)), "transposed"),
        (lambda d, W, Z: (d @ W.T) * Z, "Z is used"),
    ]),
    check.dense_backward: (dense_backward, [
        (lambda X, W, d: (d.T @ X, d.sum(axis=0), d @ W.T), "dW is transposed"),
        (lambda X, W, d: (X.T @ d, d.mean(axis=0), d @ W.T), "db is a mean"),
        (lambda X, W, d: (X.T @ d, d.sum(axis=1), d @ W.T), "wrong axis"),
        (lambda X, W, d: (X.T @ d, d.sum(axis=0), d @ W), "must be transposed in dX"),
        (lambda X, W, d: (X.T @ d / len(X), d.sum(axis=0), d @ W.T), "divided by n"),
    ]),
    check.dual_multiply: (dual_multiply, [
        (lambda a, b: (a[0] * b[0], a[1] * b[1]), "derivatives are multiplied"),
        (lambda a, b: (a[0] * b[0], a[1] + b[1]), "rule for a sum"),
        (lambda a, b: (a[0] * b[0], a[1] * b[0]), "one of the two terms"),
    ]),
    check.dual_divide: (dual_divide, [
        (lambda a, b: (a[0] / b[0], (a[0] * b[1] - a[1] * b[0]) / b[0] ** 2), "sign"),
        (lambda a, b: (a[0] / b[0], (a[1] * b[0] - a[0] * b[1]) / b[0]), "square"),
        (lambda a, b: (a[0] / b[0], (a[1] * b[0] + a[0] * b[1]) / b[0] ** 2),
         "subtracted"),
        (lambda a, b: (a[0] / b[0],), "pair"),
    ]),
    check.forward_derivative: (forward_derivative, [
        (lambda f, x: f(ad.Dual(x, 0.0)).derivative, "seed the input"),
        (lambda f, x: f(ad.Dual(x, 1.0)).value, "returns f(x)"),
        (lambda f, x: f(ad.Dual(x, 1.0)), "whole Dual"),
        (lambda f, x: (f(x + 1e-6) - f(x - 1e-6)) / 2e-6, "exactly once, on a Dual"),
    ]),
    check.example_derivative: (example_derivative, [
        (lambda x: 2 * example_derivative(x), "twice the derivative"),
        (lambda x: 2 * x + 2 * x * np.exp(x**2), "square root is missing"),
        (lambda x: (2 * x + np.exp(x**2)) / (2 * np.sqrt(x**2 + np.exp(x**2))),
         "inner function"),
    ]),
    check.momentum_step: (momentum_step, [
        (lambda th, v, g, eta, mu: (th + mu * v + eta * g, mu * v + eta * g), "uphill"),
        (lambda th, v, g, eta, mu: (th + v, mu * v - eta * g), "old velocity"),
        (lambda th, v, g, eta, mu: (th + mu * v - eta * g, eta * g - mu * v),
         "opposite sign"),
        (lambda th, v, g, eta, mu: (th + v - eta * g, v - eta * g), "damped by mu"),
    ]),
    check.adam_step: (adam_step, [
        (lambda th, m, s, g, t, eta, b1, b2, eps: adam_step(th, m, s, g, -1, eta, b1, b2,
                                                            eps),
         "inf or NaN"),
        (lambda th, m, s, g, t, eta, b1, b2, eps: (
            th - eta * (b1 * m + (1 - b1) * g)
            / (np.sqrt(b2 * s + (1 - b2) * g**2) + eps),
            b1 * m + (1 - b1) * g, b2 * s + (1 - b2) * g**2), "bias correction is missing"),
        (lambda th, m, s, g, t, eta, b1, b2, eps: adam_step(th, m, s, g, t, -eta, b1, b2,
                                                            eps), "uphill"),
        (lambda th, m, s, g, t, eta, b1, b2, eps: adam_step(th, m, s, g, t, eta, b1, b2,
                                                            eps)[:2], "tuple"),
    ]),
    check.dropout_forward: (dropout_forward, [
        (lambda x, mask, p: x * mask, "not scaled"),
        (lambda x, mask, p: x * mask / p if p else x * mask, "drop probability"),
        (lambda x, mask, p: x * (1 - mask) / (1 - p), "inverted"),
    ]),
    check.batchnorm_forward: (batchnorm_forward, [
        (lambda X, gamma, beta, eps: batchnorm_forward(X, 1.0, 0.0, eps),
         "not applied"),
        (lambda X, gamma, beta, eps: gamma * (X - X.mean(axis=0))
         / np.sqrt(X.var(axis=0, ddof=1) + eps) + beta, "unbiased"),
        (lambda X, gamma, beta, eps: gamma * (X - X.mean(axis=0))
         / (X.std(axis=0) + eps) + beta, "under the square root"),
        (lambda X, gamma, beta, eps: gamma * (X - X.mean(axis=1, keepdims=True))
         / np.sqrt(X.var(axis=1, keepdims=True) + eps) + beta, "wrong axis"),
        (lambda X, gamma, beta, eps: batchnorm_forward(X, beta, gamma, eps), "swapped"),
    ]),
    check.clip_by_global_norm: (clip_by_global_norm, [
        (lambda grads, c: [g * min(1.0, c / np.linalg.norm(g)) for g in grads],
         "its own norm"),
        (lambda grads, c: [g * c / np.sqrt(sum(np.sum(h**2) for h in grads))
                           for g in grads], "already below"),
        (lambda grads, c: [g * min(1.0, c / sum(np.sum(h**2) for h in grads))
                           for g in grads], "square root"),
    ]),
    check.conv_output_size: (conv_output_size, [
        (lambda n, k, s, p: (n + 2 * p - k) // s, "one too small"),
        (lambda n, k, s, p: (n + p - k) // s + 1, "both sides"),
        (lambda n, k, s, p: (n + 2 * p - k) / s + 1, "round"),
        (lambda n, k, s, p: n + 2 * p - k + 1, "stride is ignored"),
    ]),
    check.cross_correlate2d: (cross_correlate2d, [
        (lambda image, kernel: cross_correlate2d(image, kernel[::-1, ::-1]), "flipped"),
        (lambda image, kernel: cross_correlate2d(image, kernel).T, "transposed"),
        (lambda image, kernel: cross_correlate2d(np.pad(image, 1), kernel), "shape"),
    ]),
    check.conv_weight_gradient: (conv_weight_gradient, [
        (lambda x, d, k: conv_weight_gradient(x, d, k)[::-1, ::-1], "flipped"),
        (lambda x, d, k: conv_weight_gradient(x[:1], d[:1], k), "first image"),
        (lambda x, d, k: conv_weight_gradient(x, d, k) / len(x), "divided by n"),
        (lambda x, d, k: conv_weight_gradient(x, d, k).transpose(0, 1, 3, 2), "swapped"),
    ]),
    check.conv_input_gradient: (conv_input_gradient, [
        (lambda d, W: conv_input_gradient(d, W[::-1, ::-1]), "not flipped"),
        (lambda d, W: conv_input_gradient(d[..., :1], W[..., :1]), "first filter"),
        (lambda d, W: conv_input_gradient(d, W)[:, 1:-1], "shape"),
    ]),
    check.maxpool_backward: (maxpool_backward, [
        (lambda x, g: np.repeat(np.repeat(g, 2, axis=1), 2, axis=2) / 4, "average"),
        (lambda x, g: np.repeat(np.repeat(g, 2, axis=1), 2, axis=2), "every input"),
        (lambda x, g: np.pad(g[:, :, None, :, None, :], ((0, 0), (0, 0), (0, 1),
                                                          (0, 0), (0, 1), (0, 0))
                             ).reshape(x.shape), "top-left"),
    ]),
    check.diffusion_trial: (diffusion_trial, [
        (lambda x, t, N: (1 - t) * np.sin(np.pi * x) + x * (1 - x) * N(x, t), "t = 0"),
        (lambda x, t, N: (1 - t) * np.sin(np.pi * x) + t * N(x, t), "x = 0"),
        (lambda x, t, N: np.sin(np.pi * x) + x * (1 - x) * t * N(x, t), "not the chapter's"),
        (lambda x, t, N: (1 - t) * np.sin(x) + x * (1 - x) * t * N(x, t), "known part"),
    ]),
    check.decay_trial_derivative: (decay_trial_derivative, [
        (lambda t, N, dN: t * dN, "times N is missing"),
        (lambda t, N, dN: N, "derivative of N is missing"),
        (lambda t, N, dN: 10.0 + N + t * dN, "constant"),
    ]),
    check.decay_cost: (decay_cost, [
        (lambda t, g, dg, gamma: np.sum((dg + gamma * g) ** 2), "summed"),
        (lambda t, g, dg, gamma: np.mean((dg - gamma * g) ** 2), "sign"),
        (lambda t, g, dg, gamma: np.sum(dg - (-gamma * g) ** 2), "misprint"),
        (lambda t, g, dg, gamma: np.mean(dg + gamma * g), "not squared"),
    ]),
    check.forward_euler_step: (forward_euler_step, [
        (lambda f, t, g, h: g + h * f(t + h, g), "end of the step"),
        (lambda f, t, g, h: g + f(t, g), "step size h"),
        (lambda f, t, g, h: g - h * f(t, g), "wrong way"),
        (lambda f, t, g, h: h * f(t, g), "add it to g"),
    ]),
    check.second_difference: (second_difference, [
        (lambda g, h: (g[:-2] - 2 * g[1:-1] + g[2:]) / h, "h squared"),
        (lambda g, h: -(g[:-2] - 2 * g[1:-1] + g[2:]) / h**2, "Poisson"),
        (lambda g, h: (g[:-2] - g[1:-1] + g[2:]) / h**2, "weight -2"),
        (lambda g, h: np.diff(g, 2, prepend=g[0]) / h**2, "shape"),
    ]),
}


def reverse_sweep_overwriting(output):
    order = output.topological_order()
    for node in order:
        node.grad = 0.0
    output.grad = 1.0
    for node in reversed(order):
        for parent, local in node.parents:
            parent.grad = local * node.grad


def reverse_sweep_forwards(output):
    order = output.topological_order()
    for node in order:
        node.grad = 0.0
    output.grad = 1.0
    for node in order:
        for parent, local in node.parents:
            parent.grad += local * node.grad


def reverse_sweep_without_reset(output):
    output.grad = 1.0
    for node in reversed(output.topological_order()):
        for parent, local in node.parents:
            parent.grad += local * node.grad


CASES[check.reverse_sweep] = (reverse_sweep, [
    (reverse_sweep_overwriting, "overwritten instead of accumulated"),
    (reverse_sweep_forwards, "wrong order"),
    (reverse_sweep_without_reset, "reset every node"),
    (lambda output: output.backward(), "write that sweep yourself"),
])


def test_the_engine_is_whole_again_after_a_reverse_sweep_check():
    with pytest.raises(check.CheckFailed):
        check.reverse_sweep(lambda output: output.backward())
    x = ad.Var(3.0)
    (x * x).backward()
    assert x.grad == 6.0

CHECKERS = [f for fs in check.CHAPTERS.values() for f in fs]
WRONG = [(checker, wrong, hint) for checker, (_, wrongs) in CASES.items()
         for wrong, hint in wrongs]


def test_every_checker_is_tested_and_each_chapter_has_five():
    assert set(CASES) == set(CHECKERS)
    assert sorted(check.CHAPTERS) == [1, 2, 3, 4, 5, 6]
    assert all(len(checkers) >= 5 for checkers in check.CHAPTERS.values())
    assert all(len(wrongs) >= 2 for _, wrongs in CASES.values())


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda f: f.__name__)
def test_solution_passes(checker, capsys):
    assert checker(CASES[checker][0]) is None
    printed = capsys.readouterr().out
    assert printed.startswith(f"{checker.__name__}: correct. Checked ")


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda f: f.__name__)
def test_blank_stub_fails(checker, capsys):
    with pytest.raises(check.CheckFailed, match="still raises NotImplementedError"):
        checker(stub)
    assert capsys.readouterr().out == ""


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # some wrong answers overflow
@pytest.mark.parametrize("checker, wrong, hint", WRONG,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(WRONG)])
def test_wrong_answer_gets_its_hint(checker, wrong, hint):
    with pytest.raises(check.CheckFailed) as failure:
        checker(wrong)
    message = str(failure.value)
    assert message.startswith(f"{checker.__name__}: ") and hint in message
    # No round-off-level numbers (they would differ between CPUs) and no arrays of
    # expected values in a hint.
    assert not re.search(r"\d\.\d{4,}|\d{6,}|\[\[", message), message


def test_a_hint_never_contains_the_expected_values():
    # The generic hint (no known mistake) names the problem and a measure of it only.
    with pytest.raises(check.CheckFailed) as failure:
        check.mse_gradient(lambda a, y: 3.7 * (a - y))
    message = str(failure.value)
    assert "none of the usual mistakes" in message
    expected = mse_gradient(np.ones((6, 3)), np.zeros((6, 3)))
    assert f"{expected[0, 0]:.3f}" not in message and "[" not in message


def test_a_function_that_returns_nothing_gets_its_own_hint():
    with pytest.raises(check.CheckFailed, match="no `return` statement"):
        check.mse(lambda a, y: None)


def test_the_checker_does_not_let_the_function_change_its_data():
    def in_place(a, y):
        a -= y  # changes the caller's array when it is not a copy
        return np.mean(a**2)

    check.mse(in_place)


def test_passing_a_call_instead_of_a_function_is_a_type_error():
    with pytest.raises(TypeError, match="function must be your function itself"):
        check.mse(mse(np.ones(3), np.zeros(3)))


def test_math_module_is_fine_in_a_solution():
    check.dual_divide(lambda a, b: (a[0] / b[0],
                                    (a[1] * b[0] - a[0] * b[1]) / math.pow(b[0], 2)))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("checker", CHECKERS, ids=lambda f: f.__name__)
def test_hints_render_as_highlightable_tracebacks_that_fit_the_page(checker):
    # The book renders error outputs with IPython's traceback lexer (a lexing error is a
    # Sphinx warning, and the build fails on warnings); lines of more than about 70
    # characters would scroll sideways in an exercise box.
    from IPython.lib.lexers import IPythonTracebackLexer
    from pygments.token import Error

    for answer in [stub] + [wrong for wrong, _ in CASES[checker][1]]:
        with pytest.raises(check.CheckFailed) as failure:
            checker(answer)
        lines = failure.value._render_traceback_()
        assert lines[0].startswith("CheckFailed: ") and max(map(len, lines)) <= 66
        tokens = IPythonTracebackLexer().get_tokens("\n".join(lines) + "\n")
        assert not [text for kind, text in tokens if kind in Error], lines
