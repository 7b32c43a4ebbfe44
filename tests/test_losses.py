"""Tests of nnbook.losses (chapters 1 and 2).

Every loss is held against an autograd twin written below from its formula: the value,
the gradient with respect to the output activations, and, for the two cross-entropies,
the cost from the logits and the output error delta = dC/dz. The stable logits path is also
held against the generic path (activation, then loss, then the chain rule) where both are
accurate, and against hand-computed values at logits of size 1e3, where only it is.
"""

import warnings

import autograd
import autograd.numpy as anp
import autograd.scipy.special as asp
import numpy as np
import pytest

from nnbook import activations, losses

N, K = 7, 4


def mse_twin(a, y):
    return anp.mean((a - y) ** 2)


def bce_twin(a, y):
    return -anp.mean(y * anp.log(a) + (1.0 - y) * anp.log(1.0 - a))


def ce_twin(a, y):
    return -anp.sum(y * anp.log(a)) / a.shape[0]


def bce_logits_twin(z, y):
    # -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + e^z) - y z
    return anp.mean(anp.logaddexp(0.0, z) - y * z)


def ce_logits_twin(z, y):
    return anp.sum(y * (asp.logsumexp(z, axis=1, keepdims=True) - z)) / z.shape[0]


def _data(name, seed=0, soft=False):
    """(z, a, y) for a loss: logits, the canonical activations of them, and targets."""
    rng = np.random.default_rng(seed)
    if name == "mse":
        a = rng.normal(size=(N, K))
        return None, a, rng.normal(size=(N, K))
    if name == "binary_cross_entropy":
        z = rng.normal(scale=2.0, size=(N, 3))
        y = rng.uniform(size=z.shape) if soft else (rng.uniform(size=z.shape) < 0.5) * 1.0
        return z, 1.0 / (1.0 + np.exp(-z)), y
    z = rng.normal(scale=2.0, size=(N, K))
    if soft:
        y = rng.uniform(size=(N, K))
        y /= y.sum(axis=1, keepdims=True)
    else:
        y = np.eye(K)[rng.integers(K, size=N)]
    a = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return z, a, y


TWINS = {"mse": mse_twin, "binary_cross_entropy": bce_twin, "cross_entropy": ce_twin}
LOGIT_TWINS = {"binary_cross_entropy": bce_logits_twin, "cross_entropy": ce_logits_twin}


def test_registry_and_task_flags():
    assert sorted(losses.LOSSES) == ["binary_cross_entropy", "cross_entropy", "mse"]
    assert isinstance(losses.get_loss("mse"), losses.MeanSquaredError)
    assert losses.get_loss("mse").is_classification is False
    assert losses.get_loss("binary_cross_entropy").canonical_activation == "sigmoid"
    assert losses.get_loss("cross_entropy").canonical_activation == "softmax"
    assert losses.get_loss("cross_entropy").is_classification is True


@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("name", sorted(TWINS))
def test_value_and_gradient_match_autograd(name, soft):
    loss, twin = losses.get_loss(name), TWINS[name]
    _, a, y = _data(name, seed=1, soft=soft)
    value = loss.value(a, y)
    assert isinstance(value, float)
    np.testing.assert_allclose(value, twin(a, y), rtol=1e-13)
    np.testing.assert_allclose(loss.gradient(a, y), autograd.grad(twin)(a, y), rtol=1e-12)


