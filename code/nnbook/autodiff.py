"""Automatic differentiation of scalar code: reverse mode (`Var`) and forward mode (`Dual`).

Introduced in chapter 3. Both classes overload Python's arithmetic operators, so an
ordinary function written with `+ - * / **` and the module's `exp`, `log`, `sqrt`, `tanh`,
`sigmoid` and `relu` can be evaluated on plain floats, on `Var` (to build a computational
graph and run a reverse sweep through it) or on `Dual` (to carry one directional
derivative along with every value).

The engine is deliberately small and works on scalars only: it is meant to be read in
one sitting next to chapter 3, not to be fast. Every elementary function appears once,
in the table `ELEMENTARY`, together with its derivative, and both modes use that table.

Example
-------
>>> from nnbook import autodiff as ad
>>> x = ad.Var(0.5)
>>> f = ad.sqrt(x**2 + ad.exp(x**2))
>>> f.backward()
>>> round(x.grad, 12)
0.922050396876
>>> fx = ad.sqrt(ad.Dual(0.5, 1.0)**2 + ad.exp(ad.Dual(0.5, 1.0)**2))
>>> round(fx.derivative, 12)
0.922050396876
"""

from __future__ import annotations

import math
import numbers
from typing import Callable

__all__ = [
    "Var", "Dual", "ELEMENTARY",
    "exp", "log", "sqrt", "tanh", "sigmoid", "relu",
    "reverse_gradient", "forward_gradient",
]


# --------------------------------------------------------------------------------------
# Elementary functions of one variable: value and derivative
# --------------------------------------------------------------------------------------

def _sigmoid(x: float) -> float:
    # Two branches so that exp never sees a large positive argument (no overflow).
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _checked_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp({x!r}) overflows float64 (the argument must be below about 709.78)"
        ) from None


def _checked_log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log needs a positive argument, got {x!r}")
    return math.log(x)


def _checked_sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt needs a non-negative argument, got {x!r}")
    return math.sqrt(x)


def _tanh_derivative(x: float, fx: float) -> float:
    # Equal to 1 - tanh(x)^2, but that form cancels when |tanh(x)| is close to 1 (it has
    # no correct digits left near |x| = 19). 4 e^{-2|x|} / (1 + e^{-2|x|})^2 is the same
    # sech^2(x), accurate and overflow-free for every x.
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _sqrt_derivative(x: float, fx: float) -> float:
    if fx == 0.0:
        raise ValueError(
            "sqrt is not differentiable at 0 (its derivative 1/(2 sqrt(x)) is infinite)"
        )
    return 0.5 / fx


# name -> (f(x), f'(x) written in terms of x and of the already computed value fx = f(x)).
# Reusing fx is what makes exp, sqrt and sigmoid cheap to differentiate.
ELEMENTARY: dict[str, tuple[Callable[[float], float], Callable[[float, float], float]]] = {
    "exp": (_checked_exp, lambda x, fx: fx),
    "log": (_checked_log, lambda x, fx: 1.0 / x),
    "sqrt": (_checked_sqrt, _sqrt_derivative),
    "tanh": (math.tanh, _tanh_derivative),
    # sigma'(x) = sigma(x) (1 - sigma(x)) = sigma(x) sigma(-x); the second form keeps full
    # relative accuracy for large positive x, where 1 - sigma(x) would cancel.
    "sigmoid": (_sigmoid, lambda x, fx: fx * _sigmoid(-x)),
    # relu'(0) is taken as 0, the convention of TensorFlow and PyTorch.
    "relu": (lambda x: x if x > 0.0 else 0.0, lambda x, fx: 1.0 if x > 0.0 else 0.0),
}


