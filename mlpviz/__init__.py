"""mlpviz: watch a multilayer perceptron learn handwritten digits, and step through backpropagation."""

__version__ = "0.1.0"
