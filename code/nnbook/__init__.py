"""nnbook: the NumPy neural-network package of the book *Neural networks, checked by code*.

Everything a chapter needs is importable from here, e.g. ``from nnbook import Network, Dense``.
Heavy frameworks (TensorFlow, Keras) are imported only inside ``nnbook.frameworks``.
"""

from . import (activations, autodiff, convolution, data, diffeq, frameworks, gradcheck,
               initializers, losses, optimizers, regularization)
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
    "diffeq", "frameworks", "regularization", "convolution",
]
