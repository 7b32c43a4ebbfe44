"""Checks of the data and hyperparameters handed to the package (chapters 1 and 4), kept
apart from the training algorithm in ``network.py``: one place for every check, so that
the algorithm reads like the chapter that teaches it.

* ``check_number``: the one checker of scalar hyperparameters (sizes, rates, penalties);
* ``as_numeric_array``, ``as_target_array``, ``check_feature_names``: the data;
* ``check_inputs`` and ``chain_shapes``: the data and the layers fit together;
* ``encode_targets``: labels or targets as the array the loss compares with the output
  layer (the loss object says how it wants them encoded).

The conventions are scikit-learn's, so that ``Network`` passes its estimator checks
(``tests/test_sklearn_checks.py``): object arrays that hold numbers are converted, sparse
matrices and complex numbers are refused with a message that says what to do, a
DataFrame's column names are remembered at ``fit`` (``feature_names_in_``) and compared at
``predict``. Every error names the argument (``X``, ``y``, ``validation_data[0]``, ...).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning

__all__ = ["check_number", "check_positive_int", "as_numeric_array", "as_target_array",
           "feature_names", "check_feature_names", "check_inputs", "chain_shapes",
           "encode_targets"]

#: What ``check_number`` can require: the type a value must have, the condition it must
#: meet, and the Python type it is returned as.
_EXPECTATIONS = {
    "positive integer": (numbers.Integral, lambda v: v > 0, int),
    "positive number": (numbers.Real, lambda v: np.isfinite(v) and v > 0, float),
    "non-negative number": (numbers.Real, lambda v: np.isfinite(v) and v >= 0, float),
    "number in [0, 1)": (numbers.Real, lambda v: 0 <= v < 1, float),
}


def check_number(value, argument, expected="positive number"):
    """``value`` as an int or float if it is a ``expected`` (a key of ``_EXPECTATIONS``:
    ``"positive integer"``, ``"positive number"``, ``"non-negative number"``, ``"number in
    [0, 1)"``); else a TypeError (not a number; ``True`` is not one) or a ValueError (out
    of range) that names ``argument``. Introduced in chapter 1."""
    kind, holds, convert = _EXPECTATIONS[expected]
    message = f"{argument} must be a {expected}, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(message)
    if not holds(value):
        raise ValueError(message)
    return convert(value)


def check_positive_int(value, argument):
    """``check_number(value, argument, "positive integer")``, the most common check."""
    return check_number(value, argument, "positive integer")


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


def chain_shapes(layers, shape, data_argument=None):
    """The output shape of one sample of ``shape`` after all ``layers``, or a ValueError
    naming the first layer that cannot take what the one before it gives. With sizes
    unknown (None, e.g. image sides before a convolution), only what is known is
    checked; ``check_inputs`` repeats the check with the data's own sample shape.
    Introduced in chapter 4 (sizes inferred at ``fit``)."""
    source = "" if data_argument is None else f" for {data_argument} of sample shape " \
                                              f"{tuple(shape)}"
    for i, layer in enumerate(layers):
        expected = layer.input_shape
        if expected is None:  # a layer that takes any shape (e.g. Dropout)
            expected = (None,) * len(shape)
        if len(expected) != len(shape) or any(
            e is not None and s is not None and e != s for e, s in zip(expected, shape)
        ):
            giver = f"layers[{i - 1}] gives" if i else "it gets"
            raise ValueError(
                f"layers[{i}] expects inputs of shape {expected} but {giver} {shape}{source}"
            )
        try:
            shape = layer.output_shape(shape)
        except ValueError as error:
            raise ValueError(f"layers[{i}] cannot take inputs of shape {shape}{source}: "
                             f"{error}") from None
    return shape


def check_inputs(X, argument, layers, dtype):
    """``X`` as a finite array of ``dtype`` whose samples the first of ``layers`` takes,
    and, where the layers leave sizes open (image sides), the whole chain of ``layers``
    too; else a ValueError naming ``argument``, in scikit-learn's wording where its
    estimator checks look for it. Introduced in chapter 1."""
    X = as_numeric_array(X, argument, dtype)
    expected = layers[0].input_shape
    if expected is None:  # a first layer that takes any shape: at least 2-D data
        expected = (None,) * max(X.ndim - 1, 1)
    if X.ndim != len(expected) + 1:
        hint = ""
        if X.ndim == 1 and len(expected) == 1:
            # scikit-learn's advice (and wording) for a vector where a matrix belongs.
            hint = ("; Reshape your data either using array.reshape(-1, 1) if it has a "
                    "single feature or array.reshape(1, -1) if it contains a single "
                    "sample")
        raise ValueError(
            f"{argument} must have {len(expected) + 1} dimensions (samples, "
            f"{', '.join(str(e) for e in expected)}), got shape {X.shape}{hint}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"{argument} has no samples")
    if X.ndim == 2 and X.shape[1] == 0:
        # scikit-learn's wording, which its estimator checks look for.
        raise ValueError(f"{argument} has 0 feature(s) (shape={X.shape}) while a minimum "
                         f"of 1 is required.")
    if X.ndim == 2 and expected[0] is not None and X.shape[1] != expected[0]:
        # scikit-learn's wording, which its estimator checks look for.
        raise ValueError(
            f"{argument} has {X.shape[1]} features, but Network is expecting "
            f"{expected[0]} features as input (the inputs of the first layer)"
        )
    for got, want in zip(X.shape[1:], expected):
        if want is not None and got != want:
            raise ValueError(
                f"{argument} has samples of shape {X.shape[1:]}, but the first layer "
                f"expects {tuple(expected)}"
            )
    if any(size is None for size in expected):
        # Sizes the layers left open (image sides) are known now: check the whole chain.
        chain_shapes(layers, X.shape[1:], argument)
    return X


def encode_targets(y, n_samples, loss, n_outputs, classes, dtype, argument="y", learn=False):
    """Labels or targets ``y`` as the array ``Y`` that ``loss`` compares with the output
    layer, and what they teach: returns ``(Y, learned)``. Introduced in chapter 1.

    ``n_outputs`` is the number of output units, or None when the sizes are inferred and
    not yet known; then it comes from ``y`` (one unit per class, one for a binary loss,
    one per target column). ``classes`` are the known class labels (None before ``fit``).

    Regression: ``y`` as a vector or a 2-D array of real targets; ``Y`` has one column per
    output. Classification: labels (numbers or strings), as a vector or a column (a
    warning, as scikit-learn gives), or one-hot rows for a loss that ``accepts_one_hot``;
    ``Y`` is ``loss.encode`` of the class indices. Labels outside ``classes`` are a
    ValueError naming ``argument``.

    With ``learn=True`` (``fit``, or a cost before any ``fit``) the labels are also
    checked as training labels are (no continuous values, no more classes than outputs)
    and ``learned`` holds what the caller may store: ``classes_`` for classification,
    ``_y_is_1d`` and ``_target_columns`` (the shape of the targets, for ``predict``) for
    regression. Nothing is stored here.
    """
    learned = {}
    y = as_target_array(y, argument)
    if y.shape[0:1] != (n_samples,):
        raise ValueError(
            f"X and {argument} have different numbers of samples: {n_samples} and "
            f"{y.shape[0] if y.ndim else 'a scalar'}"
        )
    if not loss.is_classification:
        y = as_numeric_array(y, argument, dtype)
        y2 = y.reshape(n_samples, -1) if y.ndim == 1 else y
        if learn:
            learned["_y_is_1d"] = y.ndim == 1
            learned["_target_columns"] = y2.shape[1] if y2.ndim == 2 else None
        if n_outputs is None and y2.ndim == 2:
            n_outputs = y2.shape[1]
        if y2.ndim != 2 or y2.shape[1] != n_outputs:
            raise ValueError(
                f"{argument} must have {n_outputs} target column(s) to match the last "
                f"layer, got shape {y.shape}"
            )
        return y2, learned
    if loss.binary:
        n_outputs = 1
    if y.ndim == 2 and y.shape[1] > 1 and y.shape[1] == (n_outputs or y.shape[1]) and \
            loss.accepts_one_hot:
        # One-hot (or soft) labels.
        y = as_numeric_array(y, argument, dtype)
        if np.any(y < 0) or np.any(y > 1) or not np.allclose(y.sum(axis=1), 1.0):
            raise ValueError(f"{argument}: one-hot rows must be in [0, 1] and sum to 1")
        if learn:
            learned["classes_"] = np.arange(y.shape[1])
        return y, learned
    y = _label_vector(y, argument, n_outputs, learn)
    n_classes = loss.n_classes(n_outputs)
    if learn:
        classes = _learn_classes(y, argument, loss, n_classes)
        learned["classes_"] = classes
        if n_classes is None:
            n_outputs = len(classes)
    if n_outputs is None:
        n_outputs = len(classes)
    index = np.searchsorted(classes, y)
    index = np.clip(index, 0, len(classes) - 1)
    unknown = classes[index] != y
    if np.any(unknown):
        raise ValueError(
            f"{argument} has labels outside the network's classes {list(classes)}: "
            f"{sorted(set(np.asarray(y)[unknown].tolist()))[:5]}"
        )
    return loss.encode(index, n_outputs, dtype), learned


def _label_vector(y, argument, n_outputs, learn):
    """Class labels ``y`` as a checked vector (a column is accepted with a warning)."""
    if y.ndim == 2 and y.shape[1] == 1:
        if learn:
            # scikit-learn's warning (and wording) for labels given as a column.
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please "
                "change the shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning, stacklevel=4,
            )
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(
            f"{argument} must be a vector of labels or a one-hot array with "
            f"{n_outputs or 'one column per class'} columns, got shape {y.shape}"
        )
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{argument} contains NaN or infinite values")
    if y.dtype.kind == "c":
        raise ValueError(f"{argument}: Complex data not supported; use real labels")
    if learn and y.dtype.kind == "f" and np.any(y != np.round(y)):
        # scikit-learn's wording ("Unknown label type"), which its checks look for.
        raise ValueError(
            f"{argument}: Unknown label type: continuous. A classifier needs class "
            f"labels (integers or strings); for continuous targets use loss='mse'"
        )
    return y


def _learn_classes(y, argument, loss, n_classes):
    """The class labels of training labels ``y`` for ``n_classes`` outputs (None: one
    class per distinct label)."""
    try:
        labels = np.unique(y)
    except TypeError:  # e.g. None among strings: labels that cannot be ordered
        raise ValueError(
            f"{argument} must hold labels of one kind (all numbers or all strings) "
            f"with no missing values"
        ) from None
    if n_classes is None:
        # Output units inferred from the data: one per distinct label.
        return labels
    if y.dtype.kind in "iub" and np.all((labels >= 0) & (labels < n_classes)):
        # Integer labels index the output units directly, even if a class is absent.
        return np.arange(n_classes)
    if len(labels) == n_classes:
        return labels
    if loss.binary and len(labels) > 2:
        # The second sentence is scikit-learn's wording, which its checks expect.
        raise ValueError(
            f"{argument} has {len(labels)} distinct labels, but "
            f"loss={loss.name!r} tells two classes apart. Only binary "
            f"classification is supported. The type of the target is multiclass; "
            f"use loss='cross_entropy' with a softmax output layer instead"
        )
    raise ValueError(
        f"{argument} has {len(labels)} distinct labels but the network has outputs "
        f"for {n_classes} classes; use as many output units as classes, or "
        f"integer labels 0..{n_classes - 1}"
    )
