"""Tests of nnbook.activations (chapters 1, 2 and 4).

References, none of them nnbook itself:

* an autograd twin of every activation, written below from its textbook formula, gives
  the value, the element-wise derivative and the vector-Jacobian product (``backward``);
* mpmath at 50 significant digits gives values and derivatives at extreme arguments,
  where float64 formulas lose accuracy or overflow;
* limits written out by hand (sigmoid(1e3) = 1, elu(-1e3) = -alpha, ...).
"""

import math
import warnings

import autograd
import autograd.numpy as anp
import autograd.scipy.special as asp
import mpmath
import numpy as np
import pytest

from nnbook import activations as act

SQRT2 = math.sqrt(2.0)

# name -> (nnbook object, autograd twin). LeakyReLU and ELU appear twice: with the default
# and with a non-default alpha, so that the hyperparameter is really used.
CASES = {
    "identity": (act.Identity(), lambda z: z),
    "sigmoid": (act.Sigmoid(), lambda z: 1.0 / (1.0 + anp.exp(-z))),
    "tanh": (act.Tanh(), lambda z: (anp.exp(z) - anp.exp(-z)) / (anp.exp(z) + anp.exp(-z))),
    "relu": (act.ReLU(), lambda z: anp.where(z > 0, z, 0.0 * z)),
    "leaky_relu": (act.LeakyReLU(), lambda z: anp.where(z > 0, z, 0.01 * z)),
    "leaky_relu_0.2": (act.LeakyReLU(alpha=0.2), lambda z: anp.where(z > 0, z, 0.2 * z)),
    "elu": (act.ELU(), lambda z: anp.where(z > 0, z, anp.exp(anp.minimum(z, 0.0)) - 1.0)),
    "elu_0.5": (act.ELU(alpha=0.5),
                lambda z: anp.where(z > 0, z, 0.5 * (anp.exp(anp.minimum(z, 0.0)) - 1.0))),
    "gelu": (act.GELU(), lambda z: 0.5 * z * (1.0 + asp.erf(z / SQRT2))),
    "silu": (act.SiLU(), lambda z: z / (1.0 + anp.exp(-z))),
    "softmax": (act.Softmax(),
                lambda z: anp.exp(z - asp.logsumexp(z, axis=1, keepdims=True))),
}
ELEMENTWISE = [name for name in CASES if name != "softmax"]
NAMES = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu", "softmax"]


def _z(seed=0, shape=(6, 5), scale=3.0):
    """Random pre-activations, none closer than 1e-3 to the kink at 0."""
    z = np.random.default_rng(seed).normal(scale=scale, size=shape)
    z[np.abs(z) < 1e-3] = 0.5
    return z


def test_every_documented_name_is_registered():
    assert sorted(act.ACTIVATIONS) == sorted(NAMES)
    for name in NAMES:
        assert act.get_activation(name).name == name


