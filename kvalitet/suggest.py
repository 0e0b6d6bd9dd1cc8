"""``kvalitet profile suggest``: a draft source profile (:mod:`kvalitet.profiles`) for an export kvalitet has not
seen before.

The draft names the table (``--table``, the file name, or the table whose columns the headers match best), the sheet
and header row found (the row among the first ones, on any sheet, that matches most columns), every contract column
matched to the most likely header (identical names included), every distinct value of a category column or
forvaltning matched to a contract value where the match is clear, and the date format. Where the analyst must decide
it writes a visible ``TODO`` (a profile with a ``TODO`` is refused until it is filled in) and says so.

Matching uses the contract's names and aliases, then Danish spellings that case systems use (``HINTS``: suggestions
only, never accepted by the contract itself), all compared with accents, case and punctuation normalised
(æ as ae, ø as oe, å as aa); then similar names. A value is matched only when exactly one contract value (or one of
its Danish phrasings, ``VALUE_HINTS``) occurs in it and no negation contradicts it: "Klage over sagsbehandling" is
formalitet, "Borger fik ikke medhold" is ikke medhold, "Klage over sagsbehandling og afgørelse" is left to the
analyst.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import pandas as pd
import yaml

from . import contract, profiles, readers
from .errors import FileRefused, UserError
from .organisation import Organisation

#: Danish headers case systems write for a contract column (beyond the contract's aliases): matched as sure.
HINTS: dict[str, tuple[str, ...]] = {
    "complaint_id": ("klagenummer", "klagenr", "klage nr", "klage id"),
    "appeal_id": ("ankenummer", "ankesagsnummer", "anke nr"),
    "case_id": ("sagsnummer", "sagsnr", "sags id", "journalnummer"),
    "audit_id": ("tilsynsnummer", "stikprøvenummer", "stikprøve id"),
    "inquiry_id": ("henvendelsesnummer", "henvendelse nr"),
    "forvaltning": ("forvaltningskode", "forvaltningsnavn", "forv"),
    "unit": ("afdeling", "center", "kontor", "organisatorisk enhed"),
    "area": ("sagsområde", "fagområde", "lovområde", "ydelsesområde"),
    "received": ("modtaget dato", "modtagelsesdato", "dato modtaget", "modtaget den"),
    "closed": ("afsluttet dato", "afslutningsdato", "dato afsluttet", "lukket dato"),
    "decided": ("afgørelsesdato", "afgjort dato", "dato for afgørelse"),
    "opened": ("oprettet dato", "oprettelsesdato", "sag oprettet"),
    "kind": ("klagens art", "klageart", "art"),
    "topic": ("klagens emne", "tema"),
    "outcome": ("afgørelse", "udfald af klagen", "resultat"),
    "citizen_id": ("cpr nr", "cprnr", "personnummer"),
    "sent_to_appeal": ("videresendt til ankeinstans", "sendt videre"),
    "body": ("instans", "klageinstans", "ankeinstansen"),
    "case_type": ("sagskategori",),
    "target_days": ("servicemål", "frist dage"),
    "audit_date": ("gennemgået dato", "dato for tilsyn"),
    "item": ("kontrolpunkt", "tjekpunkt"),
    "result": ("vurdering",),
}
#: weaker hints: probable, for the analyst to check (an export's generic case number as the table's own id)
WEAK_HINTS: dict[str, tuple[str, ...]] = {
    "complaint_id": ("sagsnummer", "sagsnr", "journalnummer", "id"),
    "appeal_id": ("sagsnummer", "sagsnr", "journalnummer", "id"),
    "inquiry_id": ("sagsnummer", "sagsnr", "journalnummer", "id"),
}
#: Danish phrasings of a contract category value
VALUE_HINTS: dict[str, tuple[str, ...]] = {
    "formalitet": ("sagsbehandling", "sagsbehandlingen", "formalia"),
    "realitet": ("afgørelse", "afgørelsen", "realiteten"),
    "medhold": ("fik medhold", "fuldt medhold"),
    "delvis medhold": ("delvist medhold",),
    "ikke medhold": ("fik ikke medhold",),
    "trukket tilbage": ("tilbagetrukket", "trukket"),
    "stadfæstet": ("stadfæstelse",),
    "ændret": ("ændring",),
    "ophævet": ("ophævelse",),
    "hjemvist": ("hjemvisning",),
    "afvist": ("afvisning",),
    "henvist": ("henvisning",),
    "bortfaldet": ("bortfald",),
    "ok": ("i orden", "opfyldt"),
    "fejl": ("ikke i orden", "ikke opfyldt", "mangel"),
    "gennemført": ("færdig",),
    "i gang": ("igangværende", "påbegyndt"),
    "ikke påbegyndt": ("ikke startet",),
}
#: date formats a draft may propose, tried when the contract's formats do not read a column's dates
DATE_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M", "%d.%m.%y", "%d-%m-%y",
                "%d/%m/%y", "%Y%m%d", "%d%m%Y", "%Y/%m/%d", "%Y.%m.%d")
SURE = 0.95
#: a header this similar to a column name (0–1) is a probable match
SIMILAR = 0.8


def norm(text: str) -> str:
    """Text as names are compared: æ/ø/å as ae/oe/aa, accents dropped, case-folded, punctuation as spaces."""
    s = unicodedata.normalize("NFC", str(text)).casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", s).split())


def _words(text: str) -> set[str]:
    return set(text.split())


def header_score(header: str, col: contract.Column) -> float:
    """How likely ``header`` is ``col`` (0–1; from :data:`SURE` up it is sure)."""
    h = norm(header)
    if not h:
        return 0.0
    if h in {norm(n) for n in col.accepted_names}:
        return 1.0
    if h in {norm(n) for n in HINTS.get(col.name, ())}:
        return SURE
    if h in {norm(n) for n in WEAK_HINTS.get(col.name, ())}:
        return 0.85
    names = [norm(n) for n in (*col.accepted_names, *HINTS.get(col.name, ()))]
    if any(len(n) >= 4 and _words(n) <= _words(h) for n in names):
        return 0.8
    ratio = max(SequenceMatcher(None, h, n).ratio() for n in names)
    return 0.9 * ratio if ratio >= SIMILAR else 0.0


def match_headers(headers: list[str], table: contract.Table) -> dict[str, tuple[str, float]]:
    """Contract column -> (header, score): the best pairs first, each header and column used once."""
    pairs = sorted(((header_score(h, c), c.required, -i, c.name, h) for i, h in enumerate(headers)
                    for c in table.columns), reverse=True)
    out: dict[str, tuple[str, float]] = {}
    used: set[str] = set()
    for score, _, _, col, h in pairs:
        if score > 0 and col not in out and norm(h) not in used:
            out[col] = (h, score)
            used.add(norm(h))
    return out


def match_value(value: str, col: contract.Column, organisation: Organisation) -> str | None:
    """The contract value ``value`` clearly is, or None when the analyst must decide."""
    if col.type == "code":
        return organisation.code_lookup().get(profiles.fold(value))
    v = norm(value)
    exact = [c for c in col.categories if norm(c) == v]
    if exact:
        return exact[0]
    hits: dict[str, str] = {}  # contract value -> the longest of its phrasings found in the value
    for c in col.categories:
        for term in sorted((norm(c), *map(norm, VALUE_HINTS.get(c, ()))), key=len, reverse=True):
            if re.search(rf"(?<![0-9a-z]){re.escape(term)}(?![0-9a-z])", v):
                hits[c] = term
                break
    # a phrasing inside a longer one found too ("medhold" in "ikke medhold") is not a match of its own
    hits = {c: t for c, t in hits.items() if not any(t != o and t in o for o in hits.values())}
    if len(hits) == 1:
        (c, term), = hits.items()
        negated = "ikke" in _words(v) and "ikke" not in _words(term)
        return None if negated else c
    if not hits:
        close = [c for c in col.categories if SequenceMatcher(None, v, norm(c)).ratio() >= 0.85]
        return close[0] if len(close) == 1 else None
    return None


@dataclass
class Draft:
    """A suggested profile and what the analyst must decide."""

    file: Path
    table: contract.Table
    sheet: str | None
    sheets: list[str]
    header_row: int
    #: whether the readers find the header row by themselves with the profile's headers
    header_found: bool
    columns: dict[str, tuple[str, float]]
    unused_headers: list[str]
    #: column -> [(export value, contract value or None, rows)]
    values: dict[str, list[tuple[str, str | None, int]]] = field(default_factory=dict)
    dates: list[str] = field(default_factory=list)
    #: date column -> (format text for the analyst, unreadable examples)
    date_notes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    @property
    def missing(self) -> list[contract.Column]:
        return [c for c in self.table.columns if c.name not in self.columns]

    @property
    def pattern(self) -> str:
        base = re.sub(r"[\s_\-.]*\d[\d\s_\-.]*$", "", self.file.stem) or self.file.stem
        return f"{base}*{self.file.suffix}".lower()


def _candidate_rows(p: Path) -> list[tuple[str | None, int, list[str]]]:
    """(sheet, row, cells) of the first non-blank rows of every sheet (XLSX) or of the CSV, split by each
    separator."""
    if p.suffix.lower() in readers.XLSX_SUFFIXES:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(p, read_only=True, data_only=True)
            try:
                return [(ws.title, row, cells) for ws in wb.worksheets for row, cells in readers._sheet_head(ws)]
            finally:
                wb.close()
        except Exception as exc:
            raise FileRefused(f"{p}: kan ikke læses som XLSX ({type(exc).__name__}: {exc})") from None
    if p.suffix.lower() not in readers.CSV_SUFFIXES:
        readers.read_file(p)  # refuses with the readers' message
    text, _ = readers.decode(p.read_bytes(), p)
    head = text[:1 << 18]
    return [(None, line, cells) for sep in readers.SEPARATORS for line, cells in readers._first_rows(head, sep)]


def suggest(path: str | Path, organisation: Organisation, table: str | None = None) -> Draft:
    """Read an export and draft its profile."""
    from .ingest import resolve_table, table_from_filename

    p = Path(path)
    if not p.is_file():
        raise FileRefused(f"{p}: filen findes ikke")
    known = resolve_table(p, table) if table else table_from_filename(p)
    tables = [known] if known else list(contract.TABLES.values())
    best = None
    for sheet, row, cells in _candidate_rows(p):
        for t in tables:
            m = match_headers(cells, t)
            score = (sum(s for _, s in m.values()), len(cells))
            if best is None or score > best[0]:
                best = (score, t, sheet, row)
    if best is None or best[0][0] == 0:
        raise FileRefused(f"{p}: ingen af de første rækker ligner en overskrift til "
                          + (f"tabellen {known.name} ({known.danish})" if known else "nogen tabel")
                          + "; angiv tabellen med --table")
    _, t, sheet, row = best
    probe = readers.read_file(p, t, sheet=sheet, header_row=row)
    columns = match_headers(probe.headers, t)
    draft_profile = profiles.Profile(p, p.stem, t, (), {c: h for c, (h, _) in columns.items()}, {}, (), None, None)
    found = readers.read_file(p, draft_profile.reading_table(), sheet=sheet).header_row == probe.header_row
    used = {profiles.fold(h) for h, _ in columns.values()}
    draft = Draft(p, t, sheet, probe.sheets, probe.header_row, found, columns,
                  [h for h in probe.headers if h and profiles.fold(h) not in used])
    labels = dict(zip(map(profiles.fold, probe.headers), probe.data.columns))
    for name, (header, _) in columns.items():
        col = t.by_name[name]
        cells = probe.data[labels[profiles.fold(header)]].map(lambda v: " ".join(str(v).split()))
        cells = cells[cells != ""]
        if col.type in profiles.VALUE_TYPES:
            counts = cells.value_counts(sort=True)
            entries = [(v, match_value(v, col, organisation), int(n)) for v, n in counts.items()]
            # listed unless every value already is a contract value
            if any(target is None or profiles.fold(target) != profiles.fold(v) for v, target, _ in entries):
                draft.values[name] = entries
        elif col.type == "date":
            _dates(draft, name, pd.Series(cells.unique(), dtype=object))
    return draft


def _dates(draft: Draft, name: str, values: pd.Series) -> None:
    """The date format of one column: the contract's, or one of :data:`DATE_FORMATS` for the values it cannot read."""
    from datetime import datetime

    from .validate import parse_dates

    unread = values[parse_dates(values).isna().to_numpy()].tolist()
    if not unread:
        draft.date_notes[name] = ("kontraktens datoformater", [])
        return
    for fmt in (*draft.dates, *DATE_FORMATS):
        try:
            profiles.check_date_format(draft.file, fmt)
        except FileRefused:
            continue
        rest = []
        for v in unread:
            try:
                datetime.strptime(v, fmt)
            except ValueError:
                rest.append(v)
        if len(rest) < len(unread):
            if fmt not in draft.dates:
                draft.dates.append(fmt)
            draft.date_notes[name] = (f"'{fmt}' ud over kontraktens", rest[:3])
            return
    draft.date_notes[name] = ("kontraktens datoformater", unread[:3])


