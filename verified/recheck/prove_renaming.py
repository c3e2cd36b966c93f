"""A case proved by renaming another (standard library only; `verified.recheck.prove` calls it).

At a split where no atom has been chosen yet (the root of the proof), a case may read
``{"same_as": j, "agents": [...], "objects": [...]}``: the case of atom ``k`` is the proved case
of an earlier atom ``j`` with agent ``i`` renamed ``agents[i]`` and object ``x`` renamed
``objects[x]``. It is accepted when

* the renaming is a pair of permutations, and each object keeps its capacity;
* the statement names no agent and no object: no unknown is a known mechanism and every
  property is one whose definition is anonymous and neutral (ex post stability for given
  priorities is not; every relation is);
* the renaming maps the statement's set of profiles onto itself (agent ``agents[i]`` reports
  agent ``i``'s ranking, objects renamed); and
* it maps atom ``j`` (as a set of reasons) onto atom ``k``.

Then renaming is a bijection of the variables that maps every row and clause of the statement
onto one of the statement's own, so a solution where atom ``k`` holds, renamed back, would be a
solution where atom ``j`` holds; case ``j`` proved there is none.
"""

from __future__ import annotations

from verified.recheck.core import ensure, exact_keys, integer

#: Properties defined without naming an agent or an object.
SYMMETRIC = frozenset({"ir", "sp", "ete", "nonwasteful", "sd-efficient", "anonymous", "ex-post-efficient"})


def _permutation(value: object, size: int, where: str) -> list[int]:
    ensure(isinstance(value, list) and len(value) == size, f"{where}: expected a permutation of {size}")
    out = [integer(v, where) for v in value]
    ensure(sorted(out) == list(range(size)), f"{where}: not a permutation")
    return out


def check_renamed_case(statement: object, atoms: list[list], k: int, case: dict) -> None:
    """Accept case ``k`` of a root split over ``atoms`` as a renamed earlier case (see module
    docstring), or raise `RecheckError`."""
    s = statement
    case = exact_keys(case, ("same_as", "agents", "objects"), (), f"proof case {k}")
    j = integer(case["same_as"], f"proof case {k}.same_as")
    ensure(0 <= j < k, f"proof case {k}: same_as must name an earlier case")
    agents = _permutation(case["agents"], s.n, f"proof case {k}.agents")
    objects = _permutation(case["objects"], s.m, f"proof case {k}.objects")
    ensure(
        all(s.capacities[objects[x]] == s.capacities[x] for x in range(s.m)),
        f"proof case {k}: the renaming changes an object's capacity",
    )
    ensure(not s.fixed, f"proof case {k}: a known mechanism names agents and objects: no renaming")
    ensure(
        all(props <= SYMMETRIC for props in s.properties.values()),
        f"proof case {k}: a property names agents or objects (priorities): no renaming",
    )
    number = {profile: p for p, profile in enumerate(s.profiles)}

    def profile(p: int) -> int:
        image: list = [None] * s.n
        for i, ranking in enumerate(s.profiles[p]):
            image[agents[i]] = tuple(s.objects[objects[s.column[x]]] for x in ranking)
        found = number.get(tuple(image))
        ensure(found is not None, f"proof case {k}: the renaming leaves the statement's profiles")
        return found

    for p in range(len(s.profiles)):  # onto itself: the map is injective, so every image present
        profile(p)

    def column(x: int) -> int:
        return x if x == s.m else objects[x]

    def renamed(reason: list) -> list:
        kind = reason[0]
        if kind == "strict":
            return [kind, reason[1], reason[2], profile(reason[3]), agents[reason[4]], reason[5]]
        if kind in ("more", "less"):
            return [kind, reason[1], reason[2], profile(reason[3]), agents[reason[4]]]
        if kind == "size-more":
            return [kind, reason[1], reason[2], profile(reason[3])]
        if kind in ("unused", "zero"):
            return [kind, reason[1], profile(reason[2]), agents[reason[3]], column(reason[4])]
        if kind == "full":
            return [kind, reason[1], profile(reason[2]), column(reason[3])]
        ensure(False, f"proof case {k}: an atom of kind {kind!r} is not renamed")
        raise AssertionError  # pragma: no cover

    image = sorted(renamed(r) for r in atoms[j])
    ensure(image == sorted(atoms[k]), f"proof case {k}: the renaming does not map atom {j} onto atom {k}")