@pytest.mark.parametrize("name", CASES)
def test_value_matches_autograd_twin(name):
    activation, twin = CASES[name]
    z = _z()
    np.testing.assert_allclose(activation.value(z), twin(z), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(activation(z), twin(z), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_autograd(name):
    activation, twin = CASES[name]
    z = _z(1)
    expected = autograd.elementwise_grad(twin)(z)
    np.testing.assert_allclose(activation.derivative(z), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", CASES)
def test_backward_is_the_vector_jacobian_product(name):
    activation, twin = CASES[name]
    z = _z(2)
    grad_a = np.random.default_rng(3).normal(size=z.shape)
    expected = autograd.grad(lambda u: anp.sum(twin(u) * grad_a))(z)
    got = activation.backward(z, activation.value(z), grad_a)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_softmax_jacobian_matches_autograd_and_has_no_elementwise_derivative():
    softmax, twin = CASES["softmax"]
    z = _z(4, shape=(3, 4))
    jacobians = softmax.jacobian(z)
    assert jacobians.shape == (3, 4, 4)
    for i in range(3):
        expected = autograd.jacobian(lambda row: twin(row[None, :])[0])(z[i])
        np.testing.assert_allclose(jacobians[i], expected, rtol=1e-12, atol=1e-15)
    with pytest.raises(TypeError, match="backward"):
        softmax.derivative(z)


def test_softmax_rows_are_distributions_and_shift_invariant():
    softmax = act.Softmax()
    z = _z(5, shape=(4, 6))
    a = softmax.value(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert np.all(a > 0)
    # exp(z + c) / sum exp(z + c) = softmax(z): a shift of 1e3 would overflow a naive exp.
    np.testing.assert_allclose(softmax.value(z + 1e3), a, rtol=1e-12)
    np.testing.assert_allclose(softmax.value(z - 1e3), a, rtol=1e-12)


def test_kink_conventions():
    zero = np.zeros(3)
    # ReLU'(0) = 0 (Keras' convention), leaky ReLU'(0) = alpha, ELU'(0) = alpha.
    np.testing.assert_array_equal(act.ReLU().derivative(zero), 0.0)
    np.testing.assert_array_equal(act.LeakyReLU(0.3).derivative(zero), 0.3)
    np.testing.assert_allclose(act.ELU(0.5).derivative(zero), 0.5)
    np.testing.assert_array_equal(act.ReLU().backward(zero, zero, np.ones(3)), 0.0)


# ---------------------------------------------------------------- extreme arguments

EXTREMES = np.array([-1e3, -710.0, -100.0, -40.0, -10.0, -1e-8, 0.0, 1e-8, 10.0, 40.0,
                     100.0, 710.0, 1e3])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", CASES)
def test_no_warning_and_finite_results_for_large_arguments(name, dtype):
    activation, _ = CASES[name]
    z = np.vstack([EXTREMES, -EXTREMES[::-1]]).astype(dtype)
    grad_a = np.ones_like(z)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        a = activation.value(z)
        results = [a, activation.backward(z, a, grad_a)]
        if name != "softmax":
            results.append(activation.derivative(z))
    assert a.dtype == np.dtype(dtype), "value() should keep the floating type of z"
    for result in results:
        assert result.shape == z.shape
        assert np.all(np.isfinite(result))


def _mp_reference(name, x):
    """(value, derivative) of an activation at x, from mpmath with 50 digits."""
    mpmath.mp.dps = 50
    functions = {
        "identity": lambda t: t,
        "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
        "tanh": mpmath.tanh,
        "relu": lambda t: t if t > 0 else mpmath.mpf(0),
        "leaky_relu": lambda t: t if t > 0 else mpmath.mpf("0.01") * t,
        "elu": lambda t: t if t > 0 else mpmath.expm1(t),
        "gelu": lambda t: t * mpmath.ncdf(t),
        "silu": lambda t: t / (1 + mpmath.exp(-t)),
    }
    f = functions[name]
    t = mpmath.mpf(float(x))
    # One-sided derivative on the side of the branch that t is on (t is never 0 here).
    return float(f(t)), float(mpmath.diff(f, t))


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                  "gelu", "silu"])
def test_values_and_derivatives_at_extremes_match_high_precision(name):
    activation, _ = CASES[name]
    z = EXTREMES[EXTREMES != 0]
    reference = np.array([_mp_reference(name, x) for x in z])
    # Relative accuracy of float64 formulas, with an absolute floor for results (such as
    # sigmoid'(40) = 4e-18 or gelu(-10) = -8e-23) far below anything a network can feel.
    np.testing.assert_allclose(activation.value(z), reference[:, 0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(activation.derivative(z), reference[:, 1], rtol=1e-9,
                               atol=1e-15)


def test_limits_written_out():
    z = np.array([-1e3, 1e3])
    np.testing.assert_array_equal(act.Sigmoid().value(z), [0.0, 1.0])
    np.testing.assert_array_equal(act.Tanh().value(z), [-1.0, 1.0])
    np.testing.assert_array_equal(act.ReLU().value(z), [0.0, 1e3])
    np.testing.assert_array_equal(act.LeakyReLU(0.01).value(z), [-10.0, 1e3])
    np.testing.assert_array_equal(act.ELU(2.0).value(z), [-2.0, 1e3])
    np.testing.assert_array_equal(act.GELU().value(z), [0.0, 1e3])
    np.testing.assert_array_equal(act.SiLU().value(z), [0.0, 1e3])
    np.testing.assert_array_equal(act.Sigmoid().derivative(z), [0.0, 0.0])
    np.testing.assert_array_equal(act.GELU().derivative(z), [0.0, 1.0])
    np.testing.assert_array_equal(act.SiLU().derivative(z), [0.0, 1.0])
    np.testing.assert_array_equal(act.ELU(2.0).derivative(z), [0.0, 1.0])
    softmax = act.Softmax().value(np.array([[1e3, -1e3, 0.0], [1e3, 1e3, -1e3]]))
    np.testing.assert_allclose(softmax, [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], rtol=0, atol=1e-300)


@pytest.mark.parametrize("name", ["identity", "tanh", "relu", "leaky_relu", "elu", "gelu",
                                  "sigmoid", "silu"])
def test_elementwise_activations_accept_zero_dimensional_input(name):
    # The module promises that element-wise activations work on any shape, the empty shape
    # () of a 0-d array or NumPy scalar included.
    activation, twin = CASES[name]
    for z in (np.float64(-1.3), np.array(2.1)):
        assert np.ndim(activation.value(z)) == 0
        np.testing.assert_allclose(activation.value(z), twin(np.asarray(z)), rtol=1e-13)
        np.testing.assert_allclose(activation.derivative(z),
                                   autograd.grad(twin)(float(z)), rtol=1e-12)
