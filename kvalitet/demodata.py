"""Deterministic demo data for København: all ten canonical tables, with planted effects and bad rows.

``generate(seed)`` builds every canonical table of the data contract (``kvalitet.contract.TABLES``) for
København's seven forvaltninger, 2013–2024, as typed pandas frames whose rows all obey the contract's row rules
(as-of date 2024-12-31). It also builds, per table, a handful of deliberately invalid rows of the kinds real exports
contain (``bad_rows``), as raw CSV strings, so that ingest, quarantine and reports can be exercised end to end.

The planted effects (trends, a level shift at an initiative's start, an area over the audit threshold, a
byggesag backlog) are read from ``kvalitet/data/demo_manifest.json``: the manifest is the one source of truth, and
the tests check that each effect is visible in the frames. Every series not named there is stationary, with
Poisson/binomial noise (plus mild month-to-month over-dispersion and seasonality in the number of decisions).

Magnitudes are anchored on real published Danish figures (``shared/data/public``): Borgerrådgiver inquiries per year
(840 in 2021, 1,077 in 2022, 912 in 2023), omgørelsesprocenter (about 26–37 % in social areas, 12–20 % in
employment areas), the byggesag servicemål (40/55 days) and ~60–70 % compliance, the Danmarkskort levels
for the public-data kommuner. Everything is drawn from one ``numpy.random.default_rng(seed)`` in a fixed order, so
the same seed gives identical frames in every run and process (no ``hash()``, no wall clock).

API::

    demo = generate(seed=2024)     # DemoData
    demo.frames                    # {table: DataFrame}, canonical columns, typed, all rows valid
    demo.bad_rows                  # {table: [ {column: raw string, ..., "_why": reason} ]}
    demo.manifest, demo.as_of      # the planted effects; date(2024, 12, 31)
    demo.raw_frame("complaints", with_bad_rows=True)   # as CSV strings
    demo.write_csv("data/demo")    # one <table>.csv per table, bad rows appended
    load_manifest()                # kvalitet/data/demo_manifest.json
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .contract import (
    APPEAL_MERITS,
    APPEAL_REVERSED,
    AUDIT_RESULTS,
    COMPLAINT_KINDS,
    COMPLAINT_OUTCOMES,
    RECOMMENDATION_STATUSES,
    TABLES,
)

__all__ = ["AS_OF", "AREAS", "SERVICEMAAL", "DemoData", "generate", "load_manifest"]

MANIFEST_PATH = Path(__file__).parent / "data" / "demo_manifest.json"

AS_OF = date(2024, 12, 31)
FIRST_YEAR = 2013
LAST_YEAR = 2024
MUNICIPALITY = "København"
FORVALTNINGER = ("BIF", "BUF", "KFF", "SOF", "SUF", "TMF", "ØKF")

_DAY = np.timedelta64(1, "D")
_AS_OF64 = np.datetime64(AS_OF.isoformat(), "D")


# --------------------------------------------------------------------------------------------------- organisation
@dataclass(frozen=True)
class _Area:
    """One forvaltning × area (område) with its unit and the stationary baseline of every indicator."""

    forvaltning: str
    area: str
    unit: str
    decisions_per_month: int
    complaint_rate: float  # complaints per 1,000 decisions
    appeals_per_year: int = 0
    reversal_share: float = 0.0
    audit_error_share: float = 0.15
    cases_per_year: int = 0
    #: (case_type, target_days carried by the case itself, or None)
    case_types: tuple[tuple[str, int | None], ...] = ()
    #: servicemål from organisation.yaml (used when the cases carry no target_days)
    servicemaal: int | None = None
    #: median processing days when the area has no target at all
    median_days: float = 30.0


AREAS: tuple[_Area, ...] = (
    _Area("BIF", "Kontanthjælp", "Ydelsesservice København", 2600, 20.0, 420, 0.16, 0.15),
    _Area("BIF", "Sygedagpenge", "Jobcenter København", 1600, 12.0, 300, 0.18, 0.12, 1500,
          (("Sygedagpenge - ansøgning", None), ("Sygedagpenge - revurdering", None)), None, 35.0),
    _Area("BIF", "Ressourceforløb", "Jobcenter København", 350, 30.0, 120, 0.18, 0.18),
    _Area("BUF", "Specialundervisning", "Center for Specialundervisning", 400, 30.0, 90, 0.35, 0.14),
    _Area("BUF", "Pasning", "Pladsanvisningen", 2800, 6.0, 60, 0.26, 0.10),
    _Area("KFF", "Biblioteker", "Københavns Biblioteker", 500, 3.0, audit_error_share=0.10),
    _Area("KFF", "Borgerservice", "Borgerservice", 3000, 3.5, audit_error_share=0.12),
    _Area("SOF", "Hjemmehjælp", "Borgercenter Voksne", 600, 22.0, 150, 0.30, 0.17),
    _Area("SOF", "Handicapkompensation", "Borgercenter Handicap", 1000, 28.0, 350, 0.33, 0.18, 1500,
          (("Merudgifter (SEL § 100)", 84), ("Ledsageordning (SEL § 97)", 56), ("Boligindretning (SEL § 116)", 112))),
    _Area("SOF", "Udsatte børn og unge", "Borgercenter Børn og Unge", 800, 32.0, 250, 0.37, 0.18),
    _Area("SUF", "Hjemmepleje", "Visitationen", 2000, 12.0, 150, 0.28, 0.16),
    _Area("SUF", "Hjælpemidler", "Hjælpemiddelcenter København", 1300, 8.0, 250, 0.30, 0.14, 1800,
          (("Ganghjælpemidler", None), ("Kropsbårne hjælpemidler", None), ("Forbrugsgoder", None)), 28),
    _Area("TMF", "Byggesager - enfamiliehuse", "Center for Bygninger", 260, 35.0, audit_error_share=0.15,
          cases_per_year=1800,
          case_types=(("Nyt enfamiliehus", None), ("Tilbygning", None), ("Carport, garage og udhus", None)),
          servicemaal=40),
    _Area("TMF", "Byggesager - etagebyggeri, erhverv", "Center for Bygninger", 200, 30.0, audit_error_share=0.13,
          cases_per_year=700, case_types=(("Etagebyggeri, erhverv", 55),)),
    _Area("TMF", "Parkering", "Center for Parkering", 3500, 12.0, audit_error_share=0.11),
    _Area("ØKF", "Aktindsigt", "Borgerrepræsentationens Sekretariat", 220, 5.0, audit_error_share=0.12,
          cases_per_year=500, case_types=(("Aktindsigt", 7),)),
    _Area("ØKF", "Ejendomsskat", "Koncernservice", 700, 3.0, audit_error_share=0.10),
)

#: servicemål per area for organisation.yaml (areas whose cases carry no target_days of their own)
SERVICEMAAL = {a.area: a.servicemaal for a in AREAS if a.servicemaal}

#: audit checklist per forvaltning: (item, probability 'ikke relevant', relative weight of errors)
_CHECKLIST_DEFAULT = (
    ("begrundelse", 0.0, 3.0),
    ("partshøring", 0.35, 2.0),
    ("samtykke", 0.40, 1.0),
    ("klagevejledning", 0.10, 1.5),
    ("notatpligt", 0.0, 3.0),
    ("korrekt afgørelse", 0.0, 1.5),
)
_CHECKLIST_TMF = (
    ("begrundelse", 0.0, 3.0),
    ("partshøring", 0.30, 2.0),
    ("nabohøring", 0.45, 2.0),
    ("klagevejledning", 0.10, 1.5),
    ("notatpligt", 0.0, 2.5),
    ("korrekt afgørelse", 0.0, 1.5),
)

_TOPICS = {
    "formalitet": (
        "Lang sagsbehandlingstid",
        "Manglende svar på henvendelse",
        "Manglende vejledning",
        "Sagsbehandlerens optræden",
        "Manglende partshøring",
        "Svært at komme i kontakt med sagsbehandler",
        "Brev uden klagevejledning",
    ),
    "realitet": (
        "Afslag på ansøgning",
        "Uenig i afgørelsens indhold",
        "Uenig i bevilget omfang",
        "Tilbagebetalingskrav",
        "Ophør af ydelse",
        "Afslag på aktindsigt",
    ),
    "formalitet og realitet": (
        "Afslag og lang sagsbehandlingstid",
        "Afslag uden begrundelse",
        "Afgørelse truffet uden partshøring",
    ),
}

_INQUIRY_TOTALS = {  # Borgerrådgiveren: published where known (kk_borgerraadgiver_beretning_tal.csv)
    2013: 920, 2014: 880, 2015: 830, 2016: 783, 2017: 863, 2018: 741,
    2019: 790, 2020: 771, 2021: 840, 2022: 1077, 2023: 912, 2024: 950,
}
_INQUIRY_PUBLISHED = {2016, 2017, 2018, 2021, 2022, 2023}
_INQUIRY_FORVALTNING_SHARE = {"BIF": 0.25, "BUF": 0.10, "KFF": 0.05, "SOF": 0.30, "SUF": 0.12, "TMF": 0.11,
                              "ØKF": 0.07}
#: category -> (share of inquiries, probability of criticism)
_INQUIRY_CATEGORIES = {
    "Sagsbehandlingstid": (0.28, 0.40),
    "Vejledning": (0.22, 0.30),
    "Afgørelsens indhold": (0.18, 0.18),
    "Borgerbetjening": (0.17, 0.35),
    "Aktindsigt": (0.07, 0.30),
    "Partshøring": (0.08, 0.38),
}

#: Danmarkskort: municipality -> inhabitants (thousands, rounded)
_MUNICIPALITIES = {
    "København": 650, "Morsø": 20, "Sorø": 30, "Egedal": 44, "Assens": 41, "Køge": 62, "Vordingborg": 46,
    "Kolding": 94, "Billund": 27, "Sønderborg": 74, "Ballerup": 49, "Bornholm": 39, "Herlev": 29,
    "Skive": 46, "Greve": 51,
}
#: Danmarkskort area -> (realitetsbehandlede per 1,000 inhabitants, national omgørelse share)
_DK_AREAS = {
    "Socialområdet": (1.5, 0.37),
    "Børnehandicap": (0.25, 0.50),
    "Voksenhandicap": (0.30, 0.35),
}
#: published omgørelsesprocenter (ast_omgoerelse_kommuner.csv) used as the expected share of those cells
_DK_ANCHORS = {
    ("Egedal", 2018, "Socialområdet"): 0.45, ("Egedal", 2019, "Socialområdet"): 0.40,
    ("Egedal", 2018, "Børnehandicap"): 0.49, ("Egedal", 2019, "Børnehandicap"): 0.45,
    ("Egedal", 2018, "Voksenhandicap"): 0.32, ("Egedal", 2019, "Voksenhandicap"): 0.52,
    ("Assens", 2017, "Socialområdet"): 0.63, ("Sorø", 2019, "Socialområdet"): 0.36,
    ("Køge", 2017, "Børnehandicap"): 0.69, ("Køge", 2018, "Børnehandicap"): 0.52,
    ("Køge", 2019, "Børnehandicap"): 0.45, ("Kolding", 2017, "Børnehandicap"): 0.71,
    ("Ballerup", 2022, "Socialområdet"): 0.68, ("Bornholm", 2022, "Socialområdet"): 0.57,
    ("Herlev", 2022, "Socialområdet"): 0.22, ("Skive", 2022, "Socialområdet"): 0.22,
    ("Sønderborg", 2022, "Socialområdet"): 0.22, ("Morsø", 2022, "Socialområdet"): 0.22,
}

_RECOMMENDATIONS = (
    "Borgere skal have et kvitteringsbrev med forventet sagsbehandlingstid.",
    "Partshøring skal gennemføres og dokumenteres, før der træffes afgørelse.",
    "Afgørelser skal have en fyldestgørende begrundelse med henvisning til de relevante regler.",
    "Klagevejledning skal fremgå af alle skriftlige afgørelser.",
    "Notatpligten skal overholdes, så oplysninger af betydning for sagen journaliseres.",
    "Klager skal indgå systematisk i ledelsesinformationen.",
    "Servicemål for sagsbehandlingstid skal offentliggøres og følges op kvartalsvis.",
    "Der skal gennemføres faste stikprøver (ledelsestilsyn) på de mest klagebelastede områder.",
    "Den telefoniske tilgængelighed skal forbedres.",
    "Anmodninger om aktindsigt skal besvares inden for 7 arbejdsdage eller med en foreløbig besked.",
    "Breve til borgere skal skrives i et klart og forståeligt sprog.",
    "Hjemviste sager fra Ankestyrelsen skal genbehandles hurtigt og bruges til læring.",
)


# --------------------------------------------------------------------------------------------------- public API
@dataclass(frozen=True)
class DemoData:
    """The demo data set: valid typed frames, raw invalid rows, the manifest of planted effects."""

    seed: int
    as_of: date
    frames: dict[str, pd.DataFrame]
    bad_rows: dict[str, list[dict[str, str]]]
    manifest: dict[str, Any] = field(repr=False)

    def row_counts(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.frames.items()}

    def raw_frame(self, table: str, with_bad_rows: bool = False) -> pd.DataFrame:
        """The table as raw CSV strings (dates ``YYYY-MM-DD``, booleans ``ja``/``nej``, missing as ``""``),
        with the bad rows appended (without ``_why``) when asked."""
        df = self.frames[table]
        out = pd.DataFrame(index=df.index)
        for col in df.columns:
            s = df[col]
            if pd.api.types.is_datetime64_any_dtype(s):
                raw = s.dt.strftime("%Y-%m-%d")
            elif pd.api.types.is_bool_dtype(s):
                raw = s.map({True: "ja", False: "nej"})
            else:
                raw = s.astype("string")
            out[col] = raw.astype(object).where(s.notna(), "")
        if with_bad_rows and self.bad_rows.get(table):
            bad = pd.DataFrame(self.bad_rows[table]).drop(columns="_why")[list(df.columns)]
            out = pd.concat([out, bad], ignore_index=True)
        return out.reset_index(drop=True)

    def write_csv(self, directory: str | Path, with_bad_rows: bool = True) -> list[Path]:
        """Write one CSV per table (canonical file and column names, UTF-8, comma separator, raw values as in
        ``raw_frame``), with the bad rows appended unless told otherwise. Returns the paths written."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in self.frames:
            path = directory / f"{name}.csv"
            self.raw_frame(name, with_bad_rows).to_csv(path, index=False, encoding="utf-8")
            paths.append(path)
        return paths


