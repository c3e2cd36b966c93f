"""Exact LP certificates, re-verified with Fractions (stdlib only).

An LP is exactly ``{"variables": [...], "constraints": [{"name", "coefficients": {var: q},
"sense": "<=" | ">=" | "==", "rhs": q}], "objective": {var: q}, "sense": "min" | "max",
["lower": {var: q or null}]}`` (`verified.lp.LinearProgram.to_evidence`); a missing lower
bound is 0, null means free. Variable and constraint names are distinct strings; every
coefficient names a declared variable. Certificates follow `verified.lp.certificates` and
carry exactly these fields:

* ``{"kind": "lp_certificate", "status": "optimal", "primal", "dual", "reduced_costs",
  "objective"}``: dual y with signs (min: >= 0 on ">=", <= 0 on "<="; max: the opposite;
  free on "=="), reduced costs d = c - A^T y with d_j = 0 for free j and d_j >= 0 (min) /
  <= 0 (max) otherwise, equal to the stated ``reduced_costs`` (a missing entry is 0),
  b.y + sum d_j l_j equal to the claimed ``objective``; the primal x is feasible with
  c.x equal to it. Then no feasible point beats it, and the optimum is attained.
* ``{"kind": "lp_certificate", "status": "infeasible", "farkas"}``: y >= 0 on ">=",
  <= 0 on "<=", g = A^T y with g_j = 0 for free j and g_j <= 0 otherwise, and
  b.y > sum g_j l_j: no x satisfies the constraints.
"""

from __future__ import annotations

from fractions import Fraction

from verified.recheck.core import ensure, exact_keys, fail, rational, text, text_list

Q = Fraction
LP_KEYS = ("variables", "constraints", "objective", "sense")
FIELDS = {
    "optimal": ("kind", "status", "primal", "dual", "reduced_costs", "objective"),
    "infeasible": ("kind", "status", "farkas"),
}


def _vector(values: object, known: list[str] | set[str], where: str) -> dict[str, Fraction]:
    """A mapping name -> rational over known names (a missing name is 0)."""
    mapping = exact_keys(values, (), known, where)
    return {k: rational(v, f"{where}[{k!r}]") for k, v in mapping.items()}


