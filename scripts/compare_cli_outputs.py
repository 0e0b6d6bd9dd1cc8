"""Compare two folders of CLI outputs (CSV) written by scripts/cli_outputs.sh: identical up to 1e-12 for floats.
usage: python scripts/compare_cli_outputs.py OLD_DIR NEW_DIR (see scripts/cli_outputs.sh)"""
import sys
from pathlib import Path

import numpy as np
import pandas as pd

old, new = Path(sys.argv[1]), Path(sys.argv[2])
bad = 0
for f in sorted(old.glob("*.csv")):
    g = new / f.name
    if not g.exists():
        print("MISSING", f.name); bad += 1; continue
    a = pd.read_csv(f, dtype=str, keep_default_na=False)
    b = pd.read_csv(g, dtype=str, keep_default_na=False)
    if list(a.columns) != list(b.columns) or a.shape != b.shape:
        print("SHAPE/COLUMNS differ", f.name, a.shape, b.shape, set(a.columns) ^ set(b.columns)); bad += 1; continue
    for c in a.columns:
        x, y = a[c], b[c]
        if (x == y).all():
            continue
        xn, yn = pd.to_numeric(x.str.replace(",", "."), errors="coerce"), pd.to_numeric(y.str.replace(",", "."), errors="coerce")
        diff = (x != y)
        num = diff & xn.notna() & yn.notna()
        if (diff & ~num).any() or (num.any() and not np.allclose(xn[num], yn[num], rtol=1e-12, atol=1e-12)):
            i = diff.idxmax()
            print("DIFF", f.name, c, "row", i, repr(x[i]), repr(y[i])); bad += 1; break
print("identical" if not bad else f"{bad} differences")
sys.exit(1 if bad else 0)
