"""Checkers for the exercises of chapter 4: a momentum step, an Adam step, inverted
dropout, the batch-normalisation forward pass and clipping by the global norm."""

from __future__ import annotations

import numpy as np

from ._core import Checker

__all__ = ["momentum_step", "adam_step", "dropout_forward", "batchnorm_forward",
           "clip_by_global_norm"]


def _two(check, result, names):
    __tracebackhide__ = True
    if not isinstance(result, tuple) or len(result) != len(names):
        check.fail(f"return the tuple ({', '.join(names)})")
    return result


def momentum_step(function):
    """Check ``function(theta, v, g, learning_rate, mu)``: one step of gradient descent
    with momentum, v <- mu v - eta g, theta <- theta + v, returning ``(theta, v)``.
    Introduced in chapter 4."""
    check = Checker(function, "momentum_step")
    rng = np.random.default_rng(8)
    eta, mu = 0.1, 0.9
    for v, case in [(np.zeros(4), "for the first step (v = 0)"),
                    (rng.normal(size=4), "for a later step (v not 0)")]:
        theta, g = rng.normal(size=4), rng.normal(size=4)
        v_new = mu * v - eta * g
        theta_new, v_got = _two(check, check.call(theta, v, g, eta, mu), ("theta", "v"))
        check.compare(theta_new, theta + v_new, case, [
            (theta + mu * v + eta * g, "theta moves uphill: the step goes against the "
             "gradient"),
            (theta + v, "theta moves by the old velocity: update v first, then move by "
             "the new one"),
            (theta - eta * g, "theta takes a plain gradient step: the velocity is not used"),
            (theta + v - eta * g, "theta takes a gradient step on top of the old velocity; "
             "the velocity must be damped by mu first"),
        ], what="theta")
        check.compare(v_got, v_new, case, [
            (-v_new, "v has the opposite sign of the book's velocity (theta is right, "
             "but the returned v must be mu v - eta g)"),
            (v - eta * g, "the old velocity is not damped by mu"),
        ], what="v")
    check.passed("a first and a later step")


def adam_step(function):
    """Check ``function(theta, m, s, g, t, learning_rate, beta1, beta2, epsilon)``: one
    Adam step at step index t = 0, 1, 2, ... with bias correction 1 - beta^(t+1),
    returning ``(theta, m, s)``. Introduced in chapter 4."""
    check = Checker(function, "adam_step")
    rng = np.random.default_rng(9)
    eta, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    cases = [(0, np.zeros(3), np.zeros(3), 1.0, "for the first step (t = 0)"),
             (4, rng.normal(size=3), rng.uniform(0.5, 1, 3), 1.0, "for step t = 4"),
             (0, np.zeros(3), np.zeros(3), 1e-5, "for tiny gradients at t = 0")]
    for t, m, s, scale, case in cases:
        theta, g = rng.normal(size=3), scale * rng.normal(size=3)
        m_new = beta1 * m + (1 - beta1) * g
        s_new = beta2 * s + (1 - beta2) * g**2
        m_hat, s_hat = m_new / (1 - beta1 ** (t + 1)), s_new / (1 - beta2 ** (t + 1))
        expected = theta - eta * m_hat / (np.sqrt(s_hat) + eps)
        result = _two(check, check.call(theta, m, s, g, t, eta, beta1, beta2, eps),
                      ("theta", "m", "s"))
        check.compare(result[1], m_new, case, [
            (beta1 * m + g, "m must be a weighted average: the gradient gets the weight "
             "1 - beta1"),
        ], what="m")
        check.compare(result[2], s_new, case, [
            (beta2 * s + (1 - beta2) * g, "s averages the squared gradient"),
            (beta2 * s + (1 - beta2) * np.abs(g), "s averages the squared gradient"),
        ], what="s")
        mistakes = [
            (theta - eta * m_new / (np.sqrt(s_new) + eps), "the bias correction is "
             "missing: divide m and s by 1 - beta^(t+1) before the step"),
            (theta + eta * m_hat / (np.sqrt(s_hat) + eps), "theta moves uphill: the "
             "step goes against the gradient"),
            (theta - eta * m_hat / (s_hat + eps), "the step must divide by the square "
             "root of s"),
            (theta - eta * m_hat / np.sqrt(s_hat + eps), "epsilon belongs outside the "
             "square root, added to sqrt(s)"),
        ]
        if t > 0:
            mistakes.append((theta - eta * (m_new / (1 - beta1**t))
                             / (np.sqrt(s_new / (1 - beta2**t)) + eps),
                             "the bias correction is one step behind: at step index t "
                             "it is 1 - beta^(t+1)"))
        check.compare(result[0], expected, case, mistakes, what="theta")
    check.passed("a first step, a later step and a step with tiny gradients")


