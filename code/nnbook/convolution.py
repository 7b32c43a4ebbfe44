"""Convolutional layers: Conv2D, MaxPool2D, AvgPool2D and Flatten (chapter 5).

Images are mini-batches of shape ``(n, height, width, channels)`` ("channels last", as in
Keras), and a convolution kernel has shape ``(kh, kw, in_channels, out_channels)``, also as
in Keras, so weights move between the two without any transpose.

What a "convolution" layer computes is, strictly speaking, a cross-correlation (the kernel
is not flipped)::

    z[n, i, j, f] = b[f] + sum_{p, q, c} x_pad[n, s_h i + p, s_w j + q, c] W[p, q, c, f]

with ``x_pad`` the zero-padded input and ``(s_h, s_w)`` the strides. Chapter 5 derives the
backward pass in this index form and shows that the input gradient is again a convolution.

Two implementations are kept side by side, as chapter 5 teaches them:

* ``conv2d_loop_forward`` / ``conv2d_loop_backward``: the formulas above written as loops
  over samples, output pixels and filters. Slow, but they read like the equations; the
  tests hold the fast version against them.
* im2col: every receptive field is copied into one row of a matrix (Chellapilla et al.
  2006), so that the whole forward pass is one matrix product and the backward pass two,
  with col2im (the adjoint of im2col) adding the input gradient back. No Python loop runs
  over samples or pixels: ``_im2col_padded`` / ``_col2im_padded`` make one strided copy or
  addition per kernel offset (p, q). The public ``im2col``, ``col2im``,
  ``conv2d_forward``, ``conv2d_backward`` and the layer ``Conv2D`` all run these two.

Padding follows Keras exactly: ``"valid"`` adds none; ``"same"`` gives ``ceil(size /
stride)`` outputs and, when the total padding is odd, puts the extra row (column) at the
bottom (right); an integer ``p`` (or a pair) pads ``p`` zeros on both sides.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from .activations import get_activation
from .initializers import default_initializer, get_initializer, zeros
from .layers import Layer
from .validation import check_positive_int

__all__ = [
    "Conv2D", "MaxPool2D", "AvgPool2D", "Flatten",
    "conv_output_size", "padding_amounts", "im2col", "col2im",
    "conv2d_forward", "conv2d_backward", "conv2d_loop_forward", "conv2d_loop_backward",
]


# ---------------------------------------------------------------------- argument checks
def _pair(value, argument):
    """``value`` (an int or a pair of ints) as a pair of positive ints, or raise."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{argument} must be an integer or a pair of integers, got {value!r}")
        return (check_positive_int(value[0], argument), check_positive_int(value[1], argument))
    value = check_positive_int(value, argument)
    return (value, value)


def _check_padding(padding, argument="padding"):
    """Normalize ``padding`` to "same", "valid" or a pair of non-negative ints."""
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(
                f"{argument} must be 'same', 'valid' or a non-negative integer, got {padding!r}"
            )
        return padding
    values = padding if isinstance(padding, (tuple, list)) else (padding, padding)
    if len(values) != 2 or any(
        isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0 for v in values
    ):
        raise ValueError(
            f"{argument} must be 'same', 'valid' or a non-negative integer (or a pair), "
            f"got {padding!r}"
        )
    return (int(values[0]), int(values[1]))


def _check_images(x, argument="x", channels=None, channels_argument="in_channels"):
    """``x`` as a 4-D floating array (n, height, width, channels), or raise."""
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(
            f"{argument} must have 4 dimensions (n, height, width, channels), got shape {x.shape}"
        )
    if x.dtype.kind != "f":
        x = x.astype(float)
    if channels is not None and x.shape[3] != channels:
        raise ValueError(
            f"{argument} has {x.shape[3]} channels (last axis) but {channels_argument}="
            f"{channels}"
        )
    return x


def _check_kernel(W, argument="W"):
    W = np.asarray(W)
    if W.ndim != 4:
        raise ValueError(
            f"{argument} must have shape (kh, kw, in_channels, out_channels), got {W.shape}"
        )
    return W


