"""Compiled kernels of ``solver="pairs"``: negative-sampling SGD over pairs drawn from the counts.

Functions of plain arrays (numba, no Python objects), called by
``_solver_pairs``. The words are split into strata; a *block* ``(a, b)`` is
the pairs whose center is in stratum ``a`` and whose context is in stratum
``b``. :func:`block_round` draws a block's pairs for one round (each distinct
pair ``(c, j)`` ``Poisson(lam * X[c, j])`` times), shuffles them, and takes
one SGD step on each, followed by its noise steps on the same center (noise
words drawn by the noise distribution within ``b``), as word2vec does (the
center's row moves once, after them; every logit is read before any row
moves);
:func:`softmax_block_round` draws the same and takes one sampled-softmax
step on each pair and its noise words. The
vectors it trains hold their rows in stratum order, so that a block's rows
are two contiguous ranges, and the rows of the pairs a little ahead are
prefetched into the cache while a pair steps: the steps are bound by
fetching random rows, not by their arithmetic. A step's loss is read from a
table (:data:`SOFTPLUS`), interpolated; its gradient's sigmoid is exact. Its
random numbers come from the four integers it is given, so a block's result
depends on nothing else; blocks that share no stratum touch disjoint rows
and may run at the same time.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: A logit beyond which the sigmoid is taken as 0 or 1 (word2vec.c's MAX_EXP).
MAX_LOGIT = 6.0
#: Below this mean, Poisson draws by inversion; above, by the normal approximation.
POISSON_INVERSION_BELOW = 30.0
#: How far below the largest a candidate's logit is held in a sampled-softmax step
#: (a noise word equal to the context is set there: its weight, e^-700, is nil).
LEFT_OUT = 700.0
#: Pairs ahead of the step whose center and context rows are fetched into the cache.
PREFETCH_PAIRS = 2
#: Bytes of a cache line: the stride of a row's prefetches.
CACHE_LINE = 64
#: Intervals of the loss table over ``[-MAX_LOGIT, MAX_LOGIT]``.
SOFTPLUS_INTERVALS = 2048
#: ``log(1 + exp(-f))`` at the ``SOFTPLUS_INTERVALS + 1`` points of ``[-MAX_LOGIT, MAX_LOGIT]``
#: (one more entry, never weighted, past the end): interpolated linearly, it is the
#: steps' loss to within 1e-5.
SOFTPLUS = np.append(
    np.logaddexp(0.0, -np.linspace(-MAX_LOGIT, MAX_LOGIT, SOFTPLUS_INTERVALS + 1)), 0.0
).astype(np.float32)


@intrinsic
def _prefetch(typingctx, array, row, col):
    """Hint the CPU to fetch the cache line of ``array[row, col]`` for writing
    (``llvm.prefetch``); no effect on any value."""
    if not isinstance(array, types.Array) or array.ndim != 2:
        return None

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        at = [context.cast(builder, value, kind, types.intp)
              for value, kind in zip(args[1:], signature.args[1:], strict=True)]
        pointer = cgutils.get_item_pointer(context, builder, array_type, view, at)
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        hint = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0i8",
        )
        # write, keep in all cache levels, data cache
        builder.call(hint, [builder.bitcast(pointer, byte_pointer), ir.Constant(i32, 1),
                            ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.void(array, row, col), codegen


@njit(inline="always")
def _prefetch_row(array, row):
    """Prefetch every cache line of ``array[row]`` (C-contiguous)."""
    step = max(CACHE_LINE // array.itemsize, 1)
    for col in range(0, array.shape[1], step):
        _prefetch(array, row, col)
    _prefetch(array, row, array.shape[1] - 1)


@njit(inline="always")
def _next(state):
    """xorshift64*: the next 53 random bits of ``state`` (a one-element uint64 array)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return (x * np.uint64(2685821657736338717)) >> np.uint64(11)


@njit(inline="always")
def _uniform(state):
    """A float64 uniform in [0, 1)."""
    return _next(state) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def seed_state(seed, first, second, third):
    """A generator state (one-element uint64 array) mixed from four integers (splitmix64)."""
    values = np.empty(4, np.uint64)
    values[0], values[1], values[2], values[3] = seed, first, second, third
    x = np.uint64(0x9E3779B97F4A7C15)
    for i in range(4):
        x = (x ^ values[i]) * np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(31)
        x = x * np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(29)
    state = np.empty(1, np.uint64)
    state[0] = x if x != 0 else np.uint64(1)
    return state