def _real(value, name: str) -> float:
    """Return `value` as a finite float, or raise TypeError/ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (int or float), got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _is_number(other) -> bool:
    return isinstance(other, numbers.Real) and not isinstance(other, bool)


def _power(base: float, exponent: float) -> tuple[float, float, float | None]:
    """base**exponent and its partial derivatives (d/dbase, d/dexponent or None if undefined).

    d/dexponent = base**exponent * log(base) exists only for base > 0 (and is 0 for
    base == 0 < exponent); for a negative base it is returned as None and the caller
    raises only if that derivative is actually needed.
    """
    if base < 0.0 and exponent != int(exponent):
        raise ValueError(
            f"a negative base ({base!r}) to a non-integer power ({exponent!r}) is not a real number"
        )
    if base == 0.0 and exponent < 0.0:
        raise ZeroDivisionError(f"0 cannot be raised to the negative power {exponent!r}")
    try:
        value = base**exponent
    except OverflowError:
        raise OverflowError(f"{base!r} ** {exponent!r} overflows float64") from None
    if exponent == 0.0:
        d_base = 0.0
    elif base == 0.0 and exponent < 1.0:
        raise ValueError(f"x ** {exponent!r} is not differentiable at x = 0 (infinite derivative)")
    else:
        d_base = exponent * base ** (exponent - 1.0)
    if base > 0.0:
        d_exponent = value * math.log(base)
    elif base == 0.0:
        d_exponent = 0.0
    else:
        d_exponent = None
    return value, d_base, d_exponent


def _exponent_derivative(d_exponent: float | None, base: float) -> float:
    if d_exponent is None:
        raise ValueError(
            f"d/dy x**y = x**y log(x) needs x > 0, got x = {base!r}; "
            "use a plain number as exponent if it is a constant"
        )
    return d_exponent


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise OverflowError(f"{what} gave {value!r}: the result is outside the float64 range")
    return value


# --------------------------------------------------------------------------------------
# Reverse mode
# --------------------------------------------------------------------------------------

class Var:
    """A scalar in a computational graph, for reverse-mode automatic differentiation.

    Introduced in chapter 3. Every arithmetic operation on a `Var` returns a new `Var`
    that remembers its parents and the local derivative of itself with respect to each
    parent, d(child)/d(parent), evaluated when the child is computed. `backward()` then
    applies the chain rule from the output back to the inputs, visiting the graph in
    reverse topological order, so that after `f.backward()` every node `v` holds
    `v.grad = df/dv` (the adjoint of `v`).

    Attributes
    ----------
    value : float
        The number this node holds.
    grad : float
        df/d(this node) after the last `backward()` of an output `f` that depends on it.
    parents : tuple of (Var, float)
        The nodes this one was computed from, each with the local derivative.
    op : str
        The operation that produced the node ("input" for leaves).
    label : str
        An optional name, for printing.
    """

    __slots__ = ("value", "grad", "parents", "op", "label")
    # Let numpy scalars and arrays hand binary operations back to our reflected methods
    # instead of wrapping a Var in an object array.
    __array_ufunc__ = None

    def __init__(self, value, label: str = ""):
        self.value = _real(value, "value")
        self.grad = 0.0
        self.parents: tuple[tuple[Var, float], ...] = ()
        self.op = "input"
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self.label = label

    @classmethod
    def _node(cls, value: float, op: str, parents: tuple[tuple[Var, float], ...]) -> Var:
        node = cls.__new__(cls)
        node.value = _finite(value, op)
        node.grad = 0.0
        node.parents = parents
        node.op = op
        node.label = ""
        return node

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Var(value={self.value:.6g}, grad={self.grad:.6g}, op={self.op!r}{name})"

    # Arithmetic. A plain number is a constant: it becomes no node and gets no gradient.
    def __add__(self, other):
        if isinstance(other, Var):
            return Var._node(self.value + other.value, "+", ((self, 1.0), (other, 1.0)))
        if _is_number(other):
            return Var._node(self.value + float(other), "+", ((self, 1.0),))
        return NotImplemented

    __radd__ = __add__

    def __neg__(self):
        return Var._node(-self.value, "neg", ((self, -1.0),))

    def __pos__(self):
        return self

    def __sub__(self, other):
        if isinstance(other, Var):
            return Var._node(self.value - other.value, "-", ((self, 1.0), (other, -1.0)))
        if _is_number(other):
            return Var._node(self.value - float(other), "-", ((self, 1.0),))
        return NotImplemented

    def __rsub__(self, other):
        if _is_number(other):
            return Var._node(float(other) - self.value, "-", ((self, -1.0),))
        return NotImplemented

    def __mul__(self, other):
        if isinstance(other, Var):
            return Var._node(
                self.value * other.value, "*", ((self, other.value), (other, self.value))
            )
        if _is_number(other):
            return Var._node(self.value * float(other), "*", ((self, float(other)),))
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Var):
            if other.value == 0.0:
                raise ZeroDivisionError("division of a Var by a Var whose value is 0")
            quotient = self.value / other.value
            return Var._node(
                quotient, "/", ((self, 1.0 / other.value), (other, -quotient / other.value))
            )
        if _is_number(other):
            if other == 0:
                raise ZeroDivisionError("division of a Var by the number 0")
            return Var._node(self.value / float(other), "/", ((self, 1.0 / float(other)),))
        return NotImplemented

    def __rtruediv__(self, other):
        if _is_number(other):
            if self.value == 0.0:
                raise ZeroDivisionError("division of a number by a Var whose value is 0")
            quotient = float(other) / self.value
            return Var._node(quotient, "/", ((self, -quotient / self.value),))
        return NotImplemented

    def __pow__(self, other):
        if isinstance(other, Var):
            value, d_base, d_exponent = _power(self.value, other.value)
            d_exponent = _exponent_derivative(d_exponent, self.value)
            return Var._node(value, "**", ((self, d_base), (other, d_exponent)))
        if _is_number(other):
            value, d_base, _ = _power(self.value, float(other))
            return Var._node(value, "**", ((self, d_base),))
        return NotImplemented

    def __rpow__(self, other):
        if _is_number(other):
            value, _, d_exponent = _power(float(other), self.value)
            d_exponent = _exponent_derivative(d_exponent, float(other))
            return Var._node(value, "**", ((self, d_exponent),))
        return NotImplemented

    def _apply(self, name: str) -> Var:
        function, derivative = ELEMENTARY[name]
        fx = function(self.value)
        return Var._node(fx, name, ((self, derivative(self.value, fx)),))

    def exp(self) -> Var:
        """exp(self); d/dx exp(x) = exp(x)."""
        return self._apply("exp")

    def log(self) -> Var:
        """Natural logarithm; d/dx log(x) = 1/x."""
        return self._apply("log")

    def sqrt(self) -> Var:
        """Square root; d/dx sqrt(x) = 1/(2 sqrt(x))."""
        return self._apply("sqrt")

    def tanh(self) -> Var:
        """tanh(self); d/dx tanh(x) = 1 - tanh(x)^2 = 1/cosh(x)^2."""
        return self._apply("tanh")

    def sigmoid(self) -> Var:
        """Logistic sigmoid 1/(1 + exp(-x)); derivative sigma(x) (1 - sigma(x))."""
        return self._apply("sigmoid")

    def relu(self) -> Var:
        """max(x, 0); derivative 1 for x > 0 and 0 otherwise (0 at x = 0)."""
        return self._apply("relu")

    # The reverse sweep
    def topological_order(self) -> list[Var]:
        """Every node this one depends on (itself included), parents before children.

        Iterative depth-first search, so graphs deeper than Python's recursion limit
        (long chains of operations in a training loop) are fine.
        """
        order: list[Var] = []
        visited: set[int] = set()
        stack: list[tuple[Var, bool]] = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for parent, _ in node.parents:
                if id(parent) not in visited:
                    stack.append((parent, False))
        return order

    def backward(self) -> None:
        """Set `v.grad = d self / d v` for every node `v` of the graph that ends here.

        The adjoints of all nodes of this graph are first reset to 0 (so calling
        `backward` twice gives the same result, not twice the gradient), the output's
        adjoint is set to 1, and each node, visited children-first, adds
        `local derivative * its own adjoint` to the adjoint of each parent: the sum over
        children of the chain rule.
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in node.parents:
                parent.grad += local * node.grad


