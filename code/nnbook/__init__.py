"""nnbook: the NumPy neural-network package of the book *Neural networks, checked by code*.

Everything a chapter needs is importable from here, e.g. ``from nnbook import Network, Dense``.
Heavy frameworks (TensorFlow, Keras) are imported only by ``frameworks.import_tensorflow``,
when a function that needs them is called.

Modules, one job each (the chapter that introduces them in brackets):

=================  ==========================================================================
activations        identity, sigmoid, tanh, ReLU, leaky ReLU, ELU, GELU, SiLU, softmax (1, 2, 4)
losses             MSE, binary and categorical cross-entropy, and their tasks (1, 2)
initializers       normal, Glorot/Xavier, He (2)
layers             the layer contract and ``Dense`` (1, 2)
regularization     the L1/L2 penalty, ``Dropout`` and ``BatchNorm`` layers (4)
convolution        ``Conv2D`` (im2col), ``MaxPool2D``, ``AvgPool2D``, ``Flatten``, loop versions (5)
optimizers         SGD, momentum, Adagrad, RMSprop, Adam, gradient clipping (1, 4)
network            chapter 2's ``forward`` and ``backward``; ``Network``, the estimator (1-5)
validation         every check: numbers, data, layer shapes, target encoding (1, 4)
gradcheck          centred finite differences and relative errors (2)
autodiff           a scalar reverse-mode engine and forward-mode dual numbers (3)
frameworks         Keras, TensorFlow and scikit-learn twins of a ``Network`` (4, 5)
diffeq             trial-solution solvers for ODEs and PDEs, classical references (6)
data               digits, the MNIST subset, Franke's function, one-hot, splits (1, 4, 5)
check              the checkers of the checked exercises (1-6)
=================  ==========================================================================
"""

from . import (activations, autodiff, check, convolution, data, diffeq, frameworks,
               gradcheck, initializers, losses, optimizers, regularization, validation)
from .activations import ACTIVATIONS, get_activation
from .convolution import AvgPool2D, Conv2D, Flatten, MaxPool2D
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .layers import Dense, Layer
from .losses import LOSSES, get_loss
from .network import Network, TrainingDivergedError
from .optimizers import SGD, Adagrad, Adam, Momentum, Optimizer, RMSprop
from .regularization import BatchNorm, Dropout

__all__ = [
    "Network", "TrainingDivergedError", "Layer", "Dense", "Dropout", "BatchNorm",
    "Conv2D", "MaxPool2D", "AvgPool2D", "Flatten",
    "Optimizer", "SGD", "Momentum", "Adagrad", "RMSprop", "Adam",
    "ACTIVATIONS", "LOSSES", "get_activation", "get_loss",
    "numerical_gradient", "relative_error", "check_gradients",
    "activations", "losses", "initializers", "optimizers", "gradcheck", "data", "autodiff",
    "diffeq", "frameworks", "regularization", "convolution", "validation",
]
