"""The Danmarkskort: Ankestyrelsen's omgørelsesprocent for every kommune, per law area and year, and what a
kommune's committee must discuss (retssikkerhedslovens § 79 b; since 1 July 2022 also whether a handlingsplan is
needed).

Every function returns pandas DataFrames (or a small result object holding them); nothing here draws or formats.

* :func:`shares`: per kommune, law area and year the omgørelsesprocent — the catalogue's ``municipal_reversal_share``
  computed by :func:`kvalitet.indicators.compute` (changed + remitted among the realitetsbehandlede = upheld +
  changed + remitted, Ankestyrelsen's definition; dismissed cases do not count) with its Wilson interval;
* :func:`levels`: the pooled level of a set of kommuner (all of them: the national level), Σ omgjorte ÷ Σ
  realitetsbehandlede with a Wilson interval;
* :func:`ranks`: each kommune's place among the kommuner with cases in the same area and year (1 = lowest
  omgørelsesprocent; ties share the better place);
* :func:`comparison_group`: the kommuner the organisation file compares with (``danmarkskort:``), else its region;
* :func:`profile`: the kommune's rows with rank, national level and the comparison group's level;
* :func:`funnel`: a funnel plot's points and limits for one area and year around the national level;
* :func:`development`: the kommune's years against the national level, with a trend test for each;
* :func:`discussion`: "Til drøftelse og beslutning": the areas that are candidates for a handlingsplan (above the
  upper 95 % funnel limit in the latest year, or rising significantly) and the areas that improved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2

from . import formatting, indicators, municipalities, screening
from .organisation import Organisation
from .stats import bh_qvalues, funnel_limits, funnel_outliers, wilson_ci

INDICATOR = "municipal_reversal_share"
NATIONAL = "Hele landet"
SHARE_COLUMNS = ["municipality", "region", "area", "year", "reversed", "merits", "value", "ci_low", "ci_high",
                 "partial"]
#: p-value below which the kommuner are taken to vary more than chance explains (funnel limits widened)
OVERDISPERSION_P = 0.05


def shares(con, as_of=None, organisation: Organisation | None = None) -> pd.DataFrame:
    """Per kommune, area and year: omgjorte (``reversed``), realitetsbehandlede (``merits``), the omgørelsesprocent
    (``value``, NaN without cases) and its Wilson interval; ``partial`` for a year not over at the as-of date."""
    df = indicators.compute(con, [INDICATOR], period="year", by=("area",), as_of=as_of, organisation=organisation)
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SHARE_COLUMNS})
    region = {m.name: m.region for m in municipalities.all_municipalities()}
    out = pd.DataFrame({
        "municipality": df["subgroup"], "region": df["subgroup"].map(region), "area": df["area"],
        "year": df["period"].astype(int), "reversed": df["numerator"].astype(int),
        "merits": df["denominator"].astype(int), "value": df["value"], "ci_low": df["ci_low"],
        "ci_high": df["ci_high"], "partial": df["partial"],
    })
    return out.sort_values(["area", "year", "municipality"], kind="stable").reset_index(drop=True)


def levels(sh: pd.DataFrame, members=None, conf: float = 0.95) -> pd.DataFrame:
    """The pooled level per area and year of ``members`` (default: every kommune, the national level):
    ``reversed``, ``merits``, ``value`` = Σ reversed ÷ Σ merits with a Wilson interval, and ``municipalities``,
    the number of kommuner with cases."""
    d = sh if members is None else sh[sh["municipality"].isin(list(members))]
    d = d[d["merits"] > 0]
    g = d.groupby(["area", "year"], sort=True).agg(
        reversed=("reversed", "sum"), merits=("merits", "sum"), municipalities=("municipality", "nunique"))
    g = g.reset_index()
    num, den = g["reversed"].to_numpy(dtype=float), g["merits"].to_numpy(dtype=float)
    low, high = wilson_ci(num, den, conf=conf)
    g["value"] = num / den if len(g) else np.array([], dtype=float)
    g["ci_low"], g["ci_high"] = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    return g


def ranks(sh: pd.DataFrame) -> pd.DataFrame:
    """``sh`` with ``rank`` (1 = the lowest omgørelsesprocent among the kommuner with cases in that area and year;
    tied kommuner share the better place) and ``ranked`` (how many kommuner had cases). No rank without cases."""
    out = sh.copy()
    has = out["merits"] > 0
    out["rank"] = np.nan
    out.loc[has, "rank"] = out[has].groupby(["area", "year"])["value"].rank(method="min", ascending=True)
    out["ranked"] = out.groupby(["area", "year"])["merits"].transform(lambda m: int((m > 0).sum()))
    out["rank"] = out["rank"].astype("Int64")
    return out


def resolve(name: str) -> str:
    """The official name of a kommune given in any spelling (ValueError naming the closest names otherwise)."""
    m = municipalities.match(name)
    if m is None:
        raise ValueError(f"{name!r} {municipalities.unknown_reason(name)}")
    return m


def comparison_group(organisation: Organisation | None, municipality: str) -> tuple[str, list[str]]:
    """The comparison group's name and its kommuner (without ``municipality`` itself): the organisation file's
    ``danmarkskort.comparison_group``, else the kommune's region."""
    settings = organisation.danmarkskort if organisation is not None else None
    if settings is not None and settings.comparison_group:
        return settings.name or "Sammenligningsgruppen", [m for m in settings.comparison_group if m != municipality]
    if municipality not in municipalities.names():  # an organisation outside the 98 kommuner: no region
        return "", []
    region = municipalities.get(municipality).region
    return region, [m for m in municipalities.in_region(region) if m != municipality]


