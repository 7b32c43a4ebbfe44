"""Tests of nnbook.autodiff (chapter 3): reverse mode (Var) and forward mode (Dual).

The reference is autograd, an independent reverse-mode implementation, on randomly
generated expressions that use every supported operation, with numbers on both sides of
the binary operators. Closed-form derivatives check the two worked examples of the chapter.
"""

import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from nnbook import autodiff as ad

N_INPUTS = 3

# The functions each backend uses inside a random expression. The autograd sigmoid is
# written through tanh, a different formula from the engine's, so the test is independent.
ENGINE = {name: getattr(ad, name) for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu")}
AUTOGRAD = {
    "exp": anp.exp,
    "log": anp.log,
    "sqrt": anp.sqrt,
    "tanh": anp.tanh,
    "sigmoid": lambda u: 0.5 * (anp.tanh(0.5 * u) + 1.0),
    "relu": lambda u: anp.maximum(u, 0.0),
}


def _relu_away_from_kink(u):
    # relu'(0) is a convention (autograd uses 1/2, the engine 0): avoid exact zeros.
    if abs(u) < 1e-9:
        raise ArithmeticError("relu argument too close to 0")
    return max(u, 0.0)


FLOATS = {
    "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "tanh": math.tanh,
    "sigmoid": lambda u: 1.0 / (1.0 + math.exp(-u)), "relu": _relu_away_from_kink,
}

UNARY = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "neg")
BINARY = ("add", "sub", "mul", "div", "pow_var")
WITH_NUMBER = ("radd", "rsub", "rmul", "rdiv", "add_num", "sub_num", "mul_num", "div_num",
               "pow_int", "pow_real", "rpow")


def random_tree(rng, depth):
    """A random expression tree over inputs x0..x2 using every supported operation."""
    if depth == 0 or rng.random() < 0.2:
        if rng.random() < 0.85:
            return ("x", int(rng.integers(N_INPUTS)))
        return ("const", float(rng.uniform(-2.0, 2.0)))
    group = rng.choice(3)
    if group == 0:
        return (str(rng.choice(UNARY)), random_tree(rng, depth - 1))
    if group == 1:
        return (str(rng.choice(BINARY)), random_tree(rng, depth - 1), random_tree(rng, depth - 1))
    kind = str(rng.choice(WITH_NUMBER))
    if kind == "pow_int":
        number = float(rng.choice([2, 3, -1, -2]))
    elif kind == "rpow":
        number = float(rng.uniform(0.2, 3.0))
    else:
        number = float(rng.choice([-1.0, 1.0])) * float(rng.uniform(0.3, 2.5))
    return (kind, number, random_tree(rng, depth - 1))


def evaluate(tree, xs, F):
    """Evaluate `tree` at inputs `xs` with the elementary functions of backend `F`.

    Guards keep every operation inside its domain (positive arguments of log, sqrt and
    of powers with a variable or fractional exponent, denominators away from 0); the
    guards use the same operators, so they are tested too.
    """
    kind = tree[0]
    if kind == "x":
        return xs[tree[1]]
    if kind == "const":
        return tree[1]
    if kind in UNARY:
        u = evaluate(tree[1], xs, F)
        if kind == "neg":
            return -u
        if kind in ("log", "sqrt"):
            u = u * u + 0.1
        return F[kind](u)
    if kind in BINARY:
        u, v = evaluate(tree[1], xs, F), evaluate(tree[2], xs, F)
        if kind == "add":
            return u + v
        if kind == "sub":
            return u - v
        if kind == "mul":
            return u * v
        if kind == "div":
            return u / (v * v + 0.5)
        return (u * u + 0.5) ** F["tanh"](v)
    c, u = tree[1], evaluate(tree[2], xs, F)
    results = {
        "radd": lambda: c + u,
        "rsub": lambda: c - u,
        "rmul": lambda: c * u,
        "rdiv": lambda: c / (1.0 + u * u),
        "add_num": lambda: u + c,
        "sub_num": lambda: u - c,
        "mul_num": lambda: u * c,
        "div_num": lambda: u / c,
        "pow_int": lambda: (u if c > 0 else 1.0 + u * u) ** int(c),
        "pow_real": lambda: (u * u + 0.2) ** c,
        "rpow": lambda: c ** F["tanh"](u),
    }
    return results[kind]()


def random_expressions(seed, count, depth=5):
    """`count` (tree, point) pairs whose float value is finite and of moderate size."""
    rng = np.random.default_rng(seed)
    found = []
    while len(found) < count:
        tree = random_tree(rng, depth)
        point = [float(v) for v in rng.uniform(-1.5, 1.5, size=N_INPUTS)]
        try:
            value = evaluate(tree, point, FLOATS)
        except (ArithmeticError, ValueError):
            continue
        if math.isfinite(value) and abs(value) < 1e6:
            found.append((tree, point))
    return found


