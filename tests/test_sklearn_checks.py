"""scikit-learn's own estimator checks (``parametrize_with_checks``) on ``Network``.

The reference is scikit-learn's test suite for estimators, which we did not write: it fits
data with other numbers of features and classes, pickles, clones, feeds DataFrames with
renamed columns, sparse and object arrays, and compares predictions on subsets. Layer sizes
are left to ``fit`` here (the short form of chapter 4), as the checks need.
"""

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from nnbook import Dense, Network

# Settings that make a small network reach the accuracy and R^2 the checks demand on
# their toy data sets within a fraction of a second, with a fixed seed (the checks
# compare two fits for idempotence).
SETTINGS = dict(optimizer="adam", learning_rate=0.01, batch_size=32, epochs=200, seed=0)


def classifier():
    return Network([Dense(n_outputs=16, activation="tanh"), Dense(activation="softmax")],
                   loss="cross_entropy", **SETTINGS)


def binary_classifier():
    return Network([Dense(n_outputs=16, activation="tanh"), Dense(activation="sigmoid")],
                   loss="binary_cross_entropy", **SETTINGS)


def regressor():
    return Network([Dense(n_outputs=16, activation="tanh"), Dense()], loss="mse", **SETTINGS)


# check name -> why it cannot apply to a network trained by stochastic gradient descent.
EXPECTED_FAILED_CHECKS = {}


def expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS


@parametrize_with_checks([classifier(), binary_classifier(), regressor()],
                         expected_failed_checks=expected_failed_checks)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
