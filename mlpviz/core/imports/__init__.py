"""Open a network trained elsewhere: PyTorch state dicts (.safetensors, .npz), Keras Dense weights
(.npz, .h5) and ONNX graphs, turned into our `Network` — or refused with a message naming the
first layer or node that is not part of a plain MLP.

    imported = import_model("theirs.onnx")                 # activation and cost from the graph
    imported = import_model("model.safetensors", activation="relu", cost="cross_entropy")
    imported.network, imported.describe(), imported.metadata()

The format is told by the file's content (our own .npz model is recognised too, and
`load_any_model` returns it as `Network.load_with_metadata` does). safetensors, onnx and h5py are optional
(`pip install 'mlpviz[import]'`); a file that needs a missing one says so.
"""

from __future__ import annotations

from pathlib import Path

from mlpviz.core.imports.files import (
    H5_MAGIC, MAX_PARAMETERS, ModelImportError, is_safetensors, read_h5, read_npz,
    read_safetensors,
)
from mlpviz.core.imports.onnx_graph import read_onnx
from mlpviz.core.imports.plain_mlp import OURS, ImportedModel, ImportNeedsChoice, Layer, build
from mlpviz.core.imports.state_dict import h5_layers, keras_layers, scheme_of, torch_layers

from mlpviz.core.network import Network

__all__ = ["ImportNeedsChoice", "ImportedModel", "Layer", "ModelImportError", "detect_format",
           "import_model", "load_any_model"]

_ONNX_FIRST_BYTE = b"\x08"  # ModelProto's field 1 (ir_version), a varint


def detect_format(path) -> str:
    """"npz", "safetensors", "h5" or "onnx", from the file's first bytes (a .onnx name decides
    for ONNX, whose protobuf has no magic number); ModelImportError for anything else."""
    path = Path(path)
    if not path.exists():
        raise ModelImportError(f"{path}: no such file")
    if path.is_dir():
        raise ModelImportError(f"{path}: is a folder, not a model file")
    if not path.is_file():  # reading a pipe or a device could wait forever
        raise ModelImportError(f"{path}: not a regular file (a pipe or a device), not a model file")
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "npz"
    if head.startswith(H5_MAGIC):
        return "h5"
    if is_safetensors(head, size):
        return "safetensors"
    if path.suffix.lower() == ".onnx" or head.startswith(_ONNX_FIRST_BYTE):
        return "onnx"
    raise ModelImportError(
        f"{path}: not a model file mlpviz can read: expected an mlpviz model (.npz), a PyTorch "
        "state dict (.safetensors or .npz), Keras weights (.npz or .h5) or an ONNX graph (.onnx)")


def _is_ours(data: dict) -> bool:
    return "sizes" in data or "format" in data


def import_model(path, activation: str | None = None, cost: str | None = None) -> ImportedModel:
    """Read another program's plain MLP (see the module docstring) as our Network.

    `activation` and `cost` are needed where the file does not say them (ImportNeedsChoice names
    what is missing) and refused where they contradict it. Our own model files are read too
    (format OURS, "mlpviz model"), with the same rule for a contradicting activation or cost.
    """
    path = Path(path)
    kind = detect_format(path)
    if kind == "npz":
        data = read_npz(path, MAX_PARAMETERS)
        if _is_ours(data):
            return _ours(path, activation, cost)
        return _from_names(data, path, "npz", activation, cost)
    if kind == "safetensors":
        return _from_names(read_safetensors(path, MAX_PARAMETERS), path, "safetensors",
                           activation, cost)
    if kind == "h5":
        root, data, groups = read_h5(path, MAX_PARAMETERS)
        layers, notes = h5_layers(root, data, groups, path)
        fmt = "Keras model (.h5)" if "model_config" in root else "Keras weights (.h5)"
        return build(layers, path, fmt, activation, cost, tuple(notes))
    layers, notes = read_onnx(path)
    return build(layers, path, "ONNX graph", activation, cost, tuple(notes))


def _from_names(data: dict, path: Path, ext: str, activation, cost) -> ImportedModel:
    """A state dict: PyTorch (nn.Sequential keys) or Keras (kernel/bias keys)."""
    scheme = scheme_of(data)
    if scheme == "torch":
        layers, notes = torch_layers(data, path)
        fmt = f"PyTorch nn.Sequential state dict (.{ext})"
    elif scheme == "keras":
        layers, notes = keras_layers(data, path)
        fmt = f"Keras Dense weights (.{ext})"
    else:
        hint = (" (it looks like an mlpviz trace: compare it with `mlpviz compare`)"
                if "grad_W0" in data or "a0" in data else "")
        keys = ", ".join(sorted(data)[:6]) + (" …" if len(data) > 6 else "")
        raise ModelImportError(
            f"{path}: neither an mlpviz model nor a state dict mlpviz knows (keys {keys}); "
            f"expected nn.Sequential keys 0.weight, 0.bias, 2.weight … or Keras keys "
            f"dense/kernel, dense/bias …{hint}")
    return build(layers, path, fmt, activation, cost, tuple(notes))


def _ours(path: Path, activation, cost) -> ImportedModel:
    """Our own model file, through Network.load_with_metadata; a contradicting activation or cost is refused."""
    net, meta = Network.load_with_metadata(path)
    for what, given, says in (("activation", activation, net.activation),
                              ("cost", cost, net.cost)):
        if given is not None and given != says:
            raise ModelImportError(f"{path}: the model file says the {what} is {says}, but "
                                   f"{given} was given")
    return ImportedModel(network=net, path=str(path), format=OURS, transposed=False,
                         activation_from="file", cost_from="file",
                         layer_names=tuple(f"W{l}" for l in range(net.L)), file_metadata=meta)


def load_any_model(path, activation: str | None = None,
                   cost: str | None = None) -> tuple[Network, dict]:
    """(network, metadata) from our model file (as `Network.load_with_metadata`) or any file `import_model`
    reads (metadata: where it came from, see `ImportedModel.metadata`)."""
    imported = import_model(path, activation, cost)
    return imported.network, imported.metadata()
