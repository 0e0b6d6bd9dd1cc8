"""environment.yml (for conda users) stays in step with pyproject.toml (the source of truth)."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT

# conda-forge names that differ from PyPI's
CONDA_NAMES = {"duckdb": "python-duckdb"}


def _parse(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:>=\s*([0-9][^,;\s]*))?", spec)
    return m.group(1).lower(), m.group(2) or ""


def test_every_dependency_of_pyproject_is_in_environment_yml_with_the_same_lower_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"],
              *project["optional-dependencies"]["lab"]]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = dict(_parse(d) for d in env["dependencies"] if isinstance(d, str))
    assert conda.get("python") == "3.11" and project["requires-python"] == ">=3.11"
    for spec in wanted:
        name, bound = _parse(spec)
        conda_name = CONDA_NAMES.get(name, name)
        assert conda_name in conda, f"{name} from pyproject.toml is missing in environment.yml"
        assert conda[conda_name] == bound, f"{name}: pyproject >= {bound}, environment.yml >= {conda[conda_name]}"


def test_environment_yml_lists_nothing_pyproject_does_not():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_parse(s)[0] for s in [*project["dependencies"], *sum(project["optional-dependencies"].values(), [])]}
    names = {CONDA_NAMES.get(n, n) for n in names} | {"python", "pip"}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    extra = {_parse(d)[0] for d in env["dependencies"] if isinstance(d, str)} - names
    assert not extra, f"environment.yml has dependencies pyproject.toml does not: {extra}"