# --------------------------------------------------------------------------------------
# Forward mode
# --------------------------------------------------------------------------------------

class Dual:
    """A dual number value + derivative * epsilon with epsilon**2 = 0: forward mode.

    Introduced in chapter 3. Arithmetic on dual numbers carries the derivative of every
    intermediate result along with its value, so `f(Dual(x, 1.0)).derivative` is f'(x)
    after a single evaluation, and, for a function of several inputs, seeding input i
    with derivative 1 and the others with 0 gives the partial derivative with respect to
    input i (one evaluation per input).

    Attributes
    ----------
    value : float
    derivative : float
        The derivative of this value along the seeded direction.
    """

    __slots__ = ("value", "derivative")
    __array_ufunc__ = None

    def __init__(self, value, derivative=0.0):
        self.value = _real(value, "value")
        self.derivative = _real(derivative, "derivative")

    @classmethod
    def _make(cls, value: float, derivative: float, op: str) -> Dual:
        dual = cls.__new__(cls)
        dual.value = _finite(value, op)
        dual.derivative = _finite(derivative, f"the derivative of {op}")
        return dual

    def __repr__(self) -> str:
        return f"Dual(value={self.value:.6g}, derivative={self.derivative:.6g})"

    def __add__(self, other):
        if isinstance(other, Dual):
            return Dual._make(self.value + other.value, self.derivative + other.derivative, "+")
        if _is_number(other):
            return Dual._make(self.value + float(other), self.derivative, "+")
        return NotImplemented

    __radd__ = __add__

    def __neg__(self):
        return Dual._make(-self.value, -self.derivative, "neg")

    def __pos__(self):
        return self

    def __sub__(self, other):
        if isinstance(other, Dual):
            return Dual._make(self.value - other.value, self.derivative - other.derivative, "-")
        if _is_number(other):
            return Dual._make(self.value - float(other), self.derivative, "-")
        return NotImplemented

    def __rsub__(self, other):
        if _is_number(other):
            return Dual._make(float(other) - self.value, -self.derivative, "-")
        return NotImplemented

    def __mul__(self, other):
        if isinstance(other, Dual):
            return Dual._make(
                self.value * other.value,
                self.derivative * other.value + self.value * other.derivative,
                "*",
            )
        if _is_number(other):
            return Dual._make(self.value * float(other), self.derivative * float(other), "*")
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Dual):
            if other.value == 0.0:
                raise ZeroDivisionError("division of a Dual by a Dual whose value is 0")
            quotient = self.value / other.value
            return Dual._make(
                quotient, (self.derivative - quotient * other.derivative) / other.value, "/"
            )
        if _is_number(other):
            if other == 0:
                raise ZeroDivisionError("division of a Dual by the number 0")
            return Dual._make(self.value / float(other), self.derivative / float(other), "/")
        return NotImplemented

    def __rtruediv__(self, other):
        if _is_number(other):
            if self.value == 0.0:
                raise ZeroDivisionError("division of a number by a Dual whose value is 0")
            quotient = float(other) / self.value
            return Dual._make(quotient, -quotient / self.value * self.derivative, "/")
        return NotImplemented

    def __pow__(self, other):
        if isinstance(other, Dual):
            value, d_base, d_exponent = _power(self.value, other.value)
            derivative = d_base * self.derivative
            # The log term is needed only when the exponent itself varies.
            if other.derivative != 0.0:
                derivative += _exponent_derivative(d_exponent, self.value) * other.derivative
            return Dual._make(value, derivative, "**")
        if _is_number(other):
            value, d_base, _ = _power(self.value, float(other))
            return Dual._make(value, d_base * self.derivative, "**")
        return NotImplemented

    def __rpow__(self, other):
        if _is_number(other):
            value, _, d_exponent = _power(float(other), self.value)
            derivative = 0.0
            if self.derivative != 0.0:
                derivative = _exponent_derivative(d_exponent, float(other)) * self.derivative
            return Dual._make(value, derivative, "**")
        return NotImplemented

    def _apply(self, name: str) -> Dual:
        function, derivative = ELEMENTARY[name]
        fx = function(self.value)
        return Dual._make(fx, derivative(self.value, fx) * self.derivative, name)

    def exp(self) -> Dual:
        """exp(self) with its derivative."""
        return self._apply("exp")

    def log(self) -> Dual:
        """Natural logarithm with its derivative."""
        return self._apply("log")

    def sqrt(self) -> Dual:
        """Square root with its derivative."""
        return self._apply("sqrt")

    def tanh(self) -> Dual:
        """tanh(self) with its derivative."""
        return self._apply("tanh")

    def sigmoid(self) -> Dual:
        """Logistic sigmoid with its derivative."""
        return self._apply("sigmoid")

    def relu(self) -> Dual:
        """max(x, 0) with its derivative (0 at x = 0)."""
        return self._apply("relu")


