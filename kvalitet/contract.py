"""The data contract: every table kvalitet accepts, its columns, Danish aliases, types, keys, categories and row rules.

This module is the one place that states the contract (DESIGN.md, "Data contract"). The readers, the validator,
the store and the demo writer all read it from here; nothing else re-states a column name, alias or category.

Column types:

``id``        an identifier (case number, complaint number). Trimmed. A value that contains a CPR number is
              replaced as a whole by a keyed hash.
``pii``       a personal identifier (``citizen_id``): always replaced by a keyed hash.
``code``      a forvaltning code; must be declared in the organisation file (its name is accepted too).
``municipality`` a Danish kommune by name, spelling or kommunekode; stored as the official name
              (:mod:`kvalitet.municipalities`).
``text``      free text: trimmed, inner white space collapsed, CPR-like substrings replaced by ``[CPR]``.
``category``  one of a fixed set of Danish words (case-insensitive); stored as spelled in the contract.
``date``      ``YYYY-MM-DD``, ``DD-MM-YYYY``, ``DD.MM.YYYY`` or ``DD/MM/YYYY`` (an XLSX date cell too); not after
              the as-of date, not before 2000. A slash date is day first; see ``validate.slash_date_problems``.
``month``     ``YYYY-MM``; stored as the first day of the month.
``period``    a period label: ``2024``, ``2024-01``, ``2024Q1``, ``2024H1`` or ``2023-2024``.
``int``       a whole number (``1.234`` with a thousands dot and ``12,0`` with a decimal comma are accepted).
``bool``      ``ja/nej``, ``true/false``, ``1/0``.
``indicator_ids``  ids of the indicator catalogue (:mod:`kvalitet.catalogue`) separated by commas; stored as
              ``id,id`` (case-insensitive, spaces and empty parts ignored). An unknown id quarantines the row.

A column may have a ``default`` (filled at validation when the value is empty or the column absent, so the store
always has it) and may be a ``deadline`` (a date that may lie after the as-of date; every other date may not).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The earliest date any table accepts.
EARLIEST_DATE = "2000-01-01"

COLUMN_TYPES = ("id", "pii", "code", "municipality", "text", "category", "date", "month", "period", "int", "bool",
                "indicator_ids")

SQL_TYPES = {
    "id": "VARCHAR",
    "pii": "VARCHAR",
    "code": "VARCHAR",
    "municipality": "VARCHAR",
    "text": "VARCHAR",
    "category": "VARCHAR",
    "date": "DATE",
    "month": "DATE",
    "period": "VARCHAR",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "indicator_ids": "VARCHAR",
}

#: Danish name of each column type, used in messages.
TYPE_NAMES_DA = {
    "date": "en dato (ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ eller DD/MM/ÅÅÅÅ)",
    "month": "en måned (ÅÅÅÅ-MM)",
    "period": "en periode (2024, 2024-01, 2024Q1, 2024H1 eller 2023-2024)",
    "int": "et helt tal",
    "bool": "ja/nej, true/false eller 1/0",
    "indicator_ids": "id'er fra indikatorkataloget adskilt med komma",
    "municipality": "en dansk kommune (navn eller kommunekode)",
}


@dataclass(frozen=True)
class Column:
    """One column of a table: canonical name, type, whether it is required, aliases and allowed values."""

    name: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    #: an ``int`` column holding a calendar year: a year after the as-of date breaks the date rule.
    calendar_year: bool = False
    #: the value an empty cell (or an absent column) takes at validation
    default: str | None = None
    #: a ``date`` column holding a deadline: it may lie after the as-of date
    deadline: bool = False

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")
        if self.type == "category" and not self.categories:
            raise ValueError(f"column {self.name}: a category column needs its categories")
        if self.default is not None and self.categories and self.default not in self.categories:
            raise ValueError(f"column {self.name}: the default {self.default!r} is not one of its categories")

    @property
    def accepted_names(self) -> tuple[str, ...]:
        """Every header that maps to this column (canonical name first)."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class OrderRule:
    """``later`` must not be before ``earlier`` (e.g. closed before received)."""

    earlier: str
    later: str


