"""Checkers for the exercises of chapter 2: the gradient of the mean squared error, the
softmax Jacobian, the softmax/cross-entropy output error, the error of a hidden layer
and the backward pass of a dense layer. Each result is held against the book's
reference and against centred finite differences."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ..activations import Softmax
from ..losses import CrossEntropy, MeanSquaredError
from ._core import Checker, centred_derivative

__all__ = ["mse_gradient", "softmax_jacobian", "softmax_cross_entropy_delta",
           "hidden_delta", "dense_backward"]


def mse_gradient(function):
    """Check ``function(a, y)``: dC/da for the book's mse C = mean of (a - y)^2 over
    samples and outputs, an array shaped like ``a``. Introduced in chapter 2."""
    check = Checker(function, "mse_gradient")
    rng = np.random.default_rng(3)
    a, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    n, outputs = a.shape
    expected = 2 * (a - y) / a.size
    got = check.call(a, y)
    check.compare(got, expected, "on 6 samples with 3 outputs", [
        (-expected, "the sign is wrong: the gradient points towards larger errors"),
        ((a - y) / a.size, "the factor 2 from the square is missing (the book's mse has "
         "no 1/2 to cancel it)"),
        (2 * (a - y) / n, "the gradient divides by the number of samples only; the mse "
         "averages over the outputs too"),
        (2 * (a - y), "the 1/(number of entries) of the mean is missing"),
        (a - y, "this is the gradient of 1/2 (a - y)^2 for one sample; the book's cost "
         "is the mean of (a - y)^2"),
    ], what="the gradient")
    mse = MeanSquaredError()
    check.derivative(got, centred_derivative(lambda v: mse.value(v, y), a),
                     "of the mse with respect to a")
    check.passed("the values on random data and the finite-difference gradient")


def softmax_jacobian(function):
    """Check ``function(z)``: the Jacobian da_k/dz_m of the softmax a = softmax(z) of one
    vector z of length K, a (K, K) matrix. Introduced in chapter 2."""
    check = Checker(function, "softmax_jacobian")
    rng = np.random.default_rng(4)
    softmax = Softmax()
    cases = [(rng.normal(size=4), "for a random z of length 4"),
             (np.array([1000.0, 999.0, -1000.0]), "for z with entries of size 1000 "
              "(shift z by its maximum before taking exp)"),
             (np.array([0.7]), "for a single class")]
    for z, case in cases:
        a = softmax.value(z[None, :])[0]
        expected = np.diag(a) - np.outer(a, a)
        got = check.call(z)
        check.compare(got, expected, case, [
            (-expected, "the sign is wrong: the diagonal entries must be positive"),
            (-np.outer(a, a), "the diagonal term is missing: a_k depends on z_k also "
             "directly, not only through the sum in the denominator"),
            (np.diag(a * (1 - a)), "only the diagonal is filled: every a_k depends on "
             "every z_m, so the off-diagonal entries are not zero"),
            (np.diag(a), "the term from the denominator is missing"),
        ], what="the Jacobian")
        if case.startswith("for a random"):
            check.derivative(got, centred_derivative(
                lambda v: softmax.value(v[None, :])[0], z), case)
    check.passed("a random vector, logits of size 1000, a single class and finite "
                 "differences")


def softmax_cross_entropy_delta(function):
    """Check ``function(Z, Y)``: the output error dC/dZ of a softmax output layer with the
    mean cross-entropy C over the n rows of the logits Z and one-hot targets Y.
    Introduced in chapter 2."""
    check = Checker(function, "softmax_cross_entropy_delta")
    rng = np.random.default_rng(5)
    n, classes = 5, 4
    Z = rng.normal(size=(n, classes))
    Y = np.eye(classes)[rng.integers(0, classes, n)]
    A = Softmax().value(Z.copy())
    expected = (A - Y) / n
    got = check.call(Z, Y)
    check.compare(got, expected, "on 5 samples and 4 classes", [
        (A - Y, "the 1/n of the mean over the samples is missing"),
        (-expected, "the sign is wrong: the error is prediction minus target"),
        ((Z - Y) / n, "the logits are used where the softmax probabilities belong"),
        ((A - Y) / (n * classes), "the error is divided by the number of classes too; "
         "the cross-entropy sums over the classes of one sample"),
        ((A - Y) / classes, "the error is divided by the number of classes; divide by "
         "the number of samples"),
    ], what="the output error")
    loss = CrossEntropy()
    check.derivative(got, centred_derivative(lambda V: loss.value_from_logits(V, Y), Z),
                     "of the mean cross-entropy with respect to Z")
    Z_big = np.array([[800.0, 0.0, -800.0], [0.0, 1000.0, 0.0]])
    Y_big = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    check.compare(check.call(Z_big, Y_big), (Softmax().value(Z_big.copy()) - Y_big) / 2,
                  "for logits of size 1000 (shift each row by its maximum)",
                  what="the output error")
    check.passed("random logits, the finite-difference gradient and logits of size 1000")


def hidden_delta(function):
    """Check ``function(delta_next, W_next, Z)``: the error Delta^l of a sigmoid hidden
    layer from the error Delta^{l+1} of the layer above, its weights W^{l+1} (shape
    (n_l, n_{l+1})) and this layer's pre-activations Z^l. Introduced in chapter 2."""
    check = Checker(function, "hidden_delta")
    rng = np.random.default_rng(6)
    for n, units, units_next, case in [(5, 3, 3, "for a square weight matrix"),
                                       (5, 4, 3, "for a layer of 4 units feeding 3")]:
        delta_next = rng.normal(size=(n, units_next))
        W_next = rng.normal(size=(units, units_next))
        Z = rng.normal(size=(n, units))
        s = expit(Z)
        back = delta_next @ W_next.T
        expected = back * s * (1 - s)
        mistakes = [
            (back, "the factor f'(Z) of the activation is missing"),
            (back * s, "the activation's value sigma(Z) is used where its derivative "
             "belongs"),
            (back * Z, "Z is used where the activation's derivative f'(Z) belongs"),
        ]
        if units == units_next:
            mistakes.append((delta_next @ W_next * s * (1 - s), "W_next must be "
                             "transposed: the error flows back along the connections"))
        got = check.call(delta_next, W_next, Z)
        check.compare(got, expected, case, mistakes, what="the error")
        # Delta^l is dC/dZ^l for C = sum(delta_next * Z^{l+1}).
        numeric = centred_derivative(
            lambda V: np.sum(delta_next * (expit(V) @ W_next)), Z)
        check.derivative(got, numeric, case)
    check.passed("a rectangular and a square weight matrix, and finite differences")