# ---------------------------------------------------------------------- sizes and padding
def _axis_padding(size, kernel, stride, padding):
    """(before, after, output size) along one axis; ``padding`` is "same", "valid" or int."""
    if padding == "same":
        out = -(-size // stride)  # ceil(size / stride)
        total = max((out - 1) * stride + kernel - size, 0)
        # Keras/TensorFlow put the odd extra zero after the image (bottom/right).
        return total // 2, total - total // 2, out
    before = after = 0 if padding == "valid" else padding
    padded = size + before + after
    if kernel > padded:
        return before, after, 0
    return before, after, (padded - kernel) // stride + 1


def conv_output_size(input_size, kernel_size, stride=1, padding="valid"):
    """Number of outputs along one axis: ``floor((n + 2p - k) / s) + 1`` for ``p`` zeros on
    each side (``padding=p``, ``"valid"`` is ``p = 0``), and ``ceil(n / s)`` for ``"same"``.

    Raises ValueError (naming ``kernel_size``) when the kernel is larger than the padded
    input. Introduced in chapter 5.
    """
    input_size = check_positive_int(input_size, "input_size")
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    stride = check_positive_int(stride, "stride")
    padding = _check_padding(padding)
    if isinstance(padding, tuple):
        padding = padding[0]
    before, after, out = _axis_padding(input_size, kernel_size, stride, padding)
    if out == 0:
        raise ValueError(
            f"kernel_size {kernel_size} is larger than the padded input "
            f"{input_size + before + after}"
        )
    return out


def padding_amounts(input_shape, kernel_size, stride=1, padding="valid",
                    argument="kernel_size"):
    """Zeros to add and output size for an image of ``input_shape = (height, width)``:
    returns ``((top, bottom), (left, right)), (out_height, out_width)``. Keras' "same"
    padding puts an odd extra zero at the bottom/right. Introduced in chapter 5."""
    kh, kw = _pair(kernel_size, argument)
    sh, sw = _pair(stride, "stride")
    padding = _check_padding(padding)
    ph, pw = (padding, padding) if isinstance(padding, str) else padding
    height, width = int(input_shape[0]), int(input_shape[1])
    top, bottom, out_h = _axis_padding(height, kh, sh, ph)
    left, right, out_w = _axis_padding(width, kw, sw, pw)
    if out_h == 0 or out_w == 0:
        raise ValueError(
            f"{argument} {(kh, kw)} is larger than the padded input "
            f"{(height + top + bottom, width + left + right)}"
        )
    return ((top, bottom), (left, right)), (out_h, out_w)


def _pad(x, pads, value=0.0):
    """Pad the two spatial axes of a (n, h, w, c) array; no copy when nothing is added."""
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == 0:
        return x
    n, h, w, c = x.shape
    # Filling a preallocated array is several times faster than np.pad for small batches.
    xp = np.full((n, h + top + bottom, w + left + right, c), value, dtype=x.dtype)
    xp[:, top:top + h, left:left + w, :] = x
    return xp


def _crop(xp, pads, shape):
    (top, _), (left, _) = pads
    return xp[:, top:top + shape[1], left:left + shape[2], :]


def _offset_slices(p, q, stride, out_shape):
    """Index of the input pixels that kernel offset (p, q) meets, one per output pixel."""
    sh, sw = stride
    out_h, out_w = out_shape
    return (slice(None), slice(p, p + sh * (out_h - 1) + 1, sh),
            slice(q, q + sw * (out_w - 1) + 1, sw), slice(None))


class _Geometry(NamedTuple):
    """Everything about a window sliding over an image of a given size: the zeros to add,
    the output size, the padded size and, for every window offset (p, q) in row-major
    order, the index of the input pixels it meets (one per output pixel)."""

    pads: tuple
    out_shape: tuple
    padded_shape: tuple
    offsets: tuple


def _window_geometry(image_shape, window, stride, padding, argument="kernel_size"):
    """The ``_Geometry`` of a ``window`` sliding with ``stride`` over ``image_shape``."""
    pads, out_shape = padding_amounts(image_shape, window, stride, padding, argument)
    (top, bottom), (left, right) = pads
    padded_shape = (image_shape[0] + top + bottom, image_shape[1] + left + right)
    offsets = tuple(_offset_slices(p, q, stride, out_shape)
                    for p in range(window[0]) for q in range(window[1]))
    return _Geometry(pads, out_shape, padded_shape, offsets)


# ---------------------------------------------------------------------- im2col / col2im
def _im2col_padded(xp, geometry):
    """Rows = receptive fields of the padded ``xp``, columns ordered (p, q, c) like
    ``W.reshape(kh * kw * C, F)``: an array of shape (n, out_h * out_w, kh * kw * C)."""
    n, c = xp.shape[0], xp.shape[3]
    out_h, out_w = geometry.out_shape
    cols = np.empty((n, out_h, out_w, len(geometry.offsets), c), dtype=xp.dtype)
    # One strided copy per kernel offset: kh * kw vectorized copies, no loop over pixels.
    for k, index in enumerate(geometry.offsets):
        cols[:, :, :, k, :] = xp[index]
    return cols.reshape(n, out_h * out_w, -1)


def _col2im_padded(cols, n, c, geometry):
    """Adjoint of ``_im2col_padded``: add every row back onto the pixels it was copied from;
    returns the padded image of shape (n, padded_h, padded_w, c). ``cols`` may also come
    as a (strided) view of shape (n, out_h, out_w, kh * kw, c)."""
    out_h, out_w = geometry.out_shape
    cols = cols.reshape(n, out_h, out_w, len(geometry.offsets), c)
    xp = np.zeros((n, *geometry.padded_shape, c), dtype=cols.dtype)
    for k, index in enumerate(geometry.offsets):
        # Overlapping receptive fields add up here: the sum over output pixels (i, j) of
        # the chain rule, done one kernel offset at a time.
        xp[index] += cols[:, :, :, k, :]
    return xp


def im2col(x, kernel_size, stride=1, padding="valid"):
    """The matrix whose rows are the (zero-padded) receptive fields of ``x``.

    ``x`` has shape (n, height, width, C); the result has shape (n * out_h * out_w,
    kh * kw * C), row ``(sample, i, j)`` holding the window under output pixel (i, j) with
    entries in the order (p, q, c). A convolution is then ``im2col(x) @ W.reshape(-1, F)``.
    Introduced in chapter 5.
    """
    x = _check_images(x)
    geometry = _window_geometry(x.shape[1:3], _pair(kernel_size, "kernel_size"),
                         _pair(stride, "stride"), _check_padding(padding))
    cols = _im2col_padded(_pad(x, geometry.pads), geometry)
    return cols.reshape(-1, cols.shape[2])


def col2im(cols, input_shape, kernel_size, stride=1, padding="valid"):
    """The adjoint (transpose) of ``im2col``: an array of ``input_shape`` = (n, h, w, C) in
    which every entry of ``cols`` is added to the input pixel it was copied from, so pixels
    shared by overlapping windows receive the sum. Introduced in chapter 5."""
    if len(input_shape) != 4:
        raise ValueError(f"input_shape must be (n, height, width, channels), got {input_shape}")
    n, height, width, c = (int(s) for s in input_shape)
    kernel = _pair(kernel_size, "kernel_size")
    geometry = _window_geometry((height, width), kernel, _pair(stride, "stride"),
                         _check_padding(padding))
    cols = np.asarray(cols)
    out_h, out_w = geometry.out_shape
    expected = (n * out_h * out_w, kernel[0] * kernel[1] * c)
    if cols.shape != expected:
        raise ValueError(f"cols must have shape {expected}, got {cols.shape}")
    xp = _col2im_padded(cols, n, c, geometry)
    return _crop(xp, geometry.pads, (n, height, width, c)).copy()


def conv2d_forward(x, W, b, stride=1, padding="valid"):
    """Vectorized convolution (cross-correlation) by im2col: one matrix product.

    ``x``: (n, h, w, C); ``W``: (kh, kw, C, F); ``b``: (F,). Returns z of shape
    (n, out_h, out_w, F). Introduced in chapter 5.
    """
    W = _check_kernel(W)
    kh, kw, c, f = W.shape
    x = _check_images(x, channels=c, channels_argument="W.shape[2]")
    cols = im2col(x, (kh, kw), stride, padding)
    z = cols @ W.reshape(kh * kw * c, f) + b
    out_h, out_w = padding_amounts(x.shape[1:3], (kh, kw), stride, padding)[1]
    return z.reshape(x.shape[0], out_h, out_w, f)


def conv2d_backward(x, W, delta, stride=1, padding="valid"):
    """Vectorized gradients of a convolution: given ``delta = dC/dz`` of shape
    (n, out_h, out_w, F), returns (dC/dx, dC/dW, dC/db): two matrix products and col2im.
    Introduced in chapter 5."""
    W = _check_kernel(W)
    kh, kw, c, f = W.shape
    x = _check_images(x, channels=c, channels_argument="W.shape[2]")
    cols = im2col(x, (kh, kw), stride, padding)
    delta = np.asarray(delta)
    if delta.size != cols.shape[0] * f:
        raise ValueError(f"delta has {delta.size} entries, expected {cols.shape[0] * f}")
    delta = delta.reshape(-1, f)
    W2 = W.reshape(kh * kw * c, f)
    dW = (cols.T @ delta).reshape(W.shape)
    db = delta.sum(axis=0)
    dx = col2im(delta @ W2.T, x.shape, (kh, kw), stride, padding)
    return dx, dW, db


# ---------------------------------------------------------------------- loop versions
def conv2d_loop_forward(x, W, b, stride=1, padding="valid"):
    """The convolution written as loops, exactly as the index formula of chapter 5:
    ``z[n, i, j, f] = b[f] + sum_{p,q,c} x_pad[n, s i + p, s j + q, c] W[p, q, c, f]``.

    Slow (four nested Python loops); kept for teaching and as the reference of the tests.
    Introduced in chapter 5.
    """
    W = _check_kernel(W)
    kh, kw, c, n_filters = W.shape
    x = _check_images(x, channels=c, channels_argument="W.shape[2]")
    sh, sw = _pair(stride, "stride")
    pads, (out_h, out_w) = padding_amounts(x.shape[1:3], (kh, kw), (sh, sw), padding)
    xp = _pad(x, pads)
    n = x.shape[0]
    z = np.empty((n, out_h, out_w, n_filters), dtype=np.result_type(x, W))
    for sample in range(n):
        for i in range(out_h):
            for j in range(out_w):
                window = xp[sample, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
                for f in range(n_filters):
                    z[sample, i, j, f] = np.sum(window * W[:, :, :, f]) + b[f]
    return z


def conv2d_loop_backward(x, W, delta, stride=1, padding="valid"):
    """Gradients of the convolution by loops, following the chain rule term by term:
    every output z[n, i, j, f] sends ``delta[n, i, j, f] * x_window`` to dW[..., f] and
    ``delta[n, i, j, f] * W[..., f]`` to the input window it saw. Returns (dx, dW, db).

    Kept for teaching and as the reference of the tests. Introduced in chapter 5.
    """
    W = _check_kernel(W)
    kh, kw, c, n_filters = W.shape
    x = _check_images(x, channels=c, channels_argument="W.shape[2]")
    sh, sw = _pair(stride, "stride")
    pads, (out_h, out_w) = padding_amounts(x.shape[1:3], (kh, kw), (sh, sw), padding)
    delta = np.asarray(delta)
    if delta.shape != (x.shape[0], out_h, out_w, n_filters):
        raise ValueError(
            f"delta must have shape {(x.shape[0], out_h, out_w, n_filters)}, got {delta.shape}"
        )
    xp = _pad(x, pads)
    dxp = np.zeros_like(xp, dtype=np.result_type(x, W))
    dW = np.zeros_like(W, dtype=np.result_type(x, W))
    for sample in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                rows = slice(i * sh, i * sh + kh)
                cols = slice(j * sw, j * sw + kw)
                for f in range(n_filters):
                    d = delta[sample, i, j, f]
                    dW[:, :, :, f] += d * xp[sample, rows, cols, :]
                    dxp[sample, rows, cols, :] += d * W[:, :, :, f]
    db = delta.sum(axis=(0, 1, 2))
    return _crop(dxp, pads, x.shape).copy(), dW, db


# ---------------------------------------------------------------------- layers
class Conv2D(Layer):
    """Two-dimensional convolution layer ``a = f(conv(x, W) + b)``. Introduced in chapter 5.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input images and number of filters (output channels).
        ``in_channels`` may be left out, ``Conv2D(out_channels=16, kernel_size=3)`` (Keras'
        ``Conv2D(filters, kernel_size)``): ``Network.fit`` then takes it from the data or
        the layer before (chapter 4). ``out_channels`` and ``kernel_size`` are required.
    kernel_size : int or (int, int)
        Height and width ``(kh, kw)`` of every filter.
    stride : int or (int, int)
        Step between neighbouring receptive fields.
    padding : "same", "valid", int or (int, int)
        As in Keras: "valid" adds no zeros, "same" gives ``ceil(size / stride)`` outputs
        (extra zero at the bottom/right when needed); an integer pads that many zeros on
        every side.
    activation : str or Activation
        Applied element-wise (default ``"identity"``).
    initializer : str or callable, optional
        Default Glorot uniform (He normal for the ReLU family), with ``fan_in = kh kw
        in_channels`` and ``fan_out = kh kw out_channels``, as Keras counts them.

    The kernel ``W`` has shape ``(kh, kw, in_channels, out_channels)`` and the input
    ``(n, height, width, in_channels)``, the Keras layouts, so Keras weights can be copied
    in unchanged. Forward and backward passes use im2col: one matrix product each.
    """

    def __init__(self, in_channels=None, out_channels=None, kernel_size=None, stride=1,
                 padding="same", activation="identity", initializer=None):
        super().__init__()
        if out_channels is None or kernel_size is None:
            missing = "out_channels" if out_channels is None else "kernel_size"
            raise TypeError(
                f"{missing} is missing: write Conv2D(in_channels, out_channels, kernel_size), "
                "or Conv2D(out_channels=..., kernel_size=...) to have in_channels inferred"
            )
        self.in_channels = (None if in_channels is None
                            else check_positive_int(in_channels, "in_channels"))
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _check_padding(padding)
        self.activation = get_activation(activation)
        self.initializer = (
            default_initializer(self.activation.name) if initializer is None
            else get_initializer(initializer)
        )
        self.input_shape = (None, None, self.in_channels)
        self.W = self.b = None
        self._geometries = {}

    def __repr__(self):
        return (f"Conv2D({self.in_channels}, {self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding!r}, activation={self.activation.name!r})")

    def infer_sizes(self, input_shape, n_outputs=None):
        if self.in_channels is None:
            if len(input_shape) != 3 or input_shape[2] is None:
                raise ValueError(f"in_channels cannot be inferred from inputs of shape "
                                 f"{tuple(input_shape)}: Conv2D takes (height, width, "
                                 f"channels) images")
            self.in_channels = int(input_shape[2])
            self.input_shape = (None, None, self.in_channels)

    def output_shape(self, input_shape):
        height, width, channels = input_shape
        if (channels is not None and self.in_channels is not None
                and channels != self.in_channels):
            raise ValueError(
                f"input has {channels} channels but in_channels={self.in_channels}"
            )
        if height is None or width is None:
            return (None, None, self.out_channels)
        _, (out_h, out_w) = padding_amounts(
            (height, width), self.kernel_size, self.stride, self.padding
        )
        return (out_h, out_w, self.out_channels)

    def build(self, rng, dtype):
        kh, kw = self.kernel_size
        shape = (kh, kw, self.in_channels, self.out_channels)
        fan_in, fan_out = kh * kw * self.in_channels, kh * kw * self.out_channels
        self.W = np.asarray(self.initializer(shape, rng, fan_in, fan_out), dtype=dtype)
        self.b = np.asarray(zeros((self.out_channels,), rng, fan_in, fan_out), dtype=dtype)
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)
        self.params, self.grads = [self.W, self.b], [self.dW, self.db]
        self.regularized = [True, False]

    def _cached_geometry(self, image_shape):
        """Padding, output size and kernel offsets for (height, width), computed once
        per image size."""
        geometry = self._geometries.get(image_shape)
        if geometry is None:
            geometry = _window_geometry(image_shape, self.kernel_size, self.stride,
                                        self.padding)
            self._geometries[image_shape] = geometry
        return geometry

    def forward(self, x, training=False):
        x = _check_images(x, channels=self.in_channels)
        geometry = self._cached_geometry(x.shape[1:3])
        n, f = x.shape[0], self.out_channels
        out_h, out_w = geometry.out_shape
        # im2col: cols[n] is image n's block of rows, shape (out_h * out_w, kh * kw * C).
        cols = _im2col_padded(_pad(x, geometry.pads), geometry)
        self.cache.update(cols=cols, x_shape=x.shape, geometry=geometry)
        # One matrix product, issued as a batch of one product per image: the same
        # arithmetic, but each tall-skinny block runs on one BLAS thread, which is
        # faster than splitting one huge product across busy cores.
        z = np.matmul(cols, self.W.reshape(-1, f))
        z += self.b
        self.z = z.reshape(n, out_h, out_w, f)
        self.a = self.activation.value(self.z)
        return self.a

    def backward(self, grad_out, need_input_grad=True):
        delta = self.activation.backward(self.z, self.a, grad_out)
        return self.backward_delta(delta, need_input_grad)

    def backward_delta(self, delta, need_input_grad=True):
        """Given delta = dC/dz of shape (n, out_h, out_w, F): dC/dW = cols^T delta,
        dC/db = sum of delta over samples and pixels, dC/dx = col2im(delta W^T)."""
        cols, x_shape, geometry = (self.cache[key] for key in ("cols", "x_shape", "geometry"))
        n, f, c = x_shape[0], self.out_channels, self.in_channels
        delta = np.ascontiguousarray(delta).reshape(n, -1, f)
        # dW = cols^T delta, summed image by image (see forward for why it is batched).
        np.sum(np.matmul(cols.transpose(0, 2, 1), delta), axis=0,
               out=self.dW.reshape(-1, f))
        # A product with a vector of ones sums over samples and pixels much faster than
        # a reduction along the long axis of a (many, F) array.
        ones = np.ones(delta.shape[0] * delta.shape[1], dtype=delta.dtype)
        np.matmul(ones, delta.reshape(-1, f), out=self.db)
        if not need_input_grad:
            return None
        # dcols = delta W^T, computed in "offset-major" order, (n, kh * kw, out_h * out_w,
        # C), so that the block col2im adds for kernel offset (p, q) is contiguous; it is
        # handed over as a view in im2col's order (n, out_h, out_w, kh * kw, C).
        W_offsets = self.W.reshape(-1, c, f).transpose(0, 2, 1)  # (kh * kw, F, C)
        dcols = np.matmul(delta[:, None], W_offsets[None])
        out_h, out_w = geometry.out_shape
        dcols = dcols.reshape(n, -1, out_h, out_w, c).transpose(0, 2, 3, 1, 4)
        return _crop(_col2im_padded(dcols, n, c, geometry), geometry.pads, x_shape)


class _Pool2D(Layer):
    """Shared machinery of the pooling layers: windows visited one offset at a time."""

    def __init__(self, pool_size=2, stride=None, padding="valid"):
        super().__init__()
        self.pool_size = _pair(pool_size, "pool_size")
        self.stride = self.pool_size if stride is None else _pair(stride, "stride")
        if not (isinstance(padding, str) and padding in ("valid", "same")):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.input_shape = (None, None, None)
        self._geometries = {}

    def __repr__(self):
        return (f"{type(self).__name__}(pool_size={self.pool_size}, stride={self.stride}, "
                f"padding={self.padding!r})")

    def output_shape(self, input_shape):
        height, width, channels = input_shape
        if height is None or width is None:
            return (None, None, channels)
        _, (out_h, out_w) = padding_amounts(
            (height, width), self.pool_size, self.stride, self.padding, argument="pool_size"
        )
        return (out_h, out_w, channels)

    def _prepare(self, x):
        """Check ``x``, look up (or compute once) its geometry, remember both."""
        x = _check_images(x)
        geometry = self._geometries.get(x.shape[1:3])
        if geometry is None:
            geometry = _window_geometry(x.shape[1:3], self.pool_size, self.stride, self.padding,
                                 argument="pool_size")
            self._geometries[x.shape[1:3]] = geometry
        self.cache.update(x_shape=x.shape, geometry=geometry)
        return x, geometry


class MaxPool2D(_Pool2D):
    """Max pooling: each output is the largest input in its ``pool_size`` window.
    Introduced in chapter 5.

    ``stride`` defaults to ``pool_size`` (non-overlapping windows) and ``padding`` is
    "valid" (windows that do not fit are dropped) or "same" (as Keras: implicit -inf
    padding, ``ceil(size / stride)`` outputs). The backward pass sends each output's
    gradient to the position of its maximum (the first one in row-major window order
    in case of ties); all other inputs get zero.
    """

    def forward(self, x, training=False):
        x, geometry = self._prepare(x)
        xp = _pad(x, geometry.pads, value=-np.inf)
        offsets = geometry.offsets
        if len(offsets) > 255:
            raise ValueError(f"pool_size {self.pool_size} has more than 255 positions")
        out = xp[offsets[0]].copy()
        # Which window position holds the maximum. Offsets are visited in increasing order
        # k, so "k where the candidate is strictly larger, else keep" is max(argmax, k * larger):
        # cheap integer arithmetic instead of a masked copy, and ties keep the first maximum.
        argmax = np.zeros(out.shape, dtype=np.uint8)
        for k, index in enumerate(offsets[1:], start=1):
            candidate = xp[index]
            larger = np.greater(candidate, out).view(np.uint8)
            larger *= np.uint8(k)
            np.maximum(argmax, larger, out=argmax)
            np.maximum(out, candidate, out=out)
        self.cache["argmax"] = argmax
        return out

    def backward(self, grad_out, need_input_grad=True):
        if not need_input_grad:
            return None
        x_shape, geometry, argmax = (self.cache[key] for key in ("x_shape", "geometry",
                                                                   "argmax"))
        out_h, out_w = geometry.out_shape
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        padded_shape = (x_shape[0], *geometry.padded_shape, x_shape[3])
        if (sh, sw) == (ph, pw) and geometry.padded_shape == (out_h * ph, out_w * pw):
            # The windows tile the input exactly: every pixel is written once, directly.
            dxp = np.empty(padded_shape, dtype=grad_out.dtype)
            for k, index in enumerate(geometry.offsets):
                np.multiply(grad_out, argmax == k, out=dxp[index])
        else:
            # Overlapping windows share pixels (accumulate); uncovered pixels stay zero.
            dxp = np.zeros(padded_shape, dtype=grad_out.dtype)
            for k, index in enumerate(geometry.offsets):
                dxp[index] += grad_out * (argmax == k)
        return _crop(dxp, geometry.pads, x_shape)


class AvgPool2D(_Pool2D):
    """Average pooling: each output is the mean of its ``pool_size`` window. Chapter 5.

    With ``padding="same"`` the mean is taken over the real pixels of a window only
    (padded positions are not counted), as in Keras/TensorFlow. The backward pass spreads
    each output's gradient evenly over the pixels it averaged.
    """

    def forward(self, x, training=False):
        x, geometry = self._prepare(x)
        xp = _pad(x, geometry.pads)
        total = xp[geometry.offsets[0]].copy()
        for index in geometry.offsets[1:]:
            total += xp[index]
        self.cache["count"] = self._window_counts(x.shape, geometry, x.dtype)
        total /= self.cache["count"]
        return total

    @staticmethod
    def _window_counts(x_shape, geometry, dtype):
        """Number of real (unpadded) pixels in each window, shape (1, out_h, out_w, 1)."""
        if geometry.pads == ((0, 0), (0, 0)):
            return dtype.type(len(geometry.offsets))
        ones = _pad(np.ones((1, x_shape[1], x_shape[2], 1), dtype=dtype), geometry.pads)
        count = np.zeros((1, *geometry.out_shape, 1), dtype=dtype)
        for index in geometry.offsets:
            count += ones[index]
        return count

    def backward(self, grad_out, need_input_grad=True):
        if not need_input_grad:
            return None
        x_shape, geometry = self.cache["x_shape"], self.cache["geometry"]
        share = grad_out / self.cache["count"]
        dxp = np.zeros((x_shape[0], *geometry.padded_shape, x_shape[3]), dtype=grad_out.dtype)
        for index in geometry.offsets:
            dxp[index] += share
        return _crop(dxp, geometry.pads, x_shape)


class Flatten(Layer):
    """Reshape each sample (e.g. a (height, width, channels) volume) into one vector, in
    row-major order as Keras' ``Flatten``, so a ``Dense`` layer can follow a convolution.
    Introduced in chapter 5.

    ``input_ndim`` is the number of axes of one sample (3 for images).
    """

    def __init__(self, input_ndim=3):
        super().__init__()
        self.input_ndim = check_positive_int(input_ndim, "input_ndim")
        self.input_shape = (None,) * self.input_ndim

    def __repr__(self):
        return f"Flatten(input_ndim={self.input_ndim})"

    def output_shape(self, input_shape):
        if any(s is None for s in input_shape):
            return (None,)
        return (math.prod(input_shape),)

    def forward(self, x, training=False):
        x = np.asarray(x)
        if x.ndim != self.input_ndim + 1:
            raise ValueError(
                f"x must have {self.input_ndim + 1} dimensions (n and {self.input_ndim} per "
                f"sample), got shape {x.shape}"
            )
        self.cache["x_shape"] = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out, need_input_grad=True):
        return grad_out.reshape(self.cache["x_shape"]) if need_input_grad else None