# --------------------------------------------------------------------------------------
# Functions that accept a Var, a Dual or a plain number
# --------------------------------------------------------------------------------------

def _dispatch(name: str, x):
    if isinstance(x, (Var, Dual)):
        return x._apply(name)
    if _is_number(x):
        return ELEMENTARY[name][0](float(x))
    raise TypeError(f"{name} expects a Var, a Dual or a real number, got {type(x).__name__}")


def exp(x):
    """exp(x) for a Var, a Dual or a real number. Introduced in chapter 3."""
    return _dispatch("exp", x)


def log(x):
    """Natural logarithm of a Var, a Dual or a positive real number. Introduced in chapter 3."""
    return _dispatch("log", x)


def sqrt(x):
    """Square root of a Var, a Dual or a non-negative real number. Introduced in chapter 3."""
    return _dispatch("sqrt", x)


def tanh(x):
    """tanh(x) for a Var, a Dual or a real number. Introduced in chapter 3."""
    return _dispatch("tanh", x)


def sigmoid(x):
    """Logistic sigmoid 1/(1 + exp(-x)), overflow-free. Introduced in chapter 3."""
    return _dispatch("sigmoid", x)


def relu(x):
    """max(x, 0), with derivative 0 at x = 0. Introduced in chapter 3."""
    return _dispatch("relu", x)


