"""Reading articles: formats, encodings, boilerplate, sentences, and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from geo.articles import Article, article_from_text, html_to_text, parse_published, read_articles, sentences
from geo.errors import ArticleError

BODY = "Drones struck an oil depot in the Russian town of Klintsy in the Bryansk region on Monday, the governor said."


def test_seed_title_body_and_boilerplate(seed_article: Article) -> None:
    assert seed_article.title == "Ukraine War: US Distances Itself From Belgorod Incursion Into Russia"
    assert seed_article.published == dt.date(2023, 5, 24)
    text = seed_article.text
    assert text.startswith("The US has distanced itself")
    for boilerplate in ("Leave a Reply", "Your email address", "Send this to a friend", "Ukraine war: US Distances"):
        assert boilerplate not in text
    assert text.rstrip().endswith("trying to rid Ukraine of neo-Nazis.")


def test_sentences_index_the_article_text(seed_article: Article) -> None:
    found = sentences(seed_article)
    assert len(found) == 34
    for s in found:
        assert seed_article.text[s.start : s.end] == s.text
    assert found[15].text.startswith("Mr Gladkov also said a gas pipeline")  # "Mr" is not a sentence end


def test_abbreviations_and_initials_do_not_split_sentences() -> None:
    art = article_from_text("T\n\nGen. J. Smith met Mr. Jones in the U.S. on Monday. Then he left.")
    assert [s.text for s in sentences(art)] == ["Gen. J. Smith met Mr. Jones in the U.S. on Monday.", "Then he left."]


def test_hard_wrapped_lines_are_joined() -> None:
    art = article_from_text("Title\n\nDrones struck an oil depot\nin the town of Klintsy on Monday.")
    assert art.text == "Drones struck an oil depot in the town of Klintsy on Monday."


def test_article_id_is_stable_and_ignores_whitespace() -> None:
    a = article_from_text("T\n\n" + BODY)
    b = article_from_text("T\n\n  " + BODY.replace(" ", "  ") + "\n")
    assert a.id == b.id and len(a.id) == 16


def test_json_markdown_html_and_csv(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"title": "Klintsy", "text": BODY, "published": "2024-03-20"}))
    (tmp_path / "many.json").write_text(json.dumps({"articles": [{"text": BODY}, {"text": BODY + " Again."}]}))
    (tmp_path / "a.md").write_text(
        f"# Klintsy depot hit\n\n**Drones** struck [an oil depot](http://x) today.\n\n{BODY}"
    )
    (tmp_path / "a.csv").write_text(f'title,text,published\nKlintsy,"{BODY}",2024-03-20\n')
    (art,) = read_articles(tmp_path / "a.json")
    assert (art.title, art.published) == ("Klintsy", dt.date(2024, 3, 20))
    assert len(read_articles(tmp_path / "many.json", published="2024-01-01")) == 2
    (md,) = read_articles(tmp_path / "a.md")
    assert md.title == "Klintsy depot hit" and "Drones struck an oil depot today." in md.text
    (row,) = read_articles(tmp_path / "a.csv")
    assert row.text == BODY and row.published == dt.date(2024, 3, 20)


def test_html_keeps_inline_text_and_drops_scripts() -> None:
    title, text = html_to_text(
        "<html><head><title>T</title><script>alert(1)</script></head><body><nav>Home</nav>"
        "<h1>Drones hit Klintsy</h1><p>Drones hit <b>Klintsy</b> on Monday.</p><footer>©</footer></body></html>"
    )
    assert title == "Drones hit Klintsy"
    assert "Drones hit Klintsy on Monday." in " ".join(text.split())
    assert "alert" not in text and "Home" not in text


@pytest.mark.parametrize(
    ("value", "expected"), [("2023-05-24", dt.date(2023, 5, 24)), ("2023-05-24T10:00:00Z", dt.date(2023, 5, 24))]
)
def test_parse_published(value: str, expected: dt.date) -> None:
    assert parse_published(value) == expected


@pytest.mark.parametrize("value", ["2023-13-01", "24/05/2023", "yesterday"])
def test_bad_published_dates_are_refused_with_the_value(value: str) -> None:
    with pytest.raises(ArticleError, match=value.replace("/", ".")):
        parse_published(value)


# Every hostile input: a clear error naming the file, or a normal result.
EXPECTED_ERRORS = {
    "empty.txt": "empty file",
    "whitespace_only.txt": "empty file",
    "binary.txt": "binary data",
    "nul_bytes.txt": "binary data",
    "big.txt": "larger than",
    "huge_line.txt": "larger than",
    "bad_json.json": "invalid JSON",
    "json_wrong_shape.json": "expected an object",
    "json_bad_date.json": "not a valid YYYY-MM-DD date",
    "xss_payloads.json": "expected an object",
    "csv_locations.csv": "needs a 'text' column",
    "csv_no_column.csv": "needs a 'text' column",
    "csv_ragged.csv": "not a readable CSV",
}
EXPECTED_TEXT = {
    "latin1.txt": "Café in Kharkiv was hit on Monday.",
    "utf16.txt": "Drones struck an oil depot",
    "utf8_bom.txt": "Drones struck an oil depot",
    "title_only.txt": "Shelling in Belgorod",
    "html_with_scripts.html": "Drones struck an oil depot",
    "malformed.html": "Drones hit Klintsy on Monday",
    "json_article.json": "Drones struck an oil depot",
    "name with spaces & ünïcode.txt": "Drones struck an oil depot",
    "xss_article.txt": "Shelling hit Shebekino",
    "no_places.txt": "Shares fell sharply",
    "many_places.txt": "Shelling hit Kharkiv",
    "path_traversal_name.txt": "Drones struck",
    "cyrillic.txt": "обстрелу подвергся город Шебекино",  # Russian: read
}


def test_bad_inputs_cover_every_generated_file(bad_inputs: Path) -> None:
    assert {p.name for p in bad_inputs.iterdir()} == set(EXPECTED_ERRORS) | set(EXPECTED_TEXT)


@pytest.mark.parametrize(("name", "message"), sorted(EXPECTED_ERRORS.items()))
def test_bad_input_gets_a_clear_error(bad_inputs: Path, name: str, message: str) -> None:
    with pytest.raises(ArticleError) as err:
        read_articles(bad_inputs / name)
    assert name in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("name", "text"), sorted(EXPECTED_TEXT.items()))
def test_odd_but_valid_input_is_read(bad_inputs: Path, name: str, text: str) -> None:
    articles = read_articles(bad_inputs / name)
    assert articles and text in articles[0].text
    assert "<script" not in articles[0].text or name == "xss_article.txt"  # plain text keeps what it says


def test_missing_file_and_folder_are_named(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no such file"):
        read_articles(tmp_path / "missing.txt")
    with pytest.raises(ArticleError, match="is a folder"):
        read_articles(tmp_path)