def load_manifest(path: str | Path | None = None) -> dict[str, Any]:
    """The manifest of planted effects (``kvalitet/data/demo_manifest.json`` unless a path is given)."""
    with Path(path or MANIFEST_PATH).open(encoding="utf-8") as fh:
        return json.load(fh)


def generate(seed: int | None = None, manifest: dict[str, Any] | None = None) -> DemoData:
    """Generate the demo data set. Same seed -> identical frames; ``seed=None`` uses the manifest's default."""
    manifest = manifest if manifest is not None else load_manifest()
    if seed is None:
        seed = int(manifest["seed_default"])
    as_of = date.fromisoformat(manifest.get("as_of", AS_OF.isoformat()))
    if as_of != AS_OF:
        raise ValueError(f"the demo generator is built for as-of {AS_OF}, the manifest says {as_of}")
    effects = _index_effects(manifest)
    rng = np.random.default_rng(seed)

    frames: dict[str, pd.DataFrame] = {}
    frames["decisions"] = _decisions(rng)
    frames["complaints"] = _complaints(rng, frames["decisions"], effects)
    frames["appeals"] = _appeals(rng, effects)
    frames["cases"] = _cases(rng, effects)
    frames["audits"] = _audits(rng, effects)
    frames["inquiries"] = _inquiries(rng)
    frames["satisfaction"] = _satisfaction(rng)
    frames["municipal_appeals"] = _municipal_appeals(rng)
    frames["recommendations"] = _recommendations(rng)
    frames["risk_assessments"] = _risk_assessments(rng, effects)

    ordered = {}
    for name in TABLES:  # contract order, canonical column order
        ordered[name] = frames[name][TABLES[name].column_names].reset_index(drop=True)
    return DemoData(seed=seed, as_of=as_of, frames=ordered, bad_rows=_bad_rows(), manifest=manifest)


