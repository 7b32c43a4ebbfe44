"""Neural-network trial solutions of differential equations, with classical references.

Introduced in chapter 6. A trial solution has the form

    g_t(x) = phi(x) + psi(x) N(x; theta),

where phi satisfies the initial/boundary conditions, psi vanishes where they are imposed
and N is a small multilayer perceptron. Training minimises the mean squared residual of
the equation at collocation points. (The chapter writes phi and psi rather than A and B
because A^l already denotes a layer's activations in the book's notation.)

The subpackage is split by concern; every public name is importable from
``nnbook.diffeq`` itself:

=============  ===========================================================================
problems       ``Problem`` and the equations of the chapter, point grids, error measures
mlp            the network N(x; theta) on a flat parameter vector and its input
               derivatives by the tangent pass (forward mode written out)
trial          the trial solution phi + psi N and its derivatives by the product rule
solvers        ``TrialSolver`` (autograd; gradient descent, Adam, BFGS, L-BFGS-B) and
               ``TensorFlowTrialSolver`` (nested ``GradientTape``s)
classical      forward Euler, finite differences (1D and 2D Poisson), FTCS, leapfrog,
               a method of lines and the Cole-Hopf solution for Burgers' equation
benchmark      the chapter's benchmark cases, one seed at a time, and the committed results
=============  ===========================================================================

It uses autograd, NumPy and SciPy (TensorFlow only when the TensorFlow solver is used)
and, from the rest of ``nnbook``, only the optimizers of chapter 4.
"""

from . import benchmark
from .classical import (burgers_cole_hopf, burgers_fd, forward_euler, ftcs_diffusion,
                        poisson_2d_fd, poisson_fd, wave_leapfrog)
from .mlp import (ACTIVATIONS, init_parameters, network_jet, network_output, parameter_count,
                  unpack_parameters)
from .problems import (Problem, burgers, damped_oscillator, diffusion_1d, exponential_decay,
                       grid, logistic_growth, max_abs_error, poisson_1d, poisson_2d,
                       relative_l2_error, wave_1d)
from .solvers import OPTIMIZERS, TensorFlowTrialSolver, TrialSolver
from .trial import trial_jet

__all__ = [
    "Problem",
    "TrialSolver",
    "TensorFlowTrialSolver",
    "exponential_decay",
    "logistic_growth",
    "poisson_1d",
    "diffusion_1d",
    "damped_oscillator",
    "wave_1d",
    "poisson_2d",
    "burgers",
    "grid",
    "parameter_count",
    "init_parameters",
    "unpack_parameters",
    "network_output",
    "network_jet",
    "trial_jet",
    "forward_euler",
    "poisson_fd",
    "ftcs_diffusion",
    "wave_leapfrog",
    "poisson_2d_fd",
    "burgers_fd",
    "burgers_cole_hopf",
    "max_abs_error",
    "relative_l2_error",
    "ACTIVATIONS",
    "OPTIMIZERS",
    "benchmark",
]