# --------------------------------------------------------------------------------------
# Gradients of functions of several scalars
# --------------------------------------------------------------------------------------

def _check_call(f, args) -> list[float]:
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if not args:
        raise ValueError("args must hold at least one point coordinate, got none")
    return [_real(a, f"args[{i}]") for i, a in enumerate(args)]


def reverse_gradient(f: Callable, *args) -> tuple[float, list[float]]:
    """Value and gradient of a scalar function by one forward pass and one reverse sweep.

    Introduced in chapter 3. `f(*args)` must be written with the operators and functions
    of this module; it is called once with a `Var` per argument. Returns
    `(f(*args), [df/dargs[0], df/dargs[1], ...])`. The cost does not grow with the number
    of arguments beyond the cost of evaluating f itself (times a small constant).
    """
    point = _check_call(f, args)
    inputs = [Var(a, label=f"x{i}") for i, a in enumerate(point)]
    output = f(*inputs)
    if isinstance(output, Var):
        output.backward()
        return output.value, [x.grad for x in inputs]
    if _is_number(output):  # f ignores its arguments: a constant has zero gradient
        return float(output), [0.0] * len(inputs)
    raise TypeError(f"f must return a Var or a real number, got {type(output).__name__}")


def forward_gradient(f: Callable, *args) -> tuple[float, list[float]]:
    """Value and gradient of a scalar function by forward mode, one pass per argument.

    Introduced in chapter 3. Pass i evaluates `f` on dual numbers with derivative 1 in
    argument i and 0 elsewhere, so n arguments cost n evaluations: forward mode is cheap
    for few inputs, reverse mode (`reverse_gradient`) for few outputs.
    """
    point = _check_call(f, args)
    value, gradient = None, []
    for i in range(len(point)):
        output = f(*[Dual(a, 1.0 if j == i else 0.0) for j, a in enumerate(point)])
        if isinstance(output, Dual):
            value = output.value
            gradient.append(output.derivative)
        elif _is_number(output):
            value = float(output)
            gradient.append(0.0)
        else:
            raise TypeError(f"f must return a Dual or a real number, got {type(output).__name__}")
    return value, gradient
