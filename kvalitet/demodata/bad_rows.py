"""Deliberately invalid rows, as raw CSV strings, of the kinds real exports contain."""

from __future__ import annotations

from ..contract import TABLES


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
            {**anb, "forvaltning": "SUF", "number": "94", "source": "Kommunalbestyrelsen", "kind": "kritik",
             "_why": "unknown source category"},
            {**anb, "forvaltning": "BUF", "number": "95", "status": "opgivet", "action": "",
             "_why": "status opgivet without its reason in action"},
            {**anb, "forvaltning": "KFF", "number": "96", "indicators": "complaint_rate, klagerate",
             "_why": "unknown indicator id (klagerate)"},
        ]),
        "risk_assessments": rows("risk_assessments", [
            {**risk, "forvaltning": "KBH", "_why": "forvaltning code not declared"},
            {**risk, "assessed": "2025-03-01", "_why": "assessed date in the future (after as-of 2024-12-31)"},
            {**risk, "assessed": "1999-03-01", "_why": "date before 2000"},
        ]),
    }