def dense_backward(function):
    """Check ``function(X, W, delta)``: the backward pass of a dense layer Z = X W + b,
    returning ``(dW, db, dX)`` from the error delta = dC/dZ. Introduced in chapter 2."""
    check = Checker(function, "dense_backward")
    rng = np.random.default_rng(7)
    for n, n_in, n_out, case in [(3, 3, 3, "for a square weight matrix"),
                                 (6, 4, 3, "for 6 samples, 4 inputs and 3 units")]:
        X, W = rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out))
        delta = rng.normal(size=(n, n_out))
        result = check.call(X, W, delta)
        if not isinstance(result, tuple) or len(result) != 3:
            check.fail("return the three gradients as a tuple, `return dW, db, dX`")
        dW, db, dX = result
        check.compare(dW, X.T @ delta, case, [
            ((X.T @ delta).T, "dW is transposed: it must have the shape of W, "
             "(inputs, units)"),
            (X.T @ delta / n, "dW is divided by n; the 1/n of the mean is already inside "
             "delta"),
        ], what="dW")
        check.compare(db, delta.sum(axis=0), case, [
            (delta.sum(axis=1), "db is summed over the wrong axis: sum over the samples "
             "(the rows), one entry per unit"),
            (delta.mean(axis=0), "db is a mean; the 1/n is already inside delta, so sum"),
            (delta[0], "db uses the first sample only; sum over all samples"),
        ], what="db")
        mistakes = [(delta @ W, "W must be transposed in dX: the error flows back along "
                     "the connections")] if n_in == n_out else []
        check.compare(dX, delta @ W.T, case, mistakes, what="dX")
        b = rng.normal(size=n_out)
        linear = lambda X_, W_, b_: np.sum(delta * (X_ @ W_ + b_))  # noqa: E731
        check.derivative(dW, centred_derivative(lambda V: linear(X, V, b), W), case, "dW")
        check.derivative(db, centred_derivative(lambda V: linear(X, W, V), b), case, "db")
        check.derivative(dX, centred_derivative(lambda V: linear(V, W, b), X), case, "dX")
    check.passed("dW, db and dX for a rectangular and a square layer, and finite "
                 "differences")
