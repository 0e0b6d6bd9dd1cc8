"""The pseudonym key: the database records its fingerprint and refuses another key, a missing key file or a short
key before anything is written (exit 2, a Danish message, no traceback); internal errors are CPR-scrubbed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from conftest import write_csv, cpr_like
from kvalitet.cli import main
from kvalitet.pii import Pseudonymiser, key_fingerprint

HEADER = ["klage_id", "forvaltning", "område", "modtaget", "klagetype", "cpr"]
KEY_A = "en nøgle på mere end seksten tegn"
KEY_B = "en anden nøgle, også lang nok"


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch):
    monkeypatch.delenv("KVALITET_PSEUDONYM_KEY", raising=False)


def export(folder: Path, *ids: str) -> Path:
    return write_csv(folder / "klager.csv", HEADER,
                     [[i, "SOF", "Handicap", "01-02-2024", "realitet", "010203-1234"] for i in ids])


def ingest(capsys, db, org, path) -> tuple[int, str, str]:
    code = main(["ingest", str(path), "--db", str(db), "--organisation", str(org), "--as-of", "2024-12-31"])
    out, err = capsys.readouterr()
    return code, out, err


def checksum(db: Path) -> str:
    """A digest of every table's full contents (ordered), the meta table and the logs included."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        h = hashlib.sha256()
        for (t,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
            h.update(t.encode())
            h.update(repr(con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()).encode())
        return h.hexdigest()
    finally:
        con.close()


def recorded(db: Path) -> str | None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'pseudonym_key_fingerprint'").fetchone()
        return row[0] if row else None
    finally:
        con.close()


def test_fingerprint_is_sha256_of_the_domain_separated_key():
    key = b"0123456789abcdef"
    expected = hashlib.sha256(b"kvalitet pseudonym key fingerprint v1\0" + key).hexdigest()[:16]
    assert key_fingerprint(key) == expected
    assert key_fingerprint(key) != hashlib.sha256(key).hexdigest()[:16]
    assert Pseudonymiser(key).fingerprint == expected


def test_new_database_generates_the_key_file_once_and_records_its_fingerprint(tmp_path, capsys, db, org_file):
    code, _, _ = ingest(capsys, db, org_file, export(tmp_path, "K1"))
    assert code == 0
    key_file = Path(str(db) + ".pseudonym-key")
    key_hex = key_file.read_text()
    assert recorded(db) == key_fingerprint(bytes.fromhex(key_hex))
    con = duckdb.connect(str(db), read_only=True)
    meta = con.execute("SELECT value FROM meta").fetchall()
    con.close()
    assert all(key_hex not in v for (v,) in meta)  # the key itself is never stored
    assert ingest(capsys, db, org_file, export(tmp_path / "b", "K1", "K2"))[0] == 0
    assert key_file.read_text() == key_hex


def test_another_environment_key_is_refused_before_anything_is_written(tmp_path, capsys, db, org_file,
                                                                        monkeypatch):
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", KEY_A)
    assert ingest(capsys, db, org_file, export(tmp_path, "K1"))[0] == 0
    assert recorded(db) == key_fingerprint(KEY_A.encode())
    before = checksum(db)
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", KEY_B)
    code, out, err = ingest(capsys, db, org_file, export(tmp_path / "b", "K1", "K2"))
    assert code == 2
    assert "Traceback" not in err and out == ""
    assert "KVALITET_PSEUDONYM_KEY" in err and "ikke den, databasen er bygget med" in err
    assert "Intet er indlæst" in err and KEY_B not in err and KEY_A not in err
    assert checksum(db) == before
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", KEY_A)  # the right key loads
    assert ingest(capsys, db, org_file, export(tmp_path / "b", "K1", "K2"))[0] == 0


def test_an_environment_key_on_a_database_built_with_its_key_file_is_refused(tmp_path, capsys, db, org_file,
                                                                              monkeypatch):
    assert ingest(capsys, db, org_file, export(tmp_path, "K1"))[0] == 0
    before = checksum(db)
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", KEY_A)
    code, _, err = ingest(capsys, db, org_file, export(tmp_path / "b", "K2"))
    assert code == 2 and "fjern variablen" in err
    assert checksum(db) == before


def test_a_replaced_key_file_is_refused(tmp_path, capsys, db, org_file):
    assert ingest(capsys, db, org_file, export(tmp_path, "K1"))[0] == 0
    before = checksum(db)
    Path(str(db) + ".pseudonym-key").write_text("ab" * 32)
    code, _, err = ingest(capsys, db, org_file, export(tmp_path / "b", "K2"))
    assert code == 2 and "nøglefilen" in err and "Læg den rigtige nøglefil" in err
    assert checksum(db) == before


def test_a_missing_key_file_is_refused_and_not_recreated(tmp_path, capsys, db, org_file):
    assert ingest(capsys, db, org_file, export(tmp_path, "K1"))[0] == 0
    before = checksum(db)
    key_file = Path(str(db) + ".pseudonym-key")
    key_file.unlink()
    code, out, err = ingest(capsys, db, org_file, export(tmp_path / "b", "K2"))
    assert code == 2
    assert "pseudonymnøglen mangler" in err and "Læg nøglefilen tilbage" in err and "Traceback" not in err
    assert not key_file.exists()
    assert checksum(db) == before


@pytest.mark.parametrize("key, accepted", [
    ("x" * 15, False), ("æøå" * 5, False),  # 15 characters (the second is 30 bytes in UTF-8)
    ("x" * 16, True),
])
def test_keys_shorter_than_16_characters_are_refused(tmp_path, capsys, db, org_file, monkeypatch, key, accepted):
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", key)
    code, _, err = ingest(capsys, db, org_file, export(tmp_path, "K1"))
    if accepted:
        assert code == 0 and recorded(db) == key_fingerprint(key.encode("utf-8"))
    else:
        assert code == 2 and "for kort (15 tegn)" in err and "mindst 16 tegn" in err and key not in err
        assert not db.exists()  # refused before the database was even created


def test_the_key_is_not_padded(monkeypatch, tmp_path):
    """A 16-character key is used as it is: its pseudonyms are the HMAC with exactly those bytes."""
    import hmac

    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", "x" * 16)
    p = Pseudonymiser.for_database(tmp_path / "a.duckdb")
    assert p.pseudonym("K1") == "P-" + hmac.digest(b"x" * 16, b"K1", "sha256").hex()[:16]


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """Build a small demo database with `kvalitet demo` (the generator cut down to 20 rows per table); return
    the database and a function that runs `kvalitet demo` on it again."""
    from conftest import ROOT
    from kvalitet import demodata

    real = demodata.generate

    def generate(seed=None):
        built = real(seed)
        for name, frame in built.frames.items():
            built.frames[name] = frame.head(20)
        return built

    monkeypatch.setattr(demodata, "generate", generate)
    db = tmp_path / "demo.duckdb"
    args = ["demo", "--db", str(db), "--organisation", str(ROOT / "parameters" / "organisation.yaml")]
    assert main(args) == 0
    return db, lambda: main(args)


def test_demo_rebuild_is_not_refused_because_of_its_own_key_file(demo, capsys, monkeypatch):
    """`kvalitet demo` replaces its database; the old key file beside it is simply used again."""
    db, rebuild = demo
    first = recorded(db)
    key = Path(str(db) + ".pseudonym-key").read_text()
    assert first == key_fingerprint(bytes.fromhex(key))
    assert rebuild() == 0
    assert recorded(db) == first
    # a demo rebuilt with an environment key is a new database: it takes that key
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", KEY_A)
    assert rebuild() == 0
    assert recorded(db) == key_fingerprint(KEY_A.encode())
    capsys.readouterr()


def test_internal_errors_are_scrubbed(tmp_path, capsys, db, org_file, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kunne ikke behandle 010203-1234")

    monkeypatch.setattr("kvalitet.ingest.ingest_files", boom)
    code, out, err = ingest(capsys, db, org_file, export(tmp_path, "K1"))
    assert code == 3
    assert "intern fejl i kvalitet (RuntimeError: kunne ikke behandle [CPR])" in err
    assert not cpr_like(out + err)


def test_a_database_into_which_nothing_loaded_is_bound_to_no_key(tmp_path, capsys, db, org_file, monkeypatch):
    refused = write_csv(tmp_path / "klager.csv", ["klage_id"], [["K1"]])  # required columns missing
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", KEY_A)
    assert ingest(capsys, db, org_file, refused)[0] == 2
    assert recorded(db) is None
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", KEY_B)
    assert ingest(capsys, db, org_file, export(tmp_path / "b", "K1"))[0] == 0
    assert recorded(db) == key_fingerprint(KEY_B.encode())


def test_demo_with_a_short_key_is_refused_before_the_old_demo_is_removed(demo, capsys, monkeypatch):
    db, rebuild = demo
    before = checksum(db)
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", "kort")
    assert rebuild() == 2
    assert "for kort (4 tegn)" in capsys.readouterr().err
    assert checksum(db) == before
