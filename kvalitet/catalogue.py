"""The indicator catalogue: the one place that defines each indicator, its Danish texts and how it is computed.

DESIGN.md "Indicators" is the specification. For each indicator the catalogue holds its id, Danish name, a Danish
one-line definition, the unit, what is counted in the numerator and the denominator, the date that places a record
in a period, the confidence-interval method, the family (one XLSX sheet per family), the function that computes it
(in :mod:`kvalitet.indicators`), the note on a row without a value, and the default target (in words, and as
numbers in ``target``/``threshold``). The engine (:mod:`kvalitet.indicators`), the targets model
(:class:`kvalitet.organisation.Targets`) and the statuses (:mod:`kvalitet.targets`), the exports
(:mod:`kvalitet.export`), the CLI, the reports and ``docs/indikatorer.md`` all read it from here, so adding an
indicator is one entry here plus one function (docs/indikatorer.md, "Tilføj en indikator").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: units, as shown to readers
UNIT_COUNT = "antal"
UNIT_SHARE = "andel"
UNIT_RATE = "pr. 1.000 afgørelser"
UNIT_DAYS = "dage"

#: CI methods
CI_NONE = "—"
CI_WILSON = "Wilson"
CI_GARWOOD = "eksakt Poisson (Garwood)"
CI_KM = "Kaplan-Meier (Brookmeyer-Crowley)"

#: families: XLSX sheet names in this order
FAMILIES = ("Klager", "Ankesager", "Sagsbehandling", "Stikprøver", "Borgerrådgiveren", "Tilfredshed", "Danmarkskort")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    definition: str
    unit: str
    numerator: str
    denominator: str
    period_date: str
    ci: str
    family: str
    #: source table(s) in the store
    tables: tuple[str, ...]
    #: 'count', 'rate', 'share', 'median', 'km_median'
    kind: str
    #: Danish name of the sub-groups, when the indicator has them ('' when not)
    subgroup: str = ""
    #: default target in words (the numbers: ``target`` and ``threshold``)
    default_target: str = "intet"
    #: the direction that is good: 'lav' (lower is better), 'høj' or '' (neither)
    better: str = ""
    #: the function that computes the indicator, ``f(query, indicator_id) -> DataFrame``: its name as
    #: "module.function" in the package kvalitet.indicators (e.g. "complaints.complaint_rate"), or the function
    compute: str | Callable = ""
    #: why a row has no value (zero denominator), in Danish
    no_value_note: str = "ingen data i perioden"
    #: the default target (low, high) when the organisation file gives none (None: no target)
    target: tuple[float | None, float | None] | None = None
    #: judged against the audit threshold (``thresholds.audit_error_share``) when no target is given
    threshold: bool = False
    #: False when the records carry a period label rather than a date (a part of a period cannot be taken)
    dated: bool = True

    @property
    def is_share(self) -> bool:
        return self.unit == UNIT_SHARE

    @property
    def trend_method(self) -> str:
        """The primary trend-screening method for the indicator (by its kind; :data:`PRIMARY_METHOD`)."""
        return PRIMARY_METHOD[self.kind]


#: the primary trend-screening method per kind of indicator (what the reports' trend tables show)
PRIMARY_METHOD = {"rate": "poisson_glm", "count": "poisson_glm", "share": "binomial_glm", "median": "mann_kendall",
                  "km_median": "mann_kendall"}


_ALL = (
    Indicator(
        "complaints_received", "Modtagne klager",
        "Antal klager modtaget i perioden, i alt og pr. klagetype (formalitet, realitet, formalitet og realitet).",
        UNIT_COUNT, "klager modtaget i perioden", "", "modtaget", CI_NONE, "Klager", ("complaints",), "count",
        subgroup="klagetype", default_target="intet (måltal pr. forvaltning kan angives: højst antal pr. år)",
        better="lav",
        compute="complaints.complaints_received",
    ),
    Indicator(
        "complaint_rate", "Klagerate",
        "Klager modtaget i perioden pr. 1.000 afgørelser truffet i perioden.",
        UNIT_RATE, "klager modtaget i perioden", "afgørelser i perioden (måned)", "modtaget / måned", CI_GARWOOD,
        "Klager", ("complaints", "decisions"), "rate",
        default_target="intet (måltal pr. forvaltning kan angives: højst antal klager pr. 1.000 afgørelser)",
        better="lav",
        compute="complaints.complaint_rate", no_value_note="ingen afgørelser i perioden",
    ),
    Indicator(
        "complaint_upheld_share", "Andel klager med medhold",
        "Klager afsluttet med medhold eller delvis medhold i forhold til klager afsluttet med medhold, delvis "
        "medhold eller ikke medhold (afviste og tilbagetrukne tæller ikke med).",
        UNIT_SHARE, "medhold + delvis medhold", "medhold + delvis medhold + ikke medhold", "afsluttet", CI_WILSON,
        "Klager", ("complaints",), "share", better="lav",
        compute="complaints.complaint_upheld_share",
        no_value_note="ingen klager afsluttet med medhold, delvis medhold eller ikke medhold i perioden",
    ),
    Indicator(
        "complaint_response_days_median", "Svartid på klager (median)",
        "Mediantid i dage fra en klage er modtaget, til den er afsluttet, for klager afsluttet i perioden.",
        UNIT_DAYS, "dage fra modtaget til afsluttet", "klager afsluttet i perioden", "afsluttet", CI_NONE,
        "Klager", ("complaints",), "median", better="lav",
        compute="complaints.complaint_response_days_median",
        no_value_note="ingen klager afsluttet i perioden",
    ),
    Indicator(
        "appeal_reversal_share", "Omgørelsesprocent",
        "Ankesager, der er ændret, ophævet eller hjemvist, i forhold til alle realitetsbehandlede ankesager "
        "(stadfæstet, ændret, ophævet, hjemvist); afviste, henviste og bortfaldne tæller ikke med.",
        UNIT_SHARE, "ændret + ophævet + hjemvist", "realitetsbehandlede (stadfæstet + ændret + ophævet + hjemvist)",
        "afgjort", CI_WILSON, "Ankesager", ("appeals",), "share", better="lav",
        compute="appeals.appeal_reversal_share",
        no_value_note="ingen realitetsbehandlede ankesager i perioden",
    ),
    Indicator(
        "appeal_upheld_share", "Stadfæstelsesprocent",
        "Stadfæstede ankesager i forhold til alle realitetsbehandlede ankesager.",
        UNIT_SHARE, "stadfæstet", "realitetsbehandlede (stadfæstet + ændret + ophævet + hjemvist)", "afgjort",
        CI_WILSON, "Ankesager", ("appeals",), "share",
        default_target="80–85 % (forvaltningens egen målsætning for, hvor ofte ankeinstansen stadfæster dens afgørelser; over 85 % er ikke et uopfyldt mål)", better="høj",
        compute="appeals.appeal_upheld_share",
        no_value_note="ingen realitetsbehandlede ankesager i perioden", target=(0.80, 0.85),
    ),
    Indicator(
        "processing_days_median", "Sagsbehandlingstid (median)",
        "Mediantid i dage fra en sag er oprettet, til den er afgjort, for sager afgjort i perioden.",
        UNIT_DAYS, "dage fra oprettet til afgjort", "sager afgjort i perioden", "afgjort", CI_NONE,
        "Sagsbehandling", ("cases",), "median", better="lav",
        compute="cases.processing_days_median", no_value_note="ingen sager afgjort i perioden",
    ),
    Indicator(
        "service_target_share", "Andel inden for servicemål",
        "Sager afgjort inden for deres servicemål i forhold til alle sager afgjort i perioden (servicemålet er "
        "sagens eget, ellers områdets fra organisationsfilen; sager uden servicemål udelades og tælles i en note).",
        UNIT_SHARE, "sager afgjort inden for servicemålet", "sager afgjort i perioden med et servicemål", "afgjort",
        CI_WILSON, "Sagsbehandling", ("cases",), "share",
        default_target="intet (kan angives pr. område, f.eks. 75 % inden for servicemålet)", better="høj",
        compute="cases.service_target_share",
        no_value_note="ingen sager med servicemål afgjort i perioden",
    ),
    Indicator(
        "processing_days_km_median", "Median sagsbehandlingstid (Kaplan-Meier, åbne sager medregnet)",
        "Kaplan-Meier-median i dage for sager oprettet i perioden; sager, der stadig er åbne, indgår som "
        "censurerede ved opgørelsesdatoen.",
        UNIT_DAYS, "dage fra oprettet til afgjort (åbne sager censureret)", "sager oprettet i perioden", "oprettet",
        CI_KM, "Sagsbehandling", ("cases",), "km_median", better="lav",
        compute="cases.processing_days_km_median", no_value_note="ingen sager oprettet i perioden",
    ),
    Indicator(
        "open_cases_over_target", "Sagspukkel: åbne sager over servicemål",
        "Antal sager, der ved periodens udgang (højst opgørelsesdatoen) er åbne og ældre end deres servicemål.",
        UNIT_COUNT, "åbne sager ældre end servicemålet ved periodens udgang",
        "åbne sager med et servicemål ved periodens udgang", "periodens udgang", CI_NONE, "Sagsbehandling",
        ("cases",), "count", better="lav",
        compute="cases.open_cases_over_target",
    ),
    Indicator(
        "audit_error_share", "Fejlandel i stikprøver",
        "Stikprøvesager med mindst ét punkt vurderet 'fejl' i forhold til stikprøvesager med mindst ét punkt "
        "vurderet 'ok' eller 'fejl'.",
        UNIT_SHARE, "gennemgåede sager med mindst én fejl", "gennemgåede sager med mindst ét 'ok' eller 'fejl'",
        "tilsynsdato", CI_WILSON, "Stikprøver", ("audits",), "share",
        default_target="højst 25 % (tærskel; 'sikkert over', når den nedre konfidensgrænse er over)", better="lav",
        compute="audits.audit_error_share",
        no_value_note="ingen stikprøvesager med et punkt vurderet ok eller fejl i perioden", threshold=True,
    ),
    Indicator(
        "audit_item_error_share", "Fejlandel pr. tjekpunkt",
        "For hvert tjekpunkt: vurderinger 'fejl' i forhold til vurderinger 'ok' eller 'fejl' ('ikke relevant' "
        "tæller ikke med); totalrækken lægger alle punkter sammen.",
        UNIT_SHARE, "punkter vurderet 'fejl'", "punkter vurderet 'ok' eller 'fejl'", "tilsynsdato", CI_WILSON,
        "Stikprøver", ("audits",), "share", subgroup="tjekpunkt",
        default_target="højst 25 % (tærskel)", better="lav",
        compute="audits.audit_item_error_share",
        no_value_note="ingen punkter vurderet ok eller fejl i perioden", threshold=True,
    ),
    Indicator(
        "inquiries_received", "Henvendelser til Borgerrådgiveren",
        "Antal henvendelser til Borgerrådgiveren modtaget i perioden, i alt og pr. kategori.",
        UNIT_COUNT, "henvendelser modtaget i perioden", "", "modtaget", CI_NONE, "Borgerrådgiveren",
        ("inquiries",), "count", subgroup="kategori", better="lav",
        compute="inquiries.inquiries_received",
    ),
    Indicator(
        "inquiry_criticism_share", "Andel henvendelser med kritik",
        "Henvendelser, hvor Borgerrådgiveren udtaler kritik, i forhold til henvendelser afsluttet i perioden.",
        UNIT_SHARE, "afsluttede henvendelser med kritik", "henvendelser afsluttet i perioden", "afsluttet",
        CI_WILSON, "Borgerrådgiveren", ("inquiries",), "share", better="lav",
        compute="inquiries.inquiry_criticism_share",
        no_value_note="ingen henvendelser afsluttet i perioden",
    ),
    Indicator(
        "satisfaction_share", "Andel tilfredse",
        "Tilfredse i forhold til besvarelser i tilfredshedsundersøgelser; en undersøgelse tæller i den periode, "
        "der helt rummer dens egen periode.",
        UNIT_SHARE, "tilfredse", "besvarelser", "undersøgelsens periode", CI_WILSON, "Tilfredshed",
        ("satisfaction",), "share", better="høj",
        compute="satisfaction.satisfaction_share", no_value_note="ingen besvarelser i perioden",
        dated=False,
    ),
    Indicator(
        "municipal_reversal_share", "Omgørelsesprocent i Danmarkskortet",
        "Ankestyrelsens Danmarkskort: (ændret/ophævet + hjemvist) i forhold til (stadfæstet + ændret/ophævet + "
        "hjemvist), pr. kommune (i kolonnen undergruppe).",
        UNIT_SHARE, "ændret/ophævet + hjemvist", "stadfæstet + ændret/ophævet + hjemvist", "år", CI_WILSON,
        "Danmarkskort", ("municipal_appeals",), "share", subgroup="kommune", better="lav",
        compute="municipal_appeals.municipal_reversal_share",
        no_value_note="ingen realitetsbehandlede sager i Danmarkskortet for perioden", dated=False,
    ),
)

CATALOGUE: dict[str, Indicator] = {i.id: i for i in _ALL}
IDS: tuple[str, ...] = tuple(CATALOGUE)


def register(indicator: Indicator) -> None:
    """Add an indicator to the catalogue at run time (e.g. a test's throw-away indicator; a real one is an entry
    in ``_ALL``). The engine, the targets model, the CLI and the exports pick it up; :func:`unregister` removes it."""
    global IDS
    if indicator.id in CATALOGUE:
        raise ValueError(f"indicator {indicator.id!r} is already in the catalogue")
    if indicator.family not in FAMILIES or indicator.kind not in PRIMARY_METHOD or not indicator.compute:
        raise ValueError(f"indicator {indicator.id!r}: family, kind and compute must be set "
                         f"(families {FAMILIES}, kinds {tuple(PRIMARY_METHOD)})")
    CATALOGUE[indicator.id] = indicator
    IDS = tuple(CATALOGUE)


def unregister(indicator_id: str) -> None:
    """Remove an indicator added with :func:`register`."""
    global IDS
    CATALOGUE.pop(indicator_id)
    IDS = tuple(CATALOGUE)


def get(indicator_id: str) -> Indicator:
    """The catalogue entry for an id; an unknown id raises UserError listing the known ones."""
    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        from .errors import UserError

        raise UserError(f"ukendt indikator {indicator_id!r}; kendte indikatorer: {', '.join(IDS)}") from None


def parse_ids(text: str) -> tuple[str | None, list[str]]:
    """A list of catalogue ids separated by commas (the findings register's ``indicators``): the ids as the
    catalogue spells them joined by ``,`` (case-insensitive, spaces and empty parts ignored, the order kept, a repeat
    dropped) and the parts that are no id; the first is None when any part is unknown."""
    known = {i.casefold(): i for i in CATALOGUE}
    parts = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p.casefold() not in known]
    if unknown or not parts:
        return None, unknown
    return ",".join(dict.fromkeys(known[p.casefold()] for p in parts)), []


def ids_problem(text: str) -> str:
    """Why a list of ids does not read, in Danish (the rest of a quarantine reason): the unknown ids, the known."""
    unknown = parse_ids(text)[1]
    if not unknown:
        what = "nævner ingen indikator-id'er"
    else:
        what = ("nævner et ukendt indikator-id: " if len(unknown) == 1 else "nævner ukendte indikator-id'er: ")
        what += ", ".join(f"'{u}'" for u in unknown)
    return f"{what} (kendte id'er: {', '.join(IDS)}; adskil dem med komma)"


#: Danish column headers of the tidy indicator table (exports read these).
COLUMN_HEADERS_DA = {
    "indicator": "Indikator",
    "indicator_name": "Indikator",
    "period": "Periode",
    "forvaltning": "Forvaltning",
    "unit": "Enhed",
    "area": "Område",
    "subgroup": "Undergruppe",
    "numerator": "Tæller",
    "denominator": "Nævner",
    "value": "Værdi",
    "ci_low": "Nedre 95 %-grænse",
    "ci_high": "Øvre 95 %-grænse",
    "target_low": "Mål, mindst",
    "target_high": "Mål, højst",
    "status": "Status",
    "note": "Note",
    "partial": "Delperiode (ikke hel ved opgørelsesdatoen)",
    "method": "Metode",
    "n_periods": "Antal perioder",
    "first_period": "Første periode",
    "last_period": "Sidste periode",
    "estimate": "Estimat",
    "p_value": "p-værdi",
    "q_value": "q-værdi",
    "direction": "Retning",
    "unit_text": "Enhed (mål)",
}

#: Danish names of the screening methods.
METHOD_NAMES_DA = {
    "poisson_glm": "Quasi-Poisson-trend (rateratio pr. år)",
    "binomial_glm": "Quasi-binomial trend (oddsratio pr. år)",
    "mann_kendall": "Mann-Kendall med Sens hældning (pr. år)",
    "seasonal_mann_kendall": "Sæsonjusteret Mann-Kendall med Sens hældning (pr. år)",
    "its_level": "Indsats: niveauskift ved start (ratio)",
    "its_slope": "Indsats: ændring i årlig trend (ratio)",
}
