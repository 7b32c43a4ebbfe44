"""Checks of the data handed to a ``Network`` (chapters 1 and 4), kept apart from the
training algorithm in ``network.py``.

The conventions are scikit-learn's, so that ``Network`` passes its estimator checks
(``tests/test_sklearn_checks.py``): object arrays that hold numbers are converted, sparse
matrices and complex numbers are refused with a message that says what to do, a
DataFrame's column names are remembered at ``fit`` (``feature_names_in_``) and compared at
``predict``. Every error names the argument (``X``, ``y``, ``validation_data[0]``, ...).
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["as_numeric_array", "as_target_array", "feature_names", "check_feature_names"]


def _is_sparse(values):
    try:
        from scipy import sparse
    except ImportError:  # pragma: no cover - scipy is a dependency of scikit-learn
        return False
    return sparse.issparse(values)


def as_numeric_array(values, argument, dtype):
    """``values`` as a finite floating array of ``dtype``, or a TypeError/ValueError that
    names ``argument``. Introduced in chapter 1.

    Accepted: arrays, nested lists and DataFrames of real numbers or booleans, and object
    arrays whose entries convert to float (what ``np.asarray`` makes of a DataFrame with
    mixed column types). Refused: sparse matrices (a network multiplies dense arrays; the
    message suggests ``.toarray()``), complex numbers, strings, None and NaN or infinity.
    """
    if values is None:
        raise TypeError(f"{argument} must be an array of real numbers, got None")
    if _is_sparse(values):
        raise TypeError(
            f"{argument} is a sparse matrix, which Network does not support: convert it "
            f"with {argument}.toarray() (for data that fits in memory as a dense array)"
        )
    try:
        array = np.asarray(values)
    except Exception as error:  # ragged nested lists and the like
        raise ValueError(f"{argument} could not be converted to an array: {error}") from None
    if np.issubdtype(array.dtype, np.complexfloating):
        # scikit-learn's wording, which its estimator checks look for.
        raise ValueError(f"{argument}: Complex data not supported; use real numbers")
    if array.dtype == object:
        try:
            array = array.astype(dtype)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{argument} must contain real numbers: {error}") from None
    elif not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{argument} must contain real numbers, got dtype {array.dtype}")
    array = array.astype(dtype, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{argument} contains NaN or infinite values")
    return array


def as_target_array(y, argument, estimator_name="Network"):
    """``y`` as a NumPy array (not yet encoded), refusing None and sparse targets."""
    if y is None:
        # The first sentence is scikit-learn's wording, which its estimator checks expect.
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is "
                         f"None: {argument} must hold one label or target per sample")
    if _is_sparse(y):
        raise TypeError(f"{argument} is a sparse matrix, which Network does not support: "
                        f"convert it with {argument}.toarray()")
    try:
        return np.asarray(y)
    except Exception as error:
        raise ValueError(f"{argument} could not be converted to an array: {error}") from None


def feature_names(X):
    """The column names of a DataFrame ``X`` when they are all strings, else None."""
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(columns, dtype=object)
    if names.ndim != 1 or len(names) == 0 or not all(isinstance(n, str) for n in names):
        return None
    return names


def check_feature_names(estimator, X, reset):
    """Remember (``reset=True``, in ``fit``) or compare the column names of ``X``, as
    scikit-learn's estimators do: different names at ``predict`` are an error, names
    present at only one of the two a warning."""
    names = feature_names(X)
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        else:
            estimator.__dict__.pop("feature_names_in_", None)
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    kind = type(estimator).__name__
    if fitted is None and names is not None:
        warnings.warn(f"X has feature names, but {kind} was fitted without feature names",
                      UserWarning, stacklevel=3)
    elif fitted is not None and names is None:
        warnings.warn(f"X does not have valid feature names, but {kind} was fitted with "
                      "feature names", UserWarning, stacklevel=3)
    elif fitted is not None and (len(fitted) != len(names) or np.any(fitted != names)):
        unseen = sorted(set(names) - set(fitted))
        missing = sorted(set(fitted) - set(names))
        # scikit-learn's wording and layout, which its estimator checks expect.
        message = "The feature names should match those that were passed during fit.\n"
        if unseen:
            message += "Feature names unseen at fit time:\n" + _listed(unseen)
        if missing:
            message += "Feature names seen at fit time, yet now missing:\n" + _listed(missing)
        if not unseen and not missing:
            message += "Feature names must be in the same order as they were in fit.\n"
        raise ValueError(message + "(the columns of X must be those it had at fit, in order)")


def _listed(names, at_most=5):
    lines = [f"- {name}\n" for name in names[:at_most]]
    return "".join(lines) + ("- ...\n" if len(names) > at_most else "")
