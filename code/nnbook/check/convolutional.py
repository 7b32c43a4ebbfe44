"""Checkers for the exercises of chapter 5: the output size of a convolution, a
single-channel cross-correlation, the weight and input gradients of a convolution layer,
and the backward pass of max pooling. References are ``nnbook.convolution``'s public
functions and layers, and centred finite differences."""

from __future__ import annotations

import numpy as np

from ..convolution import MaxPool2D, conv2d_backward, conv2d_forward
from ._core import Checker, centred_derivative

__all__ = ["conv_output_size", "cross_correlate2d", "conv_weight_gradient",
           "conv_input_gradient", "maxpool_backward"]


def conv_output_size(function):
    """Check ``function(n, k, s, p)``: the number of outputs along one axis of a
    convolution with input size n, kernel size k, stride s and p zeros on each side.
    Introduced in chapter 5."""
    check = Checker(function, "conv_output_size")
    for n, k, s, p in [(28, 3, 1, 0), (28, 3, 1, 2), (32, 5, 2, 2), (7, 3, 2, 0),
                       (10, 4, 3, 1), (5, 5, 1, 0)]:
        case = f"for n={n}, k={k}, s={s}, p={p}"
        got = check.call(n, k, s, p)
        check.compare(got, (n + 2 * p - k) // s + 1, case, [
            ((n + 2 * p - k) // s, "the count is one too small: the first window sits at "
             "position 0 before any step is taken"),
            ((n + p - k) // s + 1, "the zeros are added on both sides of the input"),
            ((n + 2 * p - k) / s + 1, "a window that would stick out of the input is not "
             "counted: round the number of steps down"),
            (n + 2 * p - k + 1, "the stride is ignored"),
        ], what="the size")
        if isinstance(got, (float, np.floating)):
            check.fail(f"the size is a float {case}; a size counts windows, so it is an "
                       "integer (integer division // rounds the steps down)")
    check.passed("six combinations of size, kernel, stride and padding")


def cross_correlate2d(function):
    """Check ``function(image, kernel)``: the valid cross-correlation (the "convolution"
    of a CNN layer, kernel not flipped) of a 2-D image with a 2-D kernel. Chapter 5."""
    check = Checker(function, "cross_correlate2d")
    rng = np.random.default_rng(13)
    for shape, kernel_shape, case in [((6, 7), (3, 3), "for a 6x7 image and a 3x3 kernel"),
                                      ((5, 5), (2, 3), "for a 2x3 kernel"),
                                      ((4, 4), (1, 1), "for a 1x1 kernel")]:
        image, kernel = rng.normal(size=shape), rng.normal(size=kernel_shape)

        def correlate(k):
            return conv2d_forward(image[None, :, :, None], k[:, :, None, None],
                                  np.zeros(1))[0, :, :, 0]

        expected = correlate(kernel)
        check.compare(check.call(image, kernel), expected, case, [
            (correlate(kernel[::-1, ::-1]), "the kernel is flipped: that is the "
             "mathematical convolution; a CNN layer slides the kernel as it is"),
            (expected.T, "the output is transposed"),
        ], what="the output")
    check.passed("three image and kernel sizes")


def _case(rng, n, h, w, c, kh, kw, f):
    x = rng.normal(size=(n, h, w, c))
    W = rng.normal(size=(kh, kw, c, f))
    delta = rng.normal(size=(n, h - kh + 1, w - kw + 1, f))
    return x, W, delta


_SHAPES = [((2, 5, 6, 3, 3, 2, 4), "for 2 images of 5x6x3, a 3x2 kernel and 4 filters"),
           ((3, 4, 4, 2, 2, 2, 2), "for 3 images and as many filters as channels")]