def test_values_written_out_by_hand():
    a = np.array([[0.2, 0.8], [0.6, 0.4]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    # cross-entropy: -(log 0.8 + log 0.6) / 2 samples
    assert losses.CrossEntropy().value(a, y) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)
    # mse: mean of the four squared differences (0.04, 0.04, 0.16, 0.16), no factor 1/2
    assert losses.MeanSquaredError().value(a, y) == pytest.approx(0.1)
    # binary cross-entropy: mean over all four entries
    expected = -(np.log(0.8) + np.log(0.8) + np.log(0.6) + np.log(0.6)) / 4
    assert losses.BinaryCrossEntropy().value(a, y) == pytest.approx(expected)


@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("name", sorted(LOGIT_TWINS))
def test_logits_path_matches_autograd(name, soft):
    loss, twin = losses.get_loss(name), LOGIT_TWINS[name]
    z, a, y = _data(name, seed=2, soft=soft)
    np.testing.assert_allclose(loss.value_from_logits(z, y), twin(z, y), rtol=1e-13)
    np.testing.assert_allclose(loss.delta(z, a, y), autograd.grad(twin)(z, y), rtol=1e-12,
                               atol=1e-16)


@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("name", sorted(LOGIT_TWINS))
def test_logits_path_agrees_with_generic_path(name, soft):
    loss = losses.get_loss(name)
    output = activations.get_activation(loss.canonical_activation)
    z, _, y = _data(name, seed=3, soft=soft)
    a = output.value(z)
    np.testing.assert_allclose(loss.value_from_logits(z, y), loss.value(a, y), rtol=1e-12)
    generic_delta = output.backward(z, a, loss.gradient(a, y))
    np.testing.assert_allclose(loss.delta(z, a, y), generic_delta, rtol=1e-9, atol=1e-15)


def test_logits_path_is_exact_for_huge_logits():
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        bce = losses.BinaryCrossEntropy()
        z = np.array([[1e3], [1e3], [-1e3], [-1e3]])
        y = np.array([[1.0], [0.0], [1.0], [0.0]])
        # per sample: 0, 1e3, 1e3, 0 (log(1 + e^-1000) is below float64 resolution)
        assert bce.value_from_logits(z, y) == pytest.approx(500.0, rel=1e-15)
        a = activations.Sigmoid().value(z)
        np.testing.assert_array_equal(bce.delta(z, a, y), [[0.0], [0.25], [-0.25], [0.0]])

        ce = losses.CrossEntropy()
        z = np.array([[1e3, 0.0, -1e3], [1e3, 1e3, -1e3]])
        y = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
        # sample 1: logsumexp = 1e3, loss 2e3; sample 2: logsumexp = 1e3 + log 2, loss log 2
        assert ce.value_from_logits(z, y) == pytest.approx((2e3 + np.log(2.0)) / 2, rel=1e-15)
        a = activations.Softmax().value(z)
        np.testing.assert_allclose(ce.delta(z, a, y),
                                   [[0.5, 0.0, -0.5], [-0.25, 0.25, 0.0]], rtol=0, atol=1e-300)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "cross_entropy"])
def test_generic_path_at_saturated_probabilities_is_finite_and_quiet(name):
    loss = losses.get_loss(name)
    if name == "binary_cross_entropy":
        a, y = np.array([[0.0], [1.0], [1.0]]), np.array([[1.0], [0.0], [1.0]])
    else:
        a, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[0.0, 1.0], [0.0, 1.0]])
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        value = loss.value(a, y)
        gradient = loss.gradient(a, y)
    # The probabilities are clipped at 1e-7, as in Keras: a wrong certain answer costs
    # -log(1e-7) = 16.1 per sample instead of infinity.
    wrong = 2 if name == "binary_cross_entropy" else 1
    assert value == pytest.approx(-np.log(1e-7) * wrong / len(a), rel=1e-6)
    assert np.all(np.isfinite(gradient))


def test_losses_are_means_over_the_batch():
    # Repeating a batch changes neither the cost nor the output error (learning rates do
    # not depend on the batch size); the gradient per sample halves.
    for name in sorted(TWINS):
        loss = losses.get_loss(name)
        z, a, y = _data(name, seed=4)
        a2, y2 = np.vstack([a, a]), np.vstack([y, y])
        assert loss.value(a2, y2) == pytest.approx(loss.value(a, y), rel=1e-14)
        np.testing.assert_allclose(loss.gradient(a2, y2)[:N], loss.gradient(a, y) / 2,
                                   rtol=1e-14)
