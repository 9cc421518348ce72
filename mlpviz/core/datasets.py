"""Datasets of 28×28 grey images in 10 classes: the bundled MNIST sample, full MNIST, Fashion-MNIST.

Every dataset comes as four IDX files (train/held-out × images/labels); `load_dataset(spec)` is the
one entry point, with spec "bundled", "mnist", "fashion" or a folder path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mlpviz.core.arrays import frozen
from mlpviz.core.idx import IDXError, read_idx
from mlpviz.core.limits import MAX_DATASET_SAMPLES
from mlpviz.core.paths import cache_dir
from mlpviz.i18n import N_, _

if TYPE_CHECKING:
    from mlpviz.core.download import Progress

DIGIT_NAMES: tuple[str, ...] = tuple("0123456789")
FASHION_NAMES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
IMAGE_SIDE = 28
N_INPUTS = IMAGE_SIDE * IMAGE_SIDE

# The four files of a dataset folder, by role, in the standard MNIST names (each may end in .gz).
IDX_FILES: dict[str, str] = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
BUNDLED_PREFIX = "mnist-sample-"
FASHION_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian: dataset-fashion-mnist

class DatasetError(ValueError):
    """A dataset is missing, incomplete or malformed (the message says which file and why)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Images and labels for training and a held-out test split; all arrays are read-only.

    train_images : uint8 ndarray of shape (n_train, 784), one flattened 28×28 image per row
    train_labels : uint8 ndarray of shape (n_train,), class index in 0..9
    test_images  : uint8 ndarray of shape (n_test, 784), the held-out images
    test_labels  : uint8 ndarray of shape (n_test,)

    Labels of any integer dtype are accepted and stored as uint8; out-of-range labels, other
    shapes or non-uint8 images raise DatasetError. Equality is identity (arrays don't compare).
    """

    name: str
    class_names: tuple[str, ...]
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    _x_cache: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "class_names", tuple(self.class_names))
        for split in ("train", "test"):
            images, labels = _checked_split(self, split)
            object.__setattr__(self, f"{split}_images", images)
            object.__setattr__(self, f"{split}_labels", labels)

    @property
    def n_inputs(self) -> int:
        """Pixels per image: 784."""
        return self.train_images.shape[1]

    @property
    def n_classes(self) -> int:
        """Number of classes: 10."""
        return len(self.class_names)

    def train_x(self) -> np.ndarray:
        """Training images as read-only float32 of shape (n_train, 784), scaled to 0..1."""
        return self._scaled("train", self.train_images)

    def test_x(self) -> np.ndarray:
        """Held-out images as read-only float32 of shape (n_test, 784), scaled to 0..1."""
        return self._scaled("test", self.test_images)

    def _scaled(self, split: str, images: np.ndarray) -> np.ndarray:
        """images / 255 as float32, computed on first use and cached."""
        if split not in self._x_cache:
            x = images.astype(np.float32)
            x /= np.float32(255)
            self._x_cache[split] = frozen(x, copy=False)
        return self._x_cache[split]


def _checked_split(ds: Dataset, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate one split of `ds`; return read-only views (images (n, 784), labels (n,))."""
    images = np.asarray(getattr(ds, f"{split}_images"))
    labels = np.asarray(getattr(ds, f"{split}_labels"))
    where = f"{ds.name}, {split} split"
    if images.dtype != np.uint8 or images.ndim != 2 or images.shape[1] != N_INPUTS:
        raise DatasetError(f"{where}: images must be uint8 of shape (n, {N_INPUTS}), "
                           f"got {images.dtype} {images.shape}")
    if labels.dtype.kind not in "iu" or labels.shape != images.shape[:1]:
        raise DatasetError(f"{where}: labels must be integers of shape ({len(images)},), "
                           f"got {labels.dtype} {labels.shape}")
    _check_labels(labels, len(ds.class_names), where)
    return frozen(images, copy=False), frozen(labels, np.uint8, copy=False)


def _check_labels(labels: np.ndarray, n_classes: int, where: str) -> None:
    """Raise DatasetError if any label is not a class index below `n_classes`."""
    bad = (labels < 0) | (labels >= n_classes)
    if bad.any():
        raise DatasetError(_("{where}: {n} labels are outside 0..{last} (first: {first}); "
                             "labels must be class indices").format(
            where=where, n=int(bad.sum()), last=n_classes - 1, first=int(labels[bad][0])))


# --- locations ---


def resources_dir() -> Path:
    """The folder holding bundled data: the checkout's top-level `resources/`, else the installed
    `mlpviz/resources` (the wheel ships top-level resources/ there)."""
    here = Path(__file__).resolve()
    candidates = [here.parents[2] / "resources", here.parents[1] / "resources"]
    marker = BUNDLED_PREFIX + IDX_FILES["train_images"] + ".gz"
    for folder in candidates:
        if (folder / marker).is_file():
            return folder
    return next((c for c in candidates if c.is_dir()), candidates[0])


# --- loading ---


def load_bundled() -> Dataset:
    """The MNIST sample shipped in resources/: 8,000 training and 2,000 held-out digits."""
    folder = resources_dir()
    paths = {role: folder / f"{BUNDLED_PREFIX}{stem}.gz" for role, stem in IDX_FILES.items()}
    missing = [p.name for p in paths.values() if not p.is_file()]
    if missing:
        raise DatasetError(f"bundled data missing from {folder}: {', '.join(missing)}; "
                           "regenerate it with scripts/convert_bundled_mnist.py")
    return _load_paths(paths, N_("MNIST (bundled sample)"), DIGIT_NAMES)  # translated where shown


def load_folder(path: str | os.PathLike, name: str | None = None) -> Dataset:
    """Load a folder holding the four standard MNIST-format files (each raw or .gz).

    Class names are FASHION_NAMES if the folder's name contains "fashion", else the digits.
    """
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise DatasetError(_("{folder} is not a folder").format(folder=folder))
    fashion = "fashion" in folder.name.lower()
    paths = {role: _find_idx(folder, stem) for role, stem in IDX_FILES.items()}
    missing = [f"{stem}[.gz]" for role, stem in IDX_FILES.items() if paths[role] is None]
    if missing:
        raise DatasetError(_("{folder} lacks dataset files: looked for {names}").format(
            folder=folder, names=", ".join(missing)))
    default = "Fashion-MNIST" if fashion else ("MNIST" if folder.name == "mnist" else folder.name)
    return _load_paths(paths, name or default, FASHION_NAMES if fashion else DIGIT_NAMES)


def _find_idx(folder: Path, stem: str) -> Path | None:
    """`folder/stem.gz` or `folder/stem`, whichever exists (gz first), else None."""
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def has_dataset_files(folder: Path) -> bool:
    """True if `folder` holds all four standard files (existence only; nothing is read)."""
    return all(_find_idx(folder, stem) is not None for stem in IDX_FILES.values())


def _load_paths(paths: dict[str, Path], name: str, class_names: tuple[str, ...]) -> Dataset:
    """Read and validate the four files named by role in `paths` (see IDX_FILES)."""
    arrays = {}
    for split in ("train", "test"):
        img_path, lab_path = paths[f"{split}_images"], paths[f"{split}_labels"]
        images = _read(img_path, MAX_DATASET_SAMPLES * N_INPUTS)
        labels = _read(lab_path, MAX_DATASET_SAMPLES)
        _check_pair(images, labels, img_path, lab_path)
        arrays[f"{split}_images"] = images.reshape(len(images), N_INPUTS)
        arrays[f"{split}_labels"] = labels
    return Dataset(name=name, class_names=class_names, **arrays)


def _read(path: Path, max_bytes: int) -> np.ndarray:
    """read_idx of at most `max_bytes` of data (the file's purpose: images or labels of at most
    MAX_DATASET_SAMPLES samples), with IDX and I/O errors reported as DatasetError."""
    try:
        return read_idx(path, max_bytes)
    except (IDXError, OSError) as e:
        raise DatasetError(str(e) if isinstance(e, IDXError) else f"{path}: {e}") from e


def _check_pair(images: np.ndarray, labels: np.ndarray, img_path: Path, lab_path: Path) -> None:
    """Images must be uint8 (n, 28, 28); labels uint8 (n,) with values 0..9."""
    side = IMAGE_SIDE
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (side, side):
        raise DatasetError(f"{img_path}: expected uint8 images of shape (n, {side}, {side}), "
                           f"got {images.dtype} {images.shape}")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DatasetError(f"{lab_path}: expected uint8 labels of shape (n,), "
                           f"got {labels.dtype} {labels.shape}")
    if len(labels) != len(images):
        raise DatasetError(_("{labels_file} has {n_labels} labels but {images_file} has "
                             "{n_images} images").format(
            labels_file=lab_path, n_labels=len(labels), images_file=img_path.name,
            n_images=len(images)))
    if len(images) == 0:
        raise DatasetError(_("{path} holds no images; both the training and the held-out "
                             "split need at least one").format(path=img_path))
    _check_labels(labels, 10, str(lab_path))


# --- the entry point ---

_DOWNLOAD_HINT = N_("run `mlpviz data download {which}` to fetch it")  # translated where said


def available_datasets() -> list[tuple[str, str]]:
    """(spec, human label) for every dataset that can be loaded without downloading; the label
    gives the training / held-out sizes."""
    found = [("bundled", _("MNIST sample, bundled (8,000 / 2,000)"))]
    if _fashion_folder() is not None:
        found.append(("fashion", "Fashion-MNIST (60,000 / 10,000)"))
    if has_dataset_files(cache_dir() / "mnist"):
        found.append(("mnist", "MNIST (60,000 / 10,000)"))
    return found


def _fashion_folder() -> Path | None:
    """The system Fashion-MNIST folder if complete, else the cached one if complete, else None."""
    for folder in (FASHION_SYSTEM_DIR, cache_dir() / "fashion"):
        if has_dataset_files(folder):
            return folder
    return None


def load_dataset(spec: str, download: bool = False, progress: Progress | None = None) -> Dataset:
    """Load "bundled", "mnist", "fashion" or a folder of IDX files.

    "mnist" and "fashion" are looked up locally (see cache_dir()); if absent they are downloaded
    when `download` is true (`progress(done_bytes, total_bytes_or_None)` is then called as bytes
    arrive), else DatasetError says how to fetch them.
    """
    if spec == "bundled":
        return load_bundled()
    if spec == "mnist":
        folder = cache_dir() / "mnist"
        return _load_or_download("mnist", folder if has_dataset_files(folder) else None,
                                 "MNIST", download, progress)
    if spec == "fashion":
        return _load_or_download("fashion", _fashion_folder(), "Fashion-MNIST", download, progress)
    if Path(spec).expanduser().is_dir():
        return load_folder(spec)
    if Path(spec).expanduser().exists():
        raise DatasetError(_("{spec} is a file, not a dataset: give 'bundled', 'mnist', "
                             "'fashion' or the folder holding the four MNIST-format IDX files")
                           .format(spec=spec))
    raise DatasetError(_("unknown dataset {spec}: expected 'bundled', 'mnist', 'fashion' or a "
                         "folder holding MNIST-format IDX files").format(spec=repr(spec)))


def _load_or_download(which: str, folder: Path | None, name: str, download: bool,
                      progress: Progress | None) -> Dataset:
    """Load `folder`; if it is None, download `which` into the cache first or explain how to."""
    if folder is None and not download:
        where = cache_dir() / which
        raise DatasetError(_("{name} is not in {where}; {hint}").format(
            name=name, where=where, hint=_(_DOWNLOAD_HINT).format(which=which)))
    if folder is None:
        # Imported here, not above: urllib and ssl add ~60 ms to every start, and only a
        # download needs them.
        from mlpviz.core.download import download_dataset

        folder = download_dataset(which, root=cache_dir(), progress=progress)
    return load_folder(folder, name=name)
