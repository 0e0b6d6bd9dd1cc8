"""constraints.txt (the exact versions `make` installs and CI tests) pins every dependency of pyproject.toml, runtime
and test, with a version that satisfies pyproject's lower bound; the Makefile installs from it."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT
from packaging.version import Version
from test_environment import _parse


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"constraints.txt: '{line}' is not an exact pin (name==version)"
        assert _canonical(m.group(1)) not in out, f"constraints.txt pins {m.group(1)} twice"
        out[_canonical(m.group(1))] = m.group(2)
    return out


def violations(pinned: dict[str, str], specs: list[str]) -> list[str]:
    """Each dependency spec (``name>=bound``) not pinned, or pinned below its bound."""
    out = []
    for spec in specs:
        name, bound = _parse(spec)
        version = pinned.get(_canonical(name))
        if not bound:
            out.append(f"{spec}: no lower bound in pyproject.toml")
        elif version is None:
            out.append(f"{name}: not pinned in constraints.txt")
        elif Version(version) < Version(bound):
            out.append(f"{name}: constraints.txt pins {version}, pyproject.toml asks >= {bound}")
    return out


def test_constraints_pin_every_dependency_of_pyproject_within_its_lower_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = pins()
    assert "kvalitet" not in pinned
    assert violations(pinned, [*project["dependencies"], *project["optional-dependencies"]["test"]]) == []


def test_a_missing_pin_or_one_below_the_bound_is_found():
    # compared as versions, not as text: 1.10 satisfies >= 1.9, 0.14.0 does not satisfy >= 0.14.1
    pinned = {"numpy": "1.10", "statsmodels": "0.14.0", "py-yaml": "6.0"}
    assert violations(pinned, ["numpy>=1.9", "statsmodels>=0.14.1", "PY_YAML>=6.0", "scipy>=1.11"]) == [
        "statsmodels: constraints.txt pins 0.14.0, pyproject.toml asks >= 0.14.1",
        "scipy: not pinned in constraints.txt",
    ]


def test_make_installs_from_the_constraints():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line for line in makefile.splitlines() if "pip install" in line and "-e '." in line]
    assert installs and all("-c constraints.txt" in line for line in installs)
    assert re.search(r"^\$\(STAMP\): pyproject\.toml constraints\.txt$", makefile, re.MULTILINE)
    assert re.search(r"^constraints: .*## ", makefile, re.MULTILINE)
