"""Symmetric domains whose agents list the same rankings in different orders (red-team findings).

A domain is symmetric when every agent has the same *set* of rankings, whatever order each lists
them in: the profiles are then closed under permuting the agents, so anonymity is defined. The
library used to demand the same *list*, refusing such a domain (exit 2) although the same file
with the lists in one order gave HOLDS. Every verdict here is compared with an independent
brute-force anonymity check written below in plain Python (every profile, every permutation of
the agents, rows looked up by the rankings themselves), and every certificate is re-verified by
the independent checker (`verified.recheck.recheck`).
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.assignment.reference_mechanisms import random_boston, random_priority, table_of
from verified.assignment.anonymous import OrbitTable, check_strategyproof_anonymous
from verified.assignment.domain import Domain
from verified.assignment.mechanism import TabulatedMechanism
from verified.assignment.model import Problem
from verified.assignment.properties.equal_treatment import check_anonymous
from verified.assignment.properties.strategyproofness import check_strategyproof
from verified.certificates import build_certificate
from verified.cli import main
from verified.errors import InvalidInput
from verified.io.canonical import orbit_subject, table_subject
from verified.recheck import recheck, recheck_file

F = Fraction

#: The four rankings of objects a and b used below (the empty one means "nothing acceptable").
RANKINGS = [(), ("a",), ("b",), ("a", "b")]
#: The same four rankings, listed in three different orders (one per agent).
ORDERS = [RANKINGS, RANKINGS[::-1], [("b",), (), ("a", "b"), ("a",)]]


def reordered_domain() -> Domain:
    return Domain.restricted(Problem.make(3, "ab"), ORDERS)


def rows_by_profile(table: TabulatedMechanism, lists: list[list[tuple]]) -> dict[tuple, list[tuple]]:
    """The table's rows keyed by the profile itself: the file format numbers the profiles in
    mixed radix over the agents' lists as given (agent 0 most significant), which is the order
    of ``itertools.product`` over those lists."""
    nums, den = np.asarray(table.numerators).tolist(), table.denominator
    return {
        profile: [tuple(F(int(v), den) for v in row) for row in nums[k]]
        for k, profile in enumerate(itertools.product(*lists))
    }


def brute_force_anonymity(rows: dict[tuple, list[tuple]], n: int) -> tuple | None:
    """The first (R, pi, i) with f_i(R o pi) != f_pi(i)(R), where (R o pi)_j = R_pi(j), over every
    profile R and every permutation pi of the agents; None when the mechanism is anonymous."""
    for profile, at_r in rows.items():
        for pi in itertools.permutations(range(n)):
            moved = tuple(profile[pi[j]] for j in range(n))
            for i in range(n):
                if rows[moved][i] != at_r[pi[i]]:
                    return profile, pi, i
    return None


def row_text(row: tuple, columns: tuple[str, ...]) -> dict[str, str]:
    return {c: str(v) for c, v in zip(columns, row, strict=True)}


def certified(prop: str, result, subject: dict) -> None:
    """The result's certificate passes the independent checker."""
    recheck(build_certificate(prop, result, subject))


def test_the_same_set_in_another_order_is_symmetric():
    domain = reordered_domain()
    assert domain.same_rankings and not domain.is_symmetric  # same set, not the same list
    assert domain.translation(1, 0) == (3, 2, 1, 0)  # agent 1 lists RANKINGS backwards
    other = Domain.restricted(Problem.make(2, "ab"), [[(), ("a",)], [(), ("b",)]])
    assert not other.same_rankings  # {(), a} vs {(), b}: permuting the agents leaves the domain


def test_anonymous_table_on_a_reordered_domain_holds_and_is_certified():
    domain = reordered_domain()
    table = table_of(domain, random_priority, "RP")  # the slow reference RP: anonymous
    rows = rows_by_profile(table, ORDERS)
    assert brute_force_anonymity(rows, 3) is None
    result = check_anonymous(table)
    assert result.holds
    certified("anonymous", result, table_subject(table))