def profile(sh: pd.DataFrame, municipality: str, group: list[str], conf: float = 0.95) -> pd.DataFrame:
    """The kommune's area × year rows (those where it has a row) with ``rank``/``ranked``, the national level
    (``national``, ``national_low``, ``national_high``) and the comparison group's (``group``, ``group_low``,
    ``group_high``, ``group_municipalities``)."""
    r = ranks(sh)
    own = r[r["municipality"] == municipality].drop(columns=["municipality", "region"])
    nat = levels(sh, conf=conf)[["area", "year", "value", "ci_low", "ci_high"]].rename(
        columns={"value": "national", "ci_low": "national_low", "ci_high": "national_high"})
    grp = levels(sh, group, conf=conf)[["area", "year", "value", "ci_low", "ci_high", "municipalities"]].rename(
        columns={"value": "group", "ci_low": "group_low", "ci_high": "group_high",
                 "municipalities": "group_municipalities"})
    out = own.merge(nat, on=["area", "year"], how="left").merge(grp, on=["area", "year"], how="left")
    out["group_municipalities"] = out["group_municipalities"].fillna(0).astype(int)
    return out.sort_values(["area", "year"], kind="stable").reset_index(drop=True)


def latest_year(sh: pd.DataFrame) -> int | None:
    """The latest whole year with cases (the latest year with cases when none is whole)."""
    d = sh[sh["merits"] > 0]
    if d.empty:
        return None
    whole = d[~d["partial"].astype(bool)]
    return int((whole if not whole.empty else d)["year"].max())


@dataclass
class Funnel:
    """A funnel plot for one area and year: ``points`` (one row per kommune with cases: municipality, reversed,
    merits, value, z, over_95, over_99_8, under_95, under_99_8, flag), ``limits`` (a grid of merits with target and
    the 95 % and 99,8 % limits), the national level ``target``, Spiegelhalter's dispersion ``phi`` and ``tau2``,
    the overdispersion test's ``p`` and whether the limits were widened (``adjusted``); ``method`` says in Danish
    how the limits were drawn."""

    area: str
    year: int
    points: pd.DataFrame
    limits: pd.DataFrame
    target: float
    phi: float
    tau2: float
    p: float
    adjusted: bool
    method: str


