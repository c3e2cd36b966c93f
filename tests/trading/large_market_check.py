"""Test-side, independent re-checks for the large-market program (plain Fractions; nothing from
`verified.trading` is used): polarization by the definition, the myopic sort, the support
function's certificate, brute-force support functions, and a whole solution's certificate."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations, product

from tests.trading.exact import dot

Z = Fraction(0)


def polarized_pair(a, b) -> bool:
    """Definition: t a + (1 - t) b >= 0 for some t in [0, 1] (scan the finitely many breakpoints)."""
    candidates = {Z, Fraction(1)}
    for x, y in zip(a, b, strict=True):
        if x != y:
            t = Fraction(-y) / (x - y)  # where t x + (1 - t) y = 0
            if 0 <= t <= 1:
                candidates.add(t)
    return any(all(t * x + (1 - t) * y >= 0 for x, y in zip(a, b, strict=True)) for t in candidates)


def non_monotone(d) -> bool:
    return any(x < 0 for x in d) and any(x > 0 for x in d)


def myopic_value(types, probs, eta, displacements, w):
    """Each type takes a least-cost option among eta, eta + d_k (ties to the designer's favourite);
    returns (choices, E, w . E)."""
    options = [[Z] * len(eta)] + [list(d) for d in displacements]
    choices = []
    for c in types:
        costs = [dot(c, o) for o in options]
        least = min(costs)
        choices.append(
            max((k for k in range(len(options)) if costs[k] == least), key=lambda k: dot(w, options[k]))
        )
    e = [
        Fraction(eta[i]) + sum((Fraction(p) * options[k][i] for p, k in zip(probs, choices, strict=True)), Z)
        for i in range(len(eta))
    ]
    return choices, e, dot(w, e)


def remedial_value(eta, w):
    return sum((Fraction(x) * Fraction(y) for x, y in zip(eta, w, strict=True) if Fraction(y) > 0), Z)


def brute_support_two_tasks(types, probs, eta, w):
    """S(w) for I = 2 by enumeration (Remark 1's two-task case): rays giving task 1 for p of task 2
    and rays giving task 2 for q of task 1, at full length, with p, q at the types' indifference
    ratios (c1/c2 and c2/c1); one or two rays when polarized; or the remedial corner."""
    eta = [Fraction(x) for x in eta]
    best = remedial_value(eta, w)
    rays = []
    if eta[0] > 0:
        rays += [(-eta[0], Fraction(c[0], 1) / c[1] * eta[0]) for c in types]
    if eta[1] > 0:
        rays += [(Fraction(c[1], 1) / c[0] * eta[1], -eta[1]) for c in types]
    menus = [[r] for r in rays] + [[r, s] for r, s in combinations(rays, 2) if polarized_pair(r, s)]
    for menu in menus:
        if all(non_monotone(d) for d in menu):
            best = max(best, myopic_value(types, probs, eta, menu, w)[2])
    return best


def brute_support_grid(types, probs, eta, w, grid=(-2, -1, 0, 1, 2), max_rays=2):
    """A lower bound on S(w) for any I: directions with entries in ``grid``, full length, menus of
    up to ``max_rays`` polarized rays, and the remedial corner."""
    eta = [Fraction(x) for x in eta]
    best = remedial_value(eta, w)
    rays = []
    for d in product(grid, repeat=len(eta)):
        if not non_monotone(d):
            continue
        length = min(eta[i] / -d[i] for i in range(len(d)) if d[i] < 0)
        if length > 0:
            rays.append(tuple(length * x for x in d))
    for k in range(1, max_rays + 1):
        for menu in combinations(rays, k):
            if all(polarized_pair(a, b) for a, b in combinations(menu, 2)):
                best = max(best, myopic_value(types, probs, eta, menu, w)[2])
    return best


def recheck_menu(types, probs, eta, menu, w=None):
    """A reported AgentMenu is a genuine mechanism: selections in R^I_+, rays non-monotone and
    polarized (or a lone remedial point <= eta), choices myopic; returns the recomputed E."""
    eta = [Fraction(x) for x in eta]
    ds = [list(d) for d in menu.displacements]
    for d in ds:
        assert all(e + x >= 0 for e, x in zip(eta, d, strict=True)), "a selection leaves R^I_+"
    if menu.kind == "rays":
        assert all(non_monotone(d) for d in ds)
        assert all(polarized_pair(a, b) for a, b in combinations(ds, 2))
    elif menu.kind == "remedial":
        assert len(ds) == 1 and all(x <= 0 for x in ds[0])
    else:
        assert menu.kind == "status_quo" and not ds
    options = [[Z] * len(eta)] + ds
    for c, k in zip(types, menu.choices, strict=True):
        assert dot(c, options[k]) == min(dot(c, o) for o in options), "a type's choice is not myopic"
    e = [
        eta[i] + sum((Fraction(p) * options[k][i] for p, k in zip(probs, menu.choices, strict=True)), Z)
        for i in range(len(eta))
    ]
    assert list(menu.expected) == e
    return e


def recheck_support(types, probs, eta, w, result):
    """Re-derive the support function's certificate: every subset's dual bound, the packing, the
    remedial value, the bound and the realised value. Returns (lower, upper)."""
    eta = [Fraction(x) for x in eta]
    w = [Fraction(x) for x in w]
    n = len(eta)
    real = len(types)
    if n >= 3:  # the unit costs, probability 0 (Lemma 5 holds for every c >= 0)
        assert [list(v) for v in result.virtual] == [[int(i == k) for i in range(n)] for k in range(n)]
    types = list(types) + [list(v) for v in result.virtual]
    probs = list(probs) + [0] * len(result.virtual)
    m = len(types)
    bounds = {}
    for sb in result.subset_bounds:
        members = set(sb.members)
        for t, y in enumerate(sb.multipliers):
            assert (y >= 0) if t in members else (y <= 0), "a multiplier has the wrong sign"
        reduced = [w[i] - sum((sb.multipliers[t] * types[t][i] for t in range(m)), Z) for i in range(n)]
        assert reduced == list(sb.reduced) and all(r <= 0 for r in reduced)
        bound = -dot(reduced, eta)
        assert bound == sb.bound
        bounds[frozenset(members)] = bound
    assert len(bounds) == (2**real - 1) * 2 ** (m - real), "a subset is missing"
    assert all(any(t < real for t in s) for s in bounds)
    # the best packing by our own enumeration (small m): at most n disjoint subsets
    best = Z
    subsets = list(bounds)

    def search(start, used, count, total):
        nonlocal best
        best = max(best, total)
        if count == n:
            return
        for k in range(start, len(subsets)):
            s = subsets[k]
            if not (s & used):
                value = sum((Fraction(probs[t]) for t in s), Z) * bounds[s]
                if value > 0:
                    search(k + 1, used | s, count + 1, total + value)

    search(0, frozenset(), 0, Z)
    upper = max(dot(w, eta) + best, remedial_value(eta, w))
    assert result.upper == upper
    e = recheck_menu(types[:real], probs[:real], eta, result.realizer)
    assert dot(w, e) == result.lower
    return result.lower, upper
