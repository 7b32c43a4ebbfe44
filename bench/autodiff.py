"""What does one gradient cost? Hand backprop (nnbook) vs autograd vs TensorFlow (chapter 3).

One MLP (64-100-100-10, tanh hidden layers, softmax + cross-entropy, L2 penalty) on a
mini-batch of 256 scikit-learn digits, float64 everywhere and identical weights. The same
gradient of the same cost is computed by

* nnbook's hand-written backpropagation, ``Network.gradients``;
* autograd's ``grad`` of the cost written with ``autograd.numpy``;
* TensorFlow's ``GradientTape``, run eagerly;
* the same ``GradientTape`` code compiled into a graph with ``tf.function``;

plus the cost alone (``Network.cost``), to show what a gradient costs relative to a
function evaluation. All gradients are first checked to agree. Everything runs on one
thread (NumPy's BLAS through threadpoolctl, TensorFlow through its threading config), so
the ratios compare the methods, not how each library uses the cores of a shared machine.
Times are the best of several repeats (the least disturbed by other processes); the table
reports them as ratios to nnbook's gradient, measured side by side in one run.

Run: ``.venv/bin/python bench/autodiff.py`` (or ``make bench``). Takes about 20 s.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import autograd  # noqa: E402
import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from nnbook import Dense, Network  # noqa: E402
from nnbook.data import load_digits, one_hot  # noqa: E402
from nnbook.gradcheck import relative_error  # noqa: E402

SIZES = (64, 100, 100, 10)
BATCH = 256
L2 = 1e-4
SEED = 2024


def build_problem():
    """The network (initialized from SEED), a mini-batch X, integer labels y, one-hot Y."""
    X, y = load_digits()
    rng = np.random.default_rng(SEED)
    batch = rng.choice(len(X), size=BATCH, replace=False)
    layers = [Dense(SIZES[0], SIZES[1], "tanh"), Dense(SIZES[1], SIZES[2], "tanh"),
              Dense(SIZES[2], SIZES[3], "softmax")]
    net = Network(layers=layers, loss="cross_entropy", l2=L2, seed=SEED).initialize()
    return net, X[batch], y[batch], one_hot(y[batch], SIZES[-1])


def autograd_cost(params, X, Y):
    """The network's cost written with autograd.numpy: mean cross-entropy + L2 on weights."""
    a = X
    for W, b in zip(params[0:-2:2], params[1:-2:2]):
        a = anp.tanh(a @ W + b)
    z = a @ params[-2] + params[-1]
    # log softmax, shifted by the row maximum so that exp never overflows
    log_p = z - anp.max(z, axis=1, keepdims=True)
    log_p = log_p - anp.log(anp.sum(anp.exp(log_p), axis=1, keepdims=True))
    penalty = sum(anp.sum(W * W) for W in params[0::2])
    return -anp.mean(anp.sum(Y * log_p, axis=1)) + L2 * penalty


def tensorflow_gradients(params, X, Y):
    """Eager and tf.function gradient functions of the same cost, on tf.Variables."""
    import tensorflow as tf

    # One thread; this must happen before TensorFlow runs its first operation.
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    variables = [tf.Variable(p) for p in params]
    X_t, Y_t = tf.constant(X), tf.constant(Y)

    def gradient():
        with tf.GradientTape() as tape:
            a = X_t
            for W, b in zip(variables[0:-2:2], variables[1:-2:2]):
                a = tf.tanh(a @ W + b)
            z = a @ variables[-2] + variables[-1]
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(Y_t, z))
            cost = loss + L2 * tf.add_n([tf.reduce_sum(W * W) for W in variables[0::2]])
        return tape.gradient(cost, variables)

    return gradient, tf.function(gradient)


def best_time(function, repeats=7, number=10):
    """Best over `repeats` of the mean time of `number` calls, in seconds."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def main():
    with threadpool_limits(limits=1):
        run()


def run():
    net, X, y, Y = build_problem()
    params = [p.copy() for p in net.parameters()]
    eager, compiled = tensorflow_gradients(params, X, Y)
    candidates = {
        "nnbook cost only": lambda: net.cost(X, y),
        "nnbook backprop": lambda: net.gradients(X, y),
        "autograd grad": lambda: autograd.grad(autograd_cost)(params, X, Y),
        "GradientTape eager": eager,
        "GradientTape tf.function": compiled,
    }
    reference = net.gradients(X, y)
    for name in list(candidates)[2:]:
        gradient = [np.asarray(g) for g in candidates[name]()]  # also warms up / traces
        error = max(relative_error(g, r) for g, r in zip(gradient, reference))
        assert error < 1e-10, (name, error)
    times = {name: best_time(function) for name, function in candidates.items()}
    base = times["nnbook backprop"]
    n_params = sum(p.size for p in params)
    print(f"gradient of a {'-'.join(map(str, SIZES))} MLP ({n_params} parameters), "
          f"batch {BATCH}, float64; all gradients agree to < 1e-10")
    print(f"{'method':26s} {'time / nnbook gradient':>24s} {'time per call':>14s}")
    for name, seconds in times.items():
        print(f"{name:26s} {seconds / base:24.2f} {seconds * 1e3:11.2f} ms")


if __name__ == "__main__":
    main()