@dataclass(frozen=True)
class Table:
    """A canonical table: name, Danish name, key columns and columns, plus its cross-column row rules."""

    name: str
    danish: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    order_rules: tuple[OrderRule, ...] = ()
    #: (column, condition column): column is required when the condition column has a value.
    required_when: tuple[tuple[str, str], ...] = ()
    #: (column, condition column, value, why in Danish): column is required when the condition column has the value.
    required_if: tuple[tuple[str, str, str, str], ...] = ()
    #: (smaller, larger): smaller must not exceed larger.
    not_greater: tuple[tuple[str, str], ...] = ()
    #: (total, parts): total, when given, must equal the sum of parts (missing parts count as 0).
    sum_rules: tuple[tuple[str, tuple[str, ...]], ...] = ()
    description: str = ""
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})
        for k in self.key:
            if k not in self.by_name:
                raise ValueError(f"table {self.name}: key column {k} is not a column")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]


def _c(name: str, type_: str, required: bool = False, *aliases: str, **kw) -> Column:
    return Column(name, type_, required, tuple(aliases), **kw)


COMPLAINT_KINDS = ("formalitet", "realitet", "formalitet og realitet")
COMPLAINT_OUTCOMES = ("medhold", "delvis medhold", "ikke medhold", "afvist", "trukket tilbage")
APPEAL_OUTCOMES = ("stadfæstet", "ændret", "ophævet", "hjemvist", "afvist", "henvist", "bortfaldet")
#: Realitetsbehandlede appeals: decided on their merits (Ankestyrelsen's definition).
APPEAL_MERITS = ("stadfæstet", "ændret", "ophævet", "hjemvist")
#: Appeals counted as reversed in the omgørelsesprocent.
APPEAL_REVERSED = ("ændret", "ophævet", "hjemvist")
AUDIT_RESULTS = ("ok", "fejl", "ikke relevant")
RECOMMENDATION_STATUSES = ("gennemført", "i gang", "ikke påbegyndt", "opgivet")
#: Statuses of a closed finding (the rest are open).
RECOMMENDATION_CLOSED = ("gennemført", "opgivet")
#: Who made a finding of the register (the first is the default).
FINDING_SOURCES = ("Borgerrådgiveren", "Ankestyrelsen", "Folketingets Ombudsmand", "intern revision",
                   "ekstern revision", "Rigsrevisionen", "STAR", "forvaltningen selv")