def funnel(sh: pd.DataFrame, area: str, year: int, levels_=(0.95, 0.998)) -> Funnel | None:
    """Funnel plot of the omgørelsesprocent against the realitetsbehandlede cases for one area and year, around the
    national level (:func:`kvalitet.stats.funnel_outliers`/:func:`~kvalitet.stats.funnel_limits`, binomial
    limits by the normal approximation).

    Overdispersion: Spiegelhalter's (2005) dispersion φ is the mean squared (10 % Winsorised) z-score; when the
    kommuner vary more than chance explains — N·φ above the χ² distribution with N − 1 degrees of freedom at
    p < 0,05 — the limits are widened by the additive random-effects method (between-kommune variance τ²),
    otherwise they are left as they are. None when fewer than 3 kommuner have cases."""
    d = sh[(sh["area"] == area) & (sh["year"] == year) & (sh["merits"] > 0)].reset_index(drop=True)
    if len(d) < 3:
        return None
    num, den = d["reversed"].to_numpy(dtype=float), d["merits"].to_numpy(dtype=float)
    target = float(num.sum() / den.sum())
    plain = funnel_outliers(num, den, target=target, kind="proportion", levels=levels_)
    phi, tau2 = float(plain["phi"].iloc[0]), float(plain["tau2"].iloc[0])
    n = len(d)
    p = float(chi2.sf(n * phi, n - 1)) if np.isfinite(phi) else np.nan
    adjusted = bool(np.isfinite(p) and p < OVERDISPERSION_P and tau2 > 0)
    out = funnel_outliers(num, den, target=target, kind="proportion", levels=levels_,
                          overdispersion="additive" if adjusted else None) if adjusted else plain
    grid = np.unique(np.concatenate([np.geomspace(max(1.0, den.min() * 0.7), den.max() * 1.3, 120), den]))
    lim = funnel_limits(grid, target, kind="proportion", levels=levels_,
                        overdispersion="additive" if adjusted else None, tau2=tau2 if adjusted else None)
    pts = pd.DataFrame({"municipality": d["municipality"], "reversed": d["reversed"], "merits": d["merits"],
                        "value": out["value"], "z": out["z_adjusted"]})
    for c in out.columns:
        if c.startswith(("over_", "under_")) or c == "flag":
            pts[c] = out[c].to_numpy()
    phi_t, p_t = formatting.number(phi, 2), _p_text(p)
    if adjusted:
        method = (f"Grænserne er udvidet for overspredning: kommunerne varierer mere, end tilfældigheder alene "
                  f"forklarer (φ = {phi_t}, {p_t}), så der er lagt en variation mellem kommunerne til "
                  f"(Spiegelhalters additive metode med tilfældige effekter, τ² = {formatting.number(tau2, 4)}).")
    else:
        method = (f"Binomiale grænser (normaltilnærmelse) om landsniveauet; ingen tegn på overspredning "
                  f"(φ = {phi_t}, {p_t}), så grænserne er ikke udvidet.")
    return Funnel(area, int(year), pts, lim, target, phi, tau2, p, adjusted, method)


def _p_text(p: float) -> str:
    if not np.isfinite(p):
        return "p kan ikke beregnes"
    return "p < 0,001" if p < 0.001 else f"p = {formatting.number(p, 3)}"