def _q(text: str) -> str:
    """A YAML scalar, quoted when YAML would read it as something else than the text."""
    return yaml.safe_dump(text, allow_unicode=True, default_flow_style=True, width=10_000).strip().removesuffix(
        "\n...").strip()


def to_yaml(d: Draft) -> str:
    """The draft as the profile file's text, with comments where the analyst must look."""
    t = d.table
    out = [f"# Udkast fra 'kvalitet profile suggest {d.file.name}'. Erstat hvert TODO, og tjek linjerne med 'tjek'.",
           f"name: {_q(f'{d.file.stem} ({t.danish})')}", f"table: {t.name}", f"files: [{_q(d.pattern)}]"]
    if d.sheet is not None and len(d.sheets) > 1:
        out.append(f"sheet: {_q(d.sheet)}")
    if d.header_found:
        out.append(f"# header_row: {d.header_row}  (findes af sig selv)")
    else:
        out.append(f"header_row: {d.header_row}")
    out.append("columns:")
    for c in t.columns:
        if c.name in d.columns:
            header, score = d.columns[c.name]
            note = "" if score >= SURE else "  # tjek: ligner kun"
            out.append(f"  {c.name}: {_q(header)}{note}")
        elif c.required:
            out.append(f"  {c.name}: {profiles.TODO}  # krævet: ingen overskrift fundet")
        else:
            out.append(f"  # {c.name}:  (valgfri; ingen overskrift fundet)")
    if d.unused_headers:
        out.append("# overskrifter, der ikke indlæses: " + ", ".join(d.unused_headers))
    if d.values:
        out.append("values:")
    for name, entries in d.values.items():
        col = t.by_name[name]
        choices = ", ".join(col.categories) if col.type == "category" else "en forvaltningskode"
        out.append(f"  {name}:")
        for v, target, n in entries:
            out.append(f"    {_q(v)}: {_q(target)}" if target else
                       f"    {_q(v)}: {profiles.TODO}  # {n} {'række' if n == 1 else 'rækker'}; en af: {choices}")
    if d.dates:
        out.append(f"dates: [{', '.join(_q(f) for f in d.dates)}]")
    return "\n".join(out) + "\n"


