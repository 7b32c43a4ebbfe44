"""Checkers for the exercises of chapter 1: the step neuron, the perceptron rule, the
mean squared error, XOR with two layers, and a sigmoid bump."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ._core import Checker

__all__ = ["step_neuron", "perceptron_update", "mse", "xor_network", "sigmoid_bump"]


def _step(z):
    return (np.asarray(z) > 0).astype(float)


def step_neuron(function):
    """Check ``function(X, w, b)``: the outputs H(X w + b), one 0 or 1 per row of X, with
    H(z) = 1 for z > 0 and 0 for z <= 0. Introduced in chapter 1."""
    check = Checker(function, "step_neuron")
    rng = np.random.default_rng(1)
    X, w, b = rng.normal(size=(20, 3)), rng.normal(size=3), 0.3
    z = X @ w + b
    check.compare(check.call(X, w, b), _step(z), "on 20 random samples", [
        (_step(X @ w), "the bias is missing: the step acts on the weighted sum plus b"),
        (z, "the outputs are the weighted sums themselves; the neuron passes them "
            "through the step function H"),
        (1 - _step(z), "0 and 1 are swapped: H is 1 for a positive weighted input"),
    ])
    # Samples exactly on the decision boundary: z = 0 must give 0.
    X_edge = np.array([[1.0, 1.0, 0.0], [2.0, 2.0, 5.0], [3.0, 1.0, 0.0]])
    w_edge, b_edge = np.array([1.0, -1.0, 0.0]), 0.0
    z_edge = X_edge @ w_edge + b_edge
    check.compare(check.call(X_edge, w_edge, b_edge), _step(z_edge),
                  "on samples with a weighted input of exactly 0", [
        ((z_edge >= 0).astype(float), "at a weighted input of exactly 0 the output must be "
         "0: the book's H is 1 only for z > 0 (a strict inequality)"),
    ])
    check.passed("random samples and samples on the decision boundary")


def perceptron_update(function):
    """Check ``function(w, b, x, y, eta)``: one step of the perceptron rule for one sample
    ``x`` with label ``y`` in {0, 1}, returning ``(new_w, new_b)``. Chapter 1."""
    check = Checker(function, "perceptron_update")
    w, eta = np.array([0.5, -1.0, 0.25]), 0.1
    cases = [  # (x, y, b, description)
        (np.array([1.0, 0.5, 2.0]), 1.0, 0.0, "for a correctly classified sample"),
        (np.array([1.0, 1.0, 0.0]), 1.0, -0.2, "for a missed 1 (a false negative)"),
        (np.array([2.0, 0.5, 1.0]), 0.0, 0.1, "for a false positive"),
    ]
    for x, y, b, case in cases:
        prediction = float(x @ w + b > 0)
        error = y - prediction
        result = check.call(w, b, x, y, eta)
        if not isinstance(result, tuple) or len(result) != 2:
            check.fail("return the pair (new_w, new_b), e.g. `return w_new, b_new`")
        new_w, new_b = result
        check.compare(new_w, w + eta * error * x, case, [
            (w - eta * error * x, "the weights move the wrong way: after a missed 1 they "
             "must move towards x, after a false positive away from it"),
            (w + error * x, "the learning rate eta is missing from the weight update"),
            (w + eta * y * x, "the update must use the error y - prediction, which is 0 "
             "for a correct prediction, not the label alone"),
        ], what="new_w")
        check.compare(new_b, b + eta * error, case, [
            (b, "the bias is not updated; it changes like a weight whose input is 1"),
            (b - eta * error, "the bias moves the wrong way (a sign error)"),
        ], what="new_b")
    check.passed("a correct sample, a false negative and a false positive")


def mse(function):
    """Check ``function(a, y)``: the book's mean squared error, the mean over samples and
    outputs of (a - y)^2, without a factor 1/2, returned as one number. Chapter 1."""
    check = Checker(function, "mse")
    rng = np.random.default_rng(2)
    for shape, case in [((10, 3), "on 10 samples with 3 outputs each"),
                        ((25,), "on a vector of 25 outputs")]:
        a, y = rng.normal(size=shape), rng.normal(size=shape)
        squares = (a - y) ** 2
        check.compare(check.call(a, y), np.mean(squares), case, [
            (np.sum(squares), "the squares are summed; the book's cost averages them"),
            (0.5 * np.mean(squares), "there is a factor 1/2 too many: the book's mse "
             "has none"),
            (np.sum(squares) / shape[0], "the squares are averaged over the samples "
             "only; the book's mse averages over the outputs too"),
            (np.sqrt(np.mean(squares)), "this is the root of the mean squared error"),
            (np.mean(a - y), "the differences are not squared"),
            (np.mean(np.abs(a - y)), "this is the mean absolute error; square the "
             "differences instead"),
        ], what="the cost")
    check.passed("vectors and 2-D arrays of outputs")


def xor_network(function):
    """Check ``function(X)``: a two-layer network of step neurons with weights chosen by
    hand that returns XOR of the two 0/1 columns of X, one output per row. Chapter 1."""
    check = Checker(function, "xor_network")
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    truth = {"XOR": [0, 1, 1, 0], "OR": [0, 1, 1, 1], "AND": [0, 0, 0, 1],
             "NAND": [1, 1, 1, 0], "XNOR": [1, 0, 0, 1], "NOR": [1, 0, 0, 0]}
    hints = {
        "OR": "the network computes OR: it must also switch off when both inputs are 1",
        "AND": "the network computes AND: it must be 1 when exactly one input is 1",
        "NAND": "the network computes NAND: it must also switch off when both inputs are 0",
        "XNOR": "the outputs are inverted: this is XNOR, not XOR",
        "NOR": "the network computes NOR, a single step neuron's function; XOR needs "
               "the hidden layer to combine two of them",
    }
    for order, case in [([0, 1, 2, 3], "on the four inputs"),
                        ([3, 1, 0, 2], "on the four inputs in another order")]:
        expected = np.array(truth["XOR"], dtype=float)[order]
        mistakes = [(np.array(truth[gate], dtype=float)[order], hint)
                    for gate, hint in hints.items()]
        mistakes.append((np.array(truth["XOR"], dtype=float), "the outputs do not follow "
                         "the rows of X: compute them from X instead of writing them down"))
        check.compare(check.call(X[order]), expected, case, mistakes, what="the outputs")
    check.passed("the four inputs, in two orders")


def sigmoid_bump(function):
    """Check ``function(x, left, right, height, steepness)``: the bump
    height * (sigmoid(k (x - left)) - sigmoid(k (x - right))), k the steepness, built
    from two sigmoid steps, on an array x. Chapter 1."""
    check = Checker(function, "sigmoid_bump")
    x = np.linspace(-1.0, 2.0, 31)
    for left, right, height, k, case in [
            (0.2, 0.7, 1.5, 10.0, "for a bump of height 1.5 on [0.2, 0.7]"),
            (0.0, 1.0, -0.5, 1000.0, "for a very steep bump (steepness 1000)")]:
        expected = height * (expit(k * (x - left)) - expit(k * (x - right)))
        check.compare(check.call(x, left, right, height, k), expected, case, [
            (-expected, "the bump points the wrong way: the step at `left` goes up and "
             "the one at `right` comes down"),
            (expected / height, "the height is missing"),
            (height * (expit(x - left) - expit(x - right)), "the steepness is missing: "
             "it multiplies the argument of each sigmoid"),
            (height * (_step(x - left) - _step(x - right)), "these are hard steps; the "
             "exercise asks for sigmoids (they only approach the steps as k grows)"),
        ], what="the bump")
    check.passed("a gentle and a very steep bump on 31 points")