def autograd_gradient(tree, point):
    def f(v):
        return evaluate(tree, [v[i] for i in range(N_INPUTS)], AUTOGRAD)

    return np.asarray(autograd.grad(f)(np.array(point)), dtype=float)


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0.0 else float(np.linalg.norm(a - b) / denominator)


EXPRESSIONS = random_expressions(seed=3, count=400)


def test_random_expressions_use_every_operation():
    kinds = set()

    def collect(tree):
        kinds.add(tree[0])
        for child in tree[1:]:
            if isinstance(child, tuple):
                collect(child)

    for tree, _ in EXPRESSIONS:
        collect(tree)
    assert kinds >= set(UNARY) | set(BINARY) | set(WITH_NUMBER) | {"x", "const"}


@pytest.mark.filterwarnings("ignore:Output seems independent of input")
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_gradients_match_autograd_on_random_expressions(mode):
    gradient_of = ad.reverse_gradient if mode == "reverse" else ad.forward_gradient
    worst = 0.0
    for tree, point in EXPRESSIONS:
        value, gradient = gradient_of(lambda *xs: evaluate(tree, xs, ENGINE), *point)
        assert value == pytest.approx(evaluate(tree, point, FLOATS), rel=1e-12, abs=1e-12)
        reference = autograd_gradient(tree, point)
        error = relative_error(gradient, reference)
        if np.linalg.norm(reference) < 1e-12:  # a (numerically) zero gradient
            error = float(np.linalg.norm(np.asarray(gradient) - reference))
        worst = max(worst, error)
    assert worst <= 1e-12, worst


def test_reverse_and_forward_mode_agree_with_each_other():
    for tree, point in EXPRESSIONS[:100]:
        _, reverse = ad.reverse_gradient(lambda *xs: evaluate(tree, xs, ENGINE), *point)
        _, forward = ad.forward_gradient(lambda *xs: evaluate(tree, xs, ENGINE), *point)
        assert relative_error(reverse, forward) <= 1e-13


@pytest.mark.parametrize("x", [-1.7, -0.3, 0.0, 0.5, 1.2])
def test_worked_examples_against_closed_form(x):
    def f1(u):
        return ad.exp(u**2)

    def f2(u):
        return ad.sqrt(u**2 + ad.exp(u**2))

    d1 = 2 * x * math.exp(x * x)
    d2 = x * (1 + math.exp(x * x)) / math.sqrt(x * x + math.exp(x * x))
    for f, exact in ((f1, d1), (f2, d2)):
        _, [reverse] = ad.reverse_gradient(f, x)
        _, [forward] = ad.forward_gradient(f, x)
        assert reverse == pytest.approx(exact, rel=1e-14, abs=1e-15)
        assert forward == pytest.approx(exact, rel=1e-14, abs=1e-15)


def test_reverse_sweep_sums_over_children():
    # x feeds three children; df/dx = y + 2 x + cos-free closed form: f = x*y + x**2 + exp(x)
    x, y = ad.Var(0.7), ad.Var(-1.3)
    f = x * y + x**2 + ad.exp(x)
    f.backward()
    assert x.grad == pytest.approx(-1.3 + 2 * 0.7 + math.exp(0.7), rel=1e-15)
    assert y.grad == pytest.approx(0.7, rel=1e-15)


def test_backward_twice_gives_the_same_gradient():
    x = ad.Var(0.4)
    f = ad.tanh(x * x) / (1 + x)
    f.backward()
    first = x.grad
    f.backward()
    assert x.grad == first


def test_intermediate_adjoints_of_the_worked_example():
    # a = x^2, b = exp(a), c = a + b, d = sqrt(c): the adjoints from the chapter's table.
    x = ad.Var(0.5)
    a = x * x
    b = ad.exp(a)
    c = a + b
    d = ad.sqrt(c)
    d.backward()
    assert c.grad == pytest.approx(1 / (2 * math.sqrt(c.value)), rel=1e-15)
    assert b.grad == pytest.approx(c.grad, rel=1e-15)
    assert a.grad == pytest.approx((1 + b.value) / (2 * d.value), rel=1e-15)
    assert x.grad == pytest.approx(0.5 * (1 + b.value) / d.value, rel=1e-15)
    assert [node.op for node in d.topological_order()] == ["input", "*", "exp", "+", "sqrt"]


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = ad.Var(0.1)
    y = x
    for _ in range(20_000):
        y = 0.5 * y + 0.05
    y.backward()
    assert x.grad == pytest.approx(0.5**20_000, abs=1e-300)


def test_relu_derivative_convention_and_sigmoid_tails():
    for mode in (ad.reverse_gradient, ad.forward_gradient):
        assert mode(ad.relu, 0.0) == (0.0, [0.0])
        assert mode(ad.relu, 2.0) == (2.0, [1.0])
        value, [slope] = mode(ad.sigmoid, -800.0)
        assert value == 0.0 and slope == 0.0
        value, [slope] = mode(ad.sigmoid, 40.0)
        # sigma'(40) = e^-40 / (1 + e^-40)^2, to full relative accuracy
        assert slope == pytest.approx(math.exp(-40.0) / (1 + math.exp(-40.0)) ** 2, rel=1e-14)


