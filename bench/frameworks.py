"""One MLP, four implementations, two data sets, timed side by side in one run (chapter 4).

The network of the chapter's comparison notebook: one hidden layer of 100 ReLU units, a
softmax output, cross-entropy, plain SGD with learning rate 0.1, mini-batches of 32,
reshuffled every epoch, no regularisation, in single precision. The initial weights are
drawn once by nnbook from its seed and given to every implementation:

* nnbook's ``Network`` (its seed reproduces those weights);
* scikit-learn's ``MLPClassifier``, started from them with
  ``nnbook.frameworks.sklearn_start_from``;
* Keras 3 on TensorFlow, ``model.set_weights`` then ``model.fit``;
* a TensorFlow loop written out: variables, ``GradientTape`` and a training step compiled
  with ``tf.function``.

Data: scikit-learn's 8x8 digits (1,437 training images, 30 epochs) and the 5,000-image
28x28 MNIST subset (4,000 training images, 10 epochs), each with the book's standard split.
NumPy's BLAS and TensorFlow both run on one thread, so that the ratios compare the
implementations rather than how each uses the cores of a shared machine. Each trainer runs
``--repeats`` times, interleaved, and the median time is reported with its ratio to nnbook.
TensorFlow is imported before any timing, so its import cost is not counted; model
building, tracing and compilation are counted, since every user pays them.

Run: ``.venv/bin/python bench/frameworks.py [--repeats 3]`` (or ``make bench``); about a
minute with three repeats.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from nnbook import Dense, Network, data, frameworks

LEARNING_RATE, BATCH_SIZE, HIDDEN, SEED = 0.1, 32, 100, 2024
DATASETS = {"digits": (data.load_digits, 30), "MNIST subset": (data.load_mnist_subset, 10)}


def layers(n_inputs):
    return [Dense(n_inputs, HIDDEN, "relu"), Dense(HIDDEN, 10, "softmax")]


def initial_weights(n_inputs):
    """The initial weights every implementation starts from, in float32."""
    net = Network(layers(n_inputs), seed=SEED).initialize()
    return [w.astype(np.float32) for w in net.parameters()]


def train_nnbook(X, y, epochs, initial):
    net = Network(layers(X.shape[1]), loss="cross_entropy", optimizer="sgd",
                  learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE, epochs=epochs,
                  seed=SEED, dtype="float32")
    net.fit(X, y)
    return net.predict


def train_sklearn(X, y, epochs, initial):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    mlp = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="relu", solver="sgd",
                        learning_rate_init=LEARNING_RATE, momentum=0.0, alpha=0.0,
                        batch_size=BATCH_SIZE, max_iter=epochs, n_iter_no_change=epochs,
                        tol=0.0, random_state=SEED)
    X = X.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs
        frameworks.sklearn_start_from(mlp, Network(layers(X.shape[1]), seed=SEED), X, y)
        mlp.fit(X, y)
    return lambda X_new: mlp.predict(X_new.astype(np.float32))


def train_keras(X, y, epochs, initial):
    _, keras = frameworks.import_tensorflow()
    model = keras.Sequential([keras.Input(shape=(X.shape[1],)),
                              keras.layers.Dense(HIDDEN, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE),
                  loss="categorical_crossentropy")
    model.fit(X, keras.utils.to_categorical(y, 10), batch_size=BATCH_SIZE, epochs=epochs,
              verbose=0)
    return lambda X_new: np.argmax(model(X_new), axis=1)


def train_tensorflow(X, y, epochs, initial):
    tf, _ = frameworks.import_tensorflow()
    weights = [tf.Variable(w) for w in initial]
    X, Y = tf.constant(X, tf.float32), tf.one_hot(y, 10)

    def logits(x):
        return tf.nn.relu(x @ weights[0] + weights[1]) @ weights[2] + weights[3]

    @tf.function
    def step(x, y_true):
        with tf.GradientTape() as tape:
            cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(y_true, logits(x)))
        for w, g in zip(weights, tape.gradient(cost, weights)):
            w.assign_sub(LEARNING_RATE * g)

    shuffle = np.random.default_rng(SEED)
    n = int(X.shape[0])
    for _ in range(epochs):
        order = shuffle.permutation(n)
        for start in range(0, n, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            step(tf.gather(X, batch), tf.gather(Y, batch))
    return lambda X_new: np.argmax(logits(tf.constant(X_new, tf.float32)), axis=1)


TRAINERS = {"nnbook": train_nnbook, "scikit-learn": train_sklearn, "Keras": train_keras,
            "TensorFlow loop": train_tensorflow}


def benchmark(name, repeats):
    """Median training time and test accuracy of every trainer on one data set."""
    load, epochs = DATASETS[name]
    X, y = load()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y)
    X_train, X_test = X_train.astype(np.float32), X_test.astype(np.float32)
    initial = initial_weights(X.shape[1])
    seconds = {trainer: [] for trainer in TRAINERS}
    accuracy = {}
    # Interleaved repeats: a slow spell of the machine hits every trainer alike.
    for _ in range(repeats):
        for trainer, train in TRAINERS.items():
            start = time.perf_counter()
            predict = train(X_train, y_train, epochs, initial)
            seconds[trainer].append(time.perf_counter() - start)
            accuracy[trainer] = float(np.mean(predict(X_test) == y_test))
    median = {trainer: statistics.median(times) for trainer, times in seconds.items()}
    steps = epochs * int(np.ceil(len(y_train) / BATCH_SIZE))
    print(f"\n{name}: {X.shape[1]}-{HIDDEN}-10 ReLU/softmax, SGD lr {LEARNING_RATE}, batch "
          f"{BATCH_SIZE}, {epochs} epochs ({steps} steps); median of {repeats} runs")
    print(f"{'':16s} {'test acc':>9s} {'train s':>9s} {'time / nnbook':>14s}")
    for trainer in TRAINERS:
        print(f"{trainer:16s} {accuracy[trainer]:9.3f} {median[trainer]:9.2f} "
              f"{median[trainer] / median['nnbook']:14.2f}")
    return median, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tf, keras = frameworks.import_tensorflow()  # before timing: the import is not counted
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(SEED)
    with threadpool_limits(limits=1, user_api="blas"):
        results = {name: benchmark(name, args.repeats) for name in DATASETS}
    print()
    for name, (median, accuracy) in results.items():
        spread = max(accuracy.values()) - min(accuracy.values())
        fastest = min(median, key=median.get)
        print(f"{name}: fastest {fastest}; test accuracies within {spread:.3f} of each other")


if __name__ == "__main__":
    main()
