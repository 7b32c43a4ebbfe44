"""Bad input (ARCHITECTURE.md, "The estimator"): every case raises ValueError or TypeError, as listed,
with a message that names the offending argument.

Each case is a line in a table: what is called, the exception type, and the name of the
argument that the message must contain as a word (``X``, ``y``, ``learning_rate``, ...).
"""

import re

import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import DataConversionWarning

from nnbook import SGD, Adam, Adagrad, Dense, Momentum, Network, RMSprop, data, gradcheck
from nnbook.activations import ELU, LeakyReLU, get_activation
from nnbook.convolution import Conv2D, Flatten

rng = np.random.default_rng(0)
X = rng.normal(size=(6, 2))
LABELS = np.array([0, 1, 2, 0, 1, 2])
TARGETS = rng.normal(size=6)


def classifier(**kwargs):
    settings = dict(epochs=2, batch_size=3, seed=0)
    settings.update(kwargs)
    return Network([Dense(2, 4, "tanh"), Dense(4, 3, "softmax")], **settings)


def regressor(**kwargs):
    return Network([Dense(2, 4, "tanh"), Dense(4, 1)], loss="mse", epochs=2, seed=0, **kwargs)


def fitted():
    return classifier().fit(X, LABELS)


def with_nan():
    bad = X.copy()
    bad[2, 1] = np.nan
    return bad


def with_inf():
    bad = X.copy()
    bad[0, 0] = -np.inf
    return bad


def cnn(n_dense_inputs):
    return Network([Conv2D(1, 2, 3, padding="valid"), Flatten(),
                    Dense(n_dense_inputs, 3, "softmax")], epochs=1, seed=0)


IMAGES = rng.normal(size=(6, 8, 8, 1))

