"""Personal data: CPR detection, scrubbing of free text and keyed pseudonyms for identifiers.

A CPR number is ``DDMMYY-NNNN`` or ``DDMMYYNNNN`` whose first six digits are a valid date (in some century).
Free text keeps its words but each CPR number becomes ``[CPR]``; identifier values are replaced as a whole by a
keyed hash (HMAC-SHA256), so the same person or case gets the same pseudonym in every file and every load, and
nobody without the key can go back from the pseudonym to the number.

The key comes from the environment variable ``KVALITET_PSEUDONYM_KEY`` or, when that is not set, from a file
beside the database (``<database>.pseudonym-key``) that is generated once with 256 random bits and then kept.
Keep that file with the database: with another key the same person gets another pseudonym.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from datetime import date
from hashlib import sha256
from pathlib import Path

import numpy as np
import pandas as pd

CPR_MASK = "[CPR]"
_CPR_CANDIDATE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})-?(\d{4})(?!\d)")
_QUICK = re.compile(r"\d{6}-?\d{4}")
ENV_KEY = "KVALITET_PSEUDONYM_KEY"


def _valid_cpr_date(dd: str, mm: str, yy: str) -> bool:
    d, m, y = int(dd), int(mm), int(yy)
    for century in (1900, 2000):
        try:
            date(century + y, m, d)
            return True
        except ValueError:
            continue
    return False


def _cpr_match(m: re.Match) -> bool:
    return _valid_cpr_date(m.group(1), m.group(2), m.group(3))


def contains_cpr(text: str) -> bool:
    """True when ``text`` contains a CPR-like number with a valid date."""
    return any(_cpr_match(m) for m in _CPR_CANDIDATE.finditer(str(text)))


def scrub_text(text: str) -> str:
    """Replace every CPR-like number in ``text`` by ``[CPR]``."""
    return _CPR_CANDIDATE.sub(lambda m: CPR_MASK if _cpr_match(m) else m.group(0), str(text))


def scrub_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`scrub_text` over strings (missing values pass through)."""
    s = values.astype("object")
    mask = s.notna() & s.astype(str).str.contains(_QUICK, regex=True)
    if mask.any():
        s = s.copy()
        s[mask] = [scrub_text(v) for v in s[mask]]
    return s


def cpr_mask(values: pd.Series) -> np.ndarray:
    """Boolean array: which values contain a CPR-like number."""
    s = values.astype("object")
    quick = s.notna() & s.astype(str).str.contains(_QUICK, regex=True)
    out = np.zeros(len(s), dtype=bool)
    idx = np.flatnonzero(quick.to_numpy())
    for i in idx:
        out[i] = contains_cpr(s.iat[i])
    return out


class Pseudonymiser:
    """Keyed hash of identifiers: ``P-`` and the first 16 hex digits of HMAC-SHA256(key, value)."""

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("pseudonym key must be at least 16 bytes")
        self._key = key
        self._cache: dict[str, str] = {}

    @classmethod
    def for_database(cls, db_path: str | Path | None) -> "Pseudonymiser":
        """The key from KVALITET_PSEUDONYM_KEY, else the key file beside the database (created once)."""
        env = os.environ.get(ENV_KEY)
        if env:
            return cls(env.encode("utf-8").ljust(16, b"\0"))
        if db_path is None or str(db_path) == ":memory:":
            return cls(secrets.token_bytes(32))
        key_file = Path(str(db_path) + ".pseudonym-key")
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        return cls(bytes.fromhex(key_file.read_text().strip()))

    @staticmethod
    def normalise(value: str) -> str:
        """Value as hashed: trimmed, and a CPR number without its dash (so both spellings agree)."""
        v = " ".join(str(value).split())
        m = _CPR_CANDIDATE.fullmatch(v)
        if m and _cpr_match(m):
            v = "".join(m.groups())
        return v

    def pseudonym(self, value: str) -> str:
        v = self.normalise(value)
        hit = self._cache.get(v)
        if hit is None:
            hit = "P-" + hmac.new(self._key, v.encode("utf-8"), sha256).hexdigest()[:16]
            self._cache[v] = hit
        return hit

    def series(self, values: pd.Series, only_cpr: bool = False) -> pd.Series:
        """Pseudonymise every non-empty value (or, with ``only_cpr``, only the values containing a CPR number)."""
        s = values.astype("object").copy()
        present = s.notna() & (s.astype(str).str.strip() != "")
        if only_cpr:
            present &= cpr_mask(s)
        if present.any():
            s[present] = [self.pseudonym(v) for v in s[present]]
        return s
