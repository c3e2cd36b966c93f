"""For-all properties of the search: Erdil's Proposition 1 as an implication, the two LP
builders agree, anonymity certification, every certificate re-checks."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from verified.assignment.domain import Domain
from verified.assignment.mechanisms.random_priority import tabulate_random_priority
from verified.assignment.mechanisms.serial_dictatorship import serial_dictatorship
from verified.assignment.model import Problem
from verified.recheck.search import recheck_search_certificate
from verified.search import find_dominating_mechanism
from verified.search.anonymous_lp import build_anonymous
from verified.search.formulation import build
from verified.search.spaces import anonymous_space
from verified.search.symmetry import check_anonymous

P2 = Problem.make(2, "ab")
D2 = Domain.full(P2)


@settings(max_examples=8)
@given(
    order=st.permutations([0, 1]),
    picks=st.lists(st.integers(0, len(D2) - 1), min_size=1, max_size=3, unique=True),
)
def test_prop1_serial_dictatorship_is_never_dominated(order, picks):
    # Erdil, Proposition 1: SD is non-wasteful and SP, so no SP mechanism dominates it,
    # whatever neighbourhood the search may change.
    nbhd = [D2.profile(p) for p in picks]
    out = find_dominating_mechanism(
        serial_dictatorship(P2, [P2.agents[i] for i in order]),
        D2,
        neighbourhood=nbhd,
        base_spec={"mechanism": "serial_dictatorship", "order": list(order)},
    )
    assert out.result.fails
    recheck_search_certificate(out.certificate)


def _rows(form):
    out = {}
    lp = form.lp
    for r in range(lp.num_rows):
        s, e = lp.indptr[r], lp.indptr[r + 1]
        terms = sorted(
            (lp.var_name(int(v)), int(c)) for v, c in zip(lp.indices[s:e], lp.coefs[s:e], strict=True)
        )
        out[lp.row_name(r)] = (tuple(terms), Fraction(int(lp.rhs[r]), lp.rhs_den))
    return out


def test_numpy_builder_matches_the_generic_builder():
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    table = tabulate_random_priority(domain)

    def row0(digits):
        p = domain.index(tuple(domain.preferences[0][d] for d in digits))
        return tuple(Fraction(int(v), table.denominator) for v in table.numerators[p, 0])

    space = anonymous_space(domain, row0)
    free = [c for _, members in space.groups for c, _ in members if domain.preferences[0][c[0]]]
    for objective in ("strict", "total-gain"):
        generic = build(space, free, objective)
        fast = build_anonymous(space, domain, table, objective)
        assert _rows(generic) == _rows(fast)
        assert generic.base_value == fast.base_value
        gen_cost = {generic.lp.var_name(v): int(c) for v, c in enumerate(generic.lp.objective)}
        fast_cost = {fast.lp.var_name(v): int(c) for v, c in enumerate(fast.lp.objective)}
        assert gen_cost == fast_cost


def test_anonymity_certification():
    problem = Problem.make(3, "ab")
    domain = Domain.full(problem)
    assert check_anonymous(tabulate_random_priority(domain)).holds
    from verified.assignment.mechanism import tabulate

    sd = check_anonymous(tabulate(serial_dictatorship(problem), domain))
    assert sd.fails
    ev = sd.evidence
    # the counterexample: swapping the agents' rankings does not swap their rows under SD
    assert ev["kind"] == "counterexample" and ev["profile"] != ev["permuted_profile"]


def test_too_large_explicit_problem_is_unknown_not_a_guess():
    problem = Problem.make(4, "abc")
    domain = Domain.full(problem)
    out = find_dominating_mechanism(serial_dictatorship(problem), domain, check_base=False)
    assert out.result.unknown and "neighbourhood" in out.result.reason