#: What kind of finding it is (the first is the default).
FINDING_KINDS = ("anbefaling", "kritik", "revisionsbemærkning", "praksisundersøgelse", "påtale")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "complaints",
            "klager",
            key=("complaint_id",),
            columns=(
                _c("complaint_id", "id", True, "klage_id"),
                _c("forvaltning", "code", True),
                _c("unit", "text", False, "enhed"),
                _c("area", "text", True, "område"),
                _c("received", "date", True, "modtaget"),
                _c("closed", "date", False, "afsluttet"),
                _c("kind", "category", True, "klagetype", categories=COMPLAINT_KINDS),
                _c("topic", "text", False, "emne"),
                _c("outcome", "category", False, "udfald", categories=COMPLAINT_OUTCOMES),
                _c("sent_to_appeal", "bool", False, "videresendt"),
                _c("citizen_id", "pii", False, "borger_id", "cpr"),
            ),
            order_rules=(OrderRule("received", "closed"),),
            required_when=(("outcome", "closed"),),
            description="Klager over forvaltningens sagsbehandling (formalitet) eller afgørelser (realitet).",
        ),
        Table(
            "decisions",
            "afgørelser",
            key=("forvaltning", "unit", "area", "month"),
            columns=(
                _c("forvaltning", "code", True),
                _c("unit", "text", False, "enhed"),
                _c("area", "text", True, "område"),
                _c("month", "month", True, "måned"),
                _c("decisions", "int", True, "antal_afgørelser", min_value=0),
            ),
            description="Antal afgørelser pr. måned: nævneren for klageraten.",
        ),
        Table(
            "appeals",
            "ankesager",
            key=("appeal_id",),
            columns=(
                _c("appeal_id", "id", True, "anke_id"),
                _c("forvaltning", "code", True),
                _c("unit", "text", False, "enhed"),
                _c("area", "text", True, "område"),
                _c("body", "text", False, "ankeinstans"),
                _c("received", "date", False, "modtaget"),
                _c("decided", "date", True, "afgjort"),
                _c("outcome", "category", True, "resultat", categories=APPEAL_OUTCOMES),
            ),
            order_rules=(OrderRule("received", "decided"),),
            description="Ankesager afgjort af Ankestyrelsen, Beskæftigelsesankenævnet m.fl.",
        ),
        Table(
            "cases",
            "sager",
            key=("case_id",),
            columns=(
                _c("case_id", "id", True, "sag_id"),
                _c("forvaltning", "code", True),
                _c("unit", "text", False, "enhed"),
                _c("area", "text", True, "område"),
                _c("case_type", "text", False, "sagstype"),
                _c("opened", "date", True, "oprettet"),
                _c("decided", "date", False, "afgjort"),
                _c("target_days", "int", False, "servicemål_dage", min_value=0),
            ),
            order_rules=(OrderRule("opened", "decided"),),
            description="Sager med oprettelses- og afgørelsesdato: grundlaget for sagsbehandlingstid og servicemål.",
        ),
        Table(
            "audits",
            "stikprøver",
            key=("audit_id", "item"),
            columns=(
                _c("audit_id", "id", True, "tilsyn_id"),
                _c("case_id", "id", False, "sag_id"),
                _c("forvaltning", "code", True),
                _c("unit", "text", False, "enhed"),
                _c("area", "text", True, "område"),
                _c("audit_date", "date", True, "tilsynsdato"),
                _c("item", "text", True, "punkt"),
                _c("result", "category", True, "resultat", categories=AUDIT_RESULTS),
            ),
            description="Stikprøver (ledelsestilsyn): hver gennemgået sag vurderet punkt for punkt.",
        ),
        Table(
            "inquiries",
            "henvendelser",
            key=("inquiry_id",),
            columns=(
                _c("inquiry_id", "id", True, "henvendelse_id"),
                _c("forvaltning", "code", True),
                _c("received", "date", True, "modtaget"),
                _c("closed", "date", False, "afsluttet"),
                _c("category", "text", True, "kategori"),
                _c("criticism", "bool", False, "kritik"),
            ),
            order_rules=(OrderRule("received", "closed"),),
            description="Henvendelser til Borgerrådgiveren.",
        ),
        Table(
            "satisfaction",
            "tilfredshed",
            key=("forvaltning", "unit", "survey", "period"),
            columns=(
                _c("forvaltning", "code", True),
                _c("unit", "text", False, "enhed"),
                _c("survey", "text", False, "undersøgelse"),
                _c("period", "period", True, "periode"),
                _c("respondents", "int", True, "besvarelser", min_value=0),
                _c("satisfied", "int", True, "tilfredse", min_value=0),
            ),
            not_greater=(("satisfied", "respondents"),),
            description="Tilfredshedsundersøgelser: antal besvarelser og antal tilfredse.",
        ),
        Table(
            "municipal_appeals",
            "danmarkskort",
            key=("municipality", "year", "area"),
            columns=(
                _c("municipality", "municipality", True, "kommune"),
                _c("year", "int", True, "år", min_value=2000, calendar_year=True),
                _c("area", "text", True, "område"),
                _c("upheld", "int", True, "stadfæstet", min_value=0),
                _c("changed", "int", True, "ændret_ophævet", min_value=0),
                _c("remitted", "int", True, "hjemvist", min_value=0),
                _c("dismissed", "int", False, "afvist", min_value=0),
                _c("total", "int", False, "i_alt", min_value=0),
            ),
            sum_rules=(("total", ("upheld", "changed", "remitted", "dismissed")),),
            description="Ankestyrelsens Danmarkskort: afgjorte ankesager pr. kommune, år og område.",
        ),
        Table(
            "recommendations",
            "anbefalinger",
            key=("forvaltning", "source", "evaluation_year", "number"),
            columns=(
                _c("forvaltning", "code", True),
                _c("evaluation_year", "int", True, "evalueringsår", min_value=2000, calendar_year=True),
                _c("number", "int", True, "nummer", min_value=1),
                _c("text", "text", True, "tekst"),
                _c("status", "category", True, categories=RECOMMENDATION_STATUSES),
                _c("updated", "date", False, "opdateret"),
                _c("source", "category", False, "kilde", categories=FINDING_SOURCES, default=FINDING_SOURCES[0]),
                _c("kind", "category", False, "type", "art", categories=FINDING_KINDS, default=FINDING_KINDS[0]),
                _c("area", "text", False, "område"),
                _c("due", "date", False, "frist", deadline=True),
                _c("closed", "date", False, "lukket", "afsluttet"),
                _c("action", "text", False, "tiltag", "handleplan"),
                _c("indicators", "indicator_ids", False, "indikatorer"),
            ),
            required_if=(("action", "status", "opgivet", "skriv i tiltag, hvorfor fundet er opgivet"),),
            description="Fundregistret: anbefalinger fra Borgerrådgiverens FOKUS-evalueringer og fund fra andre "
                        "kilder (Ankestyrelsen, revision, Ombudsmanden m.fl.), deres status, frist og tiltag. For fund "
                        "fra andre kilder er evalueringsåret fundets år. En fil uden de nye kolonner indlæses som "
                        "før; en database fra før fundregistret får kolonnerne ved næste indlæsning (de indlæste "
                        "rækker får kilden Borgerrådgiveren og typen anbefaling). Antal fund er ikke personer og "
                        "skjules aldrig.",
        ),
        Table(
            "risk_assessments",
            "risikovurderinger",
            key=("forvaltning", "area", "assessed"),
            columns=(
                _c("forvaltning", "code", True),
                _c("area", "text", True, "område"),
                _c("assessed", "date", True, "vurderet"),
                _c("economy", "int", False, "økonomi", min_value=1, max_value=3),
                _c("legal", "int", False, "jura", min_value=1, max_value=3),
                _c("it", "int", False, min_value=1, max_value=3),
                _c("note", "text", False),
            ),
            description="Manuelle risikovurderinger (økonomi, jura, it; 1–3) til risikobaseret ledelsestilsyn.",
        ),
    )
}

