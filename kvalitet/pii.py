"""Personal data: CPR detection, scrubbing of free text and keyed pseudonyms for identifiers.

A CPR number is ``DDMMYY-NNNN`` or ``DDMMYYNNNN`` whose first six digits are a valid date (in some century).
Free text keeps its words but each CPR number becomes ``[CPR]``; identifier values are replaced as a whole by a
keyed hash (HMAC-SHA256), so the same person or case gets the same pseudonym in every file and every load, and
nobody without the key can go back from the pseudonym to the number.

The key comes from the environment variable ``KVALITET_PSEUDONYM_KEY`` (at least 16 characters) or, when that is
not set, from a file beside the database (``<database>.pseudonym-key``) that is generated once with 256 random bits
and then kept. Keep that file with the database: with another key the same person gets another pseudonym. The
database records the key's fingerprint (never the key) and refuses another key, and a missing key file once it
holds data, before anything is written.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import UserError

CPR_MASK = "[CPR]"
_CPR_CANDIDATE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})-?(\d{4})(?!\d)")
_QUICK = re.compile(r"\d{6}-?\d{4}")
ENV_KEY = "KVALITET_PSEUDONYM_KEY"
#: the shortest key accepted, in characters (environment) or bytes (key file)
KEY_MIN_LENGTH = 16
_FINGERPRINT_DOMAIN = b"kvalitet pseudonym key fingerprint v1\0"
#: SHA-256's block size in bytes (the HMAC key is padded to it)
_SHA256_BLOCK = 64


def key_fingerprint(key: bytes) -> str:
    """The key's fingerprint as the database records it: 16 hex digits of SHA-256 over a domain-separated key."""
    return hashlib.sha256(_FINGERPRINT_DOMAIN + key).hexdigest()[:16]


def env_key() -> bytes | None:
    """The key from KVALITET_PSEUDONYM_KEY, or None when it is not set; a key under 16 characters is refused."""
    env = os.environ.get(ENV_KEY)
    if not env:
        return None
    if len(env) < KEY_MIN_LENGTH:
        raise UserError(f"{ENV_KEY} er for kort ({len(env)} tegn): nøglen skal have mindst {KEY_MIN_LENGTH} tegn. "
                        "Intet er indlæst.")
    return env.encode("utf-8")