class Program:
    """An LP read from its JSON form, all numbers exact, every field checked."""

    def __init__(self, lp: object, where: str = "lp") -> None:
        spec = exact_keys(lp, LP_KEYS, ("lower",), where)
        self.variables = text_list(spec["variables"], f"{where}.variables")
        known = set(self.variables)
        self.sense = spec["sense"]
        ensure(self.sense in ("min", "max"), f"{where}.sense: {self.sense!r}")
        self.objective = _vector(spec["objective"], known, f"{where}.objective")
        lower = exact_keys(spec.get("lower", {}), (), known, f"{where}.lower")
        self.lower = {
            v: None if lower.get(v, 0) is None else rational(lower.get(v, 0), f"{where}.lower[{v!r}]")
            for v in self.variables
        }
        rows = spec["constraints"]
        ensure(isinstance(rows, list), f"{where}.constraints: expected a list")
        self.rows: list[tuple[str, dict[str, Fraction], str, Fraction]] = []
        for k, raw in enumerate(rows):  # type: ignore[arg-type]
            place = f"{where}.constraints[{k}]"
            c = exact_keys(raw, ("name", "coefficients", "sense", "rhs"), (), place)
            name = text(c["name"], f"{place}.name")
            ensure(c["sense"] in ("<=", ">=", "=="), f"{place}.sense: {c['sense']!r}")
            coeffs = _vector(c["coefficients"], known, f"{place}.coefficients")
            self.rows.append((name, coeffs, c["sense"], rational(c["rhs"], f"{place}.rhs")))
        ensure(len({r[0] for r in self.rows}) == len(self.rows), f"{where}: constraint names repeat")
        self.names = [r[0] for r in self.rows]

    def normal(self) -> tuple:
        """The program up to zero coefficients and spelling of numbers (for comparisons)."""

        def nz(d: dict[str, Fraction]) -> dict[str, Fraction]:
            return {k: v for k, v in d.items() if v}

        rows = [(n, nz(c), s, r) for n, c, s, r in self.rows]
        return (self.variables, rows, nz(self.objective), self.sense, self.lower)

    def _transpose(self, y: dict[str, Fraction]) -> dict[str, Fraction]:
        g = {v: Q(0) for v in self.variables}
        for name, coeffs, _, _ in self.rows:
            if y.get(name):
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

    def check_certificate(self, cert: object, status: str, where: str = "certificate") -> Fraction | None:
        """Verify a certificate of the expected ``status`` with exactly its fields; return the
        proven optimum (optimal) or None (infeasible)."""
        cert = exact_keys(cert, FIELDS[status], (), where)
        ensure(cert["kind"] == "lp_certificate", f"{where}.kind: expected 'lp_certificate'")
        ensure(cert["status"] == status, f"{where}.status: expected {status!r}")
        if status == "optimal":
            return self.check_optimal(cert, where)
        self.check_infeasible(cert, where)
        return None

    def check_optimal(self, cert: dict, where: str = "certificate") -> Fraction:
        """Verify an optimality certificate; return the proven optimal value."""
        y = _vector(cert["dual"], set(self.names), f"{where}.dual")
        sign = 1 if self.sense == "min" else -1  # min: y >= 0 on ">="
        for name, _, rel, _ in self.rows:
            if rel == ">=":
                ensure(sign * y.get(name, Q(0)) >= 0, f"dual {name!r} has the wrong sign")
            elif rel == "<=":
                ensure(sign * y.get(name, Q(0)) <= 0, f"dual {name!r} has the wrong sign")
        g = self._transpose(y)
        value = sum((y.get(name, Q(0)) * rhs for name, _, _, rhs in self.rows), Q(0))
        stated = _vector(cert["reduced_costs"], set(self.variables), f"{where}.reduced_costs")
        for v in self.variables:
            d = self.objective.get(v, Q(0)) - g[v]
            ensure(
                stated.get(v, Q(0)) == d,
                f"{where}.reduced_costs[{v!r}]: stated {stated.get(v, 0)}, c - A^T y = {d}",
            )
            if self.lower[v] is None:
                ensure(d == 0, f"reduced cost of free variable {v} is not 0")
            else:
                ensure(sign * d >= 0, f"reduced cost of {v} has the wrong sign")
                value += d * self.lower[v]  # type: ignore[operator]
        claimed = rational(cert["objective"], f"{where}.objective")
        ensure(value == claimed, f"dual objective {value} differs from the claimed optimum {claimed}")
        x = _vector(cert["primal"], set(self.variables), f"{where}.primal")
        self.feasible(x)
        cx = sum((c * x.get(v, Q(0)) for v, c in self.objective.items()), Q(0))
        ensure(cx == claimed, "primal objective differs from the claimed optimum")
        return claimed

    def check_infeasible(self, cert: dict, where: str = "certificate") -> None:
        y = _vector(cert["farkas"], set(self.names), f"{where}.farkas")
        for name, _, rel, _ in self.rows:
            if rel == ">=":
                ensure(y.get(name, Q(0)) >= 0, f"Farkas multiplier {name!r} must be >= 0")
            elif rel == "<=":
                ensure(y.get(name, Q(0)) <= 0, f"Farkas multiplier {name!r} must be <= 0")
        g = self._transpose(y)
        bound = Q(0)
        for v in self.variables:
            if self.lower[v] is None:
                ensure(g[v] == 0, f"Farkas combination of free variable {v} is not 0")
            else:
                ensure(g[v] <= 0, f"Farkas combination of {v} is positive")
                bound += g[v] * self.lower[v]  # type: ignore[operator]
        by = sum((y.get(name, Q(0)) * rhs for name, _, _, rhs in self.rows), Q(0))
        ensure(by > bound, "the Farkas combination does not separate (b.y <= bound)")


def same_program(stated: Program, expected: Program, where: str) -> None:
    """The stated LP is the re-derived one (same variables, rows, objective, bounds)."""
    ensure(stated.normal() == expected.normal(), f"{where}: not the LP re-derived from the subject")


#: (property, verdict) -> the certificate status it needs
LP_CLAIMS = {("optimal", "holds"): "optimal", ("feasible", "fails"): "infeasible"}


def recheck_lp(prop: str, verdict: str, evidence: dict, encoding: dict) -> None:
    """Subject exactly ``{"family": "lp", "kind": "linear_program", "lp": {...}}``; property
    ``optimal`` holds (evidence: an optimal certificate: the LP has an optimum, of the stated
    value) or ``feasible`` fails (evidence: a Farkas certificate)."""
    status = LP_CLAIMS.get((prop, verdict))
    if status is None:
        fail(f"no independent checker for LP property {prop!r} with verdict {verdict!r}")
    subject = exact_keys(encoding, ("family", "kind", "lp"), (), "subject.encoding")
    ensure(
        subject["kind"] == "linear_program",
        f"subject.kind: expected 'linear_program', got {subject['kind']!r}",
    )
    Program(subject["lp"], "subject.lp").check_certificate(evidence, status, "evidence")  # type: ignore[arg-type]