def test_table_altered_at_one_profile_fails_on_a_reordered_domain():
    domain = reordered_domain()
    table = table_of(domain, random_priority, "RP")
    # At R = (a; b; nothing) RP gives agent 0 a and agent 1 b for sure; swapping their rows there
    # keeps the table valid but breaks anonymity.
    profile = (("a",), ("b",), ())
    index = list(itertools.product(*ORDERS)).index(profile)
    nums = np.array(table.numerators)
    den = table.denominator
    assert nums[index, 0].tolist() == [den, 0, 0] and nums[index, 1].tolist() == [0, den, 0]
    nums[index, [0, 1]] = nums[index, [1, 0]]
    altered = TabulatedMechanism(domain, nums, table.denominator, "altered RP")
    rows = rows_by_profile(altered, ORDERS)
    assert brute_force_anonymity(rows, 3) is not None
    result = check_anonymous(altered)
    assert not result.holds
    ev = result.evidence
    prof = tuple(tuple(r) for r in ev["profile"])
    pi, i = ev["permutation"], altered.problem.agents.index(ev["agent"])
    moved = tuple(prof[pi[j]] for j in range(3))
    assert tuple(tuple(r) for r in ev["permuted_profile"]) == moved
    columns = altered.problem.columns
    assert ev["permuted_row"] == row_text(rows[moved][i], columns)
    assert ev["original_row"] == row_text(rows[prof][pi[i]], columns)
    assert rows[moved][i] != rows[prof][pi[i]]
    certified("anonymous", result, table_subject(altered))


@pytest.mark.parametrize("reference", [random_priority, random_boston])
def test_orbits_of_a_reordered_domain_are_the_table_and_sp_agrees(reference):
    domain = reordered_domain()
    table = table_of(domain, reference, reference.__name__)
    rows = rows_by_profile(table, ORDERS)
    assert brute_force_anonymity(rows, 3) is None
    orbits = OrbitTable.from_tabulated(table)
    for profile, at in rows.items():
        for i in range(3):
            assert orbits.row(profile[i], profile[:i] + profile[i + 1 :]) == at[i]
    on_orbits = check_strategyproof_anonymous(orbits)
    assert on_orbits.holds == check_strategyproof(table, domain).holds
    # RP is SD-strategy-proof; random-order Boston is not (Erdil, section 2)
    assert on_orbits.holds == (reference is random_priority)
    certified("sp-anonymous", on_orbits, orbit_subject(orbits))


SYMORDER = """format = "verified/assignment/1"
[problem]
agents = 2
objects = ["a"]
[domain]
kind = "restricted"
preferences = [[["a"], []], [[], ["a"]]]
[mechanism]
builtin = "random_priority"
"""