#: Danish table name -> canonical table name.
DANISH_TABLE_NAMES = {t.danish: t.name for t in TABLES.values()}

#: Row-rule texts, for the documentation and the tests (the validator words its reasons after these).
ROW_RULES_DA = (
    "en krævet værdi mangler eller kan ikke læses",
    "ukendt kategori, forvaltning eller indikator-id",
    "en dato efter opgørelsesdatoen (--as-of) eller før 2000 (en frist må ligge efter opgørelsesdatoen)",
    "afsluttet/afgjort før modtaget/oprettet",
    "udfald mangler på en afsluttet klage",
    "et negativt antal",
    "tilfredse > besvarelser",
    "Danmarkskort: i_alt forskellig fra summen af udfaldene",
    "fundregistret: status »opgivet« uden begrundelse i tiltag",
    "Danmarkskort: en kommune, der ikke er en af de 98 (begrundelsen nævner de nærmeste navne)",
    "samme nøgle to gange i én fil med forskellige værdier (alle kopier)",
)


def table_for_name(name: str) -> Table | None:
    """The table for a canonical or Danish table name (case-insensitive), or None."""
    key = name.strip().casefold()
    for t in TABLES.values():
        if key in (t.name, t.danish.casefold()):
            return t
    return None


def normalise_header(header: str) -> str:
    """Header as it is matched: case-folded, surrounding spaces removed, inner spaces collapsed."""
    return " ".join(str(header).split()).casefold()


