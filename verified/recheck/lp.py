"""Exact LP certificates, re-verified with Fractions (stdlib only).

An LP is ``{"variables": [...], "constraints": [{"name", "coefficients": {var: q},
"sense": "<=" | ">=" | "==", "rhs": q}], "objective": {var: q}, "sense": "min" | "max",
"lower": {var: q or null}}`` (`verified.lp.LinearProgram.to_evidence`); a missing lower
bound is 0, null means free. Certificates follow `verified.lp.certificates`:

* optimal: dual y with signs (min: >= for ">=", <= for "<="; max: the opposite; free
  for "=="), reduced costs d = c - A^T y with d_j = 0 for free j and d_j >= 0 (min) /
  <= 0 (max) otherwise, and b.y + sum d_j l_j equal to the claimed objective; a primal
  x, when given, is feasible with c.x equal to it. Then no feasible point beats it.
* infeasible: Farkas y with y >= 0 on ">=", <= 0 on "<=", g = A^T y with g_j = 0 for
  free j and g_j <= 0 otherwise, and b.y > sum g_j l_j.
"""

from __future__ import annotations

from fractions import Fraction

from verified.recheck.core import ensure, fail, field, rational

Q = Fraction


class Program:
    """An LP read from its JSON form, all numbers exact."""

    def __init__(self, lp: dict) -> None:
        self.variables = list(field(lp, "variables", "lp"))
        self.sense = field(lp, "sense", "lp")
        ensure(self.sense in ("min", "max"), f"lp sense {self.sense!r}")
        self.objective = {v: rational(q, f"objective[{v}]") for v, q in lp.get("objective", {}).items()}
        lower = lp.get("lower", {})
        self.lower = {
            v: (None if lower.get(v, 0) is None else rational(lower.get(v, 0), v)) for v in self.variables
        }
        self.rows = []
        known = set(self.variables)
        for c in field(lp, "constraints", "lp"):
            coeffs = {
                v: rational(q, f"{c.get('name')}[{v}]") for v, q in field(c, "coefficients", "row").items()
            }
            ensure(set(coeffs) <= known, f"constraint {c.get('name')!r} uses unknown variables")
            ensure(c.get("sense") in ("<=", ">=", "=="), f"constraint {c.get('name')!r}: bad sense")
            self.rows.append((c["name"], coeffs, c["sense"], rational(c["rhs"], f"{c['name']}.rhs")))
        ensure(len({r[0] for r in self.rows}) == len(self.rows), "constraint names repeat")

    def _multipliers(self, values: dict, what: str) -> dict[str, Fraction]:
        names = {r[0] for r in self.rows}
        ensure(set(values) <= names, f"{what} names unknown constraints")
        return {name: rational(values.get(name, 0), f"{what}[{name}]") for name in names}

    def _transpose(self, y: dict[str, Fraction]) -> dict[str, Fraction]:
        g = {v: Q(0) for v in self.variables}
        for name, coeffs, _, _ in self.rows:
            if y[name]:
                for v, a in coeffs.items():
                    g[v] += y[name] * a
        return g

    def feasible(self, x: dict[str, Fraction]) -> None:
        for v in self.variables:
            low = self.lower[v]
            ensure(low is None or x.get(v, Q(0)) >= low, f"primal {v} below its lower bound")
        for name, coeffs, sense, rhs in self.rows:
            lhs = sum((a * x.get(v, Q(0)) for v, a in coeffs.items()), Q(0))
            ok = lhs <= rhs if sense == "<=" else lhs >= rhs if sense == ">=" else lhs == rhs
            ensure(ok, f"primal violates constraint {name!r}")

    def check_optimal(self, cert: dict) -> Fraction:
        """Verify an optimality certificate; return the proven optimal value."""
        y = self._multipliers(cert.get("dual", {}), "dual")
        sign = 1 if self.sense == "min" else -1  # min: y >= 0 on ">="
        for name, _, rel, _ in self.rows:
            if rel == ">=":
                ensure(sign * y[name] >= 0, f"dual {name!r} has the wrong sign")
            elif rel == "<=":
                ensure(sign * y[name] <= 0, f"dual {name!r} has the wrong sign")
        g = self._transpose(y)
        value = sum((y[name] * rhs for name, _, _, rhs in self.rows), Q(0))
        for v in self.variables:
            d = self.objective.get(v, Q(0)) - g[v]
            if self.lower[v] is None:
                ensure(d == 0, f"reduced cost of free variable {v} is not 0")
            else:
                ensure(sign * d >= 0, f"reduced cost of {v} has the wrong sign")
                value += d * self.lower[v]
        claimed = rational(field(cert, "objective", "certificate"), "objective")
        ensure(value == claimed, f"dual objective {value} differs from the claimed optimum {claimed}")
        if "primal" in cert:
            x = {v: rational(q, f"primal[{v}]") for v, q in cert["primal"].items()}
            ensure(set(x) <= set(self.variables), "primal names unknown variables")
            self.feasible(x)
            cx = sum((c * x.get(v, Q(0)) for v, c in self.objective.items()), Q(0))
            ensure(cx == claimed, "primal objective differs from the claimed optimum")
        return claimed

    def check_infeasible(self, cert: dict) -> None:
        y = self._multipliers(field(cert, "farkas", "certificate"), "farkas")
        for name, _, rel, _ in self.rows:
            if rel == ">=":
                ensure(y[name] >= 0, f"Farkas multiplier {name!r} must be >= 0")
            elif rel == "<=":
                ensure(y[name] <= 0, f"Farkas multiplier {name!r} must be <= 0")
        g = self._transpose(y)
        bound = Q(0)
        for v in self.variables:
            if self.lower[v] is None:
                ensure(g[v] == 0, f"Farkas combination of free variable {v} is not 0")
            else:
                ensure(g[v] <= 0, f"Farkas combination of {v} is positive")
                bound += g[v] * self.lower[v]
        by = sum((y[name] * rhs for name, _, _, rhs in self.rows), Q(0))
        ensure(by > bound, "the Farkas combination does not separate (b.y <= bound)")


def recheck_lp(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    """Subject ``{"family": "lp", "kind": "linear_program", "lp": {...}}``; property
    ``optimal`` (evidence: an optimal certificate) or ``feasible`` (fails: Farkas)."""
    program = Program(field(encoding, "lp", "subject"))
    status = evidence.get("status")
    if prop == "feasible" and verdict == "fails":
        ensure(status == "infeasible", "a 'fails' verdict for feasibility needs a Farkas certificate")
        program.check_infeasible(evidence)
    elif prop == "optimal" and verdict == "holds":
        ensure(status == "optimal", "an optimality claim needs an optimal certificate")
        program.check_optimal(evidence)
    else:
        fail(f"no independent checker for LP property {prop!r} with verdict {verdict!r}")
