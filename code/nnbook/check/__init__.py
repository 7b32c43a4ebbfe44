"""Checkers for the book's checked exercises: ``from nnbook import check``.

Each chapter ends with a notebook of exercises in which the reader writes one function
and hands it to a checker, for example ``check.softmax_jacobian(softmax_jacobian)``. The
checker calls the function on random and edge-case inputs, holds the results against a
reference (the book's formula, ``nnbook`` itself, or centred finite differences for a
derivative) and

* on success prints what it checked;
* on failure raises ``CheckFailed`` (an ``AssertionError``) whose message is ONE hint
  for the first mistake it recognises: a wrong shape, a transposed matrix, a sign error,
  a missing factor, a forgotten bias, a wrong axis. It never prints the solution.

Chapters and their checkers (the chapter introduces each):

==  ======================================================================================
1   step_neuron, perceptron_update, mse, xor_network, sigmoid_bump
2   mse_gradient, softmax_jacobian, softmax_cross_entropy_delta, hidden_delta,
    dense_backward
3   dual_multiply, dual_divide, forward_derivative, reverse_sweep, example_derivative
4   momentum_step, adam_step, dropout_forward, batchnorm_forward, clip_by_global_norm
5   conv_output_size, cross_correlate2d, conv_weight_gradient, conv_input_gradient,
    maxpool_backward
6   diffusion_trial, decay_trial_derivative, decay_cost, forward_euler_step,
    second_difference
==  ======================================================================================
"""

from ._core import CheckFailed
from .automatic_differentiation import (dual_divide, dual_multiply, example_derivative,
                                        forward_derivative, reverse_sweep)
from .backpropagation import (dense_backward, hidden_delta, mse_gradient,
                              softmax_cross_entropy_delta, softmax_jacobian)
from .convolutional import (conv_input_gradient, conv_output_size, conv_weight_gradient,
                            cross_correlate2d, maxpool_backward)
from .differential_equations import (decay_cost, decay_trial_derivative, diffusion_trial,
                                     forward_euler_step, second_difference)
from .multilayer_perceptron import (adam_step, batchnorm_forward, clip_by_global_norm,
                                    dropout_forward, momentum_step)
from .perceptron import mse, perceptron_update, sigmoid_bump, step_neuron, xor_network

#: The checkers of each chapter, in the order of its checked-exercises notebook.
CHAPTERS = {
    1: [step_neuron, perceptron_update, mse, xor_network, sigmoid_bump],
    2: [mse_gradient, softmax_jacobian, softmax_cross_entropy_delta, hidden_delta,
        dense_backward],
    3: [dual_multiply, dual_divide, forward_derivative, reverse_sweep, example_derivative],
    4: [momentum_step, adam_step, dropout_forward, batchnorm_forward, clip_by_global_norm],
    5: [conv_output_size, cross_correlate2d, conv_weight_gradient, conv_input_gradient,
        maxpool_backward],
    6: [diffusion_trial, decay_trial_derivative, decay_cost, forward_euler_step,
        second_difference],
}

__all__ = ["CheckFailed", "CHAPTERS"] + [f.__name__ for fs in CHAPTERS.values() for f in fs]
