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


def _quick_hits(arr: np.ndarray) -> np.ndarray:
    search = _QUICK.search
    return np.fromiter((isinstance(v, str) and search(v) is not None for v in arr), dtype=bool, count=len(arr))


def scrub_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`scrub_text` over strings (missing values pass through)."""
    arr = values.to_numpy(dtype=object)
    hits = np.flatnonzero(_quick_hits(arr))
    if len(hits):
        arr = arr.copy()
        for i in hits:
            arr[i] = scrub_text(arr[i])
    return pd.Series(arr, index=values.index, dtype=object)


def cpr_mask(values: pd.Series) -> np.ndarray:
    """Boolean array: which values contain a CPR-like number."""
    arr = values.to_numpy(dtype=object)
    out = np.zeros(len(arr), dtype=bool)
    for i in np.flatnonzero(_quick_hits(arr)):
        out[i] = contains_cpr(arr[i])
    return out


class Pseudonymiser:
    """Keyed hash of identifiers: ``P-`` and the first 16 hex digits of HMAC-SHA256(key, value)."""

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("pseudonym key must be at least 16 bytes")
        self._key = key

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
        """Value as hashed: trimmed, and a CPR-shaped number without its dash (so both spellings agree)."""
        v = " ".join(str(value).split())
        if len(v) == 11 and v[6] == "-" and v[:6].isdigit() and v[7:].isdigit():
            v = v[:6] + v[7:]
        return v

    def pseudonym(self, value: str) -> str:
        return self._hash(self.normalise(value))

    def _hash(self, normalised: str) -> str:
        return "P-" + hmac.digest(self._key, normalised.encode("utf-8"), "sha256").hex()[:16]

    def series(self, values: pd.Series, only_cpr: bool = False) -> pd.Series:
        """Pseudonymise every non-empty value (or, with ``only_cpr``, only the values containing a CPR number)."""
        arr = values.to_numpy(dtype=object).copy()
        present = np.fromiter((isinstance(v, str) and v.strip() != "" for v in arr), dtype=bool, count=len(arr))
        if only_cpr:
            present &= cpr_mask(values)
        normalise, digest, key = self.normalise, hmac.digest, self._key
        for i in np.flatnonzero(present):
            arr[i] = "P-" + digest(key, normalise(arr[i]).encode("utf-8"), "sha256").hex()[:16]
        return pd.Series(arr, index=values.index, dtype=object)
