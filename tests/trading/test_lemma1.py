"""Lemma 1 and Corollary 1 (Valenzuela-Stookey, section 2.1): (SQ)/(MC) for non-choice mechanisms.

Expected values are derived by hand next to each test; feasibility of every witness is re-checked
by `brute_sq_mc` below (plain Fractions, every vertex of every box), never by the library.
"""

from __future__ import annotations

import copy
import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verified.certificates import build_certificate
from verified.errors import InvalidInput
from verified.recheck import RecheckError, recheck
from verified.strategies.trading import economies
from verified.trading.lemma1 import (
    check_corollary1,
    check_lemma1,
    check_sq_mc,
    check_status_quo_unique,
    common_dimension,
    largest_departure,
    lemma1_subject,
    slack_parameters,
)
from verified.trading.model import CostDomain, Economy

F = Fraction


def brute_sq_mc(economy: Economy, m: list[list[Fraction]], beta: list[Fraction]) -> bool:
    """(SQ) at every vertex of every box (orthants: m_j <= beta_j sigma_j) and (MC), by hand."""
    for j, dom in enumerate(economy.cost_domains):
        sigma = economy.endowment[j]
        if any(x < 0 for x in m[j]):
            return False
        if dom.kind == "box":
            for c in itertools.product(*zip(dom.lo, dom.hi, strict=True)):
                load = sum((F(a) * F(b) for a, b in zip(c, m[j], strict=True)), F(0))
                bound = beta[j] * sum((F(a) * F(b) for a, b in zip(c, sigma, strict=True)), F(0))
                if load > bound:
                    return False
        elif any(x > beta[j] * s for x, s in zip(m[j], sigma, strict=True)):
            return False
    return all(sum((row[i] for row in m), F(0)) == economy.supplies[i] for i in range(economy.n_tasks))


def brute_lemma1(
    economy: Economy, m: list[list[Fraction]], beta: list[Fraction]
) -> tuple[Fraction, Fraction]:
    """Both sides of Lemma 1 computed from the formula in the paper."""
    n = economy.n_tasks
    c_hat = [max(d.lo[i] for d in economy.cost_domains) for i in range(n)]
    lhs = sum(
        (
            (d.hi[i] - c_hat[i]) * max(F(0), m[j][i] - beta[j] * economy.endowment[j][i])
            for j, d in enumerate(economy.cost_domains)
            for i in range(n)
        ),
        F(0),
    )
    rhs = sum(
        (
            c_hat[i] * (beta[j] - 1) * economy.endowment[j][i]
            for j in range(economy.n_agents)
            for i in range(n)
        ),
        F(0),
    )
    return lhs, rhs


def two_by_two(domains: object) -> Economy:
    """Tasks x, y; agents A, B; sigma_A = sigma_B = (1, 1); supplies (2, 2)."""
    return Economy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], [[1, 2], [2, 1]], domains)  # type: ignore[arg-type]


SQUARE = two_by_two(CostDomain.box([1, 1], [2, 2]))
# C_A = [1,2] x [2,3], C_B = [2,3] x [1,2]: they meet in the single point (2, 2) (dimension 0).
CORNER = two_by_two([CostDomain.box([1, 2], [2, 3]), CostDomain.box([2, 1], [3, 2])])
FREE_TASK = two_by_two(CostDomain.box([1, 0], [2, 0]))  # task y costs nothing to anybody
FLAT = two_by_two(CostDomain.box([1, 1], [2, 1]))  # dimension 1, but spans R^2


def fractions(rows: list[list[object]]) -> list[list[Fraction]]:
    return [[F(x) for x in row] for row in rows]  # type: ignore[arg-type]


def sides(result: object) -> tuple[Fraction, Fraction]:
    """(LHS, RHS) of Lemma 1 from a result's evidence (numbers are stored as text)."""
    return F(result.evidence["lhs"]), F(result.evidence["rhs"])  # type: ignore[attr-defined]


# --- (SQ)/(MC) and Lemma 1 at one allocation --------------------------------------------------------


