""""Metode og data": definitions from the catalogue, data-quality notes (quarantine, suppression), the as-of
dates of the tables and what is needed to recompute the numbers (versions and a fingerprint of the data,
:mod:`kvalitet.provenance`)."""

from __future__ import annotations

from .. import catalogue, contract, formatting, provenance
from ..indicators import data_as_of, lookups
from ..present import Report
from .values import alpha, conf_text, level_text


def method_and_data(rep: Report, indicator_ids: list[str], tables: list[str], extra: list[str] | None = None,
                    period: str = "year") -> None:
    """'Metode og data': definitions from the catalogue and data-quality notes (quarantine, suppression, …); when
    the tables were exported on different dates, or the current ``period`` is not over, the date of each table and
    the latest complete period (judged by the earliest date)."""
    lines = ["## Metode og data", "", "**Definitioner**", ""]
    for i in indicator_ids:
        ind = catalogue.get(i)
        ci = f" Usikkerhed: {ind.ci}." if ind.ci and ind.ci != catalogue.CI_NONE else ""
        target = f" Standardmål: {ind.default_target}." if ind.default_target and ind.default_target != "intet" else ""
        lines.append(f"- **{ind.name}** ({ind.unit}): {ind.definition}{ci}{target}")
    lines += ["", "**Datakvalitet**", ""]
    q = lookups.quarantine_counts(rep.con, tables)
    total = sum(n for _, n in q)
    if total:
        per = ", ".join(f"{contract.TABLES[t].danish} {formatting.count(n)}" for t, n in q)
        lines.append(f"- Rækker afvist ved indlæsningen (i karantæne): {formatting.count(total)} ({per}). De indgår "
                     "ikke i tallene; se dem med `kvalitet quarantine`.")
    else:
        lines.append("- Ingen rækker er afvist ved indlæsningen af disse data.")
    lines += [f"- {e}" for e in as_of_lines(rep, tables, period)]
    for e in extra or []:
        lines.append(f"- {e}")
    from ..disclosure import NOTE

    if rep.suppressed_any:
        lines.append(f"- {NOTE} I diagrammerne er skjulte grupper udeladt, med en note («skjult: under 5»).")
    else:
        lines.append("- Tal under 5 ville blive vist som «<5» for at beskytte enkeltpersoner; ingen tabel her "
                     "havde sådanne tal.")
    lines += ["", f"Konfidensintervaller er {conf_text(rep)}. En ændring mellem to perioder kaldes statistisk "
                  f"sikker, når p < {level_text(alpha(rep))}; tendenser over mange perioder, når "
                  f"q < {level_text(rep.organisation.thresholds.fdr)} (justeret for mange test)."]
    lines += ["", "**Genberegning**", ""] + [f"- {e}" for e in recompute_lines(rep, tables)]
    rep.text("\n".join(lines))


def recompute_lines(rep: Report, tables: list[str]) -> list[str]:
    """What a reader needs to recompute the numbers a year later: the software and its versions, each table read with
    its as-of date (unless the lines on dates above already list them) and fingerprint, and the data's fingerprint."""
    if not tables:
        return [provenance.of(rep.con, []).software_line()]
    asof = data_as_of(rep.con, tables, rep.as_of, rep.organisation)
    read = [t for t in dict.fromkeys(tables) if t in asof.tables]  # an empty table never loaded has nothing to read
    prov = provenance.of(rep.con, read)
    lines = [prov.software_line()]
    if read:
        dated = not asof.differ  # when the dates differ, "Datakvalitet" lists each table's date already
        parts = [f"{contract.TABLES[t].danish}" + (f" pr. {formatting.long_date(asof.tables[t])}" if dated else "")
                 + f" (fingeraftryk {provenance.grouped(prov.tables[t][:8])})" for t in read]
        lines.append(f"Data, tallene bygger på: {'; '.join(parts)}. Fingeraftryk af alle disse data: "
                     f"`{provenance.grouped(prov.fingerprint)}` – samme data giver samme fingeraftryk "
                     "(`kvalitet.provenance.data_fingerprint`), så tallene kan genberegnes med de samme versioner "
                     "(`constraints.txt`).")
    return lines


def as_of_lines(rep: Report, tables: list[str], period: str = "year") -> list[str]:
    """The lines on dates for "Metode og data": each table's export date and the latest complete period, when the
    tables differ or the current period is not over (nothing otherwise: the report's header gives the date)."""
    if not tables:
        return []
    asof = data_as_of(rep.con, tables, rep.as_of, rep.organisation)
    if not asof.tables or (not asof.differ and asof.current(period) is None):
        return []
    if not asof.differ:
        return asof.sentences(period)
    # each number is judged by the earliest date of the tables it reads (the key figures' "Periode" column shows
    # the result), so one period for the whole report would contradict some rows: say the rule instead
    whole = formatting.period_label(asof.complete(period).label)
    text = ("Hvert tal er opgjort for den seneste hele periode, vurderet efter den tidligste opgørelsesdato blandt de "
            f"tabeller, tallet bygger på (for alle tabellerne under ét: {whole})")
    if asof.current(period) is not None:
        text += ("; en periode, der ikke er slut på tallets opgørelsesdato, vises kun med sine datoer og "
                 "sammenlignes kun med samme del af året før")
    return asof.sentences() + [text + "."]
