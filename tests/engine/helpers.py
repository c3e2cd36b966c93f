"""User mechanisms for the engine's tests, written as files next to a mechanism file (the way a
market designer gives them), so worker processes rebuild them from the file's path."""

from __future__ import annotations

from pathlib import Path

USER_CODE = '''
import os
import sys
from fractions import Fraction


def boston(problem, profile):
    """Immediate acceptance, priority = agent order (deterministic; rows {object: Fraction(1)})."""
    left = dict(zip(problem.objects, problem.capacities))
    got = [None] * len(profile)
    for k in range(len(problem.objects)):
        for i, ranking in enumerate(profile):
            if got[i] is None and k < len(ranking) and left[ranking[k]] > 0:
                left[ranking[k]] -= 1
                got[i] = ranking[k]
    return [{x: Fraction(1)} if x else {"outside": 1} for x in got]


def mixed(problem, profile):
    """Deterministic at some profiles (int 1), a lottery written as strings at others, and a
    Fraction lottery at the rest: every kind of answer the library reads."""
    first = [r[0] if r else None for r in profile]
    code = sum(len(r) for r in profile) % 3
    if code == 0:   # serial dictatorship, ints
        left = dict(zip(problem.objects, problem.capacities))
        rows = []
        for ranking in profile:
            pick = next((x for x in ranking if left[x] > 0), None)
            if pick is None:
                rows.append({"outside": 1})
            else:
                left[pick] -= 1
                rows.append({pick: 1})
        return rows
    n = len(profile)
    share = {}
    for x in first:
        if x is not None:
            share[x] = share.get(x, 0) + 1
    rows = []
    for x in first:
        if x is None:
            rows.append({"outside": 1})
            continue
        p = Fraction(min(1, Fraction(1, share[x])))
        if code == 1:
            rows.append({x: str(p), "outside": str(1 - p)})
        else:
            rows.append({x: p, "outside": 1 - p})
    return rows


def random_boston_like(profile):
    """A one-argument function with denominators 2 and 3 at different profiles."""
    d = 2 if len(profile[0]) % 2 else 3
    last = {"outside": Fraction(d - 1, d), profile[-1][0]: Fraction(1, d)} if profile[-1] else {"outside": 1}
    return [{"outside": 1} for _ in profile[:-1]] + [last]


def raises_at_some(profile):
    if len(profile[0]) == 2 and len(profile[-1]) == 1:
        raise ValueError("not at this profile")
    return [{"outside": 1} for _ in profile]


def exits_at_some(profile):
    if len(profile[0]) == 2 and len(profile[-1]) == 1:
        sys.exit(0)
    return [{"outside": 1} for _ in profile]


def dies_at_some(profile):
    if len(profile[0]) == 2 and len(profile[-1]) == 1:
        os._exit(7)
    return [{"outside": 1} for _ in profile]


def dies_once(profile):
    """Kills its process the first time it reaches the profile (ab, ..., a) (a marker file next
    to this module remembers it), then answers normally: a worker lost mid-range, once."""
    marker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "died.marker")
    if len(profile[0]) == 2 and len(profile[-1]) == 1 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(9)
    return [{"outside": 1} for _ in profile]


def floats(profile):
    return [{"outside": 0.5, r[0]: 0.5} if r else {"outside": 1} for r in profile]


def over_capacity(profile):
    """Everybody gets object a at one profile: more than its one copy."""
    if all(r and r[0] == "a" for r in profile):
        return [{"a": 1} for _ in profile]
    return [{"outside": 1} for _ in profile]


def serial_dictatorship(problem, profile):
    """Agents pick in name order, each her best listed object left (strategy-proof)."""
    left = dict(zip(problem.objects, problem.capacities))
    rows = []
    for ranking in profile:
        pick = next((x for x in ranking if left[x] > 0), None)
        if pick is not None:
            left[pick] -= 1
        rows.append({pick: 1} if pick else {"outside": 1})
    return rows


def unlisted(profile):
    """Agent 1 gets half of object a whenever her ranking is not empty, listed or not (not IR)."""
    rows = [{"outside": 1} for _ in profile]
    if profile[0]:
        rows[0] = {"a": Fraction(1, 2), "outside": Fraction(1, 2)}
    return rows


ANSWERS = {}


def scripted(profile):
    """The answer a test put in ``ANSWERS`` for this profile (default: nothing for anyone)."""
    return ANSWERS.get(tuple(profile), [{"outside": 1} for _ in profile])


def slow(profile):
    import time
    time.sleep(0.05)
    return [{"outside": 1} for _ in profile]
'''


def write_problem(
    directory: Path,
    function: str,
    agents: int = 3,
    objects: str = "ab",
    capacities: dict[str, int] | None = None,
    stem: str | None = None,
    extra: str = "",
) -> Path:
    """``directory/STEM.toml`` naming ``engine_user.py:FUNCTION`` on a full domain."""
    (directory / "engine_user.py").write_text(USER_CODE)
    names = ", ".join(f'"{i + 1}"' for i in range(agents))
    objs = ", ".join(f'"{x}"' for x in objects)
    caps = ""
    if capacities:
        caps = "\ncapacities = { " + ", ".join(f"{x} = {q}" for x, q in capacities.items()) + " }"
    path = directory / f"{stem or function}.toml"
    path.write_text(
        f'format = "verified/assignment/1"\n{extra}\n'
        f"[problem]\nagents = [{names}]\nobjects = [{objs}]{caps}\n"
        f'[domain]\nkind = "full"\n[mechanism]\npython = "engine_user.py:{function}"\nname = "{function}"\n'
    )
    return path


PLANTED = '''

def planted(problem, profile):
    """Serial dictatorship (strategy-proof), except at one profile where agent 1 gets nothing:
    there she gains by reporting differently (planted counterexample)."""
    left = dict(zip(problem.objects, problem.capacities))
    rows = []
    for ranking in profile:
        pick = next((x for x in ranking if left[x] > 0), None)
        if pick is None:
            rows.append({"outside": 1})
        else:
            left[pick] -= 1
            rows.append({pick: 1})
    if [list(r) for r in profile] == PLANT_AT:
        rows[0] = {"outside": 1}
    return rows
'''


def write_planted(directory: Path, plant_at: list[list[str]], agents: int = 3, objects: str = "ab") -> Path:
    """``planted`` (above) with its counterexample at ``plant_at``."""
    path = write_problem(directory, "planted", agents, objects)
    module = directory / "engine_user.py"
    module.write_text(module.read_text() + PLANTED + f"\nPLANT_AT = {plant_at!r}\n")
    return path