def conv_weight_gradient(function):
    """Check ``function(x, delta, kernel_size)``: dC/dW of a stride-1 "valid" convolution
    layer from its input x (n, h, w, c) and error delta = dC/dz (n, h', w', f), an array
    of shape (kh, kw, c, f). Introduced in chapter 5."""
    check = Checker(function, "conv_weight_gradient")
    rng = np.random.default_rng(14)
    for shape, case in _SHAPES:
        n, kh, kw, f = shape[0], shape[4], shape[5], shape[6]
        x, W, delta = _case(rng, *shape)
        _, dW, _ = conv2d_backward(x, W, delta)
        got = check.call(x, delta, (kh, kw))
        check.compare(got, dW, case, [
            (dW[::-1, ::-1], "the kernel positions are flipped: entry (p, q) of the "
             "gradient pairs the error at (i, j) with the input at (i + p, j + q)"),
            (conv2d_backward(x[:1], W, delta[:1])[1], "only the first image is used: the "
             "gradient sums over all images of the mini-batch"),
            (dW / n, "the gradient is divided by n; the 1/n of the mean is already "
             "inside delta"),
            (dW.transpose(0, 1, 3, 2), "the channel and filter axes are swapped: the "
             "shape is (kh, kw, in_channels, filters), like W"),
        ], what="dW")
        numeric = centred_derivative(
            lambda V: np.sum(delta * conv2d_forward(x, V, np.zeros(f))), W)
        check.derivative(got, numeric, case, "dW")
    check.passed("two layer shapes against nnbook and finite differences")


def conv_input_gradient(function):
    """Check ``function(delta, W)``: dC/dx of a stride-1 "valid" convolution layer from
    its error delta = dC/dz (n, h', w', f) and kernel W (kh, kw, c, f), an array of shape
    (n, h' + kh - 1, w' + kw - 1, c). Introduced in chapter 5."""
    check = Checker(function, "conv_input_gradient")
    rng = np.random.default_rng(15)
    for shape, case in _SHAPES:
        x, W, delta = _case(rng, *shape)
        dx = conv2d_backward(x, W, delta)[0]
        got = check.call(delta, W)
        check.compare(got, dx, case, [
            (conv2d_backward(x, W[::-1, ::-1], delta)[0], "the kernel is not flipped: "
             "written as a full convolution of the error, the input gradient uses the "
             "kernel rotated by 180 degrees"),
            (conv2d_backward(x, W[..., :1], delta[..., :1])[0], "only the first filter "
             "contributes: every filter's error flows back into every input channel"),
        ], what="dx")
        f = W.shape[3]
        numeric = centred_derivative(
            lambda V: np.sum(delta * conv2d_forward(V, W, np.zeros(f))), x)
        check.derivative(got, numeric, case, "dx")
    check.passed("two layer shapes against nnbook and finite differences")


def maxpool_backward(function):
    """Check ``function(x, grad_out)``: the backward pass of 2x2 max pooling with stride
    2 on images x (n, h, w, c), h and w even, returning dC/dx. Chapter 5."""
    check = Checker(function, "maxpool_backward")
    rng = np.random.default_rng(16)
    for shape, case in [((2, 4, 6, 3), "for 2 images of 4x6x3"),
                        ((1, 2, 2, 1), "for a single window")]:
        x = rng.normal(size=shape)
        grad_out = rng.normal(size=(shape[0], shape[1] // 2, shape[2] // 2, shape[3]))
        pool = MaxPool2D(2)
        pool.forward(x)
        expected = pool.backward(grad_out)
        spread = np.repeat(np.repeat(grad_out, 2, axis=1), 2, axis=2)
        first = np.zeros_like(x)
        first[:, ::2, ::2, :] = grad_out
        check.compare(check.call(x, grad_out), expected, case, [
            (spread / 4, "the gradient is spread evenly over the window: that is average "
             "pooling; max pooling sends it to the window's maximum only"),
            (spread, "every input of the window receives the gradient; only the maximum "
             "does"),
            (first, "the gradient always goes to the window's top-left input; it goes to "
             "the position of the maximum"),
        ], what="dx")
        numeric = centred_derivative(
            lambda V: np.sum(grad_out * MaxPool2D(2).forward(V)), x)
        check.derivative(check.call(x, grad_out), numeric, case, "dx")
    check.passed("two input shapes against nnbook's MaxPool2D and finite differences")
