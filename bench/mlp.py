"""The same MLP trained four ways on the digits, timed side by side in one run (chapter 4).

Network: 64-100-10, sigmoid hidden layer, softmax output, cross-entropy, plain SGD with
learning rate 0.1, mini-batches of 32, 100 epochs, reshuffled every epoch, Glorot-uniform
initial weights, no regularisation. Trained by

* nnbook's ``Network``;
* a bare NumPy loop written below: the same arithmetic with nothing around it, the floor
  that any NumPy implementation can hope for;
* scikit-learn's ``MLPClassifier`` (solver "sgd", no momentum, no early stopping);
* Keras 3 on TensorFlow (CPU).

Each is timed ``--repeats`` times (median reported) on the same split; the ratios to nnbook
are what the README quotes, since absolute seconds depend on the machine. Targets: nnbook
within 1.2x of the bare loop, at least 2x faster than scikit-learn and 10x faster than
Keras, test accuracy within one percentage point of them.

Run: ``make bench`` or ``.venv/bin/python bench/mlp.py [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np

import nnbook
from nnbook import Dense, Network

LEARNING_RATE, BATCH_SIZE, EPOCHS, HIDDEN, SEED = 0.1, 32, 100, 100, 0


def train_nnbook(X, y):
    net = Network(
        layers=[Dense(64, HIDDEN, activation="sigmoid"), Dense(HIDDEN, 10, activation="softmax")],
        loss="cross_entropy", optimizer="sgd", learning_rate=LEARNING_RATE,
        batch_size=BATCH_SIZE, epochs=EPOCHS, seed=SEED,
    )
    net.fit(X, y)
    return net.predict


def train_bare(X, y):
    """Mini-batch SGD for the 64-100-10 network in as few NumPy operations as possible."""
    rng = np.random.default_rng(SEED)
    Y = np.eye(10)[y]
    limit1, limit2 = np.sqrt(6 / (64 + HIDDEN)), np.sqrt(6 / (HIDDEN + 10))
    W1, b1 = rng.uniform(-limit1, limit1, (64, HIDDEN)), np.zeros(HIDDEN)
    W2, b2 = rng.uniform(-limit2, limit2, (HIDDEN, 10)), np.zeros(10)
    n = len(X)
    for _ in range(EPOCHS):
        order = rng.permutation(n)
        for start in range(0, n, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            x, t = X[batch], Y[batch]
            a1 = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))
            z2 = a1 @ W2 + b2
            e = np.exp(z2 - z2.max(axis=1, keepdims=True))
            a2 = e / e.sum(axis=1, keepdims=True)
            delta2 = (a2 - t) / len(batch)
            delta1 = (delta2 @ W2.T) * a1 * (1.0 - a1)
            W2 -= LEARNING_RATE * (a1.T @ delta2)
            b2 -= LEARNING_RATE * delta2.sum(axis=0)
            W1 -= LEARNING_RATE * (x.T @ delta1)
            b1 -= LEARNING_RATE * delta1.sum(axis=0)

    def predict(X_new):
        return np.argmax((1.0 / (1.0 + np.exp(-(X_new @ W1 + b1)))) @ W2 + b2, axis=1)

    return predict


def train_sklearn(X, y):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,), activation="logistic", solver="sgd", alpha=0.0,
        learning_rate_init=LEARNING_RATE, momentum=0.0, nesterovs_momentum=False,
        batch_size=BATCH_SIZE, max_iter=EPOCHS, shuffle=True, tol=0.0,
        n_iter_no_change=EPOCHS + 1, random_state=SEED,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is the plan here
        model.fit(X, y)
    return model.predict


def train_keras(X, y):
    import keras

    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(HIDDEN, activation="sigmoid"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE),
                  loss="sparse_categorical_crossentropy")
    model.fit(X, y, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=True, verbose=0)
    return lambda X_new: np.argmax(model.predict(X_new, verbose=0), axis=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import tensorflow  # noqa: F401  (imported before timing so its import cost is not counted)

    X, y = nnbook.data.load_digits()
    X_train, X_test, y_train, y_test = nnbook.data.train_test_split(X, y, test_size=0.2, seed=0)
    trainers = {"nnbook": train_nnbook, "bare NumPy loop": train_bare,
                "scikit-learn": train_sklearn, "Keras": train_keras}
    seconds = {name: [] for name in trainers}
    accuracy = {}
    # Interleave the repeats so that a slow spell of the machine hits every trainer alike.
    for _ in range(args.repeats):
        for name, train in trainers.items():
            start = time.perf_counter()
            predict = train(X_train, y_train)
            seconds[name].append(time.perf_counter() - start)
            accuracy[name] = float(np.mean(predict(X_test) == y_test))
    median = {name: statistics.median(times) for name, times in seconds.items()}
    base = median["nnbook"]
    print(f"digits, 64-{HIDDEN}-10 sigmoid/softmax, SGD lr {LEARNING_RATE}, batch {BATCH_SIZE}, "
          f"{EPOCHS} epochs; median of {args.repeats} runs")
    print(f"{'':18s} {'test acc':>9s} {'train s':>9s} {'time / nnbook':>14s}")
    for name in trainers:
        print(f"{name:18s} {accuracy[name]:9.3f} {median[name]:9.2f} {median[name] / base:14.2f}")
    checks = {
        "nnbook within 1.2x of the bare loop": base <= 1.2 * median["bare NumPy loop"],
        "nnbook >= 2x faster than scikit-learn": median["scikit-learn"] >= 2 * base,
        "nnbook >= 10x faster than Keras": median["Keras"] >= 10 * base,
        "accuracy within 1 point of the others": all(
            abs(accuracy["nnbook"] - acc) <= 0.01 for acc in accuracy.values()
        ),
    }
    for claim, holds in checks.items():
        print(f"{'met' if holds else 'MISSED':>7s}: {claim}")


if __name__ == "__main__":
    main()
