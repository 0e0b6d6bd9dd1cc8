"""Denmark's 98 kommuner: the official list, their regions and boundaries, and the matching of names in exports.

The official list is the boundary file shipped in ``kvalitet/data/dk_kommuner_compact.geojson`` (DAGI 1:250 000 via
Datakollektivet; licence and provenance in ``kvalitet/data/README.md``): each feature's ``navn`` and ``kommunekod``,
without Christiansø (code 411, not a kommune), with the region from ``regionskod`` (1081–1085) named as in
``kvalitet/data/ast_talportal_kommuner_regioner.csv``.

Exports spell kommuner in many ways ("København", "Københavns Kommune", "Kobenhavn", "0101", "Århus", "Aarhus",
"Ålborg"): :func:`match` maps a name or a kommunekode to the official name, ignoring case, white space, hyphens, the
word "Kommune"/"Regionskommune" and a genitive s, and folding the Danish letters (æ, ø, å and their older or
ASCII spellings ae, oe, aa, o, a) so that old spellings match; a few former names are aliases (:data:`ALIASES`).
A name that matches nothing gets :func:`unknown_reason`, which names the closest official names.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

#: the feature that is not a kommune (Christiansø, administered by the state)
NOT_A_KOMMUNE = 411
#: the caption every map drawn from the boundaries carries (kvalitet/data/README.md)
ATTRIBUTION = ("Kommunegrænser: Indeholder data fra Styrelsen for Dataforsyning og Infrastruktur (SDFI), "
               "DAGI 1:250.000, hentet 2021 via Dataforsyningen; bearbejdet af Datakollektivet (MIT).")
#: former or common names that folding alone does not reach -> official name
ALIASES = {
    "Brønderslev-Dronninglund": "Brønderslev",
    "Nordfyn": "Nordfyns",
    "Vesthimmerland": "Vesthimmerlands",
    "Lyngby": "Lyngby-Taarbæk",
    "Kongens Lyngby": "Lyngby-Taarbæk",
    "Taastrup": "Høje-Taastrup",
    "Bornholms Regionskommune": "Bornholm",
    "Københavns Kommune": "København",
    "Copenhagen": "København",
}
_GEOJSON = "dk_kommuner_compact.geojson"
_REGIONS_CSV = "ast_talportal_kommuner_regioner.csv"
_SUFFIX = re.compile(r"\s*(regionskommune|kommune)$")


@dataclass(frozen=True)
class Municipality:
    """One kommune: official name, kommunekode (101 for København), region code and region name."""

    name: str
    code: int
    region_code: int
    region: str


def _data_text(name: str) -> str:
    return resources.files("kvalitet").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _features() -> tuple[dict, ...]:
    return tuple(f for f in json.loads(_data_text(_GEOJSON))["features"]
                 if int(f["properties"]["kommunekod"]) != NOT_A_KOMMUNE)


@lru_cache(maxsize=1)
def region_list() -> dict[str, str]:
    """The kommune -> region list as shipped (``ast_talportal_kommuner_regioner.csv``)."""
    rows = csv.reader(_data_text(_REGIONS_CSV).splitlines(), delimiter=";")
    next(rows)
    return {r[0].strip(): r[1].strip() for r in rows if r}


@lru_cache(maxsize=1)
def all_municipalities() -> tuple[Municipality, ...]:
    """The 98 kommuner in alphabetical (Danish) order."""
    names = region_list()
    by_code: dict[int, str] = {}
    for f in _features():
        p = f["properties"]
        if p["navn"] in names:
            by_code.setdefault(int(p["regionskod"]), names[p["navn"]])
    out = [Municipality(f["properties"]["navn"], int(f["properties"]["kommunekod"]),
                        int(f["properties"]["regionskod"]), by_code[int(f["properties"]["regionskod"])])
           for f in _features()]
    return tuple(sorted(out, key=lambda m: sort_key(m.name)))


def sort_key(name: str) -> tuple:
    """Danish alphabetical order (æ, ø, å after z; aa as å)."""
    s = name.casefold().replace("aa", "å")
    return tuple(("abcdefghijklmnopqrstuvwxyzæøå".find(c) if c in "abcdefghijklmnopqrstuvwxyzæøå" else -1, c)
                 for c in s)


def names() -> list[str]:
    """The official names, in Danish alphabetical order."""
    return [m.name for m in all_municipalities()]


def get(name: str) -> Municipality:
    """The kommune with this official name (KeyError otherwise)."""
    for m in all_municipalities():
        if m.name == name:
            return m
    raise KeyError(name)


#: kommuner whose name as an authority is not "<navn> Kommune"
_TITLES = {"København": "Københavns Kommune", "Bornholm": "Bornholms Regionskommune"}


def title(name: str) -> str:
    """The kommune as an authority: "Aarhus Kommune", "Københavns Kommune", "Bornholms Regionskommune"."""
    return _TITLES.get(name, f"{name} Kommune")


def regions() -> list[str]:
    """The five region names, in the order of their codes."""
    seen = {m.region_code: m.region for m in all_municipalities()}
    return [seen[c] for c in sorted(seen)]


def in_region(region: str) -> list[str]:
    """The kommuner of a region (its name, with or without "Region")."""
    key = fold(region.removeprefix("Region ").removeprefix("region "))
    return [m.name for m in all_municipalities() if fold(m.region.removeprefix("Region ")) == key]


def fold(text: str) -> str:
    """The form names are compared in: lower case, letters only, Danish letters and their spellings folded alike
    (``Århus``, ``Aarhus`` -> ``arhus``; ``København``, ``Kobenhavn``, ``Koebenhavn`` -> ``kobenhavn``)."""
    s = " ".join(str(text).split()).casefold()
    s = _SUFFIX.sub("", s)
    s = s.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = re.sub(r"[^a-z]", "", s)
    return s.replace("aa", "a").replace("oe", "o").replace("ae", "a")


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for m in all_municipalities():
        out[fold(m.name)] = m.name
    for alias, name in ALIASES.items():
        out.setdefault(fold(alias), name)
    return out


@lru_cache(maxsize=1)
def _codes() -> dict[int, str]:
    return {m.code: m.name for m in all_municipalities()}


def match(value) -> str | None:
    """The official name for a name, spelling or kommunekode (``101``, ``0101``) in an export; None when nothing
    matches."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    if text.isdigit():
        return _codes().get(int(text))
    look = _lookup()
    key = fold(text)
    if key in look:
        return look[key]
    if key.endswith("s") and key[:-1] in look:  # genitive: "Københavns Kommune", "Frederiksbergs"
        return look[key[:-1]]
    return None