@njit(cache=True)
def poisson(mean, state):
    """A Poisson draw of ``mean``: by inversion below ``POISSON_INVERSION_BELOW``,
    else the rounded normal approximation (clipped at 0)."""
    if mean < POISSON_INVERSION_BELOW:
        limit = np.exp(-mean)
        k = 0
        p = _uniform(state)
        while p > limit:
            k += 1
            p *= _uniform(state)
        return k
    u = _uniform(state)
    v = _uniform(state)
    z = np.sqrt(-2.0 * np.log(1.0 - u)) * np.cos(2.0 * np.pi * v)
    k = int(mean + np.sqrt(mean) * z + 0.5)
    return max(k, 0)


@njit(inline="always")
def _draw(prob, alias, first, n, state):
    """A draw from the alias table's entries ``first .. first + n - 1``
    (aliases relative to ``first``), as an index into the whole table."""
    u = _uniform(state) * n
    i = int(u)
    if i >= n:
        i = n - 1
    if u - i < prob[first + i]:
        return first + i
    return first + alias[first + i]


@njit(fastmath=True, inline="always")
def softplus_of_negative(f):
    """``log(1 + exp(-f))`` for ``|f| <= MAX_LOGIT``, from :data:`SOFTPLUS`;
    any other ``f`` (NaN too) reads no entry outside the table."""
    t = (f + np.float32(MAX_LOGIT)) * np.float32(SOFTPLUS_INTERVALS / (2.0 * MAX_LOGIT))
    i = min(max(int(t), 0), SOFTPLUS_INTERVALS)
    fraction = t - np.float32(i)
    return SOFTPLUS[i] + fraction * (SOFTPLUS[i + 1] - SOFTPLUS[i])


@njit(fastmath=True, inline="always")
def _candidate(context, noise, s):
    """A pair's candidate ``s``: its context (0), then its noise words."""
    return context if s == 0 else noise[s - 1]


@njit(fastmath=True, inline="always")
def _read_logits(w_in, w_out, c, context, noise, n_noise, out):
    """``out[s] = w_in[c] . w_out[o_s]`` for the pair's ``n_noise + 1`` candidates."""
    for s in range(n_noise + 1):
        o = _candidate(context, noise, s)
        dot = np.float32(0.0)
        for j in range(w_in.shape[1]):
            dot += w_in[c, j] * w_out[o, j]
        out[s] = dot


@njit(fastmath=True, inline="always")
def _move_rows(w_in, w_out, c, context, noise, n_noise, gains, grad):
    """Each candidate's output row moves by ``gains[s] * w_in[c]``; then the
    center's row, once, by the sum of ``gains[s] * w_out[o_s]`` (each read
    before its row moves). ``grad`` (float32, ``d``) is scratch."""
    d = w_in.shape[1]
    for j in range(d):
        grad[j] = 0.0
    for s in range(n_noise + 1):
        o = _candidate(context, noise, s)
        g = np.float32(gains[s])
        for j in range(d):
            grad[j] += g * w_out[o, j]
            w_out[o, j] += g * w_in[c, j]
    for j in range(d):
        w_in[c, j] += grad[j]


@njit(fastmath=True, inline="always")
def _negative_steps(w_in, w_out, c, context, noise, n_noise, rate, f, grad):
    """A pair's negative-sampling steps on ``-log sigmoid(w_in[c] . w_out[o])``
    for its ``context`` and ``-log sigmoid(-w_in[c] . w_out[o])`` for each of
    the ``n_noise`` words of ``noise``. As in word2vec, the center's row moves
    once, after them, by their summed gradients; all the logits are read
    before any row moves, so that their products overlap (word2vec reads a
    noise word drawn twice after its first step). ``f`` (float32,
    ``n_noise + 1`` or more) and ``grad`` (float32, ``d``) are scratch.
    Returns the steps' summed loss."""
    _read_logits(w_in, w_out, c, context, noise, n_noise, f)
    loss = 0.0
    for s in range(n_noise + 1):
        label = np.float32(1.0) if s == 0 else np.float32(0.0)
        logit = f[s]
        if logit > MAX_LOGIT:
            g = (label - np.float32(1.0)) * rate
            loss += logit * (np.float32(1.0) - label)
        elif logit < -MAX_LOGIT:
            g = label * rate
            loss += -logit * label
        else:
            g = (label - np.float32(1.0) / (np.float32(1.0) + np.exp(-logit))) * rate
            loss += softplus_of_negative(logit) + logit * (np.float32(1.0) - label)
        f[s] = g
    _move_rows(w_in, w_out, c, context, noise, n_noise, f, grad)
    return loss


