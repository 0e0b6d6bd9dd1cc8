"""The organisation file: the municipality, its forvaltninger and optional targets, servicemål and initiatives.

Only ``municipality`` and ``forvaltninger`` are required. A key that is not known is an error that names it
(so a typo never passes silently).
"""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import (
    BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError, create_model, field_validator, model_validator,
)

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


class Band(_Strict):
    """A target: ``low`` (mindst) and/or ``high`` (højst), as a share (0.8) or in the indicator's unit."""

    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "Band":
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) er større end high ({self.high})")
        return self


class Target(Band):
    """A target for one indicator, with optional overrides per forvaltning and per area (område).

    An override replaces the general target for rows of that forvaltning (or area; the area wins when both apply).
    Count targets (complaints_received, inquiries_received, open_cases_over_target) are per year and scaled to
    the period (half a year: half the måltal).
    """

    per_forvaltning: dict[str, Band] = Field(default_factory=dict)
    per_area: dict[str, Band] = Field(default_factory=dict)


class ServiceTier(_Strict):
    """A servicemål share target: at least ``share`` of the cases decided within ``days`` days."""

    days: int = Field(gt=0)
    share: float = Field(gt=0, le=1)


class Targets(_Strict):
    """Targets per indicator (keys are indicator ids; documented in docs/indikatorer.md).

    The model has a field per catalogue indicator, made from the catalogue by :func:`targets_model` (so a new
    indicator takes a target without a change here); its default is the catalogue entry's ``target``
    (appeal_upheld_share 80–85 %, the forvaltning's own målsætning for how often the appeal body upholds its
    decisions), and audit_error_share and audit_item_error_share are judged against the threshold in
    ``thresholds`` (at most 25 %) when no target is given; every other indicator has no target.
    ``service_tiers`` gives servicemål share targets per area, e.g. 50 % within 90 days and 75 % within 180 days.
    """

    service_tiers: dict[str, list[ServiceTier]] = Field(default_factory=dict)

    def for_indicator(self, indicator_id: str) -> Target | None:
        return getattr(self, indicator_id, None)


@lru_cache(maxsize=8)
def _targets_model(entries: tuple[tuple[str, tuple | None], ...]) -> type[Targets]:
    fields = {i: (Target | None, Target(low=t[0], high=t[1]) if t is not None else None) for i, t in entries}
    return create_model("Targets", __base__=Targets, __module__=__name__, **fields)


def targets_model() -> type[Targets]:
    """The :class:`Targets` model of the catalogue as it is now: one optional :class:`Target` per indicator."""
    from .catalogue import CATALOGUE

    return _targets_model(tuple((i.id, i.target) for i in CATALOGUE.values()))


