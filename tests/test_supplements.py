"""Places the embedded gazetteer lacks: the shipped supplement, users' CSVs and GeoNames dumps."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import DATA, ROOT

import geo.gazetteer
from geo import settings
from geo.articles import article_from_text
from geo.cli import main
from geo.errors import GazetteerError
from geo.gazetteer import get_gazetteer
from geo.pipeline import extract
from geo.supplements import read_any_supplement, read_supplement

FIXTURES = DATA / "gazetteer"


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-gazetteer"
    monkeypatch.setattr(settings, "user_gazetteer_dir", folder)
    return folder


def events_of(text: str) -> list[tuple[str, float, float]]:
    article = article_from_text("T\n\n" + text, published="2024-03-20")
    return [(e.location, e.lat, e.lon) for e in extract(article, gazetteer=get_gazetteer())]


def test_shipped_supplement_rows_cite_their_source() -> None:
    rows = read_supplement(ROOT / "data" / "supplement_border.csv")
    assert {r["name"] for r in rows} >= {"Gora-Podol", "Terebreno", "Zhuravlyovka", "Sereda"}
    for row in rows:
        assert row["country"] == "RU" and "Wikipedia" in row["source"] and "°" in row["source"]


@pytest.mark.parametrize(
    ("text", "place", "lat", "without"),
    [
        # cities500 has only a Crimean and a Vinnytsia Zhuravlyovka
        ("Shelling hit the village of Zhuravlyovka in the Belgorod region on Monday.", "Zhuravlyovka", 50.31, "UA"),
        # cities500 knows "Sereda" only as the old name of Furmanov, Ivanovo oblast
        ("Shells hit the border village of Sereda in Russia's Belgorod region on Monday.", "Sereda", 50.24, "RU"),
    ],
)
def test_shipped_supplement_changes_a_resolution(
    monkeypatch: pytest.MonkeyPatch, text: str, place: str, lat: float, without: str
) -> None:
    (found,) = events_of(text)
    assert found[0] == place and round(found[1], 2) == lat
    monkeypatch.setattr(geo.gazetteer, "supplement_files", lambda: [])
    assert place not in [loc for loc, _, _ in events_of(text)] or all(round(a, 2) != lat for _, a, _ in events_of(text))


def test_gazetteer_add_csv_changes_a_resolution(user_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Shelling hit the village of Krasnaya Testovka near Grayvoron on Monday."
    assert events_of(text) == [
        ("Krasnaya Testovka (near Grayvoron)", pytest.approx(50.479, abs=1e-3), pytest.approx(35.681, abs=1e-3))
    ]
    assert main(["gazetteer", "add", str(FIXTURES / "test_villages.csv")]) == 0
    assert "1 places added" in capsys.readouterr().err
    assert (user_dir / "test_villages.csv").exists()
    assert events_of(text) == [("Krasnaya Testovka", 50.46, 35.66)]
    assert [m.place.name for m in get_gazetteer().lookup("Красная Тестовка")] == ["Krasnaya Testovka"]


@pytest.mark.parametrize("packed", [False, True])
def test_geonames_dump_adds_villages_and_names(user_dir: Path, tmp_path: Path, packed: bool) -> None:
    dump = FIXTURES / "RU_sample.txt"
    if packed:
        dump = tmp_path / "RU.zip"
        with zipfile.ZipFile(dump, "w") as zf:
            zf.write(FIXTURES / "RU_sample.txt", "RU.txt")
            zf.writestr("readme.txt", "GeoNames readme")
    text = "A drone struck a house in the village of Testovo on Monday."
    assert ("Testovo", 50.47, 35.70) not in events_of(text)  # the dump's village is not known before
    assert main(["gazetteer", "add", str(dump)]) == 0
    (event,) = events_of(text)
    assert event == ("Testovo", 50.47, 35.70)
    gaz = get_gazetteer()
    assert [m.place.geonameid for m in gaz.lookup("Graivoronsk")] == [559034]  # a new name of a known place
    assert gaz.lookup("Testovka") == []  # a stream, not a populated place


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("name,lat,lon\nX,1,2\n", "bad.csv", "missing column(s) alternate_names, country, admin1, kind, source"),
        ("name,alternate_names,lat,lon,country,admin1,kind,source\nX,,north,2,RU,09,village,s\n", "bad.csv", "line 2"),
        (
            "name,alternate_names,lat,lon,country,admin1,kind,source\nX,,95,2,RU,09,village,s\n",
            "bad.csv",
            "out of range",
        ),
        ("name,alternate_names,lat,lon,country,admin1,kind,source\nX,,50,2,Russia,09,village,s\n", "bad.csv", "ISO"),
        ("name,alternate_names,lat,lon,country,admin1,kind,source\nX,,50,2,RU,09,village,\n", "bad.csv", "no source"),
        ("1\tonly\tthree\n", "bad.txt", "line 1: 3 tab-separated columns"),
        ("whatever", "bad.xlsx", "unknown supplement format"),
    ],
)
def test_malformed_supplements_are_refused(
    tmp_path: Path, user_dir: Path, content: str, name: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GazetteerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_any_supplement(path)
    assert main(["gazetteer", "add", str(path)]) == 2
    assert message.split("(")[0] in capsys.readouterr().err
    assert not user_dir.exists() or not list(user_dir.iterdir())  # nothing half-added


def test_supplement_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "name,alternate_names,lat,lon,country,admin1,kind,source\nCaf\xe9,,1,2,RU,09,v,s\n".encode("latin-1")
    )
    with pytest.raises(GazetteerError, match="not UTF-8"):
        read_supplement(path)


HEADER = "name,alternate_names,lat,lon,country,admin1,kind,source\n"


def test_a_supplement_with_70000_sources_is_added_and_read(user_dir: Path, tmp_path: Path) -> None:
    big = tmp_path / "many_sources.csv"
    rows = (f"Testvillage{n:05d},,{50 + n / 1e6:.6f},36.1,RU,09,village,survey sheet {n}\n" for n in range(70_000))
    big.write_text(HEADER + "".join(rows), encoding="utf-8")
    assert main(["gazetteer", "add", str(big)]) == 0
    (match,) = get_gazetteer().lookup("Testvillage69999")
    assert match.place.source == "survey sheet 69999"
    assert main(["gazetteer", "build"]) == 0  # later commands work too


def test_a_supplement_that_fails_is_not_kept(user_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ok_rows.csv"
    path.write_text(HEADER + "Testovka Vtoraya,,50.4,35.7,RU,09,village,sheet M-37\n", encoding="utf-8")

    def overflow(*args: object, **kwargs: object) -> None:
        raise OverflowError("unsigned short is greater than maximum")

    monkeypatch.setattr(geo.gazetteer, "build_supplements", overflow)  # the build dies after the rows were read
    assert main(["gazetteer", "add", str(path)]) == 2
    assert not user_dir.exists() or not list(user_dir.iterdir())


def test_two_supplements_of_one_name_do_not_replace_each_other(
    user_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a" / "villages.csv", tmp_path / "b" / "villages.csv"
    for path, name in ((first, "Testovka Pervaya"), (second, "Testovka Vtoraya")):
        path.parent.mkdir()
        path.write_text(HEADER + f"{name},,50.4,35.7,RU,09,village,sheet M-37\n", encoding="utf-8")
    assert main(["gazetteer", "add", str(first)]) == 0
    assert main(["gazetteer", "add", str(first)]) == 0
    assert "already added" in capsys.readouterr().err
    assert main(["gazetteer", "add", str(second)]) == 2
    assert "a different supplement of that name" in capsys.readouterr().err
    assert get_gazetteer().lookup("Testovka Pervaya") and not get_gazetteer().lookup("Testovka Vtoraya")
    assert main(["gazetteer", "add", "--replace", str(second)]) == 0
    assert get_gazetteer().lookup("Testovka Vtoraya") and not get_gazetteer().lookup("Testovka Pervaya")


def test_a_folder_of_supplements_is_added_and_stray_files_are_skipped(
    user_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "one.csv").write_text(HEADER + "Testovka Pervaya,,50.4,35.7,RU,09,village,sheet 1\n", encoding="utf-8")
    (folder / "two.csv").write_text(HEADER + "Testovka Vtoraya,,50.5,35.8,RU,09,village,sheet 2\n", encoding="utf-8")
    (folder / "README.md").write_text("# my villages\n", encoding="utf-8")
    assert main(["gazetteer", "add", str(folder)]) == 0
    assert sorted(p.name for p in user_dir.iterdir()) == ["one.csv", "two.csv"]
    (user_dir / "README.md").write_text("# notes\n", encoding="utf-8")  # put there by hand
    geo.gazetteer._warned_strays.clear()
    with caplog.at_level("WARNING"):
        (event,) = events_of("Shelling hit the village of Testovka Vtoraya in the Belgorod region on Monday.")
    assert event[0] == "Testovka Vtoraya"
    assert any("README.md: not a supplement" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "name",
    ["Evil\x00Town", "<img src=x onerror=alert(1)>", "![x](http://example.invalid/x.png)", "[link](javascript:x)"],
)
def test_names_with_nul_html_or_markdown_are_refused(tmp_path: Path, user_dir: Path, name: str) -> None:
    path = tmp_path / "marked.csv"
    path.write_text(HEADER + f'"{name}",,50.4,35.7,RU,09,village,sheet 1\n', encoding="utf-8")
    with pytest.raises(GazetteerError, match="place names are plain text"):
        read_supplement(path)
    alternate = tmp_path / "marked_alternate.csv"
    alternate.write_text(HEADER + f'Testovo,"Testovo|{name}",50.4,35.7,RU,09,village,sheet 1\n', encoding="utf-8")
    with pytest.raises(GazetteerError, match="line 2: the name"):
        read_supplement(alternate)
    assert main(["gazetteer", "add", str(path)]) == 2 and not user_dir.exists()