# --------------------------------------------------------------------------------------------------- helpers
def _index_effects(manifest: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(table, forvaltning, area) -> effect; checks that the manifest only names known areas and kinds."""
    known = {(a.forvaltning, a.area) for a in AREAS}
    supported = {
        "complaints": {"trend", "level_shift"},
        "appeals": {"trend", "level_shift"},
        "audits": {"above_threshold"},
        "cases": {"backlog_episode"},
    }
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for e in manifest.get("effects", []):
        if (e["forvaltning"], e["area"]) not in known:
            raise ValueError(f"effect {e['id']}: unknown forvaltning/area {e['forvaltning']}/{e['area']}")
        if e["kind"] not in supported.get(e["table"], set()):
            raise ValueError(f"effect {e['id']}: kind {e['kind']} on table {e['table']} is not supported")
        key = (e["table"], e["forvaltning"], e["area"])
        if key in out:
            raise ValueError(f"effect {e['id']}: two effects on {key}")
        out[key] = e
    for s in manifest.get("null_series", []):
        if (s["table"], s["forvaltning"], s["area"]) in out:
            raise ValueError(f"null series {s} also carries an effect")
        if (s["forvaltning"], s["area"]) not in known:
            raise ValueError(f"null series {s}: unknown forvaltning/area")
    return out


def _months() -> np.ndarray:
    return np.arange(f"{FIRST_YEAR}-01", f"{LAST_YEAR + 1}-01", dtype="datetime64[M]")


def _days_in_month(months: np.ndarray) -> np.ndarray:
    return ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64)


def _decimal_year(days: np.ndarray) -> np.ndarray:
    """datetime64[D] -> year as a decimal number (2019.5 = early July 2019)."""
    years = days.astype("datetime64[Y]")
    start = years.astype("datetime64[D]")
    length = ((years + 1).astype("datetime64[D]") - start).astype(np.int64)
    return years.astype(np.int64) + 1970 + (days - start).astype(np.int64) / length


def _scatter(rng: np.random.Generator, months: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """A uniformly drawn day inside its month for each of counts[i] events in months[i] (datetime64[D])."""
    m = np.repeat(months, counts)
    dim = np.repeat(_days_in_month(months), counts)
    return m.astype("datetime64[D]") + np.floor(rng.random(m.size) * dim).astype(np.int64)


def _ns(days: np.ndarray) -> pd.Series:
    """datetime64[D] (NaT allowed) -> datetime64[ns] values."""
    return pd.Series(days.astype("datetime64[ns]"))


def _after_as_of_to_nat(days: np.ndarray) -> np.ndarray:
    out = days.copy()
    out[out > _AS_OF64] = np.datetime64("NaT")
    return out


def _serial_ids(prefix: str, dates: np.ndarray, width: int) -> np.ndarray:
    """IDs like KL-2019-00042: numbered by date within each year (dates must already be sorted)."""
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    seq = pd.Series(years).groupby(years).cumcount().to_numpy() + 1
    return np.array([f"{prefix}-{y}-{s:0{width}d}" for y, s in zip(years, seq)], dtype=object)


def _cpr(rng: np.random.Generator, n: int) -> np.ndarray:
    """Realistic-looking CPR numbers DDMMYY-NNNN with a valid birth date and a century-consistent 7th digit."""
    lo = np.datetime64("1930-01-01")
    hi = np.datetime64("2006-12-31")
    birth = lo + rng.integers(0, (hi - lo).astype(np.int64) + 1, n)
    s = np.datetime_as_string(birth, unit="D")
    born_2000s = birth >= np.datetime64("2000-01-01")
    d7 = np.where(born_2000s, rng.choice([4, 5, 6, 7, 8, 9], n), rng.integers(0, 4, n))
    rest = rng.integers(0, 1000, n)
    return np.array(
        [f"{x[8:10]}{x[5:7]}{x[2:4]}-{a}{b:03d}" for x, a, b in zip(s, d7, rest)], dtype=object
    )


def _trend_multiplier(effect: dict[str, Any] | None, when: np.ndarray) -> np.ndarray:
    """Rate multiplier at each date (datetime64[D]) for a complaint effect (1 without an effect)."""
    if effect is None:
        return np.ones(when.size)
    if effect["kind"] == "trend":
        t = _decimal_year(when) - (effect.get("base_year", FIRST_YEAR) + 0.5)
        return float(effect["ratio_per_year"]) ** t
    if effect["kind"] == "level_shift":
        after = when >= np.datetime64(effect["start"])
        return np.where(after, float(effect["ratio"]), 1.0)
    raise ValueError(effect["kind"])


def _share_at(base: float, effect: dict[str, Any] | None, when: np.ndarray) -> np.ndarray:
    """A share at each date for an appeal effect (the base share without an effect)."""
    if effect is None:
        return np.full(when.size, base)
    if effect["kind"] == "level_shift":
        after = when >= np.datetime64(effect["start"])
        return np.where(after, float(effect["after"]), float(effect.get("before", base)))
    if effect["kind"] == "trend":  # odds ratio per year
        t = _decimal_year(when) - (effect.get("base_year", FIRST_YEAR) + 0.5)
        odds = base / (1 - base) * float(effect["ratio_per_year"]) ** t
        return odds / (1 + odds)
    raise ValueError(effect["kind"])


# --------------------------------------------------------------------------------------------------- tables
_SEASON = np.array([1.05, 1.00, 1.02, 0.98, 1.00, 0.97, 0.75, 0.90, 1.05, 1.05, 1.03, 0.90])


def _decisions(rng: np.random.Generator) -> pd.DataFrame:
    months = _months()
    month_of_year = months.astype(np.int64) % 12
    labels = np.datetime_as_string(months, unit="M")
    parts = []
    for a in AREAS:
        level = a.decisions_per_month * _SEASON[month_of_year] * rng.lognormal(0.0, 0.05, months.size)
        parts.append(pd.DataFrame({
            "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area,
            "month": labels, "decisions": rng.poisson(level).astype(np.int64),
        }))
    return pd.concat(parts, ignore_index=True)


def _complaints(rng: np.random.Generator, decisions: pd.DataFrame, effects: dict) -> pd.DataFrame:
    months = _months()
    mid_month = months.astype("datetime64[D]") + 14
    parts = []
    for a in AREAS:
        dec = decisions.loc[(decisions["forvaltning"] == a.forvaltning) & (decisions["area"] == a.area),
                            "decisions"].to_numpy()
        mult = _trend_multiplier(effects.get(("complaints", a.forvaltning, a.area)), mid_month)
        mean = dec * a.complaint_rate / 1000.0 * mult * rng.lognormal(0.0, 0.08, months.size)
        counts = rng.poisson(mean)
        received = _scatter(rng, months, counts)
        n = received.size
        kind = rng.choice(np.array(COMPLAINT_KINDS, dtype=object), n, p=[0.35, 0.50, 0.15])
        topic = np.empty(n, dtype=object)
        for k, texts in _TOPICS.items():
            idx = np.flatnonzero(kind == k)
            topic[idx] = rng.choice(np.array(texts, dtype=object), idx.size)
        days = np.ceil(rng.lognormal(np.log(28.0), 0.6, n)).astype(np.int64)
        closed = _after_as_of_to_nat(received + days * _DAY)
        is_closed = ~np.isnat(closed)
        outcome = rng.choice(np.array(COMPLAINT_OUTCOMES, dtype=object), n, p=[0.18, 0.12, 0.57, 0.08, 0.05])
        outcome = np.where(is_closed, outcome, None)
        appealable = (kind != "formalitet") & (outcome == "ikke medhold")
        sent = np.where(is_closed, appealable & (rng.random(n) < 0.35), False)
        sent_arr = pd.array(sent, dtype="boolean")
        sent_arr[~is_closed] = pd.NA
        u = rng.random(n)
        cpr = _cpr(rng, n)
        if a.forvaltning == "TMF":
            other = np.array([f"{x:08d}" for x in rng.integers(10_000_000, 99_999_999, n)], dtype=object)
            other = np.where(rng.random(n) < 0.5, other, None)
        else:
            other = np.full(n, None, dtype=object)
        citizen = np.where(u < 0.70, cpr, other)
        parts.append(pd.DataFrame({
            "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area,
            "received": received, "closed": closed, "kind": kind, "topic": topic,
            "outcome": outcome, "sent_to_appeal": sent_arr, "citizen_id": citizen,
        }))
    df = pd.concat(parts, ignore_index=True)
    df = df.sort_values("received", kind="stable").reset_index(drop=True)
    received = df["received"].to_numpy()
    df["complaint_id"] = _serial_ids("KL", received, 5)
    # a few free-text topics with a CPR number inside (exercises CPR scrubbing at ingest)
    idx = np.sort(rng.choice(len(df), 30, replace=False))
    cprs = _cpr(rng, idx.size)
    topics = df["topic"].to_numpy(dtype=object).copy()
    for j, (i, c) in enumerate(zip(idx, cprs)):
        if j % 3 == 0:
            topics[i] = f"{topics[i]}, borger {c} ringede"
        elif j % 3 == 1:
            topics[i] = f"{topics[i]} (cpr {c.replace('-', '')})"
        else:
            topics[i] = f"Klage fra {c} over: {topics[i].lower()}"
    df["topic"] = topics
    df["received"] = _ns(received)
    df["closed"] = _ns(df["closed"].to_numpy())
    for col in ("complaint_id", "forvaltning", "unit", "area", "kind", "topic", "outcome", "citizen_id"):
        df[col] = df[col].astype("str") if df[col].notna().all() else pd.array(df[col].to_numpy(dtype=object),
                                                                                   dtype="str")
    return df


def _appeals(rng: np.random.Generator, effects: dict) -> pd.DataFrame:
    months = _months()
    merits = np.array(APPEAL_MERITS, dtype=object)
    parts = []
    for a in AREAS:
        if not a.appeals_per_year:
            continue
        counts = rng.poisson(a.appeals_per_year / 12.0, months.size)
        decided = _scatter(rng, months, counts)
        n = decided.size
        wait = np.maximum(14, np.round(rng.lognormal(np.log(110.0), 0.45, n))).astype(np.int64)
        received = decided - wait * _DAY
        p_rev = _share_at(a.reversal_share, effects.get(("appeals", a.forvaltning, a.area)), decided)
        on_merits = rng.random(n) >= 0.08
        reversed_ = rng.random(n) < p_rev
        # reversed: ændret 42 %, ophævet 6 %, hjemvist 52 %
        rev_kind = rng.choice(np.array(APPEAL_REVERSED, dtype=object), n, p=[0.42, 0.06, 0.52])
        non_merit = rng.choice(np.array(["afvist", "henvist", "bortfaldet"], dtype=object), n, p=[0.6, 0.15, 0.25])
        outcome = np.where(on_merits, np.where(reversed_, rev_kind, merits[0]), non_merit)
        if a.forvaltning == "BIF":
            body = np.where(decided < np.datetime64("2013-07-01"), "Beskæftigelsesankenævnet", "Ankestyrelsen")
        else:
            body = np.full(n, "Ankestyrelsen", dtype=object)
        parts.append(pd.DataFrame({
            "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area, "body": body.astype(object),
            "received": received, "decided": decided, "outcome": outcome,
        }))
    df = pd.concat(parts, ignore_index=True).sort_values("decided", kind="stable").reset_index(drop=True)
    decided = df["decided"].to_numpy()
    df["appeal_id"] = _serial_ids("AN", decided, 5)
    df["received"] = _ns(df["received"].to_numpy())
    df["decided"] = _ns(decided)
    for col in ("appeal_id", "forvaltning", "unit", "area", "body", "outcome"):
        df[col] = df[col].astype("str")
    return df


def _cases(rng: np.random.Generator, effects: dict) -> pd.DataFrame:
    months = _months()
    parts = []
    for a in AREAS:
        if not a.cases_per_year:
            continue
        counts = rng.poisson(a.cases_per_year / 12.0 * _SEASON[months.astype(np.int64) % 12])
        opened = _scatter(rng, months, counts)
        n = opened.size
        types = np.array([t for t, _ in a.case_types], dtype=object)
        targets = np.array([-1 if d is None else d for _, d in a.case_types], dtype=np.int64)
        which = rng.integers(0, types.size, n)
        case_type = types[which]
        own_target = targets[which]
        target = np.where(own_target > 0, own_target, a.servicemaal or -1)
        median = np.where(target > 0, 0.8 * target, a.median_days).astype(float)
        duration = rng.lognormal(np.log(median), 0.55, n)
        effect = effects.get(("cases", a.forvaltning, a.area))
        if effect is not None:  # backlog_episode
            in_episode = (opened >= np.datetime64(effect["start"])) & (opened <= np.datetime64(effect["end"]))
            duration = np.where(in_episode, duration * float(effect["processing_multiplier"]), duration)
        long_running = rng.random(n) < 0.01
        duration = np.where(long_running, duration * rng.uniform(6.0, 15.0, n), duration)
        decided = _after_as_of_to_nat(opened + np.maximum(1, np.ceil(duration)).astype(np.int64) * _DAY)
        target_days = pd.array(np.where(own_target > 0, own_target, 0), dtype="Int64")
        target_days[own_target <= 0] = pd.NA
        parts.append(pd.DataFrame({
            "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area, "case_type": case_type,
            "opened": opened, "decided": decided, "target_days": target_days,
        }))
    df = pd.concat(parts, ignore_index=True).sort_values("opened", kind="stable").reset_index(drop=True)
    opened = df["opened"].to_numpy()
    df["case_id"] = _serial_ids("SAG", opened, 6)
    df["opened"] = _ns(opened)
    df["decided"] = _ns(df["decided"].to_numpy())
    for col in ("case_id", "forvaltning", "unit", "area", "case_type"):
        df[col] = df[col].astype("str")
    return df


def _audits(rng: np.random.Generator, effects: dict) -> pd.DataFrame:
    parts = []
    for year in range(2015, LAST_YEAR + 1):
        start = np.datetime64(f"{year}-01-01")
        for a in AREAS:
            effect = effects.get(("audits", a.forvaltning, a.area))
            p = float(effect["value"]) if effect else a.audit_error_share
            n = int(effect.get("audits_per_year", 30)) if effect else 30
            checklist = _CHECKLIST_TMF if a.forvaltning == "TMF" else _CHECKLIST_DEFAULT
            items = np.array([c[0] for c in checklist], dtype=object)
            p_na = np.array([c[1] for c in checklist])
            weight = np.array([c[2] for c in checklist])
            k = items.size
            not_relevant = rng.random((n, k)) < p_na
            has_error = rng.random(n) < p
            n_errors = np.where(rng.random(n) < 0.7, 1, 2)
            score = rng.random((n, k)) ** (1.0 / weight)  # weighted choice of the failing items
            score[not_relevant] = -1.0
            rank = np.argsort(np.argsort(-score, axis=1, kind="stable"), axis=1, kind="stable")
            fejl = has_error[:, None] & (rank < n_errors[:, None]) & ~not_relevant
            result = np.where(not_relevant, AUDIT_RESULTS[2], np.where(fejl, AUDIT_RESULTS[1], AUDIT_RESULTS[0]))
            audit_date = np.sort(start + rng.integers(0, 365, n))
            audit_date = np.minimum(audit_date, _AS_OF64)
            case_no = rng.integers(1, 999_999, n)
            parts.append(pd.DataFrame({
                "year": year,
                "seq_area": np.repeat(np.arange(n), k),
                "case_id": np.repeat([f"SAG-{c:06d}" for c in case_no], k),
                "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area,
                "audit_date": np.repeat(audit_date, k),
                "item": np.tile(items, n), "result": result.ravel().astype(object),
            }))
    df = pd.concat(parts, ignore_index=True)
    df = df.sort_values(["audit_date"], kind="stable").reset_index(drop=True)
    # one audit_id per (year, area, seq) in order of audit date
    audit_key = df["year"].astype(str) + "|" + df["forvaltning"] + "|" + df["area"] + "|" + df["seq_area"].astype(str)
    first = ~audit_key.duplicated()
    numbers = first.groupby(df["year"]).cumsum()
    df["audit_id"] = [f"TS-{y}-{s:04d}" for y, s in zip(df["year"], numbers)]
    df["audit_date"] = _ns(df["audit_date"].to_numpy())
    for col in ("audit_id", "case_id", "forvaltning", "unit", "area", "item", "result"):
        df[col] = df[col].astype("str")
    return df.drop(columns=["year", "seq_area"])


def _inquiries(rng: np.random.Generator) -> pd.DataFrame:
    codes = np.array(list(_INQUIRY_FORVALTNING_SHARE), dtype=object)
    shares = np.array(list(_INQUIRY_FORVALTNING_SHARE.values()))
    cats = np.array(list(_INQUIRY_CATEGORIES), dtype=object)
    cat_p = np.array([v[0] for v in _INQUIRY_CATEGORIES.values()])
    crit_p = np.array([v[1] for v in _INQUIRY_CATEGORIES.values()])
    parts = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        total = _INQUIRY_TOTALS[year]
        n = total if year in _INQUIRY_PUBLISHED else int(rng.poisson(total))
        start = np.datetime64(f"{year}-01-01")
        length = 366 if year % 4 == 0 else 365
        received = np.sort(start + rng.integers(0, length, n))
        which = rng.choice(cats.size, n, p=cat_p / cat_p.sum())
        days = np.ceil(rng.lognormal(np.log(40.0), 0.6, n)).astype(np.int64)
        closed = _after_as_of_to_nat(received + days * _DAY)
        crit = pd.array(rng.random(n) < crit_p[which], dtype="boolean")
        crit[np.isnat(closed)] = pd.NA
        parts.append(pd.DataFrame({
            "forvaltning": rng.choice(codes, n, p=shares / shares.sum()),
            "received": received, "closed": closed, "category": cats[which], "criticism": crit,
        }))
    df = pd.concat(parts, ignore_index=True)
    received = df["received"].to_numpy()
    df["inquiry_id"] = _serial_ids("BR", received, 4)
    df["received"] = _ns(received)
    df["closed"] = _ns(df["closed"].to_numpy())
    for col in ("inquiry_id", "forvaltning", "category"):
        df[col] = df[col].astype("str")
    return df


def _satisfaction(rng: np.random.Generator) -> pd.DataFrame:
    units: list[tuple[str, str]] = []
    for a in AREAS:
        if (a.forvaltning, a.unit) not in units:
            units.append((a.forvaltning, a.unit))
    rows = []
    for f, u in units:
        level = rng.uniform(0.65, 0.85)
        size = int(rng.integers(150, 600))
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            respondents = int(rng.poisson(size))
            rows.append({"forvaltning": f, "unit": u, "survey": "Brugertilfredshedsundersøgelse",
                         "period": str(year), "respondents": respondents,
                         "satisfied": int(rng.binomial(respondents, level))})
    df = pd.DataFrame(rows)
    for col in ("forvaltning", "unit", "survey", "period"):
        df[col] = df[col].astype("str")
    return df.astype({"respondents": "int64", "satisfied": "int64"})


def _municipal_appeals(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for m, pop in _MUNICIPALITIES.items():
        offset = rng.normal(0.0, 0.3)  # the kommune's own level (logit scale)
        for area, (per_1000, national) in _DK_AREAS.items():
            for year in range(2017, LAST_YEAR + 1):
                p = _DK_ANCHORS.get((m, year, area))
                if p is None:
                    logit = np.log(national / (1 - national)) + offset + rng.normal(0.0, 0.15)
                    p = 1 / (1 + np.exp(-logit))
                merits = max(3, int(rng.poisson(per_1000 * pop)))
                reversed_ = int(rng.binomial(merits, p))
                remitted = int(rng.binomial(reversed_, 0.55))
                dismissed = int(rng.poisson(0.08 * merits))
                rows.append({"municipality": m, "year": year, "area": area, "upheld": merits - reversed_,
                             "changed": reversed_ - remitted, "remitted": remitted, "dismissed": dismissed,
                             "total": merits + dismissed})
    df = pd.DataFrame(rows)
    missing_total = rng.random(len(df)) < 0.15
    df["dismissed"] = df["dismissed"].astype("Int64")
    df["total"] = df["total"].astype("Int64")
    df.loc[missing_total, "total"] = pd.NA
    for col in ("municipality", "area"):
        df[col] = df[col].astype("str")
    return df.astype({"year": "int64", "upheld": "int64", "changed": "int64", "remitted": "int64"})


def _recommendations(rng: np.random.Generator) -> pd.DataFrame:
    texts = np.array(_RECOMMENDATIONS, dtype=object)
    done = {2013: 0.90, 2015: 0.85, 2017: 0.75, 2019: 0.60, 2021: 0.45, 2023: 0.20}
    rows = []
    for f in FORVALTNINGER:
        for year, p_done in done.items():
            n = int(rng.integers(3, 7))
            chosen = rng.choice(texts.size, n, replace=False)
            for number, t in enumerate(chosen, start=1):
                u = rng.random()
                if u < p_done:
                    status = RECOMMENDATION_STATUSES[0]
                elif u < p_done + (1 - p_done) * 2 / 3:
                    status = RECOMMENDATION_STATUSES[1]
                else:
                    status = RECOMMENDATION_STATUSES[2]
                lo = np.datetime64(f"{year + 1}-01-01")
                updated = lo + int(rng.integers(0, (_AS_OF64 - lo).astype(np.int64) + 1))
                if rng.random() < 0.1:
                    updated = np.datetime64("NaT")
                rows.append({"forvaltning": f, "evaluation_year": year, "number": number, "text": texts[t],
                             "status": status, "updated": updated})
    df = pd.DataFrame(rows)
    df["updated"] = _ns(df["updated"].to_numpy().astype("datetime64[D]"))
    for col in ("forvaltning", "text", "status"):
        df[col] = df[col].astype("str")
    return df.astype({"evaluation_year": "int64", "number": "int64"})


def _risk_assessments(rng: np.random.Generator, effects: dict) -> pd.DataFrame:
    rows = []
    for a in AREAS:
        scores = rng.integers(1, 4, 3)
        audit_effect = effects.get(("audits", a.forvaltning, a.area))
        case_effect = effects.get(("cases", a.forvaltning, a.area))
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            change = rng.random(3) < 0.2
            scores = np.clip(scores + np.where(change, rng.choice([-1, 1], 3), 0), 1, 3)
            economy, legal, it = (int(s) for s in scores)
            note = None
            if audit_effect and year >= 2016:
                legal = 3
                note = "Høj fejlandel i stikprøverne: intensiveret tilsyn"
            if case_effect:
                y0 = int(case_effect["start"][:4])
                y1 = int(case_effect["end"][:4])
                if y0 <= year <= y1 + 1:
                    economy, legal = 3, 3
                    note = "Sagspukkel: lange sagsbehandlingstider"
            assessed = np.datetime64(f"{year}-03-01") + int(rng.integers(0, 30))
            missing = rng.random(3) < 0.04
            rows.append({"forvaltning": a.forvaltning, "area": a.area, "assessed": assessed,
                         "economy": pd.NA if missing[0] else economy, "legal": pd.NA if missing[1] else legal,
                         "it": pd.NA if missing[2] else it, "note": note})
    df = pd.DataFrame(rows)
    df["assessed"] = _ns(df["assessed"].to_numpy().astype("datetime64[D]"))
    for col in ("economy", "legal", "it"):
        df[col] = df[col].astype("Int64")
    for col in ("forvaltning", "area"):
        df[col] = df[col].astype("str")
    df["note"] = pd.array(df["note"].to_numpy(dtype=object), dtype="str")
    return df


# --------------------------------------------------------------------------------------------------- bad rows
def _bad_rows() -> dict[str, list[dict[str, str]]]:
    """Deliberately invalid rows, as raw CSV strings, of the kinds real exports contain.

    Keys never collide with the valid rows' keys; the one deliberate duplicate pair per table collides only
    with itself (both copies are bad). Fixed: the same for every seed.
    """
    def rows(table: str, items: list[dict[str, str]]) -> list[dict[str, str]]:
        cols = TABLES[table].column_names
        return [{**{c: "" for c in cols}, **r} for r in items]

    klage = {"forvaltning": "SOF", "unit": "Borgercenter Voksne", "area": "Hjemmehjælp", "received": "2023-05-04",
             "closed": "2023-06-01", "kind": "realitet", "topic": "Afslag på ansøgning", "outcome": "ikke medhold",
             "sent_to_appeal": "nej", "citizen_id": "120356-1234"}
    anke = {"forvaltning": "BIF", "unit": "Jobcenter København", "area": "Sygedagpenge", "body": "Ankestyrelsen",
            "received": "2022-01-10", "decided": "2022-05-02", "outcome": "stadfæstet"}
    sag = {"forvaltning": "TMF", "unit": "Center for Bygninger", "area": "Byggesager - enfamiliehuse",
           "case_type": "Tilbygning", "opened": "2023-02-01", "decided": "2023-03-15", "target_days": ""}
    afg = {"forvaltning": "BIF", "unit": "Ydelsesservice København", "area": "Kontanthjælp", "decisions": "2450"}
    tilsyn = {"case_id": "SAG-004711", "forvaltning": "SUF", "unit": "Visitationen", "area": "Hjemmepleje",
              "audit_date": "2022-09-14", "item": "partshøring", "result": "ok"}
    henv = {"forvaltning": "SOF", "received": "2023-03-02", "closed": "2023-04-11", "category": "Sagsbehandlingstid",
            "criticism": "ja"}
    tilf = {"forvaltning": "KFF", "unit": "Borgerservice", "survey": "Brugertilfredshedsundersøgelse",
            "respondents": "310", "satisfied": "250"}
    anb = {"evaluation_year": "2021", "text": "Klagevejledning skal fremgå af alle skriftlige afgørelser.",
           "status": "i gang", "updated": "2023-08-01"}
    risk = {"forvaltning": "BIF", "area": "Kontanthjælp", "assessed": "2020-06-01", "economy": "2", "legal": "2",
            "it": "1", "note": ""}

    return {
        "complaints": rows("complaints", [
            {**klage, "complaint_id": "KL-2023-90001", "forvaltning": "KBH", "_why": "forvaltning code not declared"},
            {**klage, "complaint_id": "KL-2023-90002", "received": "2023-06-10", "closed": "2023-05-28",
             "_why": "closed before received"},
            {**klage, "complaint_id": "KL-2024-90003", "received": "2025-03-01", "closed": "", "outcome": "",
             "sent_to_appeal": "", "_why": "received date in the future (after as-of 2024-12-31)"},
            {**klage, "complaint_id": "KL-2020-90004", "received": "31-02-2020", "closed": "",
             "outcome": "", "sent_to_appeal": "", "_why": "unparsable date (31 February)"},
            {**klage, "complaint_id": "KL-2023-90005", "outcome": "medhold?", "_why": "unknown outcome category"},
            {**klage, "complaint_id": "KL-2023-90006", "outcome": "", "sent_to_appeal": "",
             "_why": "outcome missing on a closed complaint"},
        ]),
        "decisions": rows("decisions", [
            {**afg, "month": "2012-11", "decisions": "-12", "_why": "negative count"},
            {**afg, "forvaltning": "KBH", "month": "2019-05", "_why": "forvaltning code not declared"},
            {**afg, "month": "2019-13", "_why": "unparsable month"},
            {**afg, "month": "2012-07", "decisions": "2310", "_why": "duplicate key with different values (copy 1)"},
            {**afg, "month": "2012-07", "decisions": "2295", "_why": "duplicate key with different values (copy 2)"},
        ]),
        "appeals": rows("appeals", [
            {**anke, "appeal_id": "AN-2022-90001", "decided": "", "_why": "required value missing (decided)"},
            {**anke, "appeal_id": "AN-2019-90002", "decided": "2019-13-01", "_why": "unparsable date (month 13)"},
            {**anke, "appeal_id": "AN-2022-90003", "received": "2022-06-01", "decided": "2022-04-20",
             "_why": "decided before received"},
            {**anke, "appeal_id": "AN-2022-90004", "outcome": "omgjort", "_why": "unknown outcome category"},
            {**anke, "appeal_id": "AN-2021-90005", "received": "2021-06-15", "decided": "2021-11-03", "outcome": "hjemvist",
             "_why": "duplicate key with different values (copy 1)"},
            {**anke, "appeal_id": "AN-2021-90005", "received": "2021-06-15", "decided": "2021-11-03", "outcome": "stadfæstet",
             "_why": "duplicate key with different values (copy 2)"},
        ]),
        "cases": rows("cases", [
            {**sag, "case_id": "SAG-2023-900001", "forvaltning": "KBH", "_why": "forvaltning code not declared"},
            {**sag, "case_id": "SAG-2023-900002", "opened": "2023-04-01", "decided": "2023-03-01",
             "_why": "decided before opened"},
            {**sag, "case_id": "SAG-2025-900003", "opened": "2025-03-01", "decided": "",
             "_why": "opened date in the future (after as-of 2024-12-31)"},
            {**sag, "case_id": "SAG-2023-900004", "opened": "", "_why": "required value missing (opened)"},
            {**sag, "case_id": "SAG-2023-900005", "target_days": "-5", "_why": "negative target_days"},
        ]),
        "audits": rows("audits", [
            {**tilsyn, "audit_id": "TS-2022-9001", "result": "måske", "_why": "unknown result category"},
            {**tilsyn, "audit_id": "TS-2022-9002", "forvaltning": "KBH", "_why": "forvaltning code not declared"},
            {**tilsyn, "audit_id": "TS-2025-9003", "audit_date": "2025-03-01",
             "_why": "audit date in the future (after as-of 2024-12-31)"},
            {**tilsyn, "audit_id": "TS-2022-9004", "item": "", "_why": "required value missing (item)"},
            {**tilsyn, "audit_id": "TS-2022-9005", "result": "fejl",
             "_why": "duplicate key with different values (copy 1)"},
            {**tilsyn, "audit_id": "TS-2022-9005", "result": "ok",
             "_why": "duplicate key with different values (copy 2)"},
        ]),
        "inquiries": rows("inquiries", [
            {**henv, "inquiry_id": "BR-2023-9001", "category": "", "_why": "required value missing (category)"},
            {**henv, "inquiry_id": "BR-2023-9002", "received": "2023-05-01", "closed": "2023-04-03",
             "_why": "closed before received"},
            {**henv, "inquiry_id": "BR-2023-9003", "criticism": "måske", "_why": "unparsable boolean"},
            {**henv, "inquiry_id": "BR-2023-9004", "forvaltning": "KBH", "_why": "forvaltning code not declared"},
        ]),
        "satisfaction": rows("satisfaction", [
            {**tilf, "period": "2012", "respondents": "250", "satisfied": "262", "_why": "satisfied > respondents"},
            {**tilf, "period": "2011", "respondents": "-40", "satisfied": "0", "_why": "negative count"},
            {**tilf, "unit": "Københavns Biblioteker", "period": "", "_why": "required value missing (period)"},
        ]),
        "municipal_appeals": rows("municipal_appeals", [
            {"municipality": "Morsø", "year": "2020", "area": "Social- og beskæftigelsesområdet (1. halvår)",
             "upheld": "23", "changed": "2", "remitted": "1", "dismissed": "2", "total": "27",
             "_why": "total 27 differs from the sum 23+2+1+2 = 28 (Morsø H1 2020 as published)"},
            {"municipality": "Herlev", "year": "2016", "area": "Socialområdet", "upheld": "40", "changed": "-3",
             "remitted": "9", "dismissed": "4", "total": "", "_why": "negative count"},
            {"municipality": "Billund", "year": "2016", "area": "Børnehandicap", "upheld": "6", "changed": "<5",
             "remitted": "2", "dismissed": "", "total": "", "_why": "unparsable count (suppressed '<5')"},
            {"municipality": "", "year": "2016", "area": "Voksenhandicap", "upheld": "12", "changed": "3",
             "remitted": "4", "dismissed": "1", "total": "20", "_why": "required value missing (municipality)"},
        ]),
        "recommendations": rows("recommendations", [
            {**anb, "forvaltning": "BIF", "number": "91", "status": "delvist gennemført",
             "_why": "unknown status category"},
            {**anb, "forvaltning": "SOF", "number": "92", "text": "", "_why": "required value missing (text)"},
            {**anb, "forvaltning": "KBH", "number": "93", "_why": "forvaltning code not declared"},
        ]),
        "risk_assessments": rows("risk_assessments", [
            {**risk, "forvaltning": "KBH", "_why": "forvaltning code not declared"},
            {**risk, "assessed": "2025-03-01", "_why": "assessed date in the future (after as-of 2024-12-31)"},
            {**risk, "assessed": "1999-03-01", "_why": "date before 2000"},
        ]),
    }
