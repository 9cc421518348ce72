"""ONNX graphs of a plain MLP: one chain from the input through Gemm (or MatMul + Add) layers with
Sigmoid / Tanh / Relu between them, optionally ending in Softmax. The activation and the output's
softmax are read from the graph; the initializers are the weights (Gemm's transB honoured).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlpviz.core.imports.files import (
    MAX_MODEL_BYTES, MAX_PARAMETERS, ModelImportError, check_file_size, elements, optional_module,
)
from mlpviz.core.imports.plain_mlp import LOG_SOFTMAX, NOTHING, SOFTMAX, Layer

_ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu", "Softmax": SOFTMAX,
                "LogSoftmax": LOG_SOFTMAX}
_KINDS = {"Conv": "a convolution", "ConvTranspose": "a convolution",
          "BatchNormalization": "a batch norm", "LayerNormalization": "a layer norm",
          "MaxPool": "a pooling layer", "AveragePool": "a pooling layer",
          "Concat": "a concatenation (a branch)", "LSTM": "a recurrent layer",
          "GRU": "a recurrent layer", "RNN": "a recurrent layer"}
_PASSIVE = {"Identity", "Dropout"}
_FLOAT_TYPES = {1: np.float32, 10: np.float16, 11: np.float64}  # TensorProto FLOAT, FLOAT16, DOUBLE


def _node_name(node, i: int) -> str:
    return node.name or f"{node.op_type} #{i}"


class _Graph:
    """The graph's constants (initializers and Constant nodes) and who consumes each tensor."""

    def __init__(self, model, path):
        self.path, self.graph = path, model.graph
        self.tensors = {t.name: t for t in self.graph.initializer}
        for node in self.graph.node:
            if node.op_type == "Constant":
                for attr in node.attribute:
                    if attr.name == "value" and attr.t is not None:
                        self.tensors[node.output[0]] = attr.t
        declared = {name: tuple(t.dims) for name, t in self.tensors.items()}
        total = sum(elements(d) for d in declared.values())
        if total > MAX_PARAMETERS:
            raise ModelImportError(f"{path}: declares {total:,} numbers; mlpviz reads at most "
                                   f"{MAX_PARAMETERS:,} from one file")
        self.consumers: dict[str, list] = {}
        for i, node in enumerate(self.graph.node):
            for name in node.input:
                if name and name not in self.tensors:
                    self.consumers.setdefault(name, []).append((i, node))

    def const(self, name: str, node_name: str) -> np.ndarray | None:
        """The constant `name` as float64, or None if it is computed by the graph."""
        t = self.tensors.get(name)
        if t is None:
            return None
        if t.data_location == 1:  # TensorProto.EXTERNAL
            raise ModelImportError(f"{self.path}: '{name}' of node '{node_name}' is stored outside "
                                   "the file (external data), which mlpviz does not read")
        if t.data_type not in _FLOAT_TYPES:
            raise ModelImportError(f"{self.path}: '{name}' of node '{node_name}' has ONNX data "
                                   f"type {t.data_type}, not floating-point numbers")
        numpy_helper = optional_module("onnx", "an ONNX file").numpy_helper
        try:
            return np.asarray(numpy_helper.to_array(t), dtype=np.float64)
        except Exception as e:  # noqa: BLE001 - raw data that does not match the declared dims
            raise ModelImportError(f"{self.path}: '{name}' of node '{node_name}' is damaged "
                                   f"({type(e).__name__}: {e})") from None


def _attrs(node) -> dict:
    onnx = optional_module("onnx", "an ONNX file")
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def read_onnx(path) -> tuple[list[Layer], list[str]]:
    """Walk the graph from its one input to its one output and collect the layers."""
    path = Path(path)
    onnx = optional_module("onnx", "an ONNX file")
    check_file_size(path, MAX_MODEL_BYTES)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as e:  # noqa: BLE001 - protobuf DecodeError and others: not an ONNX model
        raise ModelImportError(f"{path}: not a valid ONNX model, or damaged "
                               f"({type(e).__name__}: {e})") from None
    g = _Graph(model, path)
    inputs = [i.name for i in g.graph.input if i.name not in g.tensors]
    outputs = [o.name for o in g.graph.output]
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelImportError(f"{path}: the graph has {len(inputs)} inputs and {len(outputs)} "
                               "outputs; a plain MLP has one of each")
    walker = _Walker(g, path)
    current, visited = inputs[0], set()
    while current != outputs[0]:
        users = g.consumers.get(current, [])
        if len(users) != 1:
            raise ModelImportError(
                f"{path}: the tensor '{current}' feeds {len(users)} nodes"
                + (" (a branch or a skip connection)" if users else " and is not the output")
                + ": not a plain MLP")
        i, node = users[0]
        visited.add(i)
        current = walker.step(node, _node_name(node, i), current)
    for i, node in enumerate(g.graph.node):
        if i not in visited and node.op_type != "Constant":
            raise ModelImportError(f"{path}: node '{_node_name(node, i)}' ({node.op_type}) is not "
                                   "on the chain from input to output: not a plain MLP")
    return walker.finish()


