"""Sections of the Danmarkskort report: the kommune's omgørelsesprocent per law area against the nation and its
comparison group, the map, every kommune with its interval, the funnel plots, the development over the years and
"Til drøftelse og beslutning". The numbers come from :mod:`kvalitet.danmarkskort`, the charts from
:mod:`kvalitet.maps`.

Ankestyrelsen's published counts per kommune are public statistics, not persons in the organisation's own data:
every table here is disclosed without person-count columns, so nothing is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import danmarkskort as dk
from .. import disclosure, formatting, maps, municipalities
from ..errors import UserError
from ..present import Report
from . import common

INDICATORS = [dk.INDICATOR]
TABLES = ["municipal_appeals"]
SOURCE = "Ankestyrelsens Danmarkskort"
DUTY = (
    "Efter retssikkerhedslovens § 79 b skal kommunalbestyrelsen hvert år drøfte Ankestyrelsens Danmarkskort i det "
    "år, det offentliggøres, og siden 1. juli 2022 (L 151, 2021-22) også tage stilling til, om der skal udarbejdes "
    "en handlingsplan. Listen nedenfor peger på de lovområder, hvor tallene giver anledning til at overveje det; "
    "beslutningen er udvalgets og kommunalbestyrelsens.")


@dataclass
class Context:
    """What every section of one rendering needs: the shares of every kommune, the kommune and its comparison
    group, and the year shown (the latest whole year with cases unless chosen)."""

    shares: pd.DataFrame
    municipality: str
    group_name: str
    group: list[str]
    year: int | None
    has_rows: bool
    #: the kommune as an authority ("Københavns Kommune")
    display: str
    #: False for an organisation outside the 98 kommuner (then only the national picture is shown)
    known: bool = True


def open_context(rep: Report, municipality: str | None = None, year: int | None = None) -> Context:
    """The context for ``municipality`` (any spelling; default the organisation's own) and ``year``. A parameter
    naming no kommune is a UserError naming the closest names; an organisation file whose own municipality is not
    one of the 98 (an invented one in a test) gets the national picture."""
    own = rep.organisation.municipality
    name = municipalities.match(municipality or own)
    if name is None and municipality:
        raise UserError(f"municipality: {municipality!r} {municipalities.unknown_reason(municipality)}")
    known = name is not None
    name = name or own
    display = (rep.organisation.display_name if municipalities.match(own) == name or not known
               else municipalities.title(name))
    sh = dk.shares(rep.con, as_of=rep.as_of, organisation=rep.organisation)
    group_name, group = dk.comparison_group(rep.organisation, name)
    has = bool(((sh["municipality"] == name) & (sh["merits"] > 0)).any())
    return Context(sh, name, group_name, group, int(year) if year else dk.latest_year(sh), has, display, known)


def front(rep: Report, ctx: Context) -> None:
    period = f"{ctx.year}" if ctx.year else "ingen data"
    rep.front_page("Danmarkskortet", ctx.display, f"Ankestyrelsens tal for {period}, pr. lovområde og år")
    if not ctx.known:
        rep.text(f"*{ctx.municipality} er ikke en af de 98 kommuner i Ankestyrelsens Danmarkskort; rapporten viser "
                 "kun landsbilledet.*")
    if ctx.year is None:
        rep.text("*Databasen har ingen Danmarkskort-tal (tabellen danmarkskort er tom).*")
    elif not ctx.has_rows and ctx.known:
        rep.text(f"**{ctx.display} har ingen rækker i Danmarkskort-tallene.** Rapporten viser derfor kun "
                 "landsbilledet; indlæs Ankestyrelsens tal for kommunen med `kvalitet ingest`.")


def _pct(v) -> str:
    return formatting.percent(v) if np.isfinite(v) else formatting.MISSING


def _interval(lo, hi) -> str:
    return formatting.interval(lo, hi, formatting.percent) if np.isfinite(lo) else formatting.MISSING


def key_figures(rep: Report, ctx: Context) -> pd.DataFrame:
    """Per law area in the year shown: omgjorte, realitetsbehandlede, omgørelsesprocent with its interval, the
    place among the kommuner with cases, the national level and the comparison group's."""
    if not ctx.has_rows or ctx.year is None:
        return pd.DataFrame()
    p = dk.profile(ctx.shares, ctx.municipality, ctx.group, conf=rep.organisation.thresholds.conf)
    p = p[(p["year"] == ctx.year)].reset_index(drop=True)
    if p.empty:
        common.no_data(rep, f"Omgørelsesprocent i {ctx.year}")
        return p
    table = pd.DataFrame({
        "Lovområde": p["area"],
        "Omgjort": p["reversed"].map(formatting.count),
        "Realitetsbehandlede": p["merits"].map(formatting.count),
        "Omgørelsesprocent": p["value"].map(_pct),
        "95 %-konfidensinterval": [_interval(lo, hi) for lo, hi in zip(p["ci_low"], p["ci_high"])],
        "Plads": [f"{int(r)} af {int(n)}" if pd.notna(r) else formatting.MISSING
                  for r, n in zip(p["rank"], p["ranked"])],
        "Hele landet": p["national"].map(_pct),
        ctx.group_name: p["group"].map(_pct),
    })
    rep.table(disclosure.disclose(table), f"{ctx.display}: omgørelsesprocent pr. lovområde i {ctx.year}",
              note="Plads 1 er den laveste omgørelsesprocent blandt kommunerne med realitetsbehandlede sager på "
                   f"lovområdet; kommuner med samme procent deler pladsen. {ctx.group_name}: "
                   f"{_group_text(ctx)}, samlet (uden {ctx.municipality}).")
    return p


def _group_text(ctx: Context) -> str:
    names = ctx.group
    return ", ".join(names) if len(names) <= 8 else f"{len(names)} kommuner"


def _areas(ctx: Context) -> list[str]:
    d = ctx.shares[(ctx.shares["year"] == ctx.year) & (ctx.shares["merits"] > 0)]
    return sorted(d["area"].unique())


def map_and_ranking(rep: Report, ctx: Context) -> None:
    """Per law area: the map of every kommune and the caterpillar chart of all kommuner with intervals."""
    if ctx.year is None:
        return
    nat = dk.levels(ctx.shares).set_index(["area", "year"])["value"]
    for area in _areas(ctx):
        d = ctx.shares[(ctx.shares["area"] == area) & (ctx.shares["year"] == ctx.year)]
        d = d[["municipality", "value", "ci_low", "ci_high", "merits"]].reset_index(drop=True)
        shown = disclosure.disclose(d)
        n_with = int((d["merits"] > 0).sum())
        mine = d[d["municipality"] == ctx.municipality]
        own = (f"{ctx.display} {_pct(float(mine['value'].iloc[0]))}" if len(mine) and mine["merits"].iloc[0] > 0
               else f"{ctx.display} uden sager")
        title = f"{area} {ctx.year}: {own}, hele landet {_pct(nat[(area, ctx.year)])}"
        rep.text(f"### {area}")
        fig = maps.choropleth(shown, "municipality", "value", title, highlight=ctx.municipality,
                              source=SOURCE, as_of_label=rep.as_of_label)
        rest = (f", de øvrige {len(municipalities.names()) - n_with} er skraveret" if n_with < len(municipalities.names()) else "")
        rep.figure(fig, alt=(f"Danmarkskort over omgørelsesprocenten på {area.lower()} i {ctx.year}: "
                             f"{n_with} kommuner med realitetsbehandlede sager er farvet efter procenten i klasser "
                             f"på 10 procentpoint{rest}. {ctx.display} er tegnet med sort kant. {title}."))
        fig = maps.caterpillar(shown, "municipality", "value", "ci_low", "ci_high",
                               title=f"Alle kommuner, {area.lower()} {ctx.year}", highlight=ctx.municipality,
                               reference=float(nat[(area, ctx.year)]), source=SOURCE, as_of_label=rep.as_of_label)
        rep.figure(fig, alt=(f"Omgørelsesprocenten for {n_with} kommuner på {area.lower()} i {ctx.year}, ordnet "
                             f"fra lavest til højest, hver med sit 95 %-konfidensinterval; {own}."))


def funnels(rep: Report, ctx: Context) -> list[dk.Funnel]:
    """A funnel plot per law area in the year shown, the kommune ringed, with the method of its limits."""
    out = []
    if ctx.year is None:
        return out
    for area in _areas(ctx):
        f = dk.funnel(ctx.shares, area, ctx.year)
        if f is None:
            rep.text(f"*{area}: for få kommuner med sager til et tragtdiagram.*")
            continue
        out.append(f)
        p = f.points.copy()
        p["outside"] = (p["over_99_8"] | p["under_99_8"]).to_numpy(dtype=bool)
        p["_name"] = np.where(p["outside"] | (p["municipality"] == ctx.municipality), p["municipality"], "")
        outside = [str(m) for m in p.loc[p["outside"], "municipality"]]
        title = (f"{area} {ctx.year}: " + (f"{len(outside)} kommuner uden for 99,8 %-grænserne" if outside
                                           else "ingen kommune uden for 99,8 %-grænserne"))
        fig = maps.funnel(disclosure.disclose(p), "municipality", f.limits, title, highlight=ctx.municipality,
                          source=SOURCE, as_of_label=rep.as_of_label)
        rep.figure(fig, alt=(f"Tragtdiagram: omgørelsesprocenten for hver kommune på {area.lower()} i {ctx.year} "
                             f"mod antallet af realitetsbehandlede sager, med 95 %- og 99,8 %-grænser om "
                             f"landsniveauet {_pct(f.target)}. {title}."))
        rep.text(f"*{f.method}*")
    return out


def development(rep: Report, ctx: Context) -> pd.DataFrame:
    """Per law area the kommune's years against the national level, and the trend tests."""
    if not ctx.has_rows:
        return pd.DataFrame()
    years, trends = dk.development(ctx.shares, ctx.municipality, rep.organisation)
    for area in sorted(years["area"].unique()):
        y = years[(years["area"] == area) & (years["merits"] > 0)].reset_index(drop=True)
        if y.empty:
            continue
        y["period"] = y["year"].astype(str)
        fig = maps.development(disclosure.disclose(y), "period", "value", "ci_low", "ci_high", "national",
                               title=f"{area}: {ctx.display} og hele landet", name=ctx.display, source=SOURCE,
                               as_of_label=rep.as_of_label)
        rep.figure(fig, alt=(f"Omgørelsesprocenten på {area.lower()} pr. år {y['period'].iloc[0]}–"
                             f"{y['period'].iloc[-1]} for {ctx.display} med 95 %-konfidensinterval og for hele "
                             f"landet; senest {_pct(y['value'].iloc[-1])} mod {_pct(y['national'].iloc[-1])}."))
    if trends.empty:
        return trends
    t = trends.sort_values(["area", "series"], key=lambda s: s.map(lambda v: (v == dk.NATIONAL, v)))
    table = pd.DataFrame({
        "Lovområde": t["area"], "Serie": t["series"].map(lambda s: s if s == dk.NATIONAL else ctx.display),
        "År": [f"{a}–{b}" if a else formatting.MISSING for a, b in zip(t["first_period"], t["last_period"])],
        "Odds pr. år": t["estimate"].map(lambda v: formatting.number(v, 2) if np.isfinite(v) else formatting.MISSING),
        "95 %-konfidensinterval": [formatting.interval(lo, hi, formatting.number, decimals=2) if np.isfinite(lo)
                                   else formatting.MISSING for lo, hi in zip(t["ci_low"], t["ci_high"])],
        "q": t["q_value"].map(lambda v: formatting.number(v, 3) if np.isfinite(v) else formatting.MISSING),
        "Tendens": t["direction"],
    })
    rep.table(disclosure.disclose(table), "Tendens i omgørelsesprocenten over årene",
              note="Kvasibinomial regression af omgørelsesprocenten på året (odds pr. år over 1 betyder stigende). "
                   "q er p-værdien justeret for, at flere lovområder testes (Benjamini–Hochberg); en tendens kaldes "
                   f"sikker, når q < {common.level_text(rep.organisation.thresholds.fdr)}.")
    return trends


def discussion(rep: Report, ctx: Context) -> pd.DataFrame:
    """"Til drøftelse og beslutning": the duty, the candidates for a handlingsplan with their evidence, and the
    areas that improved."""
    lines = ["## Til drøftelse og beslutning", "", DUTY, ""]
    if not ctx.has_rows:
        rep.text("\n".join(lines + [f"{ctx.display} har ingen Danmarkskort-tal, så der er intet at vurdere."]))
        return pd.DataFrame()
    d = dk.discussion(ctx.shares, ctx.municipality, rep.organisation, ctx.year)
    cand, better = d[d["kind"] == "kandidat"], d[d["kind"] == "forbedret"]
    lines += ["**Kandidater til en handlingsplan**", ""]
    lines += [f"- **{r.area}**: {r.evidence}." for r in cand.itertuples()] or [
        f"- Ingen: i {ctx.year} ligger {ctx.display} ikke over den øvre 95 %-grænse på noget lovområde, og "
        "omgørelsesprocenten stiger ikke sikkert på noget lovområde."]
    lines += ["", "**Lovområder, der er forbedret**", ""]
    lines += [f"- **{r.area}**: {r.evidence}." for r in better.itertuples()] or ["- Ingen sikker forbedring."]
    lines += ["", "Over den øvre grænse betyder, at afstanden til landsniveauet er for stor til at være tilfældig "
                  "ved kommunens antal sager (tragtdiagrammet ovenfor); en stigende tendens er vurderet over alle "
                  "årene med tal."]
    rep.text("\n".join(lines))
    return d


def method(rep: Report, ctx: Context, funnels_: list[dk.Funnel]) -> None:
    extra = ["Landsniveauet er alle kommuners omgjorte sager lagt sammen delt med alle deres realitetsbehandlede "
             "sager (de kommuner, databasen har tal for)."]
    if ctx.group_name:
        configured = bool(rep.organisation.danmarkskort.comparison_group)
        extra.append(f"{ctx.group_name} er sammenligningsgruppen"
                     + (" fra organisationsfilen (`danmarkskort: comparison_group`)" if configured
                        else " (kommunens region; en anden gruppe kan angives i organisationsfilen under "
                             "`danmarkskort:`)") + ", uden kommunen selv.")
    extra.append("Ankestyrelsens tal pr. kommune er offentlig statistik og vises uden at skjule små tal.")
    extra += [f"Tragtdiagram, {f.area}: {f.method}" for f in funnels_]
    extra.append(municipalities.ATTRIBUTION)
    common.method_and_data(rep, INDICATORS, TABLES, extra=extra, period="year")