def test_sq_violation_has_a_hand_derived_type() -> None:
    # beta = 1, m_A = (2, 0): (m_A - sigma_A) . c = c_x - c_y, largest at c = (2, 1): 2 - 1 = 1 > 0.
    result = check_sq_mc(SQUARE, [[2, 0], [0, 2]])
    assert result.fails
    (violation,) = [v for v in result.evidence["sq_violations"] if v["agent"] == "A"]
    assert (
        fractions([violation["type"]]) == [[2, 1]]
        and F(violation["load"]) == 4
        and F(violation["bound"]) == 3
    )
    assert not brute_sq_mc(SQUARE, fractions([[2, 0], [0, 2]]), [F(1), F(1)])


def test_mc_violation_is_reported() -> None:
    result = check_sq_mc(SQUARE, [[1, 1], [1, 0]])
    assert result.fails and result.evidence["unbalanced_tasks"][0]["task"] == "y"
    assert F(check_sq_mc(SQUARE, [[-1, 1], [3, 1]], 5).evidence["negative_loads"][0]["load"]) == -1


def test_lemma1_numbers_by_hand() -> None:
    # beta = 2, m_A = (2, 2), m_B = (0, 0). c_hat = (1, 1), c_bar = (2, 2).
    # LHS: (2-1) * [(2-2)^+ + (2-2)^+ + (0-2)^+ + (0-2)^+] = 0; RHS: sum 1 * (2-1) * 1 over 4 cells = 4.
    m = [[2, 2], [0, 0]]
    assert brute_sq_mc(SQUARE, fractions(m), [F(2), F(2)])
    result = check_lemma1(SQUARE, m, 2)
    assert result.holds and result.evidence["applies"]
    assert sides(result) == (0, 4)
    # The proof's type takes c_bar where m - beta sigma >= 0 and c_hat where it is < 0.
    assert fractions(result.evidence["proof_types"]) == [[2, 2], [1, 1]]


def test_lemma1_is_tight_on_a_hand_example() -> None:
    # beta_A = 3/2, beta_B = 1, C = [0, 1]^2 common, sigma = (1, 1) each: c_hat = (0, 0), RHS = 0.
    # (SQ) for A: (m_A - 3/2 sigma_A) . c <= 0 on [0,1]^2; B: m_B <= sigma_B on every corner, so with
    # (MC) m_A >= sigma_A, and at c = (1, 0): m_A(x) <= 3/2. m_A = (3/2, 3/2) is feasible:
    # LHS = (1 - 0) * ((3/2 - 3/2)^+ * 2 + (1/2 - 1)^+ * 2) = 0 = RHS.
    econ = Economy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], None, CostDomain.box([0, 0], [1, 1]))
    m = [[F(3, 2), F(3, 2)], [F(1, 2), F(1, 2)]]
    beta = [F(3, 2), F(1)]
    assert brute_sq_mc(econ, m, beta)
    result = check_lemma1(econ, m, beta)
    assert result.holds and sides(result) == brute_lemma1(econ, m, beta) == (0, 0)


def test_lemma1_premise_failing_claims_nothing() -> None:
    result = check_lemma1(SQUARE, [[2, 0], [0, 2]])
    assert result.holds and not result.evidence["applies"]
    # the bound itself fails here (LHS = (2-1)*1 + (2-1)*1 = 2 > RHS = 0): only the premise saves it
    assert sides(result) == (2, 0)


def test_lemma1_disjoint_domains_claims_nothing() -> None:
    econ = two_by_two([CostDomain.box([1, 1], [2, 2]), CostDomain.box([3, 3], [4, 4])])
    assert common_dimension(econ) == -1
    assert not check_lemma1(econ, [[1, 1], [1, 1]]).evidence["domains_meet"]


