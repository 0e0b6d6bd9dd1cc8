"""How the small CSV files beside this script were made (deterministic; run it to rebuild them).

Fjordby: three forvaltninger, complaints and decisions 2021–2024, cases for two areas, inquiries for SOC only.
No appeals, audits, satisfaction, Danmarkskort, recommendations or risk assessments. Danish column names,
semicolons and DD-MM-YYYY dates, as a municipality's own exports would have them.
"""
import csv
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(7)
UNITS = {"SOC": [("Myndighed Voksne", "Hjemmehjælp"), ("Myndighed Handicap", "Hjælpemidler")],
         "TEK": [("Byggeri", "Byggesager")],
         "BØR": [("Pladsanvisning", "Dagtilbud")]}
KINDS = ["formalitet", "realitet", "formalitet og realitet"]
OUTCOMES = ["medhold", "delvis medhold", "ikke medhold", "ikke medhold", "afvist"]
START, END = date(2021, 1, 1), date(2024, 12, 31)


def d(x: date) -> str:
    return x.strftime("%d-%m-%Y")


def write(name, header, rows):
    with open(HERE / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        w.writerows(rows)


rows, k = [], 0
for fv, units in UNITS.items():
    n = {"SOC": 160, "TEK": 70, "BØR": 12}[fv]
    for _ in range(n):
        unit, area = rng.choice(units)
        rec = START + timedelta(days=rng.randrange((END - START).days - 40))
        closed = rec + timedelta(days=rng.randrange(5, 60))
        k += 1
        rows.append([f"F-{k:04d}", fv, unit, area, d(rec), d(closed), rng.choice(KINDS), "Lang ventetid",
                     rng.choice(OUTCOMES), "nej"])
write("klager.csv", ["klage_id", "forvaltning", "enhed", "område", "modtaget", "afsluttet", "klagetype", "emne",
                     "udfald", "videresendt"], rows)

rows = []
for fv, units in UNITS.items():
    for unit, area in units:
        for y in range(2021, 2025):
            for m in range(1, 13):
                rows.append([fv, unit, area, f"{y}-{m:02d}", rng.randrange(80, 160) if fv != "BØR" else 30])
write("afgørelser.csv", ["forvaltning", "enhed", "område", "måned", "antal_afgørelser"], rows)

rows, k = [], 0
for fv, unit, area, target in [("SOC", "Myndighed Handicap", "Hjælpemidler", 28), ("TEK", "Byggeri", "Byggesager", "")]:
    for _ in range(300):
        opened = START + timedelta(days=rng.randrange((END - START).days))
        days = int(rng.expovariate(1 / 35)) + 3
        decided = opened + timedelta(days=days)
        k += 1
        rows.append([f"S-{k:05d}", fv, unit, area, "ansøgning", d(opened), d(decided) if decided <= END else "",
                     target])
write("sager.csv", ["sag_id", "forvaltning", "enhed", "område", "sagstype", "oprettet", "afgjort",
                    "servicemål_dage"], rows)

rows = []
for k in range(60):
    rec = START + timedelta(days=rng.randrange((END - START).days - 30))
    rows.append([f"H-{k:03d}", "SOC", d(rec), d(rec + timedelta(days=rng.randrange(3, 25))),
                 rng.choice(["Vejledning", "Sagsbehandlingstid", "Partshøring"]), rng.choice(["ja", "nej", "nej"])])
write("henvendelser.csv", ["henvendelse_id", "forvaltning", "modtaget", "afsluttet", "kategori", "kritik"], rows)
