"""The organisation file: the municipality, its forvaltninger and optional targets, servicemål and initiatives.

Only ``municipality`` and ``forvaltninger`` are required. A key that is not known is an error that names it
(so a typo never passes silently).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import UserError

DEFAULT_PATH = Path("parameters") / "organisation.yaml"
ENV_PATH = "KVALITET_ORGANISATION"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Forvaltning(_Strict):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)


class Initiative(_Strict):
    """An initiative whose effect is to be estimated (interrupted time series from ``start``)."""

    name: str
    forvaltning: str
    area: str | None = None
    start: date
    indicators: list[str] = Field(default_factory=list)
    description: str | None = None


class Organisation(_Strict):
    municipality: str = Field(min_length=1)
    forvaltninger: list[Forvaltning] = Field(min_length=1)
    #: servicemål in days per area, used when a case carries no target_days of its own.
    servicemaal: dict[str, int] = Field(default_factory=dict)
    initiatives: list[Initiative] = Field(default_factory=list)
    #: targets and thresholds per indicator (documented with the indicator engine).
    targets: dict[str, Any] = Field(default_factory=dict)
    thresholds: dict[str, Any] = Field(default_factory=dict)
    #: the first year of a biennium is odd unless configured otherwise.
    biennium_start: str = "odd"

    @field_validator("forvaltninger")
    @classmethod
    def _unique_codes(cls, v: list[Forvaltning]) -> list[Forvaltning]:
        seen: set[str] = set()
        for f in v:
            key = f.code.casefold()
            if key in seen:
                raise ValueError(f"forvaltningskoden {f.code} står to gange")
            seen.add(key)
        return v

    @model_validator(mode="after")
    def _initiatives_known(self) -> "Organisation":
        codes = {f.code for f in self.forvaltninger}
        for i in self.initiatives:
            if i.forvaltning not in codes:
                raise ValueError(f"indsatsen {i.name!r} nævner forvaltningen {i.forvaltning}, som ikke er erklæret")
        return self

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.forvaltninger]

    def name_of(self, code: str) -> str:
        for f in self.forvaltninger:
            if f.code == code:
                return f.name
        raise KeyError(code)

    def code_lookup(self) -> dict[str, str]:
        """Case-folded code or name -> declared code."""
        out = {}
        for f in self.forvaltninger:
            out[f.code.casefold()] = f.code
            out[" ".join(f.name.split()).casefold()] = f.code
        return out


def resolve_path(path: str | Path | None = None) -> Path:
    if path:
        return Path(path)
    env = os.environ.get(ENV_PATH)
    return Path(env) if env else DEFAULT_PATH


def load(path: str | Path | None = None) -> Organisation:
    """Read and validate the organisation file; a mistake raises UserError naming the file and the key."""
    p = resolve_path(path)
    if not p.exists():
        raise UserError(f"{p}: organisationsfilen findes ikke (angiv en anden med --organisation)")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UserError(f"{p}: kan ikke læses som YAML: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{p}: skal indeholde nøglerne 'municipality' og 'forvaltninger'")
    try:
        return Organisation.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "(filen)"
            msg = "ukendt nøgle" if err["type"] == "extra_forbidden" else err["msg"]
            if err["type"] == "missing":
                msg = "mangler"
            lines.append(f"  {loc}: {msg}")
        raise UserError(f"{p}: organisationsfilen er ikke gyldig:\n" + "\n".join(lines)) from None