@settings(max_examples=40, deadline=None)
@given(economies(common=True, full_support=True), st.sampled_from([F(1), F(3, 2), F(2)]), st.data())
def test_lemma1_bound_on_feasible_allocations(econ: Economy, beta: Fraction, data: st.DataObject) -> None:
    """Random feasible allocations: convex combinations of sigma and the LP extreme allocations
    (each re-checked by brute force); both sides recomputed from the paper's formula."""
    dep = largest_departure(econ, beta)
    assert not isinstance(dep, str)
    betas = [beta] * econ.n_agents
    corners = [[list(row) for row in econ.endowment]]
    for top, bottom in dep.bounds.values():
        for res in (top, bottom):
            m = [
                [res.primal.get(f"m[{j}][{i}]", F(0)) for i in range(econ.n_tasks)]
                for j in range(econ.n_agents)
            ]
            assert brute_sq_mc(econ, m, betas)
            corners.append(m)
    weights = [
        F(w) for w in data.draw(st.lists(st.integers(0, 4), min_size=len(corners), max_size=len(corners)))
    ]
    if sum(weights) == 0:
        weights[0] = F(1)
    total = sum(weights)
    m = [
        [
            sum((w * c[j][i] for w, c in zip(weights, corners, strict=True)), F(0)) / total
            for i in range(econ.n_tasks)
        ]
        for j in range(econ.n_agents)
    ]
    assert brute_sq_mc(econ, m, betas)
    result = check_lemma1(econ, m, beta)
    lhs, rhs = brute_lemma1(econ, m, betas)
    assert result.holds and result.evidence["applies"]
    assert sides(result) == (lhs, rhs) and lhs <= rhs


# --- the largest departure and Corollary 1 ---------------------------------------------------------------


def test_square_beta_one_status_quo_is_unique() -> None:
    # Corollary 1's hypotheses: beta = 1 and C = [1,2]^2 (dimension 2).
    result = check_corollary1(SQUARE)
    assert result.holds and result.evidence["predicted"] and result.evidence["unique"]
    bounds = result.evidence["uniqueness"]["bounds"]
    assert len(bounds) == 4 and all(b["max"]["objective"] == b["min"]["objective"] == "1" for b in bounds)


def test_square_beta_two_departs_by_one() -> None:
    # beta = 2: m_A = (2, 2), m_B = (0, 0) is feasible (A: (0,0).c <= 0; B: (-2,-2).c <= 0), and no
    # load can exceed the supply 2 nor fall below 0, so the largest |m_j(i) - sigma_j(i)| is 1.
    result = check_status_quo_unique(SQUARE, 2)
    assert result.fails and F(result.evidence["departure"]) == 1
    m = fractions(result.evidence["allocation"])
    assert brute_sq_mc(SQUARE, m, [F(2), F(2)]) and m != fractions([[1, 1], [1, 1]])
    assert not check_corollary1(SQUARE, 2).evidence["predicted"]
    assert check_corollary1(SQUARE, 2).holds  # the corollary is silent when beta > 1


def test_lower_dimensional_intersection_departs() -> None:
    # m_A = (1 + a, 1 - b): A's worst vertex (2, 2) gives a <= b, B's worst vertex (2, 2) gives b <= a,
    # so a = b, and 0 <= m <= 2 gives |a| <= 1: the departure is 1, e.g. m_A = (2, 0), m_B = (0, 2).
    assert common_dimension(CORNER) == 0
    result = check_corollary1(CORNER)
    assert result.holds and not result.evidence["predicted"] and not result.evidence["unique"]
    witness = result.evidence["uniqueness"]
    assert F(witness["departure"]) == 1
    m = fractions(witness["allocation"])
    assert brute_sq_mc(CORNER, m, [F(1), F(1)]) and abs(m[0][0] - m[0][1]) == 2


def test_free_task_departs() -> None:
    # task y costs 0 for every type: any m_A(y) in [0, 2] is feasible; the departure is 1.
    result = check_status_quo_unique(FREE_TASK)
    assert result.fails and F(result.evidence["departure"]) == 1
    assert brute_sq_mc(FREE_TASK, fractions(result.evidence["allocation"]), [F(1), F(1)])


def test_flat_common_domain_is_still_unique() -> None:
    # C = [1,2] x {1} has dimension 1, so Corollary 1 is silent, yet sigma is unique: summing (SQ)
    # over j at one common c gives sum_j d_j . c <= 0 with sum_j d_j = 0 (MC), so d_j . c = 0 for
    # c = (1,1) and (2,1), which span R^2: d = 0. (The corollary's hypothesis is sufficient only.)
    assert common_dimension(FLAT) == 1
    result = check_corollary1(FLAT)
    assert result.holds and not result.evidence["predicted"] and result.evidence["unique"]


