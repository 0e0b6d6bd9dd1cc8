"""Source profiles: a YAML file that translates one case system's export into the contract, without code.

A profile names the contract table it feeds and translates: ``columns`` (contract column: the export's header,
exact but case-insensitive), ``values`` (per category column or forvaltning: export value -> contract value),
``dates`` (extra ``strftime`` formats, tried after the contract's), ``header_row`` (counted from 1, as a
spreadsheet shows it) and ``sheet`` (the XLSX sheet). ``files`` (name patterns such as ``klageudtraek*.csv``)
selects the profile automatically from ``parameters/sources/`` (or ``KVALITET_SOURCES``).

A profile only translates: every rule of the contract still applies after it. Values are looked up trimmed and
case-insensitively; a blank cell stays blank; a value that already is a valid contract value passes; any other value
is quarantined with a reason naming the profile and the value (:meth:`Profile.translators`), never guessed.

Mistakes in the profile itself (bad YAML, an unknown table or contract column, a ``values`` entry for a column that
is no category, a value translated to no contract value, an unfinished ``TODO``, a date format that would read a
date the contract reads otherwise, a header the export lacks) refuse the file with a message naming the profile file
and the names involved (:class:`~kvalitet.errors.FileRefused`).
"""

from __future__ import annotations

import fnmatch
import os
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import contract
from .errors import FileRefused
from .organisation import Organisation

DEFAULT_DIR = Path("parameters") / "sources"
ENV_DIR = "KVALITET_SOURCES"
#: what a draft profile (``kvalitet profile suggest``) writes where the analyst must decide
TODO = "TODO"
#: column types whose values a profile may translate
VALUE_TYPES = ("category", "code")
#: dates a profile's date format is checked on: it must not read a text the contract reads as another date
_PROBE_DATES = (date(2024, 2, 1), date(2024, 1, 2), date(2024, 12, 31), date(2024, 11, 5), date(2031, 3, 4))

Translator = Callable[[pd.Series], "tuple[pd.Series, dict[str, str]]"]


class _Model(BaseModel):
    """The YAML shape of a profile."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    table: str = Field(min_length=1)
    files: list[str] = Field(default_factory=list)
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    dates: list[str] = Field(default_factory=list)
    header_row: int | None = Field(default=None, ge=1)
    sheet: str | None = None


_KEYS = ", ".join(_Model.model_fields)
_PYDANTIC_DA = {
    "missing": "mangler",
    "string_type": "skal være tekst (sæt citationstegn om værdien)",
    "dict_type": "skal være en ordbog (nøgle: værdi)",
    "list_type": "skal være en liste",
    "int_type": "skal være et helt tal",
    "int_parsing": "skal være et helt tal",
    "int_from_float": "skal være et helt tal",
    "greater_than_equal": "skal være mindst 1",
    "string_too_short": "må ikke være tom",
}


def fold(value: str) -> str:
    """A value or header as it is looked up: NFC, trimmed, inner white space collapsed, case-folded."""
    return " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()


def resolve_dir(path: str | Path | None = None) -> Path:
    """The folder of source profiles: the argument, else KVALITET_SOURCES, else parameters/sources."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_DIR)
    return Path(env) if env else DEFAULT_DIR