# id -> (call, exception type, argument the message must name)
CASES = {
    # --- images whose size the layers only learn from the data
    "X images too small for the dense layer after the convolution": (
        lambda: cnn(100).fit(IMAGES, LABELS), ValueError, "X"),
    "X images smaller than the kernel": (
        lambda: cnn(72).fit(IMAGES[:, :2, :2], LABELS), ValueError, "X"),
    # --- the data X
    "X wrong feature count": (lambda: classifier().fit(rng.normal(size=(6, 3)), LABELS),
                              ValueError, "X"),
    "X wrong feature count at predict": (lambda: fitted().predict(rng.normal(size=(4, 5))),
                                         ValueError, "X"),
    "X one-dimensional": (lambda: classifier().fit(X[:, 0], LABELS), ValueError, "X"),
    "X three-dimensional": (lambda: classifier().fit(X[:, :, None], LABELS), ValueError, "X"),
    "X single sample as vector at predict": (lambda: fitted().predict(X[0]), ValueError, "X"),
    "X with NaN": (lambda: classifier().fit(with_nan(), LABELS), ValueError, "X"),
    "X with inf": (lambda: classifier().fit(with_inf(), LABELS), ValueError, "X"),
    "X with NaN at predict": (lambda: fitted().predict(with_nan()), ValueError, "X"),
    "X of strings": (lambda: classifier().fit(np.array([["a", "b"]] * 6), LABELS),
                     TypeError, "X"),
    "X numeric strings": (lambda: classifier().fit(X.astype(str), LABELS), TypeError, "X"),
    # scikit-learn's convention (and its estimator checks): complex data is a ValueError.
    "X complex": (lambda: classifier().fit(X + 1j, LABELS), ValueError, "X"),
    "X sparse": (lambda: classifier().fit(sparse.csr_matrix(X), LABELS), TypeError,
                 r"X\.toarray"),
    "X sparse at predict": (lambda: fitted().predict(sparse.csr_matrix(X)), TypeError, "X"),
    # Object arrays are converted to floats as in scikit-learn; None becomes NaN there.
    "X object array with a missing value": (
        lambda: classifier().fit(np.array([[1.0, None]] * 6), LABELS), ValueError, "X"),
    "X object array holding a dict": (
        lambda: classifier().fit(np.array([[1.0, {"a": 1}]] * 6), LABELS), TypeError, "X"),
    "X ragged": (lambda: classifier().fit([[1.0, 2.0], [3.0]], LABELS[:2]), ValueError, "X"),
    "X None": (lambda: classifier().fit(None, LABELS), TypeError, "X"),
    "X without samples": (lambda: classifier().fit(np.zeros((0, 2)), LABELS[:0]),
                          ValueError, "X"),
    # --- the targets y
    "y sample count": (lambda: classifier().fit(X, LABELS[:5]), ValueError, "y"),
    "y sample count for regression": (lambda: regressor().fit(X, TARGETS[:4]), ValueError, "y"),
    "y scalar": (lambda: classifier().fit(X, 1), ValueError, "y"),
    "y None": (lambda: classifier().fit(X, None), ValueError, "y"),
    "y None for regression": (lambda: regressor().fit(X, None), ValueError, "y"),
    "y more classes than outputs": (lambda: classifier().fit(X, np.array([0, 1, 2, 3, 0, 1])),
                                    ValueError, "y"),
    "y string classes more than outputs": (
        lambda: classifier().fit(X, np.array(list("abcdab"))), ValueError, "y"),
    "y labels outside classes at score": (lambda: fitted().score(X, LABELS + 3), ValueError,
                                          "y"),
    "y unseen string label at score": (
        lambda: classifier().fit(X, np.array(list("abcabc"))).score(X, np.array(list("abcabd"))),
        ValueError, "y"),
    "y binary with three classes": (
        lambda: Network([Dense(2, 1, "sigmoid")], loss="binary_cross_entropy",
                        epochs=1).fit(X, LABELS), ValueError, "y"),
    "y one-hot rows not summing to 1": (lambda: classifier().fit(X, np.full((6, 3), 0.5)),
                                        ValueError, "y"),
    "y two-dimensional with wrong width": (lambda: classifier().fit(X, np.zeros((6, 2))),
                                           ValueError, "y"),
    "y NaN label": (lambda: classifier().fit(X, np.array([0.0, 1, np.nan, 0, 1, 2])),
                    ValueError, "y"),
    "y NaN regression target": (lambda: regressor().fit(X, np.where(LABELS == 1, np.nan, 1.0)),
                                ValueError, "y"),
    "y regression strings": (lambda: regressor().fit(X, np.array(list("abcdef"))),
                             TypeError, "y"),
    "y regression wrong column count": (lambda: regressor().fit(X, np.zeros((6, 2))),
                                        ValueError, "y"),
    "validation_data not a pair": (lambda: classifier().fit(X, LABELS, validation_data=X),
                                   TypeError, "validation_data"),
    "validation_data X features": (
        lambda: classifier().fit(X, LABELS, validation_data=(np.zeros((3, 5)), LABELS[:3])),
        ValueError, r"validation_data\[0\]"),
    "validation_data labels outside classes": (
        lambda: classifier().fit(X, LABELS, validation_data=(X, LABELS + 5)),
        ValueError, r"validation_data\[1\]"),
    # --- names of activations, losses, optimizers, initializers
    "unknown activation": (lambda: Dense(2, 3, activation="swishy"), ValueError, "activation"),
    "activation of wrong type": (lambda: Dense(2, 3, activation=None), TypeError, "activation"),
    "unknown activation by get_activation": (lambda: get_activation("ReLU6"), ValueError,
                                             "activation"),
    "unknown loss": (lambda: classifier(loss="hinge").fit(X, LABELS), ValueError, "loss"),
    "loss of wrong type": (lambda: classifier(loss=3).fit(X, LABELS), TypeError, "loss"),
    "unknown optimizer": (lambda: classifier(optimizer="nadam").fit(X, LABELS), ValueError,
                          "optimizer"),
    "optimizer of wrong type": (lambda: classifier(optimizer=SGD).fit(X, LABELS), TypeError,
                                "optimizer"),
    "unknown initializer": (lambda: Dense(2, 3, initializer="orthogonal"), ValueError,
                            "initializer"),
    # --- hyperparameters
    "learning_rate zero": (lambda: classifier(learning_rate=0.0).fit(X, LABELS), ValueError,
                           "learning_rate"),
    "learning_rate negative": (lambda: classifier(learning_rate=-0.1).fit(X, LABELS),
                               ValueError, "learning_rate"),
    "learning_rate NaN": (lambda: classifier(learning_rate=np.nan).fit(X, LABELS), ValueError,
                          "learning_rate"),
    "learning_rate infinite": (lambda: classifier(learning_rate=np.inf).fit(X, LABELS),
                               ValueError, "learning_rate"),
    "learning_rate string": (lambda: classifier(learning_rate="0.1").fit(X, LABELS), TypeError,
                             "learning_rate"),
    "batch_size zero": (lambda: classifier(batch_size=0).fit(X, LABELS), ValueError,
                        "batch_size"),
    "batch_size negative": (lambda: classifier(batch_size=-4).fit(X, LABELS), ValueError,
                            "batch_size"),
    "batch_size fractional": (lambda: classifier(batch_size=2.5).fit(X, LABELS), TypeError,
                              "batch_size"),
    "epochs zero": (lambda: classifier(epochs=0).fit(X, LABELS), ValueError, "epochs"),
    "epochs negative": (lambda: classifier(epochs=-1).fit(X, LABELS), ValueError, "epochs"),
    "epochs float": (lambda: classifier(epochs=10.0).fit(X, LABELS), TypeError, "epochs"),
    "l2 negative": (lambda: classifier(l2=-1e-3).fit(X, LABELS), ValueError, "l2"),
    "l1 negative": (lambda: classifier(l1=-1e-3).fit(X, LABELS), ValueError, "l1"),
    "l2 NaN": (lambda: classifier(l2=np.nan).fit(X, LABELS), ValueError, "l2"),
    "patience zero": (lambda: classifier(patience=0).fit(X, LABELS), ValueError, "patience"),
    "validation_fraction above one": (
        lambda: classifier(patience=2, validation_fraction=1.5).fit(X, LABELS), ValueError,
        "validation_fraction"),
    "dtype": (lambda: classifier(dtype="int8").fit(X, LABELS), ValueError, "dtype"),
    "seed": (lambda: classifier(seed="42").fit(X, LABELS), TypeError, "seed"),
    # --- architecture
    "consecutive layer shapes": (
        lambda: Network([Dense(2, 4, "tanh"), Dense(5, 3, "softmax")]).fit(X, LABELS),
        ValueError, "layers"),
    "cross_entropy without softmax": (
        lambda: Network([Dense(2, 3, "sigmoid")], loss="cross_entropy").fit(X, LABELS),
        ValueError, "loss"),
    "binary_cross_entropy without sigmoid": (
        lambda: Network([Dense(2, 1, "tanh")], loss="binary_cross_entropy").fit(X, LABELS % 2),
        ValueError, "loss"),
    "binary_cross_entropy with two units": (
        lambda: Network([Dense(2, 2, "sigmoid")], loss="binary_cross_entropy").fit(X,
                                                                                  LABELS % 2),
        ValueError, "loss"),
    "layers empty": (lambda: Network([]).fit(X, LABELS), TypeError, "layers"),
    "layers not a list": (lambda: Network(Dense(2, 3, "softmax")).fit(X, LABELS), TypeError,
                          "layers"),
    "layers holding a non-layer": (lambda: Network([Dense(2, 3, "softmax"), "dense"]).fit(
        X, LABELS), TypeError, r"layers\[1\]"),
    "n_inputs zero": (lambda: Dense(0, 3), ValueError, "n_inputs"),
    "Dense with one size (Keras' units?)": (lambda: Dense(5, activation="relu"), TypeError,
                                           "n_outputs"),
    "hidden Dense without units": (
        lambda: Network([Dense(activation="relu"), Dense(activation="softmax")]).fit(
            X, LABELS), ValueError, r"layers\[0\]"),
    "inferred sizes without data": (
        lambda: Network([Dense(n_outputs=4), Dense(activation="softmax")]).initialize(),
        ValueError, "initialize"),
    "Dense after images without Flatten": (
        lambda: Network([Conv2D(out_channels=2, kernel_size=3), Dense(activation="softmax")],
                        epochs=1).fit(IMAGES, LABELS), ValueError, r"layers\[1\]"),
    "Conv2D without out_channels": (lambda: Conv2D(4, kernel_size=3), TypeError,
                                    "out_channels"),
    "warm start with other layers": (
        lambda: classifier(warm_start=True).fit(X, LABELS).set_params(
            layers=[Dense(2, 4, "tanh"), Dense(4, 2, "softmax")]).fit(X, LABELS % 2),
        ValueError, "warm_start"),
    "predict overflowing to inf": (
        lambda: Network([Dense(2, 4, "relu"), Dense(4, 3, "softmax")], epochs=1,
                        seed=0).fit(X, LABELS).predict(np.full((2, 2), 1e308)),
        ValueError, "X"),
    "n_outputs fractional": (lambda: Dense(2, 2.5), TypeError, "n_outputs"),
    "n_inputs boolean": (lambda: Dense(True, 3), TypeError, "n_inputs"),
    "set_parameters count": (lambda: fitted().set_parameters([np.zeros((2, 4))]), ValueError,
                             "values"),
    "set_parameters shape": (
        lambda: fitted().set_parameters([np.zeros((4, 2)), np.zeros(4), np.zeros((4, 3)),
                                         np.zeros(3)]), ValueError, "values"),
    # --- optimizers, activations' hyperparameters, helpers
    "optimizer learning_rate": (lambda: Adam(learning_rate=-1.0), ValueError, "learning_rate"),
    "optimizer momentum": (lambda: Momentum(momentum=1.0), ValueError, "momentum"),
    "optimizer rho": (lambda: RMSprop(rho=-0.5), ValueError, "rho"),
    "optimizer beta2": (lambda: Adam(beta2=1.5), ValueError, "beta2"),
    "optimizer epsilon": (lambda: Adagrad(epsilon=0.0), ValueError, "epsilon"),
    "optimizer initial_accumulator": (lambda: Adagrad(initial_accumulator=-1.0), ValueError,
                                      "initial_accumulator"),
    "optimizer clip_norm": (lambda: SGD(clip_norm=0.0), ValueError, "clip_norm"),
    "leaky_relu alpha": (lambda: LeakyReLU(alpha=-0.1), ValueError, "alpha"),
    "elu alpha": (lambda: ELU(alpha=0.0), ValueError, "alpha"),
    "one_hot of float labels": (lambda: data.one_hot(np.array([0.0, 1.0])), ValueError, "y"),
    "one_hot of negative labels": (lambda: data.one_hot(np.array([0, -1])), ValueError, "y"),
    "one_hot too few classes": (lambda: data.one_hot(np.array([0, 3]), n_classes=3),
                                ValueError, "n_classes"),
    "finite-difference step": (lambda: gradcheck.numerical_gradient(lambda: 0.0, [], h=0.0),
                               ValueError, "h"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_raises_and_names_the_argument(case):
    call, error, argument = CASES[case]
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert type(info.value) is error, f"expected {error.__name__}, got {info.type.__name__}"
    message = str(info.value)
    assert re.search(rf"(?<!\w){argument}(?!\w)", message), message


def test_missing_label_in_object_array_names_y():
    # What a pandas column of labels with a missing entry becomes after np.asarray.
    labels = np.array(["a", "b", None, "a", "b", "c"], dtype=object)
    with pytest.raises((TypeError, ValueError)) as info:
        classifier().fit(X, labels)
    assert re.search(r"\by\b", str(info.value)), str(info.value)


def test_not_every_odd_input_is_an_error():
    # Counterparts of the cases above that are fine, each checked against the plain form
    # it must be equivalent to (same seed, so the same parameters).
    def same(a, b):
        for p, q in zip(a.parameters(), b.parameters(), strict=True):
            np.testing.assert_array_equal(p, q)

    # Boolean features train like 0/1 floats; NumPy integers are valid hyperparameters.
    odd = classifier(batch_size=np.int64(3), epochs=np.int32(2)).fit(X > 0, LABELS)
    same(odd, classifier().fit((X > 0).astype(float), LABELS))
    # Labels given as a column train like the vector (with scikit-learn's warning).
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        column = classifier().fit(X, LABELS[:, None])
    same(column, classifier().fit(X, LABELS))
    # Integer labels that are not 0..K-1 are class names, predicted back as such.
    shifted = classifier().fit(X, LABELS + 10)
    np.testing.assert_array_equal(shifted.classes_, [10, 11, 12])
    assert set(shifted.predict(X)) <= {10, 11, 12}
    same(shifted, classifier().fit(X, LABELS))
    # Binary labels 1 and 2 are the two classes, in sorted order.
    binary = Network([Dense(2, 1, "sigmoid")], loss="binary_cross_entropy", epochs=1,
                     seed=0).fit(X, LABELS % 2 + 1)
    np.testing.assert_array_equal(binary.classes_, [1, 2])
    assert set(binary.predict(X)) <= {1, 2}
    # An object array of numbers (a DataFrame of mixed columns) is converted, as in
    # scikit-learn.
    same(classifier().fit(X.astype(object), LABELS), classifier().fit(X, LABELS))