def summary(d: Draft, out: Path) -> str:
    """What the analyst reads: where the draft is, what is sure and what must be decided (Danish)."""
    t = d.table
    where = f"{'række' if d.sheet else 'linje'} {d.header_row}" + (f" i arket '{d.sheet}'" if d.sheet else "")
    sure, decide = [], []
    for name in (c.name for c in t.columns if c.name in d.columns):
        header, score = d.columns[name]
        if score >= SURE:
            sure.append(f"{name} ← '{header}'")
        else:
            decide.append(f"{name} ← '{header}' (ligner kun)")
    for c in d.missing:
        if c.required:
            decide.append(f"{c.name}: ingen overskrift fundet (krævet)")
    for name, entries in d.values.items():
        for v, target, n in entries:
            if target:
                sure.append(f"{name}: '{v}' → {target}")
            else:
                decide.append(f"{name}: '{v}' ({n} {'række' if n == 1 else 'rækker'}) → ?")
    for name, (fmt, bad) in d.date_notes.items():
        sure.append(f"{name}: {fmt}")
        if bad:
            decide.append(f"{name}: datoer, der ikke kan læses, f.eks. {', '.join(repr(b) for b in bad)}; de "
                          "sættes i karantæne")
    lines = [f"Udkast til kildeprofil skrevet: {out}",
             f"Tabel {t.name} ({t.danish}); overskriften står i {where}."]
    optional = [c.name for c in d.missing if not c.required]
    if optional:
        lines.append("Valgfri kolonner uden overskrift: " + ", ".join(optional))
    if d.unused_headers:
        lines.append("Overskrifter, der ikke indlæses: " + ", ".join(d.unused_headers))
    lines += ["Sikkert:"] + [f"  {s}" for s in sure]
    if decide:
        lines += ["Skal afgøres (TODO eller 'tjek' i filen):"] + [f"  {s}" for s in decide]
    else:
        lines.append("Intet at afgøre.")
    lines.append(f"Indlæs derefter med: kvalitet ingest {d.file} --profile {out}")
    return "\n".join(lines)


def write(d: Draft, out: str | Path | None = None) -> Path:
    """Write the draft to ``out`` (default: the sources folder, named after the file); never over a file."""
    path = Path(out) if out else profiles.resolve_dir() / f"{d.file.stem}.yaml"
    if path.exists():
        raise UserError(f"{path}: findes allerede; kvalitet skriver ikke over en kildeprofil. Angiv en anden sti "
                        "med --out, eller flyt filen")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(d), encoding="utf-8")
    return path
