"""Benchmark: one small CNN trained by nnbook, by a bare NumPy loop and by Keras (chapter 5).

The network is the same in all three: Conv2D(8 filters, 3x3, "same", ReLU) -> MaxPool 2x2
-> Flatten -> Dense(10, softmax), cross-entropy, plain SGD, mini-batches of 32, starting
from the same initial weights. It is trained on scikit-learn's 8x8 digits and on the 28x28
MNIST subset, with the seeded splits of ``nnbook.data.train_test_split``.

* nnbook: ``Network`` with ``Conv2D``, ``MaxPool2D``, ``Flatten``, ``Dense``.
* bare loop: the same arithmetic written out below in one function, with im2col, no layer
  objects, no input checks and no loss bookkeeping. It draws its initial weights and its
  shuffling from the same seeded generator as nnbook, so both follow the same trajectory
  and their final weights agree to round-off: the time ratio measures the cost of
  nnbook's abstractions alone.
* Keras: ``Sequential`` with the same layers and weights, ``SGD``, ``fit(verbose=0)``.
  Keras shuffles with its own generator, so its accuracy differs within noise. "Keras" is
  timed after its training step has been compiled (the fair, steady-state number);
  "Keras, cold" includes the one-off tracing that a first ``fit`` call pays.

The machine this runs on may be shared, so each trainer runs ``--repeats`` times, the
runs are interleaved (one of each in turn), and the median time is reported. Repeat r uses
the seed SEED + r (initial weights and shuffling) for all trainers, and the accuracy
reported is the mean over the repeats, which averages out most of the run-to-run noise of
a single split. NumPy's BLAS is limited to ``--blas-threads`` threads (default 1: for
matrices this small a second thread costs more than it gives, and on a busy machine much
more); TensorFlow keeps its default thread pools unless ``--tf-threads`` is given.

Usage:  python bench/cnn.py [--repeats 3] [--blas-threads 1] [--tf-threads N] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from nnbook import Dense, Network  # noqa: E402
from nnbook.convolution import Conv2D, Flatten, MaxPool2D  # noqa: E402
from nnbook.data import load_digits, load_mnist_subset, train_test_split  # noqa: E402

FILTERS = 8
BATCH_SIZE = 32
SEED = 0
SETTINGS = {  # data set: (loader, epochs, learning rate)
    "digits 8x8": (load_digits, 30, 0.1),
    "MNIST 28x28": (load_mnist_subset, 10, 0.1),
}


def nnbook_network(side, epochs, learning_rate, seed):
    half = side // 2
    return Network(
        [Conv2D(1, FILTERS, 3, padding="same", activation="relu"), MaxPool2D(2), Flatten(),
         Dense(half * half * FILTERS, 10, activation="softmax")],
        loss="cross_entropy", optimizer="sgd", learning_rate=learning_rate,
        batch_size=BATCH_SIZE, epochs=epochs, seed=seed, dtype="float32",
    )


# ---------------------------------------------------------------------- bare NumPy loop
def bare_numpy_cnn(X, y, side, epochs, learning_rate, seed):
    """Train the CNN with nothing but NumPy; returns (conv_W, conv_b, dense_W, dense_b).

    Initial weights and shuffling come from default_rng(seed) in the order nnbook uses:
    He-normal conv kernel, Glorot-uniform dense matrix, one permutation per epoch.
    """
    rng = np.random.default_rng(seed)
    dtype = np.float32
    half = side // 2
    n_features = half * half * FILTERS
    conv_W = (rng.standard_normal((3, 3, 1, FILTERS)) * np.sqrt(2.0 / 9.0)).astype(dtype)
    conv_b = np.zeros(FILTERS, dtype)
    limit = np.sqrt(6.0 / (n_features + 10))
    dense_W = rng.uniform(-limit, limit, (n_features, 10)).astype(dtype)
    dense_b = np.zeros(10, dtype)
    X = X.astype(dtype)
    one_hot = np.eye(10, dtype=dtype)[y]
    offsets = [(p, q) for p in range(3) for q in range(3)]
    n = X.shape[0]
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            m = len(batch)
            # im2col with "same" padding: one strided copy per kernel offset.
            padded = np.zeros((m, side + 2, side + 2, 1), dtype)
            padded[:, 1:-1, 1:-1, :] = X[batch]
            cols = np.empty((m, side, side, 9), dtype)
            for k, (p, q) in enumerate(offsets):
                cols[:, :, :, k] = padded[:, p:p + side, q:q + side, 0]
            cols = cols.reshape(m, side * side, 9)
            z = np.matmul(cols, conv_W.reshape(9, FILTERS))
            z += conv_b
            a = np.maximum(z, 0.0).reshape(m, side, side, FILTERS)
            # 2x2 max pooling, remembering which of the four offsets won.
            pooled = a[:, 0::2, 0::2].copy()
            winner = np.zeros(pooled.shape, np.uint8)
            for k, (p, q) in enumerate([(0, 1), (1, 0), (1, 1)], start=1):
                candidate = a[:, p::2, q::2]
                larger = np.greater(candidate, pooled).view(np.uint8)
                larger *= np.uint8(k)
                np.maximum(winner, larger, out=winner)
                np.maximum(pooled, candidate, out=pooled)
            features = pooled.reshape(m, n_features)
            logits = features @ dense_W + dense_b
            logits -= logits.max(axis=1, keepdims=True)
            probabilities = np.exp(logits)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            # Backward: softmax + cross-entropy error, dense, unpooling, ReLU, conv weights.
            delta_out = (probabilities - one_hot[batch]) / m
            grad_dense_W = features.T @ delta_out
            grad_dense_b = delta_out.sum(axis=0)
            grad_pooled = (delta_out @ dense_W.T).reshape(pooled.shape)
            grad_a = np.empty_like(a)
            for k, (p, q) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
                np.multiply(grad_pooled, winner == k, out=grad_a[:, p::2, q::2])
            delta_conv = (grad_a * (a > 0)).reshape(m, side * side, FILTERS)
            grad_conv_W = np.matmul(cols.transpose(0, 2, 1), delta_conv).sum(axis=0)
            # Summing with a product by ones is much faster than .sum over the long axis.
            grad_conv_b = np.ones(m * side * side, dtype) @ delta_conv.reshape(-1, FILTERS)
            conv_W -= learning_rate * grad_conv_W.reshape(conv_W.shape)
            conv_b -= learning_rate * grad_conv_b
            dense_W -= learning_rate * grad_dense_W
            dense_b -= learning_rate * grad_dense_b
    return conv_W, conv_b, dense_W, dense_b


def bare_numpy_accuracy(params, X, y, side):
    """Test accuracy of the bare-loop weights, by a forward pass in plain NumPy."""
    conv_W, conv_b, dense_W, dense_b = params
    m = X.shape[0]
    padded = np.zeros((m, side + 2, side + 2, 1), X.dtype)
    padded[:, 1:-1, 1:-1, :] = X
    cols = np.stack([padded[:, p:p + side, q:q + side, 0] for p in range(3) for q in range(3)],
                    axis=-1).reshape(m, side * side, 9)
    a = np.maximum(np.matmul(cols, conv_W.reshape(9, FILTERS)) + conv_b, 0.0)
    a = a.reshape(m, side // 2, 2, side // 2, 2, FILTERS).max(axis=(2, 4))
    logits = a.reshape(m, -1) @ dense_W + dense_b
    return float(np.mean(np.argmax(logits, axis=1) == y))


# ---------------------------------------------------------------------- Keras
def keras_model(side, learning_rate, weights):
    import keras

    model = keras.Sequential([
        keras.Input((side, side, 1)),
        keras.layers.Conv2D(FILTERS, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.set_weights(weights)
    return model


# ---------------------------------------------------------------------- driver
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--tf-threads", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="fewer epochs (smoke test)")
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    if args.tf_threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.tf_threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.tf_threads)
    tf_threads = args.tf_threads or "default"

    print(f"CNN conv3x3x{FILTERS} + maxpool 2 + dense softmax, SGD, batch {BATCH_SIZE}, "
          f"float32; NumPy BLAS threads {args.blas_threads}, TensorFlow threads {tf_threads}; "
          f"median time and mean accuracy of {args.repeats} interleaved runs")
    print(f"{'data':12s} {'trainer':11s} {'epochs':>6s} {'accuracy':>9s} {'time (s)':>9s} "
          f"{'vs bare':>8s} {'Keras/this':>10s}")
    summary = {}
    with threadpool_limits(limits=args.blas_threads, user_api="blas"):
        for name, (loader, epochs, learning_rate) in SETTINGS.items():
            if args.quick:
                epochs = max(1, epochs // 10)
            X, y = loader(images=True)
            X = X.astype(np.float32)
            X_train, X_test, y_train, y_test = train_test_split(X, y)
            side = X.shape[1]
            times = {"nnbook": [], "bare NumPy": [], "Keras": [], "Keras, cold": []}
            accuracies = {trainer: [] for trainer in times}
            drift = 0.0
            for repeat in range(args.repeats):
                seed = SEED + repeat
                initial = nnbook_network(side, epochs, learning_rate, seed).initialize()
                initial = [p.copy() for p in initial.parameters()]
                keras.utils.set_random_seed(seed)

                start = time.perf_counter()
                net = nnbook_network(side, epochs, learning_rate, seed).fit(X_train, y_train)
                times["nnbook"].append(time.perf_counter() - start)
                accuracies["nnbook"].append(net.score(X_test, y_test))

                start = time.perf_counter()
                params = bare_numpy_cnn(X_train, y_train, side, epochs, learning_rate, seed)
                times["bare NumPy"].append(time.perf_counter() - start)
                accuracies["bare NumPy"].append(bare_numpy_accuracy(params, X_test, y_test, side))
                drift = max(drift, *(float(np.max(np.abs(p - q))) for p, q in
                                     zip(params, net.parameters())))

                model = keras_model(side, learning_rate, initial)
                start = time.perf_counter()
                model.fit(X_train, y_train, batch_size=BATCH_SIZE, epochs=epochs, verbose=0)
                times["Keras, cold"].append(time.perf_counter() - start)
                accuracies["Keras, cold"].append(model.evaluate(X_test, y_test, verbose=0)[1])

                # The first fit of a model traces and compiles its training step. Time a
                # second model whose step was compiled on a few samples first, then reset
                # to the initial weights (plain SGD keeps no other state).
                model = keras_model(side, learning_rate, initial)
                model.fit(X_train[:BATCH_SIZE], y_train[:BATCH_SIZE], epochs=1, verbose=0)
                model.set_weights(initial)
                start = time.perf_counter()
                model.fit(X_train, y_train, batch_size=BATCH_SIZE, epochs=epochs, verbose=0)
                times["Keras"].append(time.perf_counter() - start)
                accuracies["Keras"].append(model.evaluate(X_test, y_test, verbose=0)[1])
            median = {k: statistics.median(v) for k, v in times.items()}
            accuracy = {k: float(np.mean(v)) for k, v in accuracies.items()}
            for trainer in times:
                print(f"{name:12s} {trainer:11s} {epochs:6d} {accuracy[trainer]:9.4f} "
                      f"{median[trainer]:9.2f} {median[trainer] / median['bare NumPy']:8.2f} "
                      f"{median['Keras'] / median[trainer]:10.2f}")
            print(f"{'':12s} largest difference of final weights, nnbook vs bare loop: "
                  f"{drift:.1e}")
            summary[name] = (median, accuracy)

    print("\nTargets:")
    for name, (median, accuracy) in summary.items():
        overhead = median["nnbook"] / median["bare NumPy"]
        speedup = median["Keras"] / median["nnbook"]
        gap = abs(accuracy["nnbook"] - accuracy["Keras"]) * 100
        target = 5.0 if name.startswith("digits") else 2.0
        cold = median["Keras, cold"] / median["nnbook"]
        print(f"  {name}: nnbook/bare = {overhead:.2f} (target <= 1.3), "
              f"Keras/nnbook = {speedup:.1f} (target >= {target:.0f}; {cold:.1f} counting "
              f"Keras' first-call compilation), accuracy gap to Keras = {gap:.2f} points "
              f"(target <= 1)")


if __name__ == "__main__":
    main()
