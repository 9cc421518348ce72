"""Fixtures for the GUI tests: a main window on the bundled data that leaves no thread behind."""

import pytest

from mlpviz.gui.main_window import MainWindow
from mlpviz.gui.session import Session


@pytest.fixture
def window_on(qtbot):
    """`window_on(dataset)`: a 1280×800 main window on that data (its own Session, the user's
    settings untouched), shown; on teardown it is closed and its training thread must have
    stopped. For tests where the data's size is not the point (an epoch of the bundled data is
    80 mini-batches)."""
    made = []

    def make(dataset):
        w = MainWindow(Session(dataset=dataset), restore=False)
        w.resize(1280, 800)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()
        assert not w.session.thread.isRunning()


@pytest.fixture
def window(window_on, bundled):
    """A 1280×800 main window on the bundled data (see `window_on`)."""
    return window_on(bundled)


@pytest.fixture
def gradients(window, monkeypatch):
    """Every gradient the window hands the network view, in order (None: none)."""
    sent = []
    real = window.network_view.set_gradient
    monkeypatch.setattr(window.network_view, "set_gradient",
                        lambda grad_w: (sent.append(grad_w), real(grad_w)))
    return sent


@pytest.fixture(scope="module")
def dataset(bundled):
    """The bundled data (a module may define its own `dataset` instead)."""
    return bundled


@pytest.fixture(scope="module")
def snap(trained_default):
    """The default network after 300 mini-batches of the bundled data."""
    return trained_default(300)


@pytest.fixture
def network_view(qtbot):
    """`network_view(snap, size=(900, 560), theme=None, x=None)`: a shown NetworkView of that
    size with the digits as class names, showing `snap` (in `theme`, with input `x`)."""
    from mlpviz.gui.views.network_view import NetworkView

    def make(snap, size=(900, 560), theme=None, x=None):
        view = NetworkView()
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        view.set_class_names([str(i) for i in range(snap.sizes[-1])])
        view.set_snapshot(snap)
        if theme is not None:
            view.set_theme(theme)
        if x is not None:
            view.set_input(x)
        return view

    return make