@settings(max_examples=30, deadline=None)
@given(economies(common=True, full_support=True))
def test_corollary1_on_random_full_dimensional_boxes(econ: Economy) -> None:
    if common_dimension(econ) < econ.n_tasks:
        lo = econ.cost_domains[0].lo
        econ = Economy.make(
            econ.tasks, econ.agents, econ.endowment, econ.performance, CostDomain.box(lo, [x + 1 for x in lo])
        )
    result = check_corollary1(econ)
    assert result.holds and result.evidence["predicted"] and result.evidence["unique"]


@settings(max_examples=30, deadline=None)
@given(economies(common=True, full_support=True), st.sampled_from([F(5, 4), F(2)]))
def test_slack_always_allows_departure(econ: Economy, beta: Fraction) -> None:
    # Hand argument: with sigma > 0 everywhere and beta_A > 1, moving eps <= (beta_A - 1) sigma_A(x)
    # of task x from B to A keeps A's (SQ): (1 - beta_A) sigma_A . c + eps c_x <= 0, and B's trivially.
    betas = [beta] + [F(1)] * (econ.n_agents - 1)
    result = check_status_quo_unique(econ, betas)
    assert result.fails and F(result.evidence["departure"]) > 0
    assert brute_sq_mc(econ, fractions(result.evidence["allocation"]), betas)


# --- certificates ---------------------------------------------------------------------------------------


def certificate(econ: Economy, beta: object = None) -> dict:
    return build_certificate(
        "status-quo-unique", check_status_quo_unique(econ, beta), lemma1_subject(econ, beta)
    )


def test_certificates_recheck() -> None:
    assert "re-verified (sq_mc_departure)" in recheck(certificate(SQUARE))
    assert "re-verified (sq_mc_allocation)" in recheck(certificate(CORNER))
    assert "re-verified (sq_mc_allocation)" in recheck(certificate(SQUARE, 2))
    orthant = Economy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], None, CostDomain.orthant(2))
    assert "sq_mc_departure" in recheck(certificate(orthant))
    assert "sq_mc_allocation" in recheck(certificate(orthant, [2, 1]))


def rehashed(doc: dict) -> dict:
    from verified.io.canonical import subject_sha256

    doc["subject"]["sha256"] = subject_sha256(doc["subject"]["encoding"])
    return doc


def _edits_holds(doc: dict) -> list[dict]:
    out = []
    d = copy.deepcopy(doc)
    first = d["evidence"]["bounds"][0]["max"]
    name = next(iter(first["dual"]))
    first["dual"][name] = str(F(first["dual"][name]) + 1)
    out.append(d)
    d = copy.deepcopy(doc)
    d["evidence"]["bounds"][1]["min"]["objective"] = "0"
    out.append(d)
    d = copy.deepcopy(doc)
    d["evidence"]["bounds"].pop()
    out.append(d)
    d = copy.deepcopy(doc)
    d["evidence"]["bounds"][0], d["evidence"]["bounds"][1] = (
        d["evidence"]["bounds"][1],
        d["evidence"]["bounds"][0],
    )
    out.append(d)
    d = copy.deepcopy(doc)
    d["subject"]["encoding"]["agents"][0]["beta"] = "2"  # the LPs change: the duals no longer prove sigma
    out.append(rehashed(d))
    d = copy.deepcopy(doc)
    d["subject"]["encoding"]["agents"][0]["cost_domain"]["hi"] = ["2", "1"]
    out.append(rehashed(d))
    d = copy.deepcopy(doc)
    d["verdict"] = "fails"
    out.append(d)
    d = copy.deepcopy(doc)
    d["evidence"]["extra"] = 1
    out.append(d)
    return out


def _edits_fails(doc: dict) -> list[dict]:
    out = []
    d = copy.deepcopy(doc)
    d["evidence"]["allocation"][0][0] = "3"
    out.append(d)
    d = copy.deepcopy(doc)
    d["evidence"]["departure"] = "2"
    out.append(d)
    d = copy.deepcopy(doc)
    d["evidence"]["allocation"] = [["1", "1"], ["1", "1"]]
    out.append(d)
    d = copy.deepcopy(doc)
    d["evidence"]["sq_mc"]["worst_types"][0]["slack"] = "5"
    out.append(d)
    d = copy.deepcopy(doc)
    d["subject"]["encoding"]["agents"][0]["beta"] = "1"  # CORNER with beta 2 is feasible only with slack
    out.append(rehashed(d))
    d = copy.deepcopy(doc)
    d["subject"]["encoding"]["agents"][1]["beta"] = "1/2"
    out.append(rehashed(d))
    return out


