"""The pure-numpy core of mlpviz: the network and its math, training, data and model files.

Nothing here imports Qt; everything the app shows is computed here.
"""

from mlpviz.core.gradcheck import check_gradient, numerical_gradient
from mlpviz.core.model_file import ModelData, ModelFileError, read_model, write_model
from mlpviz.core.network import Network, Trace
from mlpviz.core.snapshot import Snapshot
from mlpviz.core.training import BatchReport, EpochReport, Trainer, TrainingDiverged

__all__ = [
    "BatchReport", "EpochReport", "ModelData", "ModelFileError", "Network", "Snapshot", "Trace",
    "Trainer", "TrainingDiverged", "check_gradient", "numerical_gradient", "read_model",
    "write_model",
]