def dropout_forward(function):
    """Check ``function(x, mask, p)``: inverted dropout in training, the inputs x kept
    where the 0/1 ``mask`` is 1, dropped where it is 0, and scaled so that their expected
    value is unchanged; p is the drop probability. Introduced in chapter 4."""
    check = Checker(function, "dropout_forward")
    rng = np.random.default_rng(10)
    x = rng.normal(size=(4, 5))
    for p, case in [(0.2, "for p = 0.2"), (0.5, "for p = 0.5"), (0.0, "for p = 0")]:
        mask = (rng.random(x.shape) >= p).astype(float)
        expected = x * mask / (1 - p)
        check.compare(check.call(x, mask, p), expected, case, [
            (x * mask, "the kept inputs are not scaled, so the expected value shrinks by "
             "the keep probability"),
            (x * mask / max(p, 1e-3), "the scale uses the drop probability; it must undo "
             "the keep probability"),
            (x * mask * (1 - p), "the kept inputs are multiplied by the keep probability; "
             "they must be divided by it"),
            (x * (1 - mask) / (1 - p), "the mask is inverted: 1 means keep"),
        ], what="the output")
    check.passed("three drop probabilities, 0 among them")


def batchnorm_forward(function):
    """Check ``function(X, gamma, beta, epsilon)``: batch normalisation in training,
    every column (feature) of X standardised over the rows (samples) with the biased
    variance, then scaled by gamma and shifted by beta. Introduced in chapter 4."""
    check = Checker(function, "batchnorm_forward")
    rng = np.random.default_rng(11)
    eps = 1e-3
    X = rng.normal(size=(8, 3)) * np.array([1.0, 0.05, 3.0]) + np.array([0.5, -2.0, 4.0])
    gamma, beta = np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.3, 1.0])
    for X_case, case in [(X, "on 8 samples of 3 features"),
                         (np.column_stack([X[:, :2], np.full(8, 2.5)]),
                          "with a constant feature")]:
        def normalize(axis=0, ddof=0, inside=True):
            mean = X_case.mean(axis=axis, keepdims=True)
            var = X_case.var(axis=axis, ddof=ddof, keepdims=True)
            scale = np.sqrt(var + eps) if inside else np.sqrt(var) + eps
            return (X_case - mean) / scale

        x_hat = normalize()
        expected = gamma * x_hat + beta
        got = check.call(X_case, gamma, beta, eps)
        check.compare(got, expected, case, [
            (x_hat, "the scale gamma and the shift beta are not applied"),
            (beta * x_hat + gamma, "gamma and beta are swapped: gamma scales, beta shifts"),
            (gamma * normalize(ddof=1) + beta, "the variance is the unbiased one (ddof=1); "
             "batch normalisation divides by n"),
            (gamma * normalize(inside=False) + beta, "epsilon belongs under the square "
             "root, added to the variance"),
            (gamma * x_hat, "the shift beta is missing"),
            (gamma * normalize(axis=1) + beta, "the statistics are taken over the wrong "
             "axis: each feature (column) is standardised over the samples (rows)"),
        ], what="the output")
    check.passed("8 samples of 3 features and a batch with a constant feature")


def clip_by_global_norm(function):
    """Check ``function(grads, clip_norm)``: a list of gradient arrays rescaled together so
    that their global norm (the norm of all entries of all arrays) is at most
    ``clip_norm``, directions unchanged. Introduced in chapter 4."""
    check = Checker(function, "clip_by_global_norm")
    rng = np.random.default_rng(12)
    grads = [rng.normal(size=(3, 2)), rng.normal(size=2) * 4.0]
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    for clip, case in [(0.5 * norm, "when the global norm is twice clip_norm"),
                       (2.0 * norm, "when the global norm is below clip_norm")]:
        scale = min(1.0, clip / norm)
        result = check.call([g.copy() for g in grads], clip)
        if not isinstance(result, (list, tuple)) or len(result) != len(grads):
            check.fail(f"return a list with one array per gradient ({len(grads)} here)")
        for index, (got, g) in enumerate(zip(result, grads)):
            own = min(1.0, clip / np.linalg.norm(g))
            check.compare(got, scale * g, case, [
                (own * g, "each array is clipped by its own norm; the global norm is "
                 "that of all arrays together"),
                (clip / norm * g, "the gradients are rescaled even when their norm is "
                 "already below clip_norm"),
                (min(1.0, clip / norm**2) * g, "the global norm is the square root of "
                 "the sum of squares"),
            ], what=f"grads[{index}]")
    check.passed("two arrays with a global norm above and below clip_norm")