@njit(fastmath=True, inline="always")
def _softmax_steps(w_in, w_out, c, context, noise, n_noise, log_scale, log_share, rate, z, grad):
    """One step of the sampled softmax (Jean et al. 2015) over the pair's
    ``context`` and its ``n_noise`` noise words ``noise``: a softmax over
    these candidates, each logit less the log of its expected draws for the
    pair (``log_scale + log_share[o]``), a noise word equal to the context
    left out. The center's row moves once, by the sum of the candidates'
    gradients. ``z`` (float64, ``n_noise + 1`` or more) and ``grad`` (float32,
    ``d``) are scratch. Returns the step's loss, ``-log`` of the context's
    probability among the candidates."""
    _read_logits(w_in, w_out, c, context, noise, n_noise, z)
    for s in range(n_noise + 1):
        z[s] -= log_scale + log_share[_candidate(context, noise, s)]
    top = z[0]
    for s in range(1, n_noise + 1):
        if noise[s - 1] == context:
            z[s] = top - LEFT_OUT
        top = max(top, z[s])
    total = 0.0
    for s in range(n_noise + 1):
        z[s] = np.exp(max(z[s] - top, -LEFT_OUT))
        total += z[s]
    loss = np.log(total / z[0])
    for s in range(n_noise + 1):
        z[s] = np.float32(rate * ((1.0 if s == 0 else 0.0) - z[s] / total))
    _move_rows(w_in, w_out, c, context, noise, n_noise, z, grad)
    return loss


@njit(fastmath=True, inline="always")
def _round(
    w_in, w_out, indptr, positions, data, members, bounds, a, b, lam,
    noise_scale, noise_prob, noise_alias, log_scale, log_share, rate_start, rate_stop, seed,
    round_index, buffer, softmax,
):
    """The body of :func:`block_round` and :func:`softmax_block_round`:
    ``softmax`` (a constant of each) picks the steps a pair takes; only its
    steps read ``log_scale`` and ``log_share``."""
    state = seed_state(seed, round_index, a, b)
    n = _draw_pairs(indptr, positions, data, members, bounds, a, b, lam, state, buffer)
    for i in range(n - 1, 0, -1):
        j = int(_uniform(state) * (i + 1))
        c, o = buffer[i, 0], buffer[i, 1]
        buffer[i, 0], buffer[i, 1] = buffer[j, 0], buffer[j, 1]
        buffer[j, 0], buffer[j, 1] = c, o
    most = 0.0
    for p in range(bounds[a], bounds[a + 1]):
        most = max(most, noise_scale[p])
    # The noise words of pair i + 1 are drawn (and their rows fetched) while
    # pair i steps; the steps draw no random numbers, so the stream's order
    # is that of drawing each pair's noise just before its steps.
    noise = np.empty((2, int(most) + 1), np.int32)
    n_noise = np.zeros(2, np.int64)
    z = np.empty(int(most) + 2, np.float64)
    logits = np.empty(int(most) + 2, np.float32)
    grad = np.empty(w_in.shape[1], np.float32)
    first, size = bounds[b], bounds[b + 1] - bounds[b]
    if n > 0:
        n_noise[0] = _draw_noise(noise[0], noise_scale[buffer[0, 0]], noise_prob,
                                 noise_alias, first, size, state, w_out)
    loss = 0.0
    for i in range(n):
        now = i & 1
        if i + PREFETCH_PAIRS < n:
            _prefetch_row(w_in, buffer[i + PREFETCH_PAIRS, 0])
            _prefetch_row(w_out, buffer[i + PREFETCH_PAIRS, 1])
        if i + 1 < n:
            n_noise[1 - now] = _draw_noise(noise[1 - now], noise_scale[buffer[i + 1, 0]],
                                           noise_prob, noise_alias, first, size, state, w_out)
        rate = np.float32(rate_start + (rate_stop - rate_start) * i / n)
        c = buffer[i, 0]
        if softmax:
            loss += _softmax_steps(w_in, w_out, c, buffer[i, 1], noise[now], n_noise[now],
                                   log_scale[c], log_share, rate, z, grad)
        else:
            loss += _negative_steps(w_in, w_out, c, buffer[i, 1], noise[now], n_noise[now],
                                    rate, logits, grad)
    return n, loss