class _Walker:
    """Turns the chain's nodes into layers, one node at a time."""

    def __init__(self, g: _Graph, path):
        self.g, self.path = g, path
        self.layers: list[dict] = []  # name, W, b, transposed, after
        self.notes: list[str] = []

    def refuse(self, name: str, op: str, why: str) -> ModelImportError:
        return ModelImportError(f"{self.path}: node '{name}' ({op}) {why}; mlpviz imports plain "
                                "MLPs (Gemm or MatMul + Add layers with Sigmoid, Tanh or Relu "
                                "between them)")

    def step(self, node, name: str, current: str) -> str:
        op = node.op_type
        if node.input[0] != current and op != "Add":
            raise self.refuse(name, op, "does not take the previous tensor as its first input")
        handler = {"Gemm": self._gemm, "MatMul": self._matmul, "Add": self._add,
                   "Flatten": self._reshape, "Reshape": self._reshape}.get(op)
        if handler is not None:
            handler(node, name, current)
        elif op in _ACTIVATIONS:
            self._activation(node, name)
        elif op in _PASSIVE:
            self._passive(node, name)
        else:
            raise self.refuse(name, op, f"is {_KINDS.get(op, 'not part of a plain MLP')}")
        return node.output[0]

    def _weights(self, node, name: str, index: int) -> np.ndarray:
        w = self.g.const(node.input[index], name) if len(node.input) > index else None
        if w is None:
            raise self.refuse(name, node.op_type, "has computed weights, not stored ones")
        return w

    def _gemm(self, node, name: str, current: str) -> None:
        a = _attrs(node)
        if a.get("transA", 0):
            raise self.refuse(name, "Gemm", "transposes its input (transA = 1)")
        B = self._weights(node, name, 1)
        if B.ndim != 2:
            raise self.refuse(name, "Gemm", f"has weights of shape {B.shape}")
        transposed = not a.get("transB", 0)
        W = float(a.get("alpha", 1.0)) * (B.T if transposed else B)
        C = self.g.const(node.input[2], name) if len(node.input) > 2 and node.input[2] else None
        b = np.zeros(W.shape[0]) if C is None else float(a.get("beta", 1.0)) * self._bias(C, W, name)
        self._new_layer(name, W, b, transposed)

    def _matmul(self, node, name: str, current: str) -> None:
        B = self._weights(node, name, 1)
        if B.ndim != 2:
            raise self.refuse(name, "MatMul", f"has weights of shape {B.shape}")
        self._new_layer(name, B.T.copy(), None, True)

    def _add(self, node, name: str, current: str) -> None:
        other = [n for n in node.input if n != current]
        bias = self.g.const(other[0], name) if len(other) == 1 else None
        last = self.layers[-1] if self.layers else None
        if bias is None:
            raise self.refuse(name, "Add", "adds two computed tensors (a skip connection)")
        if last is None or last["b"] is not None or last["after"] is not None:
            raise self.refuse(name, "Add", "adds a constant that is not a MatMul's bias")
        last["b"] = self._bias(bias, last["W"], name)

    def _bias(self, C: np.ndarray, W: np.ndarray, name: str) -> np.ndarray:
        if C.shape not in ((W.shape[0],), (1, W.shape[0])):
            raise ModelImportError(f"{self.path}: node '{name}' has a bias of shape {C.shape} for "
                                   f"{W.shape[0]} outputs")
        return C.reshape(-1)

    def _settle_bias(self) -> None:
        """A MatMul not followed by an Add has no bias: 0, and the notes say so."""
        if self.layers and self.layers[-1]["b"] is None:
            self.layers[-1]["b"] = np.zeros(self.layers[-1]["W"].shape[0])
            self.notes.append(f"layer '{self.layers[-1]['name']}' has no bias: its biases are 0")

    def _new_layer(self, name: str, W, b, transposed: bool) -> None:
        self._settle_bias()
        self.layers.append(dict(name=name, W=W, b=b, transposed=transposed, after=None))

    def _activation(self, node, name: str) -> None:
        op = node.op_type
        if not self.layers or self.layers[-1]["after"] is not None:
            raise self.refuse(name, op, "does not follow a linear layer")
        if op in ("Softmax", "LogSoftmax") and _attrs(node).get("axis", -1) not in (-1, 1):
            raise self.refuse(name, op, "normalises over another axis than the outputs")
        self._settle_bias()
        self.layers[-1]["after"] = _ACTIVATIONS[op]

    def _reshape(self, node, name: str, current: str) -> None:
        if self.layers:
            raise self.refuse(name, node.op_type, "reshapes between layers")
        self.notes.append(f"node '{name}' ({node.op_type}) flattens the input")

    def _passive(self, node, name: str) -> None:
        if node.op_type == "Dropout" and len(node.input) > 2 and node.input[2]:
            mode = self.g.tensors.get(node.input[2])
            training = optional_module("onnx", "an ONNX file").numpy_helper.to_array(mode) \
                if mode is not None else None
            if training is None or bool(np.asarray(training).any()):
                raise self.refuse(name, "Dropout", "drops activations at inference (training_mode)")
        if node.op_type == "Dropout":
            self.notes.append(f"node '{name}' (Dropout) is the identity when not training: skipped")

    def finish(self) -> tuple[list[Layer], list[str]]:
        if not self.layers:
            raise ModelImportError(f"{self.path}: the graph has no Gemm or MatMul layer")
        self._settle_bias()
        return [Layer(d["name"], np.asarray(d["W"], dtype=np.float64), d["b"], d["transposed"],
                      d["after"] if d["after"] is not None else NOTHING)
                for d in self.layers], self.notes