def test_tampered_certificates_are_rejected() -> None:
    holds_doc = certificate(SQUARE)
    for k, doc in enumerate(_edits_holds(holds_doc)):
        with pytest.raises(RecheckError):
            recheck(doc)
            pytest.fail(f"holds edit {k} accepted")
    fails_doc = certificate(SQUARE, 2)
    for k, doc in enumerate(_edits_fails(fails_doc)):
        with pytest.raises(RecheckError):
            recheck(doc)
            pytest.fail(f"fails edit {k} accepted")


# --- refused input --------------------------------------------------------------------------------------


@pytest.mark.parametrize("beta", [F(1, 2), "0", [1], [1, 1, 1], 1.5, "x", True])
def test_bad_slack_parameters(beta: object) -> None:
    with pytest.raises(InvalidInput):
        slack_parameters(SQUARE, beta)


@pytest.mark.parametrize(
    "allocation", [[[1, 1]], [[1, 1], [1]], "ab", [[1.0, 1], [1, 1]], [["a", 1], [1, 1]]]
)
def test_bad_allocations(allocation: object) -> None:
    with pytest.raises(InvalidInput):
        check_sq_mc(SQUARE, allocation)  # type: ignore[arg-type]


def test_lemma1_needs_boxes() -> None:
    orthant = Economy.make(["x", "y"], ["A", "B"], [[1, 1], [1, 1]], None, CostDomain.orthant(2))
    with pytest.raises(InvalidInput, match="boxes"):
        check_lemma1(orthant, [[1, 1], [1, 1]])


def economy_from_subject(encoding: dict) -> tuple[Economy, list[Fraction]]:
    """The library's own model of a (possibly edited) subject; InvalidInput if it refuses it."""
    agents = encoding["agents"]
    domains = []
    for a in agents:
        d = a["cost_domain"]
        domains.append(
            CostDomain.box(d["lo"], d["hi"]) if d["kind"] == "box" else CostDomain(d["kind"], d["dimension"])
        )
    econ = Economy.make(
        encoding["tasks"], [a["name"] for a in agents], [a["status_quo"] for a in agents], None, domains
    )
    return econ, list(slack_parameters(econ, [a["beta"] for a in agents]))


def _leaves(node: object, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [leaf for k, v in enumerate(node) for leaf in _leaves(v, (*path, k))]
    return [path]


HOSTILE = ["0", "1", "-1", "2", "1/2", "1e9", "", None, True, [], {}, "x" * 5, 10**30, "1/0"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["unique", "beta2", "corner", "orthant"]), st.data())
def test_fuzzed_certificates_never_crash_and_never_lie(base: str, data: st.DataObject) -> None:
    econ, beta = {
        "unique": (SQUARE, None),
        "beta2": (SQUARE, 2),
        "corner": (CORNER, None),
        "orthant": (
            Economy.make(["x", "y"], ["A", "B"], [[1, 1], [2, 1]], None, CostDomain.orthant(2)),
            None,
        ),
    }[base]
    doc = certificate(econ, beta)
    leaves = _leaves(doc["evidence"]) + [("subject",) + p for p in _leaves(doc["subject"]["encoding"])]
    path = data.draw(st.sampled_from(leaves))
    value = data.draw(st.sampled_from(HOSTILE))
    target = doc["subject"]["encoding"] if path[0] == "subject" else doc["evidence"]
    keys = path[1:] if path[0] == "subject" else path
    for k in keys[:-1]:
        target = target[k]
    if target[keys[-1]] == value:
        return
    target[keys[-1]] = value
    if path[0] == "subject":
        rehashed(doc)
    try:
        recheck(doc)
    except RecheckError:
        return
    # accepted: the claim must be true of the (edited) subject, by the library's own check
    edited, betas = economy_from_subject(doc["subject"]["encoding"])
    assert check_status_quo_unique(edited, betas).verdict.value == doc["verdict"]