def development(sh: pd.DataFrame, municipality: str, organisation: Organisation | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The kommune's years per area against the national level, and a trend test of each series.

    Returns (``years``: area, year, reversed, merits, value, ci_low, ci_high, national; ``trends``: one row per
    area and series (``series`` = the kommune or "Hele landet") from :func:`kvalitet.screening.screen_frame`'s
    quasi-binomial GLM (odds ratio per year, ``estimate`` with CI and ``p_value``), with Benjamini–Hochberg
    ``q_value`` over the kommune's areas and the direction (stigende/faldende/ingen sikker ændring/for kort serie)
    at the organisation's FDR level. Partial years are left out of the tests."""
    th = organisation.thresholds if organisation is not None else None
    conf = th.conf if th is not None else 0.95
    nat = levels(sh, conf=conf)
    own = sh[sh["municipality"] == municipality]
    years = own[["area", "year", "reversed", "merits", "value", "ci_low", "ci_high", "partial"]].merge(
        nat[["area", "year", "value"]].rename(columns={"value": "national"}), on=["area", "year"], how="left")
    partial = sh.groupby(["area", "year"])["partial"].any().reset_index()
    nat = nat.merge(partial, on=["area", "year"], how="left")
    frames = [own.assign(subgroup=municipality), nat.assign(subgroup=NATIONAL)]
    frame = pd.concat([pd.DataFrame({
        "indicator": INDICATOR, "forvaltning": None, "unit": None, "area": f["area"], "subgroup": f["subgroup"],
        "period": f["year"].astype(str), "numerator": f["reversed"], "denominator": f["merits"],
        "value": f["value"], "partial": f["partial"].fillna(False).astype(bool)}) for f in frames if len(f)],
        ignore_index=True)
    if frame.empty or own.empty:
        return years.reset_index(drop=True), pd.DataFrame(columns=["area", "series"] + screening.TREND_COLUMNS)
    as_of = pd.Timestamp(f"{int(frame['period'].astype(int).max())}-12-31").date()
    tr = screening.screen_frame(frame, "year", as_of, th)
    tr = tr[tr["method"] == "binomial_glm"].reset_index(drop=True)
    fdr = th.fdr if th is not None else 0.05
    parts = []
    for name in (municipality, NATIONAL):  # q-values within each series family: the kommune's areas; the nation's
        part = tr[tr["subgroup"] == name].copy()
        parts.append(screening._directions(part, fdr) if len(part) else part.drop(columns="sign"))
    tr = pd.concat(parts, ignore_index=True).rename(columns={"subgroup": "series"})
    return years.sort_values(["area", "year"]).reset_index(drop=True), tr


def discussion(sh: pd.DataFrame, municipality: str, organisation: Organisation | None = None,
               year: int | None = None) -> pd.DataFrame:
    """"Til drøftelse og beslutning": one row per law area of the kommune that is a candidate for a handlingsplan
    (``kind`` = "kandidat") or improved (``kind`` = "forbedret"), with the evidence in Danish (``evidence``).

    Candidate: in ``year`` (default the latest whole year) above the upper 95 % funnel limit (``above_95``,
    ``above_99_8``), or a rising trend over the years (quasi-binomial GLM, q below the FDR level).
    Improved (and not a candidate): a falling trend, or above the upper 95 % limit the year before but no longer.
    """
    year = year if year is not None else latest_year(sh)
    cols = ["area", "kind", "value", "national", "upper_95", "above_95", "above_99_8", "trend_or", "trend_q",
            "evidence"]
    if year is None:
        return pd.DataFrame(columns=cols)
    _, trends = development(sh, municipality, organisation)
    own_tr = trends[trends["series"] == municipality].set_index("area") if len(trends) else pd.DataFrame()
    rows = []
    for area in sorted(sh.loc[sh["municipality"] == municipality, "area"].unique()):
        now, before = _position(sh, municipality, area, year), _position(sh, municipality, area, year - 1)
        t = own_tr.loc[area] if area in own_tr.index else None
        rising = t is not None and t["direction"] == screening.RISING
        falling = t is not None and t["direction"] == screening.FALLING
        above = now is not None and now["above_95"]
        why = []
        if above:
            level = "99,8 %" if now["above_99_8"] else "95 %"
            why.append(f"{formatting.percent(now['value'])} i {year} ligger over den øvre {level}-grænse "
                       f"({formatting.percent(now['upper_99_8' if now['above_99_8'] else 'upper_95'])}) om "
                       f"landsniveauet {formatting.percent(now['national'])}")
        if rising or falling:
            why.append(f"omgørelsesprocenten {'stiger' if rising else 'falder'} over årene "
                       f"({t['first_period']}–{t['last_period']}: odds × {formatting.number(t['estimate'], 2)} pr. år, "
                       f"q = {formatting.number(t['q_value'], 3)})")
        was_above = before is not None and before["above_95"] and now is not None and not above
        if was_above:
            why.append(f"lå over den øvre 95 %-grænse i {year - 1}, men ikke i {year}")
        kind = "kandidat" if (above or rising) else ("forbedret" if (falling or was_above) else None)
        if kind is None:
            continue
        rows.append({
            "area": area, "kind": kind, "value": now["value"] if now is not None else np.nan,
            "national": now["national"] if now is not None else np.nan,
            "upper_95": now["upper_95"] if now is not None else np.nan,
            "above_95": bool(above), "above_99_8": bool(now is not None and now["above_99_8"]),
            "trend_or": t["estimate"] if t is not None else np.nan,
            "trend_q": t["q_value"] if t is not None else np.nan,
            "evidence": "; ".join(why),
        })
    return pd.DataFrame(rows, columns=cols).sort_values(["kind", "area"], kind="stable").reset_index(drop=True)


def _position(sh: pd.DataFrame, municipality: str, area: str, year: int) -> dict | None:
    """The kommune's place in the funnel of one area and year (None without cases or a funnel)."""
    f = funnel(sh, area, year)
    if f is None or municipality not in set(f.points["municipality"]):
        return None
    p = f.points[f.points["municipality"] == municipality].iloc[0]
    m = float(p["merits"])
    upper = funnel_limits([m], f.target, kind="proportion", overdispersion="additive" if f.adjusted else None,
                          tau2=f.tau2 if f.adjusted else None)
    return {"value": float(p["value"]), "national": f.target, "above_95": bool(p["over_95"]),
            "above_99_8": bool(p["over_99_8"]), "upper_95": float(upper["upper_95"].iloc[0]),
            "upper_99_8": float(upper["upper_99_8"].iloc[0])}
