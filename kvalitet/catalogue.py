"""The indicator catalogue: the one place that defines each indicator and its Danish texts.

DESIGN.md "Indicators" is the specification. For each indicator the catalogue holds its id, Danish name, a Danish
one-line definition, the unit, what is counted in the numerator and the denominator, the date that places a record
in a period, the confidence-interval method, the default target and the family (one XLSX sheet per family).
The engine (:mod:`kvalitet.indicators`), the targets (:mod:`kvalitet.targets`), the exports
(:mod:`kvalitet.export`), the reports and ``docs/indikatorer.md`` read their texts from here.
"""

from __future__ import annotations

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
    #: default target in words (the numbers are in kvalitet.targets.DEFAULT_TARGETS)
    default_target: str = "intet"
    #: the direction that is good: 'lav' (lower is better), 'høj' or '' (neither)
    better: str = ""

    @property
    def is_share(self) -> bool:
        return self.unit == UNIT_SHARE


_ALL = (
    Indicator(
        "complaints_received", "Modtagne klager",
        "Antal klager modtaget i perioden, i alt og pr. klagetype (formalitet, realitet, formalitet og realitet).",
        UNIT_COUNT, "klager modtaget i perioden", "", "modtaget", CI_NONE, "Klager", ("complaints",), "count",
        subgroup="klagetype", default_target="intet (måltal pr. forvaltning kan angives: højst antal pr. år)",
        better="lav",
    ),
    Indicator(
        "complaint_rate", "Klagerate",
        "Klager modtaget i perioden pr. 1.000 afgørelser truffet i perioden.",
        UNIT_RATE, "klager modtaget i perioden", "afgørelser i perioden (måned)", "modtaget / måned", CI_GARWOOD,
        "Klager", ("complaints", "decisions"), "rate",
        default_target="intet (måltal pr. forvaltning kan angives: højst antal klager pr. 1.000 afgørelser)",
        better="lav",
    ),
    Indicator(
        "complaint_upheld_share", "Andel klager med medhold",
        "Klager afsluttet med medhold eller delvis medhold i forhold til klager afsluttet med medhold, delvis "
        "medhold eller ikke medhold (afviste og tilbagetrukne tæller ikke med).",
        UNIT_SHARE, "medhold + delvis medhold", "medhold + delvis medhold + ikke medhold", "afsluttet", CI_WILSON,
        "Klager", ("complaints",), "share", better="lav",
    ),
    Indicator(
        "complaint_response_days_median", "Svartid på klager (median)",
        "Mediantid i dage fra en klage er modtaget, til den er afsluttet, for klager afsluttet i perioden.",
        UNIT_DAYS, "dage fra modtaget til afsluttet", "klager afsluttet i perioden", "afsluttet", CI_NONE,
        "Klager", ("complaints",), "median", better="lav",
    ),
    Indicator(
        "appeal_reversal_share", "Omgørelsesprocent",
        "Ankesager, der er ændret, ophævet eller hjemvist, i forhold til alle realitetsbehandlede ankesager "
        "(stadfæstet, ændret, ophævet, hjemvist); afviste, henviste og bortfaldne tæller ikke med.",
        UNIT_SHARE, "ændret + ophævet + hjemvist", "realitetsbehandlede (stadfæstet + ændret + ophævet + hjemvist)",
        "afgjort", CI_WILSON, "Ankesager", ("appeals",), "share", better="lav",
    ),
    Indicator(
        "appeal_upheld_share", "Stadfæstelsesprocent",
        "Stadfæstede ankesager i forhold til alle realitetsbehandlede ankesager.",
        UNIT_SHARE, "stadfæstet", "realitetsbehandlede (stadfæstet + ændret + ophævet + hjemvist)", "afgjort",
        CI_WILSON, "Ankesager", ("appeals",), "share",
        default_target="80–85 % (forvaltningens egen målsætning for, hvor ofte ankeinstansen stadfæster dens afgørelser; over 85 % er ikke et uopfyldt mål)", better="høj",
    ),
    Indicator(
        "processing_days_median", "Sagsbehandlingstid (median)",
        "Mediantid i dage fra en sag er oprettet, til den er afgjort, for sager afgjort i perioden.",
        UNIT_DAYS, "dage fra oprettet til afgjort", "sager afgjort i perioden", "afgjort", CI_NONE,
        "Sagsbehandling", ("cases",), "median", better="lav",
    ),
    Indicator(
        "service_target_share", "Andel inden for servicemål",
        "Sager afgjort inden for deres servicemål i forhold til alle sager afgjort i perioden (servicemålet er "
        "sagens eget, ellers områdets fra organisationsfilen; sager uden servicemål udelades og tælles i en note).",
        UNIT_SHARE, "sager afgjort inden for servicemålet", "sager afgjort i perioden med et servicemål", "afgjort",
        CI_WILSON, "Sagsbehandling", ("cases",), "share",
        default_target="intet (kan angives pr. område, f.eks. 75 % inden for servicemålet)", better="høj",
    ),
    Indicator(
        "processing_days_km_median", "Median sagsbehandlingstid (Kaplan-Meier, åbne sager medregnet)",
        "Kaplan-Meier-median i dage for sager oprettet i perioden; sager, der stadig er åbne, indgår som "
        "censurerede ved opgørelsesdatoen.",
        UNIT_DAYS, "dage fra oprettet til afgjort (åbne sager censureret)", "sager oprettet i perioden", "oprettet",
        CI_KM, "Sagsbehandling", ("cases",), "km_median", better="lav",
    ),
    Indicator(
        "open_cases_over_target", "Sagspukkel: åbne sager over servicemål",
        "Antal sager, der ved periodens udgang (højst opgørelsesdatoen) er åbne og ældre end deres servicemål.",
        UNIT_COUNT, "åbne sager ældre end servicemålet ved periodens udgang",
        "åbne sager med et servicemål ved periodens udgang", "periodens udgang", CI_NONE, "Sagsbehandling",
        ("cases",), "count", better="lav",
    ),
    Indicator(
        "audit_error_share", "Fejlandel i stikprøver",
        "Stikprøvesager med mindst ét punkt vurderet 'fejl' i forhold til stikprøvesager med mindst ét punkt "
        "vurderet 'ok' eller 'fejl'.",
        UNIT_SHARE, "gennemgåede sager med mindst én fejl", "gennemgåede sager med mindst ét 'ok' eller 'fejl'",
        "tilsynsdato", CI_WILSON, "Stikprøver", ("audits",), "share",
        default_target="højst 25 % (tærskel; 'sikkert over', når den nedre konfidensgrænse er over)", better="lav",
    ),
    Indicator(
        "audit_item_error_share", "Fejlandel pr. tjekpunkt",
        "For hvert tjekpunkt: vurderinger 'fejl' i forhold til vurderinger 'ok' eller 'fejl' ('ikke relevant' "
        "tæller ikke med); totalrækken lægger alle punkter sammen.",
        UNIT_SHARE, "punkter vurderet 'fejl'", "punkter vurderet 'ok' eller 'fejl'", "tilsynsdato", CI_WILSON,
        "Stikprøver", ("audits",), "share", subgroup="tjekpunkt",
        default_target="højst 25 % (tærskel)", better="lav",
    ),
    Indicator(
        "inquiries_received", "Henvendelser til Borgerrådgiveren",
        "Antal henvendelser til Borgerrådgiveren modtaget i perioden, i alt og pr. kategori.",
        UNIT_COUNT, "henvendelser modtaget i perioden", "", "modtaget", CI_NONE, "Borgerrådgiveren",
        ("inquiries",), "count", subgroup="kategori", better="lav",
    ),
    Indicator(
        "inquiry_criticism_share", "Andel henvendelser med kritik",
        "Henvendelser, hvor Borgerrådgiveren udtaler kritik, i forhold til henvendelser afsluttet i perioden.",
        UNIT_SHARE, "afsluttede henvendelser med kritik", "henvendelser afsluttet i perioden", "afsluttet",
        CI_WILSON, "Borgerrådgiveren", ("inquiries",), "share", better="lav",
    ),
    Indicator(
        "satisfaction_share", "Andel tilfredse",
        "Tilfredse i forhold til besvarelser i tilfredshedsundersøgelser; en undersøgelse tæller i den periode, "
        "der helt rummer dens egen periode.",
        UNIT_SHARE, "tilfredse", "besvarelser", "undersøgelsens periode", CI_WILSON, "Tilfredshed",
        ("satisfaction",), "share", better="høj",
    ),
    Indicator(
        "municipal_reversal_share", "Omgørelsesprocent i Danmarkskortet",
        "Ankestyrelsens Danmarkskort: (ændret/ophævet + hjemvist) i forhold til (stadfæstet + ændret/ophævet + "
        "hjemvist), pr. kommune (i kolonnen undergruppe).",
        UNIT_SHARE, "ændret/ophævet + hjemvist", "stadfæstet + ændret/ophævet + hjemvist", "år", CI_WILSON,
        "Danmarkskort", ("municipal_appeals",), "share", subgroup="kommune", better="lav",
    ),
)

CATALOGUE: dict[str, Indicator] = {i.id: i for i in _ALL}
IDS: tuple[str, ...] = tuple(CATALOGUE)


def get(indicator_id: str) -> Indicator:
    """The catalogue entry for an id; an unknown id raises UserError listing the known ones."""
    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        from .errors import UserError

        raise UserError(f"ukendt indikator {indicator_id!r}; kendte indikatorer: {', '.join(IDS)}") from None


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
