"""BinnedSeries keeps a long series in bounded memory without hiding its extremes; envelope and
chunk_means draw it at a plot's resolution with every value inside the band drawn."""

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpviz.core import series
from mlpviz.core.series import BinnedSeries, chunk_means, envelope


def test_doctest():
    assert doctest.testmod(series).failed == 0


def test_few_samples_are_kept_exactly():
    s = BinnedSeries(capacity=8)
    s.extend([1, 2, 3], [0.5, 0.25, 2.0], [0.5, 0.4, 0.9])
    p = s.points()
    assert s.bin == 1 and len(s) == 3
    assert np.array_equal(p.x, [1, 2, 3])
    assert np.array_equal(p.lo, [0.5, 0.25, 2.0]) and np.array_equal(p.hi, p.lo)
    assert np.array_equal(p.mean, p.lo) and np.array_equal(p.extra, [0.5, 0.4, 0.9])


@settings(max_examples=60, deadline=None)
@given(capacity=st.sampled_from([2, 4, 6, 10, 64]),
       sizes=st.lists(st.integers(0, 300), min_size=1, max_size=8),
       seed=st.integers(0, 2**32 - 1))
def test_bounded_and_true_to_the_samples(capacity, sizes, seed):
    """However the samples arrive: at most capacity + 1 points, each bin's lo/hi/mean are exactly
    the min/max/mean of the consecutive samples it stands for, and the overall extremes survive."""
    rng = np.random.default_rng(seed)
    s = BinnedSeries(capacity)
    ys, es, start = [], [], 0
    for n in sizes:
        y, e = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4), rng.random(n)
        s.extend(np.arange(start, start + n) + 1.0, y, e)
        ys.append(y), es.append(e)
        start += n
    y, e = np.concatenate(ys), np.concatenate(es)
    p = s.points()
    assert len(p.x) == len(s) <= capacity + 1
    assert s._store.shape == (5, capacity)  # no buffer grew
    if start == 0:
        return
    b = s.bin
    assert len(p.x) == -(-start // b)  # every sample is in exactly one point
    for i in range(len(p.x)):
        chunk, ce = y[i * b:(i + 1) * b], e[i * b:(i + 1) * b]
        assert p.lo[i] == chunk.min() and p.hi[i] == chunk.max()
        assert p.mean[i] == pytest.approx(chunk.mean(), rel=1e-9, abs=1e-12)
        assert p.extra[i] == pytest.approx(ce.mean(), rel=1e-9, abs=1e-12)
        assert p.x[i] == pytest.approx(i * b + (len(chunk) + 1) / 2)
    assert p.lo.min() == y.min() and p.hi.max() == y.max()


def test_capacity_must_be_even():
    with pytest.raises(ValueError):
        BinnedSeries(3)


def test_envelope_of_unmerged_points_is_the_line_itself():
    x, y = np.arange(5.0), np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    xs, ys = envelope(x, y, y, bins=10)
    assert np.array_equal(xs, x) and np.array_equal(ys, y)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 2000), bins=st.integers(1, 300), seed=st.integers(0, 2**32 - 1))
def test_envelope_is_bounded_and_keeps_every_extreme(n, bins, seed):
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.random(n) + 0.01)
    lo = rng.standard_normal(n)
    hi = lo + rng.random(n) * (rng.random() < 0.8)
    xs, ys = envelope(x, lo, hi, bins)
    assert len(xs) == len(ys) <= 2 * bins
    assert ys.min() == lo.min() and ys.max() == hi.max()  # a one-sample spike stays visible
    assert np.all(np.diff(xs) >= 0) and x[0] <= xs[0] and xs[-1] <= x[-1]
    size = -(-n // bins)
    for i in range(0, n, size * 7):  # each chunk's band holds all of its values
        k = i // size
        band = ys[2 * k:2 * k + 2] if len(ys) > len(x[::size]) else ys[k:k + 1]
        assert band.min() <= lo[i:i + size].min() and band.max() >= hi[i:i + size].max()


def test_chunk_means():
    x, y = np.arange(10.0), np.arange(10.0) ** 2
    mx, my = chunk_means(x, y, bins=5)
    assert np.array_equal(mx, [0.5, 2.5, 4.5, 6.5, 8.5])
    assert np.array_equal(my, [0.5, 6.5, 20.5, 42.5, 72.5])
    assert chunk_means(x, y, bins=20)[1].tolist() == y.tolist()
    assert len(chunk_means([], [], 3)[0]) == 0 and len(envelope([], [], [], 3)[0]) == 0


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([2, 4, 10]), st.lists(st.integers(0, 30), min_size=1, max_size=6),
       st.integers(0, 1000))
def test_to_arrays_and_back_is_the_same_series(capacity, sizes, seed):
    """A lesson file keeps the cost curve: the state read back is the series, exactly, and it
    carries on (more samples, more merges) as the original does."""
    rng = np.random.default_rng(seed)
    a = BinnedSeries(capacity)
    start = 0
    for n in sizes[:-1]:
        a.extend(np.arange(start, start + n), rng.random(n), rng.random(n))
        start += n
    b = BinnedSeries.from_arrays(a.to_arrays(), capacity)
    more = (np.arange(start, start + sizes[-1]), rng.random(sizes[-1]), rng.random(sizes[-1]))
    for s in (a, b):
        s.extend(*more)
    assert (a.n, a.bin, len(a)) == (b.n, b.bin, len(b))
    for p, q in zip(a.points(), b.points()):
        assert np.array_equal(p, q)


@pytest.mark.parametrize("change", [
    {"bins": np.zeros((4, 3))}, {"bins": np.zeros((5, 11))}, {"pending": np.zeros((3, 2))},
    {"bin": np.array(0)}, {"bin": np.array(1.5)}, {"pending": np.zeros(3)},
])
def test_arrays_that_are_no_series_are_refused(change):
    arrays = {"bins": np.zeros((5, 2)), "pending": np.zeros((3, 1)), "bin": np.array(2)}
    with pytest.raises(ValueError, match="not a series"):
        BinnedSeries.from_arrays({**arrays, **change}, 10)