@dataclass(frozen=True)
class Profile:
    """A validated source profile."""

    path: Path
    name: str
    table: contract.Table
    files: tuple[str, ...]
    #: contract column -> the export's header, as written in the profile
    columns: dict[str, str]
    #: contract column -> folded export value -> contract value
    values: dict[str, dict[str, str]]
    dates: tuple[str, ...]
    header_row: int | None
    sheet: str | None

    @property
    def label(self) -> str:
        """The profile as messages name it: its name and file."""
        return f"'{self.name}' ({self.path})"

    @property
    def stored_label(self) -> str:
        """The profile as quarantine reasons name it: its name and file name (a reason stored in the database does
        not depend on the folder the profile was in)."""
        return f"'{self.name}' ({self.path.name})"

    def matches(self, file_name: str) -> bool:
        """True when one of the ``files`` patterns matches ``file_name`` (case-insensitive)."""
        return any(fnmatch.fnmatchcase(fold(file_name), fold(p)) for p in self.files)

    def reading_table(self) -> contract.Table:
        """The table with the profile's headers as the only aliases of the columns it names (the readers find the
        header row and sheet by them, the validator maps them); a header the profile gives one column is no longer
        an alias of another."""
        taken = {fold(h) for h in self.columns.values()}
        cols = []
        for c in self.table.columns:
            if c.name in self.columns:
                cols.append(replace(c, aliases=(self.columns[c.name],)))
            else:
                cols.append(replace(c, aliases=tuple(a for a in c.aliases if fold(a) not in taken)))
        return replace(self.table, columns=tuple(cols))

    def check_headers(self, file: Path, headers: list[str]) -> None:
        """Refuse the file when a header the profile names is not in it."""
        present = {fold(h) for h in headers}
        missing = [(c, h) for c, h in self.columns.items() if fold(h) not in present]
        if missing:
            named = "; ".join(f"{c} fra overskriften '{h}'" for c, h in missing)
            raise FileRefused(
                f"{file}: kildeprofilen {self.label} oversætter {named}, men filen har ingen sådan overskrift. "
                f"Filens overskrifter: {', '.join(h for h in headers if h)}"
            )

    def translators(self, organisation: Organisation) -> dict[str, Translator]:
        """Per contract column, a function from the column's distinct cleaned values to (translated values, why a
        value that is still not a contract value cannot be read). Used by :func:`kvalitet.validate.validate`."""
        out: dict[str, Translator] = {}
        for name, mapping in self.values.items():
            out[name] = self._value_translator(self.table.by_name[name], mapping, organisation)
        if self.dates:
            for c in self.table.columns:
                if c.type == "date":
                    out[c.name] = self._date_translator
        return out

    def _value_translator(self, col: contract.Column, mapping: dict[str, str], organisation: Organisation):
        from .validate import _type_message

        allowed = _type_message(col, organisation)

        def translate(texts: pd.Series) -> tuple[pd.Series, dict[str, str]]:
            out, notes = [], {}
            for v in texts.to_numpy(dtype=object):
                hit = mapping.get(fold(v)) if isinstance(v, str) else None
                out.append(v if hit is None else hit)
                if isinstance(v, str) and hit is None:
                    notes[v] = (f"står ikke i kildeprofilen {self.stored_label} under values: {col.name}, og er ikke "
                                f"{allowed}; tilføj værdien i profilen, og indlæs filen igen")
            return pd.Series(out, index=texts.index, dtype=object), notes

        return translate

    def _date_translator(self, texts: pd.Series) -> tuple[pd.Series, dict[str, str]]:
        from .validate import parse_dates

        readable = parse_dates(texts).notna().to_numpy()
        out = texts.copy()
        for i, v in enumerate(texts.to_numpy(dtype=object)):
            if readable[i] or not isinstance(v, str):
                continue
            for fmt in self.dates:
                try:
                    out.iat[i] = datetime.strptime(v, fmt).strftime("%Y-%m-%d")
                    break
                except ValueError:
                    continue
        return out, {}


def _where(loc) -> str:
    return ": ".join(str(x) for x in loc) or "(filen)"