def header_map(table: Table) -> dict[str, str]:
    """Normalised accepted header -> canonical column name."""
    out: dict[str, str] = {}
    for col in table.columns:
        for name in col.accepted_names:
            out[normalise_header(name)] = col.name
    return out


_TYPE_DOC = {
    "id": "id", "pii": "personnummer → pseudonym", "code": "forvaltningskode", "municipality": "kommune", "text": "tekst", "category": "kategori",
    "date": "dato", "month": "måned", "period": "periode", "int": "heltal", "bool": "ja/nej",
    "indicator_ids": "indikator-id'er",
}


def markdown() -> str:
    """The contract as Markdown (docs/datakontrakt.md is this text; a test keeps them in step)."""
    out = [
        "# Datakontrakten",
        "",
        "Hvilke filer `kvalitet ingest` tager imod, og hvordan hver række kontrolleres. Genereret fra "
        "`kvalitet/contract.py` med `python -m kvalitet.contract > docs/datakontrakt.md`; ret kontrakten dér, ikke her.",
        "",
        "## Filer",
        "",
        "- CSV (UTF-8 med eller uden BOM, Windows-1252 eller UTF-16 med BOM, som Excels »Unicode-tekst«; adskilt "
        "med `;`, `,` eller tabulator) eller XLSX (det ark, hvis overskrift passer til tabellen, eller det ark, "
        "`--sheet` nævner; passer intet ark, afvises filen med arkenes navne).",
        "- Overskriftsrækken er den af de første 20 ikke-tomme rækker, der nævner flest af tabellens kolonner; "
        "titellinjer og tomme linjer over den indlæses ikke, og udskriften siger, hvilken række der blev brugt. "
        "Rækkenumre er dem, filen viser: i en CSV den fysiske linje, hvor posten begynder (som en teksteditor "
        "tæller), i en XLSX arkets rækkenummer.",
        "- Tabellen angives med `--table` eller af filnavnet: det kanoniske eller danske navn, evt. efterfulgt af "
        "`_`, `-`, mellemrum eller et tal (`klager.csv`, `klager_2024.xlsx`, `afgoerelser.csv`).",
        "- Kolonnenavne: det kanoniske navn eller det danske alias; store/små bogstaver og mellemrum omkring er "
        "ligegyldige. Kolonner uden for kontrakten indlæses ikke (det siges i udskriften).",
        "- Datoer: `ÅÅÅÅ-MM-DD`, `DD-MM-ÅÅÅÅ`, `DD.MM.ÅÅÅÅ` eller `DD/MM/ÅÅÅÅ` (et klokkeslæt efter datoen "
        "ignoreres). En dato med skråstreg læses med dagen først (`01/02/2024` er 1. februar); `02/13/2024` "
        "(amerikansk måned/dag) sættes i karantæne, og har en kolonne sådan en dato, sættes dens datoer, der kan "
        "læses begge veje (`01/02/2024`), også i karantæne som tvetydige. Måneder "
        "`ÅÅÅÅ-MM`; tal med tusindtalspunktum (`1.234`) eller decimalkomma (`12,0`, kun hele tal); "
        "ja/nej-værdier som `ja/nej`, `true/false` eller `1/0`. Tomme linjer er ikke datarækker.",
        "",
        "## Filregler: hele filen afvises, intet indlæses",
        "",
        "- krævede kolonner mangler (meddelelsen nævner dem og de aliaser, der også accepteres);",
        "- filen kan ikke læses (ukendt filtype, binær, forkert tegnsæt, ødelagt XLSX, et felt på over 131.072 "
        "tegn, dvs. et citationstegn, der ikke er lukket); ved forkert tegnsæt nævner meddelelsen linje og byte;",
        "- ingen af en XLSX-fils ark har en overskrift, der passer til tabellen, eller arket fra `--sheet` "
        "findes ikke (meddelelsen nævner arkene);",
        "- filen er tom eller har kun en overskriftsrække;",
        "- tabellen kan ikke bestemmes (ukendt filnavn og intet `--table`);",
        "- samme kolonne står to gange.",
        "",
        "## Rækkeregler: rækken sættes i karantæne med en dansk begrundelse, resten indlæses",
        "",
    ]
    out += [f"- {r};" for r in ROW_RULES_DA[:-1]] + [f"- {ROW_RULES_DA[-1]}.", ""]
    out += [
        "Identiske kopier af en række slås sammen til én og tælles som dubletter. En række med for få eller for "
        "mange felter sættes i karantæne. For hver fil gælder: læst = indsat + opdateret + uændret + dubletter + "
        "forældet + karantæne. Regnskabet kontrolleres, før filen gemmes: går det ikke op, rulles hele filen "
        "tilbage. Hver fil indlæses for sig: en fil, der afvises eller møder en intern fejl, indlæses ikke "
        "(afslutningskode 2), og de andre filer i samme kald indlæses.",
        "",
        "Et felt i citationstegn må gerne strække sig over flere linjer (en note med linjeskift). Men ligner "
        "linjerne inde i feltet selvstændige rækker (mindst lige så mange skilletegn som overskriften), er et "
        "citationstegn næsten altid ikke lukket, og rækkerne ville forsvinde ind i feltet: posten sættes i "
        "karantæne med en begrundelse, der nævner linjerne, og resten af filen indlæses. Udskriften nævner både "
        "poster og fysiske linjer, når de er forskellige (»læst 2 poster (4 fysiske linjer)«).",
        "",
        "XLSX: et tal på 9 cifre, der er et CPR-nummer uden sit foranstillede 0 (Excel fjerner det, når "
        "0101901234 gemmes som tal), læses med 0'et, så det genkendes som CPR-nummer ligesom i en CSV.",
        "",
        "## Eksporternes rækkefølge",
        "",
        "Hver række i databasen husker opgørelsesdatoen (`--as-of`) for den nyeste eksport, der har sat eller "
        "bekræftet den (tabellen `row_as_of`). En række fra en eksport, der er mindst lige så ny, opdaterer "
        "rækken, hvis værdierne er forskellige (*opdateret*), og ellers står den som den er (*uændret*); i begge "
        "tilfælde får rækken eksportens dato. En række fra en ældre eksport ændrer intet, heller ikke når "
        "værdierne er forskellige, og tælles som *forældet* (kolonnen `stale` i `ingest_log`). Den nyeste eksport "
        "vinder altså, "
        "uanset hvilken rækkefølge filerne indlæses i; indlæses den samme fil igen, ændres intet (rækkerne er "
        "uændrede). En database fra før denne regel opgraderes ved næste indlæsning (det skrives i udskriften): "
        "rækker uden kendt eksportdato får den nyeste opgørelsesdato, deres tabel er indlæst med, så en ældre "
        "eksport ikke kan rulle dem tilbage, og tidligere indlæsninger får 0 forældede.",
        "",
        "## Personnumre og pseudonymnøglen",
        "",
        "Kolonnen `citizen_id` erstattes altid af et pseudonym (nøglet hash); et id, der indeholder "
        "et CPR-nummer, erstattes som helhed af et pseudonym; i al anden tekst erstattes CPR-numre af `[CPR]`. "
        "Et CPR-nummer når aldrig databasen, karantænen, en udskrift eller en fejlmeddelelse.",
        "",
        "Nøglen kommer fra miljøvariablen `KVALITET_PSEUDONYM_KEY` (mindst 16 tegn) eller fra nøglefilen "
        "`<database>.pseudonym-key` ved siden af databasen, som dannes én gang, når databasen er ny. Når den "
        "første fil indlæses, gemmer databasen nøglens fingeraftryk (de første 16 hex-cifre af SHA-256 over "
        "nøglen med et fast præfiks; aldrig nøglen selv) i tabellen `meta`. En anden nøgle, en for kort nøgle eller en manglende nøglefil (når "
        "`KVALITET_PSEUDONYM_KEY` ikke er sat, og databasen allerede indeholder data) afvises, før noget skrives, "
        "med afslutningskode 2: læg den rigtige nøglefil tilbage ved siden af databasen, eller sæt "
        "`KVALITET_PSEUDONYM_KEY` til den nøgle, databasen er bygget med. Med en anden nøgle ville de samme "
        "personer og sager få nye pseudonymer, og genindlæsninger ville give dubletter.",
        "",
        "## Små tal i rapporterne",
        "",
        "Data i databasen er fulde tal; det er rapporterne, der skjuler. Hvert tal, en læser ser — i tabeller, "
        "diagrammer og deres titler og alt-tekster, sætninger og XLSX — går gennem ét lag "
        "(`kvalitet/disclosure.py`): et antal personer eller sager (klager, ankesager, sager, stikprøvesager, "
        "henvendelser, besvarelser, afgørelser) fra 1 til 4 vises som «<5»; hvor en sum eller en andels nævner "
        "ellers ville afsløre det, skjules også en anden celle («x»); en andel, rate, et interval, en ændring "
        "eller en status beregnet af et skjult tal skjules også, og et diagram udelader gruppen med en note "
        "(«Skjult (under 5): …»). Antal af ting, der ikke er personer (anbefalinger og fund, kommuner, enheder), "
        "vises, som de er. Tabellerne fra `kvalitet indicators`, `trends` og `risk` er analytikerens arbejdsdata og "
        "skjuler intet: offentliggør fra rapporterne.",
        "",
        "## Tabellerne",
        "",
    ]
    for t in TABLES.values():
        out += [f"### {t.name} ({t.danish})", "", t.description, "", f"Nøgle: {', '.join(t.key)}.", "",
                "| kolonne | alias | type | krævet | tilladte værdier |", "|---|---|---|---|---|"]
        for c in t.columns:
            allowed = ", ".join(c.categories)
            if c.min_value is not None or c.max_value is not None:
                lo = "" if c.min_value is None else f"≥ {c.min_value}"
                hi = "" if c.max_value is None else f"≤ {c.max_value}"
                allowed = " og ".join(x for x in (lo, hi) if x)
            if c.calendar_year:
                allowed += ", ikke efter opgørelsesåret"
            if c.type == "indicator_ids":
                allowed = "id'er fra indikatorkataloget (docs/indikatorer.md) adskilt med komma"
            if c.deadline:
                allowed = "må ligge efter opgørelsesdatoen"
            if c.default is not None:
                allowed += f"; er feltet tomt: {c.default}"
            out.append(f"| {c.name} | {', '.join(c.aliases) or '—'} | {_TYPE_DOC[c.type]} | "
                       f"{'ja' if c.required else ''} | {allowed} |")
        rules = []
        rules += [f"`{r.later}` må ikke ligge før `{r.earlier}`" for r in t.order_rules]
        rules += [f"`{c}` skal være udfyldt, når `{k}` er" for c, k in t.required_when]
        rules += [f"`{c}` skal være udfyldt, når `{k}` er »{v}« ({why})" for c, k, v, why in t.required_if]
        rules += [f"`{a}` må ikke være større end `{b}`" for a, b in t.not_greater]
        rules += [f"`{tot}` skal, hvis udfyldt, være summen af {', '.join(f'`{p}`' for p in parts)}"
                  for tot, parts in t.sum_rules]
        if rules:
            out += ["", "Regler på tværs af kolonner: " + "; ".join(rules) + "."]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