def test_numbers_on_either_side_including_numpy_scalars():
    x = ad.Var(3.0)
    for y in (np.float64(2.0) * x, x * np.float64(2.0), 2 * x, x * 2):
        assert isinstance(y, ad.Var) and y.value == 6.0
    d = ad.Dual(3.0, 1.0)
    for y in (np.float64(2.0) - d, 2.0 - d):
        assert isinstance(y, ad.Dual) and (y.value, y.derivative) == (-1.0, -1.0)
    assert ad.exp(0.0) == 1.0 and isinstance(ad.sigmoid(np.float64(0.0)), float)


def test_constant_function_has_zero_gradient():
    assert ad.reverse_gradient(lambda x, y: 4.0, 1.0, 2.0) == (4.0, [0.0, 0.0])
    assert ad.forward_gradient(lambda x, y: 4.0, 1.0, 2.0) == (4.0, [0.0, 0.0])


def test_power_with_negative_base_and_integer_exponent():
    value, [slope] = ad.reverse_gradient(lambda x: x**3, -2.0)
    assert (value, slope) == (-8.0, 12.0)
    # A constant exponent held in a Dual with zero derivative needs no log(base).
    y = ad.Dual(-2.0, 1.0) ** ad.Dual(2.0, 0.0)
    assert (y.value, y.derivative) == (4.0, -4.0)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: ad.Var("1.0"), TypeError, "value must be a real number"),
        (lambda: ad.Var(True), TypeError, "value must be a real number"),
        (lambda: ad.Var(float("nan")), ValueError, "value must be finite"),
        (lambda: ad.Var(1.0, label=3), TypeError, "label must be a str"),
        (lambda: ad.Dual(1.0, "1"), TypeError, "derivative must be a real number"),
        (lambda: ad.Dual(float("inf")), ValueError, "value must be finite"),
        (lambda: ad.log(ad.Var(-1.0)), ValueError, "log needs a positive argument"),
        (lambda: ad.log(ad.Dual(0.0, 1.0)), ValueError, "log needs a positive argument"),
        (lambda: ad.sqrt(ad.Var(-4.0)), ValueError, "sqrt needs a non-negative argument"),
        (lambda: ad.sqrt(ad.Var(0.0)), ValueError, "not differentiable at 0"),
        (lambda: ad.Var(-8.0) ** (1 / 3), ValueError, "negative base"),
        (lambda: ad.Dual(-8.0, 1.0) ** 0.5, ValueError, "negative base"),
        (lambda: (-2.0) ** ad.Var(2.0), ValueError, "needs x > 0"),
        (lambda: (-2.0) ** ad.Dual(2.0, 1.0), ValueError, "needs x > 0"),
        (lambda: ad.Var(0.0) ** 0.5, ValueError, "not differentiable at x = 0"),
        (lambda: ad.Var(0.0) ** -1, ZeroDivisionError, "negative power"),
        (lambda: ad.Var(1.0) / 0, ZeroDivisionError, "number 0"),
        (lambda: ad.Var(1.0) / ad.Var(0.0), ZeroDivisionError, "value is 0"),
        (lambda: 1.0 / ad.Dual(0.0, 1.0), ZeroDivisionError, "value is 0"),
        (lambda: ad.exp(ad.Var(1000.0)), OverflowError, "overflows float64"),
        (lambda: ad.Var(1e200) * ad.Var(1e200), OverflowError, "outside the float64 range"),
        (lambda: ad.Var(1.0) + ad.Dual(1.0), TypeError, "unsupported operand"),
        (lambda: ad.Dual(1.0) * ad.Var(1.0), TypeError, "unsupported operand"),
        (lambda: ad.Var(1.0) - "2", TypeError, "unsupported operand"),
        (lambda: ad.exp("x"), TypeError, "exp expects a Var, a Dual or a real number, got str"),
        (lambda: ad.relu([1.0]), TypeError, "relu expects"),
        (lambda: ad.reverse_gradient(3.0, 1.0), TypeError, "f must be callable"),
        (lambda: ad.forward_gradient(math.sin), ValueError, "args must hold at least one"),
        (lambda: ad.reverse_gradient(lambda x: "y", 1.0), TypeError, "f must return a Var"),
        (lambda: ad.forward_gradient(lambda x: [x], 1.0), TypeError, "f must return a Dual"),
        (lambda: ad.reverse_gradient(ad.exp, "1.0"), TypeError, r"args\[0\] must be a real"),
    ],
)
def test_bad_input_is_reported_clearly(make, error, message):
    with pytest.raises(error, match=message):
        make()