def test_cli_the_reported_file_holds_and_certifies(tmp_path, capsys):
    # Both agents may report {a, nothing}, listed in two orders: RP is anonymous and
    # SD-strategy-proof there, as with both lists in one order.
    path = tmp_path / "symorder.toml"
    path.write_text(SYMORDER)
    out = tmp_path / "out"
    code = main(["check", str(path), "-p", "anonymous,sp-anonymous", "--certificate-dir", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "anonymous     HOLDS" in text and "sp-anonymous  HOLDS" in text
    for name in ("anonymous", "sp-anonymous"):
        recheck_file(out / f"symorder.{name}.cert.json")
    assert main(["check", str(path), "--all"]) == 0  # anonymity is among the default properties
    assert "anonymous          HOLDS" in capsys.readouterr().out


def _rp_bad_document() -> tuple[dict, list[tuple]]:
    """Random priority for agents 1, 2, 3 and objects a, b on the full domain, altered at the one
    profile (1: a > b; 2: b; 3: nothing), and the rankings in the file's order."""
    problem = Problem.make(["1", "2", "3"], "ab")
    domain = Domain.full(problem)
    table = table_of(domain, random_priority, "RP")
    order = [(), ("a",), ("b",), ("a", "b"), ("b", "a")]  # the full domain's order (by length)
    assert domain.preferences[0] == tuple(order)
    nums = np.array(table.numerators)  # over 3! = 6
    at = order.index(("a", "b")) * 25 + order.index(("b",)) * 5 + order.index(())
    # RP there: no conflict, 1 gets a and 2 gets b for sure; altered to 1: a 1/2, b 1/2 and
    # 2: b 1/2, nothing 1/2 (still valid: a sums to 1/2, b to 1)
    assert nums[at].tolist() == [[6, 0, 0], [0, 6, 0], [0, 0, 6]]
    nums[at] = [[3, 3, 0], [0, 3, 3], [0, 0, 6]]
    doc = {
        "format": "verified/assignment/1",
        "problem": {"agents": ["1", "2", "3"], "objects": ["a", "b"]},
        "domain": {"kind": "full"},
        "mechanism": {"name": "rp-bad", "denominator": 6, "numerators": nums.tolist()},
    }
    return doc, order


def test_cli_sp_anonymous_names_who_gets_what_where(tmp_path, capsys):
    doc, order = _rp_bad_document()
    nums = doc["mechanism"]["numerators"]
    # By hand: the generator [1, 0, 2] (swap agents 1 and 2) is checked first, profile by profile.
    # The first profile it touches that the alteration changed is R = (1: b; 2: a > b; 3: nothing)
    # (number 2*25 + 3*5 + 0 = 65), whose permuted profile is the altered one (number 85).
    r = order.index(("b",)) * 25 + order.index(("a", "b")) * 5 + order.index(())
    moved = order.index(("a", "b")) * 25 + order.index(("b",)) * 5 + order.index(())
    assert (r, moved) == (65, 85)
    # At R, RP gives 1: b (the only one who wants b), 2: a, 3: nothing -- so agent 2 gets a 1.
    assert nums[r] == [[0, 6, 0], [6, 0, 0], [0, 0, 6]]
    # At R o pi agent 1 reports a > b (agent 2's ranking at R) and gets a 1/2, b 1/2.
    assert nums[moved][0] == [3, 3, 0]
    path = tmp_path / "rp_bad.json"
    path.write_text(json.dumps(doc))
    assert main(["check", str(path), "-p", "sp-anonymous"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: {path}: orbit table: sp-anonymous checks anonymous mechanisms on orbits, and this one is "
        "not anonymous: at the profile (1: b; 2: a > b; 3: (none)) agent 2 gets a 1, but at the profile "
        "(1: a > b; 2: b; 3: (none)), the same reports with the agents permuted by [1, 0, 2], agent 1, who "
        "now reports agent 2's ranking a > b, gets a 1/2, b 1/2; check `sp` instead"
    )
    assert main(["check", str(path), "-p", "anonymous"]) == 1


def test_from_tabulated_refuses_a_non_anonymous_table_in_words():
    doc, _ = _rp_bad_document()
    problem = Problem.make(["1", "2", "3"], "ab")
    table = TabulatedMechanism(Domain.full(problem), np.array(doc["mechanism"]["numerators"]), 6)
    with pytest.raises(InvalidInput, match=r"agent 2 gets a 1, but at the profile"):
        OrbitTable.from_tabulated(table)


ANON_MIN = """format = "verified/statement/1"
question = "exists"
[problem]
agents = 2
objects = ["a"]
[profiles]
kind = "list"
list = [[[], ["a"]]]
[[unknowns]]
name = "f"
properties = ["anonymous"]
"""


def test_prove_gives_the_same_verdict_with_and_without_certificates(tmp_path, capsys):
    # One listed profile (1: nothing; 2: a): permuting the agents gives (1: a; 2: nothing), which is
    # not listed, so "anonymous between the profiles present" constrains nothing: HOLDS.
    path = tmp_path / "anon_min.toml"
    path.write_text(ANON_MIN)
    assert main(["prove", str(path)]) == 0
    assert f"{path}: exists  HOLDS" in capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["prove", str(path), "-c", str(out)]) == 0
    assert f"{path}: exists  HOLDS" in capsys.readouterr().out
    # the agents' rankings differ ({nothing} vs {a}): no certificate of the table kind, only the
    # statement's own
    assert sorted(p.name for p in out.iterdir()) == ["anon_min.exists.cert.json"]
    recheck_file(out / "anon_min.exists.cert.json")


def test_prove_certifies_anonymity_on_listed_profiles_in_another_order(tmp_path, capsys):
    # The four profiles of {a, nothing}^2, listed so that agent 1's rankings appear as a, nothing
    # and agent 2's as nothing, a: a domain with the same set in two orders.
    path = tmp_path / "reordered.toml"
    path.write_text(
        ANON_MIN.replace(
            'list = [[[], ["a"]]]', 'list = [[["a"], []], [["a"], ["a"]], [[], []], [[], ["a"]]]'
        )
    )
    out = tmp_path / "out"
    assert main(["prove", str(path), "-c", str(out)]) == 0
    assert "f is anonymous (holds)" in capsys.readouterr().out
    for cert in out.iterdir():
        recheck_file(cert)
    assert (out / "reordered.f.anonymous.cert.json").exists()


def test_the_checker_accepts_the_same_set_in_another_order(tmp_path):
    table = table_of(reordered_domain(), random_priority, "RP")
    doc = build_certificate("anonymous", check_anonymous(table), table_subject(table))
    assert doc["subject"]["encoding"]["domain"]["preferences"][1][0] == ["a", "b"]  # agent 1's own order kept
    recheck(doc)
    Path(tmp_path / "c.json").write_text(json.dumps(doc))
    recheck_file(tmp_path / "c.json")