def load(path: str | Path) -> Profile:
    """Read and validate a profile; every mistake raises FileRefused naming the profile file."""
    p = Path(path)
    if not p.is_file():
        raise FileRefused(f"{p}: kildeprofilen findes ikke")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise FileRefused(f"{p}: kildeprofilen er ikke gyldig YAML (linje {mark.line + 1}, kolonne "
                          f"{mark.column + 1}): {exc.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FileRefused(f"{p}: kildeprofilen er ikke gyldig YAML: {exc}") from None
    if not isinstance(data, dict):
        raise FileRefused(f"{p}: kildeprofilen skal være en YAML-ordbog med nøglerne name, table og columns")
    try:
        m = _Model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = _PYDANTIC_DA.get(err["type"], err["msg"])
            if err["type"] == "extra_forbidden":
                msg = f"er ikke en nøgle i en kildeprofil (nøglerne er {_KEYS})"
            lines.append(f"{_where(err['loc'])} {msg}")
        raise FileRefused(f"{p}: kildeprofilen er ikke gyldig: " + "; ".join(lines)) from None
    return _checked(p, m)


def _checked(p: Path, m: _Model) -> Profile:
    table = contract.table_for_name(m.table)
    if table is None:
        names = ", ".join(f"{t.name} ({t.danish})" for t in contract.TABLES.values())
        raise FileRefused(f"{p}: kildeprofilen nævner tabellen '{m.table}', som ikke findes; tabellerne er: {names}")
    known = ", ".join(table.column_names)
    where = f"tabellen {table.name} ({table.danish})"
    todo = [f"columns: {c}" for c, h in m.columns.items() if h.strip() == TODO]
    todo += [f"values: {c}: '{v}'" for c, vs in m.values.items() for v, to in vs.items() if to.strip() == TODO]
    if todo:
        raise FileRefused(f"{p}: kildeprofilen er ikke færdig: {TODO} står ved " + ", ".join(todo)
                          + f". Skriv dét, der skal stå, eller slet linjen")
    by_header: dict[str, str] = {}
    for col, header in m.columns.items():
        if col not in table.by_name:
            raise FileRefused(f"{p}: kildeprofilen oversætter overskriften '{header}' til kolonnen '{col}', som "
                              f"{where} ikke har; kolonnerne er: {known}")
        if fold(header) in by_header:
            raise FileRefused(f"{p}: kildeprofilen bruger overskriften '{header}' til både "
                              f"{by_header[fold(header)]} og {col}")
        by_header[fold(header)] = col
    values: dict[str, dict[str, str]] = {}
    for col, mapping in m.values.items():
        header = f" ('{m.columns[col]}' i eksporten)" if col in m.columns else ""
        c = table.by_name.get(col)
        if c is None:
            raise FileRefused(f"{p}: kildeprofilen har values for kolonnen '{col}', som {where} ikke har; "
                              f"kolonnerne er: {known}")
        if c.type not in VALUE_TYPES:
            choices = ", ".join(x.name for x in table.columns if x.type in VALUE_TYPES)
            raise FileRefused(f"{p}: kildeprofilen har values for kolonnen {col}{header}, men {col} er ikke en "
                              f"kategori; values kan kun oversætte {choices}")
        folded: dict[str, str] = {}
        for source, target in mapping.items():
            if c.type == "category":
                hit = {x.casefold(): x for x in c.categories}.get(fold(target))
                if hit is None:
                    raise FileRefused(f"{p}: kildeprofilen oversætter '{source}' i kolonnen {col}{header} til "
                                      f"'{target}', som ikke er en af {', '.join(c.categories)}")
                target = hit
            folded[fold(source)] = target.strip()
        values[col] = folded
    for fmt in m.dates:
        check_date_format(p, fmt)
    return Profile(p, m.name.strip(), table, tuple(m.files), dict(m.columns), values, tuple(m.dates),
                   m.header_row, m.sheet)


def check_date_format(p: Path, fmt: str) -> None:
    """A format must read a date, and must not read a text the contract reads as another date (``%m/%d/%Y``:
    ``01/02/2024`` is 1 February to the contract)."""
    from .validate import parse_dates

    for d in _PROBE_DATES:
        text = d.strftime(fmt)
        try:
            back = datetime.strptime(text, fmt).date()
        except ValueError:
            back = None
        if back != d or "%" not in fmt:
            raise FileRefused(f"{p}: datoformatet '{fmt}' i kildeprofilen læser ikke en hel dato (brug f.eks. "
                              "%d/%m/%Y eller %Y%m%d)")
        ours = parse_dates(pd.Series([text])).iat[0]
        if pd.notna(ours) and ours.date() != d:
            raise FileRefused(f"{p}: datoformatet '{fmt}' i kildeprofilen læser '{text}' som {d.isoformat()}, men "
                              f"kontrakten læser den som {ours.date().isoformat()}; en sådan dato kan ikke læses "
                              "entydigt. Få datoerne skrevet som ÅÅÅÅ-MM-DD")


def _patterns(path: Path) -> list[str]:
    """The ``files`` patterns of a profile, read leniently (a draft or broken profile counts only when it matches;
    then it is loaded in full and its mistakes are reported)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return []
    files = data.get("files") if isinstance(data, dict) else None
    return [f for f in files if isinstance(f, str)] if isinstance(files, list) else []


def select(file: Path, profile: str | Path | Profile | None = None,
           sources: str | Path | None = None) -> Profile | None:
    """The profile for ``file``: the one given, else the one in the sources folder whose ``files`` patterns match
    the file's name (None when none does; a file matched by two profiles is refused, naming them)."""
    if isinstance(profile, Profile):
        return profile
    if profile is not None:
        return load(profile)
    folder = resolve_dir(sources)
    if not folder.is_dir():
        return None
    name = fold(file.name)
    hits = [y for y in sorted(folder.glob("*.y*ml"))
            if any(fnmatch.fnmatchcase(name, fold(pat)) for pat in _patterns(y))]
    if len(hits) > 1:
        raise FileRefused(f"{file}: filnavnet passer til flere kildeprofiler ({', '.join(map(str, hits))}); "
                          "ret deres files-mønstre, eller angiv profilen med --profile")
    return load(hits[0]) if hits else None