class RiskRule(_Strict):
    """The rule for risk tiers (risikobaseret ledelsestilsyn); see kvalitet.risk and docs/indikatorer.md."""

    #: points from the manual scores: a score of 3 in economy, legal or IT gives this many points each
    manual_high_points: int = 2
    #: a score of 2 gives this many points each
    manual_medium_points: int = 1
    #: points for each indicator signal (audit over the threshold, reversal share over target, ...)
    signal_points: int = 1
    #: extra point when the audit error share is 'sikkert over' the threshold
    surely_over_points: int = 1
    #: points at or above which the tier is 2 (tilsyn) and 3 (intensiveret tilsyn)
    tier2_from: int = 2
    tier3_from: int = 4
    #: wanted precision (± share) of the audit error share per tier 1, 2, 3
    precision: list[float] = Field(default_factory=lambda: [0.15, 0.10, 0.075], min_length=3, max_length=3)
    #: expected error share used for the sample size
    expected_error_share: float = Field(default=0.25, gt=0, lt=1)
    #: a reversal share above this is a signal when no target is configured
    reversal_share_above: float = Field(default=0.25, gt=0, lt=1)
    #: a service_target_share below this is a signal when no target is configured
    service_share_below: float = Field(default=0.75, gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> "RiskRule":
        if not 0 < self.tier2_from <= self.tier3_from:
            raise ValueError("tier2_from skal være positiv og højst tier3_from")
        if any(not 0 < p < 1 for p in self.precision):
            raise ValueError("precision skal være andele mellem 0 og 1, f.eks. [0.15, 0.10, 0.075]")
        return self


class Thresholds(_Strict):
    """Thresholds (documented in docs/indikatorer.md): audit error share 25 %, FDR level 5 %, risk rule."""

    audit_error_share: float = Field(default=0.25, ge=0, lt=1)
    #: false discovery rate for the trend screening (q-values below it give a direction)
    fdr: float = Field(default=0.05, gt=0, lt=1)
    #: confidence level of every interval
    conf: float = Field(default=0.95, gt=0, lt=1)
    #: minimum number of periods for a trend test
    min_periods: int = Field(default=5, ge=3)
    risk: RiskRule = Field(default_factory=RiskRule)


class FokusCycle(_Strict):
    """The FOKUS cycle: the Borgerrådgiver evaluates each forvaltning every ``every`` years, first in
    ``first_evaluation_year``; the years between are status years (kvalitet.fokus.fokus_plan)."""

    first_evaluation_year: int = 2015
    every: int = 2

    @field_validator("first_evaluation_year")
    @classmethod
    def _plausible_year(cls, v: int) -> int:
        if not 2000 <= v <= 2100:
            raise ValueError(f"first_evaluation_year skal være et årstal mellem 2000 og 2100, ikke {v}")
        return v

    @field_validator("every")
    @classmethod
    def _at_least_one(cls, v: int) -> int:
        if not 1 <= v <= 10:
            raise ValueError(f"every skal være et helt antal år mellem 1 og 10, ikke {v}")
        return v


class DanmarkskortSettings(_Strict):
    """The Danmarkskort report's comparison group: the kommuner listed in ``comparison_group`` (any spelling or
    kommunekode; ``name`` is what the report calls the group, e.g. "De seks største byer"), or the kommune's own
    region (``region: true``, also what happens when neither is given). The kommune itself is left out of its group.
    """

    comparison_group: list[str] = Field(default_factory=list)
    name: str | None = None
    region: bool = False

    @field_validator("comparison_group")
    @classmethod
    def _known_kommuner(cls, v: list[str]) -> list[str]:
        from . import municipalities

        found = [municipalities.match(x) for x in v]
        bad = [f"{x!r} {municipalities.unknown_reason(x)}" for x, m in zip(v, found) if m is None]
        if bad:
            raise ValueError("; ".join(bad))
        return list(dict.fromkeys(found))

    @model_validator(mode="after")
    def _one_kind(self) -> "DanmarkskortSettings":
        if self.comparison_group and self.region:
            raise ValueError("angiv enten comparison_group eller region: true, ikke begge")
        if self.name and not self.comparison_group:
            raise ValueError("name navngiver en comparison_group; angiv også kommunerne i den")
        return self


class Organisation(_Strict):
    municipality: str = Field(min_length=1)
    #: the name a reader sees, when it is not "<municipality> Kommune" (e.g. "Københavns Kommune")
    official_name: str | None = None
    forvaltninger: list[Forvaltning] = Field(min_length=1)
    #: servicemål in days per area, used when a case carries no target_days of its own.
    servicemaal: dict[str, int] = Field(default_factory=dict)
    initiatives: list[Initiative] = Field(default_factory=list)
    #: targets per indicator and thresholds (documented in docs/indikatorer.md).
    targets: SerializeAsAny[Targets] = Field(default_factory=lambda: targets_model()())
    thresholds: Thresholds = Field(default_factory=Thresholds)
    #: the first year of a biennium is odd unless configured otherwise.
    biennium_start: str = "odd"
    #: the FOKUS cycle (evaluation years and status years); default: every second year from 2015
    fokus: FokusCycle = Field(default_factory=FokusCycle)
    #: the Danmarkskort report's comparison group (default: the kommune's region)
    danmarkskort: DanmarkskortSettings = Field(default_factory=DanmarkskortSettings)

    @field_validator("targets", mode="plain")
    @classmethod
    def _targets_of_catalogue(cls, v) -> Targets:
        model = targets_model()
        return v if isinstance(v, model) else model.model_validate(v)

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
            from .catalogue import CATALOGUE

            unknown = [x for x in i.indicators if x not in CATALOGUE]
            if unknown:
                raise ValueError(f"indsatsen {i.name!r} nævner ukendte indikatorer: {', '.join(unknown)}")
        for name in type(self.targets).model_fields:
            t = getattr(self.targets, name)
            if isinstance(t, Target):
                for code in t.per_forvaltning:
                    if code not in codes:
                        raise ValueError(f"targets.{name}.per_forvaltning nævner forvaltningen {code}, "
                                         "som ikke er erklæret")
        return self

    @property
    def display_name(self) -> str:
        """The municipality as a reader sees it: ``official_name``, else "<municipality> Kommune"."""
        return self.official_name or f"{self.municipality} Kommune"

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