@njit(fastmath=True, nogil=True, cache=True)
def block_round(
    w_in, w_out, indptr, positions, data, members, bounds, a, b, lam,
    noise_scale, noise_prob, noise_alias, rate_start, rate_stop, seed, round_index, buffer,
):
    """One round of block ``(a, b)`` for negative sampling: draw, shuffle and step on its pairs.

    Parameters
    ----------
    w_in, w_out : ndarray of float32, shape (V, d)
        Rows in stratum order: row ``p`` is word ``members[p]``'s. Updated
        in place: ``w_in``'s rows of stratum ``a``, ``w_out``'s of ``b``.
    indptr, positions, data : arrays of a CSR (V, V) count matrix ``X``
        Rows by word id, columns by stratum order (the context's row in
        ``w_out``), each row's sorted (:func:`~skw2v._solver_pairs.by_position`).
    members, bounds : ndarray of int32, ndarray of int64
        Word ids by stratum: stratum ``s`` is ``members[bounds[s]:bounds[s + 1]]``.
    a, b : int
        The block's strata (centers, contexts).
    lam : float
        Each count's expected number of draws this round.
    noise_scale : ndarray of float64, shape (V,)
        Noise steps of each drawn pair of the center at row ``p`` (stratum
        order), in expectation (the fraction is drawn), all with that center.
    noise_prob, noise_alias : ndarray, shape (V,)
        Alias tables of the noise distribution in ``members`` order,
        relative within each stratum.
    rate_start, rate_stop : float
        The step decays linearly between them over the block's pairs.
    seed, round_index : int
        With ``a`` and ``b``, the block's random numbers.
    buffer : ndarray of int32, shape (capacity, 2)
        Scratch for the drawn pairs; pairs beyond its capacity are dropped
        (the caller sizes it well beyond the expected count).

    Returns
    -------
    n_pairs : int
        Pairs drawn and stepped on.
    loss : float
        Summed loss of all steps (pairs and noise).
    """
    return _round(w_in, w_out, indptr, positions, data, members, bounds, a, b, lam,
                  noise_scale, noise_prob, noise_alias, noise_scale, noise_prob, rate_start,
                  rate_stop, seed, round_index, buffer, False)


@njit(fastmath=True, nogil=True, cache=True)
def softmax_block_round(
    w_in, w_out, indptr, positions, data, members, bounds, a, b, lam,
    noise_scale, noise_prob, noise_alias, log_scale, log_share, rate_start, rate_stop, seed,
    round_index, buffer,
):
    """One round of block ``(a, b)`` for the softmax: the pairs and noise
    words of :func:`block_round`, drawn the same way, each pair taking one
    sampled-softmax step over its context and its noise words
    (:func:`_softmax_steps`).

    ``log_scale`` is ``log(noise_scale)`` (float64, shape (V,)) and
    ``log_share`` (float64, shape (V,), stratum order) each word's ``log``
    share of its stratum's noise distribution, so that a noise word ``o`` is
    expected ``exp(log_scale[c] + log_share[o])`` times a pair of center ``c``. The other parameters are :func:`block_round`'s; the loss
    is the summed sampled-softmax loss of the pairs.
    """
    return _round(w_in, w_out, indptr, positions, data, members, bounds, a, b, lam,
                  noise_scale, noise_prob, noise_alias, log_scale, log_share, rate_start,
                  rate_stop, seed, round_index, buffer, True)


@njit(nogil=True, inline="always")
def _draw_pairs(indptr, positions, data, members, bounds, a, b, lam, state, buffer):
    """Write block ``(a, b)``'s draws into ``buffer`` as rows in stratum order,
    in that order (centers by row, each center's contexts by position); return how many."""
    capacity = buffer.shape[0]
    first, stop = bounds[b], bounds[b + 1]
    n = 0
    for m in range(bounds[a], bounds[a + 1]):
        c = members[m]
        end = indptr[c + 1]
        e = indptr[c] + np.searchsorted(positions[indptr[c]:end], first)
        while e < end and positions[e] < stop:
            k = poisson(lam * data[e], state)
            for _ in range(k):
                if n < capacity:
                    buffer[n, 0] = m
                    buffer[n, 1] = positions[e]
                    n += 1
            e += 1
    return n


@njit(nogil=True, inline="always")
def _draw_noise(out, mean, noise_prob, noise_alias, first, size, state, w_out):
    """Draw ``mean`` noise words in expectation (the fraction drawn) into
    ``out`` as rows in stratum order, fetching them; return how many."""
    whole = int(mean)
    count = whole + (1 if _uniform(state) < mean - whole else 0)
    for t in range(count):
        o = _draw(noise_prob, noise_alias, first, size, state)
        out[t] = o
        _prefetch_row(w_out, o)
    return count


@njit(cache=True)
def move_to_positions(indptr, indices, data, position):
    """In place: each entry's column ``j`` becomes ``position[j]``, each row's
    entries (columns and values together) sorted by it."""
    for r in range(len(indptr) - 1):
        first, stop = indptr[r], indptr[r + 1]
        moved = position[indices[first:stop]]
        order = np.argsort(moved, kind="mergesort")
        values = data[first:stop][order]
        for t in range(stop - first):
            indices[first + t] = moved[order[t]]
            data[first + t] = values[t]


@njit(cache=True)
def row_masses(indptr, indices, data, stratum, n_strata):
    """``(V, S)`` sums of each row's counts by the stratum of their context."""
    masses = np.zeros((len(indptr) - 1, n_strata), np.float64)
    for c in range(len(indptr) - 1):
        for e in range(indptr[c], indptr[c + 1]):
            masses[c, stratum[indices[e]]] += data[e]
    return masses