def closest(value, n: int = 3) -> list[str]:
    """Up to ``n`` official names closest to ``value`` (difflib's ratio on the folded names), best first."""
    look = _lookup()
    keys = difflib.get_close_matches(fold(str(value)), list(look), n=n * 2, cutoff=0.6)
    out: list[str] = []
    for k in keys:
        if look[k] not in out:
            out.append(look[k])
    return out[:n]


def unknown_reason(value) -> str:
    """The Danish reason for a name that matches no kommune (the rest of a sentence after the value)."""
    near = closest(value)
    hint = ("; nærmeste: " + ", ".join(near)) if near else ""
    return f"er ikke en dansk kommune (navn eller kommunekode){hint}"


def match_many(values) -> tuple[list[str | None], dict[str, str]]:
    """Official names for many values, and the reason for each distinct value that matches nothing."""
    out, bad = [], {}
    for v in values:
        m = match(v)
        out.append(m)
        if m is None and isinstance(v, str) and v.strip():
            bad.setdefault(v, unknown_reason(v))
    return out, bad


def _oriented(ring: list, outer: bool) -> np.ndarray:
    """A ring as an (n, 2) array, counter-clockwise when outer, clockwise for a hole (so the non-zero fill rule
    leaves holes open)."""
    a = np.asarray(ring, dtype=float)[:, :2]
    x, y = a[:, 0], a[:, 1]
    area2 = float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))
    if (area2 > 0) != outer:
        a = a[::-1]
    return a


@lru_cache(maxsize=1)
def boundaries() -> dict[str, tuple[np.ndarray, ...]]:
    """Official name -> the rings of its boundary (lon, lat), outer rings counter-clockwise and holes clockwise."""
    out = {}
    for f in _features():
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        rings = []
        for poly in polys:
            rings.append(_oriented(poly[0], True))
            rings += [_oriented(r, False) for r in poly[1:]]
        out[f["properties"]["navn"]] = tuple(rings)
    return out