def key_file_for(db_path: str | Path) -> Path:
    """The key file kept beside a database."""
    return Path(str(db_path) + ".pseudonym-key")


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
        if len(key) < KEY_MIN_LENGTH:
            raise ValueError(f"pseudonym key must be at least {KEY_MIN_LENGTH} bytes")
        self._key = key
        # HMAC (RFC 2104) with the key's two padded blocks hashed once: each value then costs two copies of a hash
        # state instead of a new HMAC context (several times faster for the short values pseudonymised here)
        block = (hashlib.sha256(key).digest() if len(key) > _SHA256_BLOCK else key).ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self._key)

    @classmethod
    def for_database(cls, db_path: str | Path | None, recorded: str | None = None,
                     holds_data: bool = False) -> "Pseudonymiser":
        """The key from KVALITET_PSEUDONYM_KEY, else the key file beside the database.

        ``recorded`` is the fingerprint the database holds, ``holds_data`` whether anything was loaded into it.
        The key file is generated only for a database that holds nothing yet. Refused with a Danish message
        (:class:`UserError`): a key shorter than 16 characters, a key whose fingerprint is not ``recorded``, a
        missing key file for a database that holds data.
        """
        key = env_key()
        if key is not None:
            return cls._checked(key, recorded, db_path, source=ENV_KEY)
        if db_path is None or str(db_path) == ":memory:":
            return cls(secrets.token_bytes(32))
        key_file = key_file_for(db_path)
        if not key_file.exists():
            if recorded or holds_data:
                raise UserError(
                    f"{db_path}: pseudonymnøglen mangler. Nøglefilen {key_file} findes ikke, og {ENV_KEY} er ikke "
                    "sat, men databasen indeholder allerede data; en ny nøgle ville give de samme personer og sager "
                    f"nye pseudonymer. Læg nøglefilen tilbage ved siden af databasen (fra en sikkerhedskopi), eller "
                    f"sæt {ENV_KEY} til den nøgle, databasen er bygget med. Intet er indlæst."
                )
            key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        try:
            key = bytes.fromhex(key_file.read_text(encoding="ascii").strip())
        except (ValueError, UnicodeDecodeError):
            key = b""
        if len(key) < KEY_MIN_LENGTH:
            raise UserError(f"{key_file}: nøglefilen er ødelagt (den skal indeholde mindst {KEY_MIN_LENGTH} bytes "
                            "som hex). Læg den rigtige nøglefil tilbage fra en sikkerhedskopi. Intet er indlæst.")
        return cls._checked(key, recorded, db_path, source=f"nøglefilen {key_file}")

    @classmethod
    def _checked(cls, key: bytes, recorded: str | None, db_path, source: str) -> "Pseudonymiser":
        found = key_fingerprint(key)
        if recorded and found != recorded:
            if source == ENV_KEY:
                todo = (f"Sæt {ENV_KEY} til den nøgle, databasen er bygget med, eller fjern variablen, hvis "
                        f"databasen er bygget med nøglefilen {key_file_for(db_path).name} ved siden af den.")
            else:
                todo = ("Læg den rigtige nøglefil ved siden af databasen (fra en sikkerhedskopi), eller sæt "
                        f"{ENV_KEY} til den nøgle, databasen er bygget med.")
            raise UserError(
                f"{db_path}: pseudonymnøglen fra {source} er ikke den, databasen er bygget med (databasens nøgle "
                f"har fingeraftrykket {recorded}, denne {found}); med en anden nøgle får de samme personer og sager "
                f"andre pseudonymer, og genindlæsninger giver dubletter. {todo} Intet er indlæst."
            )
        return cls(key)

    @staticmethod
    def normalise(value: str) -> str:
        """Value as hashed: trimmed, and a CPR-shaped number without its dash (so both spellings agree)."""
        v = " ".join(str(value).split())
        if len(v) == 11 and v[6] == "-":
            digits = v[:6] + v[7:]
            if digits.isdigit():
                return digits
        return v

    def pseudonym(self, value: str) -> str:
        return self._hash(self.normalise(value))

    def _hash(self, normalised: str) -> str:
        return "P-" + hmac.digest(self._key, normalised.encode("utf-8"), "sha256").hex()[:16]

    def series(self, values: pd.Series, only_cpr: bool = False) -> pd.Series:
        """Pseudonymise every non-empty value (or, with ``only_cpr``, only the values containing a CPR number)."""
        arr = values.to_numpy(dtype=object).copy()
        positions = np.flatnonzero(cpr_mask(values)) if only_cpr else np.arange(len(arr))
        positions = positions[np.fromiter((isinstance(v, str) and v.strip() != "" for v in arr[positions]),
                                          dtype=bool, count=len(positions))]
        if len(positions):
            hashed = np.empty(len(positions), dtype=object)
            hashed[:] = self._hash_all(arr[positions])
            arr[positions] = hashed
        return pd.Series(arr, index=values.index, dtype=object)

    def _hash_all(self, values) -> list[str]:
        """``pseudonym(v)`` for every string ``v`` of ``values``: the same HMAC-SHA256 as :meth:`_hash`, computed
        from the key's hashed pads (see ``__init__``)."""
        inner, outer = self._inner.copy, self._outer.copy
        out = []
        append = out.append
        for v in map(self.normalise, values):
            h = inner()
            h.update(v.encode("utf-8"))
            d = h.digest()
            h = outer()
            h.update(d)
            append("P-" + h.hexdigest()[:16])
        return out
