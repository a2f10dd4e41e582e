"""The Streamlit app driven headless with ``streamlit.testing`` (state, filters, adding, correcting).

Every test has its own event store, bootstrapped from the bundled seed article on first run.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import DATA, ROOT
from streamlit.testing.v1 import AppTest

import geo.mapview
from geo import settings
from geo.store import EventStore
from geo.triggers import ACLED_SUB_EVENT_TYPES

APP = str(ROOT / "streamlit_app.py")
HOSTILE: dict[str, str] = json.loads((DATA / "hostile_text.json").read_text(encoding="utf-8"))
EVERY_PAYLOAD = " ".join(HOSTILE.values())
MARKUP = set("<>[]!`${}#&")  # characters that start HTML, links, images, code, formulas, entities


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "events.gpkg"
    monkeypatch.setattr(settings, "store_path", path)
    monkeypatch.setattr(settings, "online", False)
    return path


def run_app(query: dict[str, str] | None = None, **state: Any) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> tuple[int, int]:
    """(shown, total) from the sidebar counter."""
    counter = at.sidebar.metric[0].value
    a, b = counter.split(" of ")
    return int(a), int(b)


def table(at: AppTest) -> Any:
    return next(d for d in at.dataframe if d.key and d.key.startswith("table-")).value


def plain(markdown: str) -> str:
    """Markdown as read: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def widget(elements: Any, label: str) -> Any:
    return next(e for e in elements if e.label == label)


def markup_left(markdown: str) -> set[str]:
    """Markup characters of ``markdown`` that are not backslash-escaped (Streamlit would read them)."""
    return set(re.sub(r"\\.", "", markdown)) & MARKUP


def rendered_text(at: AppTest) -> list[str]:
    """Every element whose text Streamlit renders as Markdown (markup of our own excluded)."""
    elements = [*at.subheader, *at.caption, *at.error, *at.success, *at.warning, *at.info]
    return [e.value for e in elements] + [m.value for m in at.markdown if not m.allow_html]


def test_first_start_stores_and_shows_the_seed_events(store_path: Path) -> None:
    at = run_app()
    events = EventStore(store_path).events()
    assert len(events) >= 5
    assert shown(at) == (len(events), len(events))
    assert sorted(table(at)["event_id"]) == sorted(events["event_id"])
    assert {"Grayvoron", "Bakhmut"} <= set(table(at)["location"])
    assert set(events["source"]) == {"seeds/000_9350b7dae76c861a.txt"}  # as `geo ingest seeds/...` stores it


def test_filters_narrow_the_table_and_go_into_the_url(store_path: Path) -> None:
    at = run_app()
    total = shown(at)[1]
    widget(at.sidebar.text_input, "Search text").set_value("Graivoron").run()
    n, _ = shown(at)
    assert 0 < n < total
    assert len(table(at)) == n
    assert all("graivoron" in str(row).casefold() for row in table(at)["evidence"])
    assert at.query_params["q"] == "Graivoron"

    widget(at.sidebar.text_input, "Search text").set_value("").run()
    widget(at.sidebar.multiselect, "Event type (none: all)").set_value(["Battles"]).run()
    events = EventStore(store_path).events()
    assert shown(at) == ((events["event_type"] == "Battles").sum(), total)
    assert set(table(at)["event_type"]) == {"Battles"}
    widget(at.sidebar.multiselect, "Side of the border").set_value(["UA"]).run()
    assert set(table(at)["location"]) == {"Bakhmut"}


def test_a_shared_url_restores_the_filters(store_path: Path) -> None:
    at = run_app({"type": "Explosions/Remote violence", "undated": "0", "lat": "50.5", "lon": "35.7", "zoom": "9"})
    assert widget(at.sidebar.multiselect, "Event type (none: all)").value == ["Explosions/Remote violence"]
    assert widget(at.sidebar.checkbox, "Include events without a date").value is False
    assert set(table(at)["event_type"]) == {"Explosions/Remote violence"}
    assert "zoom" not in at.query_params  # the view belongs to the map, which writes it back itself


def test_a_date_range_keeps_only_events_in_it(store_path: Path) -> None:
    at = run_app({"from": "2023-05-24", "to": "2023-05-24", "undated": "0"})
    dates = set(table(at)["date"])
    assert dates == {"2023-05-24"}


def test_pasted_article_adds_its_events(store_path: Path) -> None:
    at = run_app()
    before = shown(at)[1]
    text = (DATA / "articles" / "belgorod_shelling.txt").read_text(encoding="utf-8")
    widget(at.text_area, "Article text").input(text)
    widget(at.date_input, "Published").set_value("2023-06-01")
    at.button(key="FormSubmitter:paste-Extract and add").click().run()
    assert not at.exception
    assert any("1 article(s) added" in s.value for s in at.success)
    after = shown(at)[1]
    assert after > before
    assert shown(at)[0] == after  # the date range widened to the new events: none hidden
    assert after == len(EventStore(store_path).events())
    # the same text again adds nothing
    widget(at.text_area, "Article text").input(text)
    widget(at.date_input, "Published").set_value("2023-06-01")
    at.button(key="FormSubmitter:paste-Extract and add").click().run()
    assert any("0 article(s) added" in s.value and "1 already" in s.value for s in at.success)
    assert shown(at)[1] == after


def test_a_russian_report_is_read_and_an_unsupported_language_named(store_path: Path) -> None:
    at = run_app()
    widget(at.text_area, "Article text").input("Обстрел\n\nСегодня беспилотник атаковал Шебекино, ранены двое.")
    widget(at.date_input, "Published").set_value("2024-05-08")
    at.button(key="FormSubmitter:paste-Extract and add").click().run()
    assert not at.exception and any("1 article(s) added with 1 event(s)" in s.value for s in at.success)
    (event,) = EventStore(store_path).events().query("location == 'Shebekino' and language == 'ru'").itertuples()
    assert event.evidence == "Сегодня беспилотник атаковал Шебекино, ранены двое."
    belarusian = (
        "Навіны\n\nУчора ўвечары ў горадзе адбылася сустрэча жыхароў з прадстаўнікамі мясцовай улады. "
        "Яны абмеркавалі пытанні добраўпарадкавання вуліц, рамонту дарог і школ, а таксама будаўніцтва "
        "новага стадыёна, які павінны адкрыць наступным летам для ўсіх ахвотных."
    )
    widget(at.text_area, "Article text").input(belarusian)
    at.button(key="FormSubmitter:paste-Extract and add").click().run()
    assert any("the text is in Belarusian" in plain(e.value) for e in at.error)


def test_empty_paste_is_a_clear_error(store_path: Path) -> None:
    at = run_app()
    widget(at.text_area, "Article text").input("   \n ")
    at.button(key="FormSubmitter:paste-Extract and add").click().run()
    assert any("empty" in e.value for e in at.error)


def test_upload_keeps_the_good_files_and_names_the_bad(store_path: Path) -> None:
    at = run_app()
    before = shown(at)[1]
    good = (DATA / "articles" / "belgorod_shelling.txt").read_bytes()
    at.file_uploader[0].set_value(
        [
            ("broken.txt", b"\x00\x01\x02\xff" * 200, "text/plain"),
            ("shelling.txt", good, "text/plain"),
            ("empty.md", b"", "text/markdown"),
            ("deep.json", b'{"a": ' * 1000 + b'"x"' + b"}" * 1000, "application/json"),
        ]
    )
    at.button(key="FormSubmitter:upload-Extract and add").click().run()
    errors = " ".join(plain(e.value) for e in at.error)
    assert "broken.txt" in errors and "empty.md" in errors and "deep.json: the JSON is nested too deeply" in errors
    assert shown(at)[1] > before
    assert any("1 article(s) added" in s.value for s in at.success)


def test_a_csv_upload_adds_its_articles_and_a_bad_row_is_named(store_path: Path) -> None:
    at = run_app()
    good = (
        "title,published,url,text\n"
        "Klintsy,2024-03-20,https://example.org/klintsy,Drones struck an oil depot in the Russian town of Klintsy.\n"
        "Shebekino,2024-03-21,,Shelling hit Shebekino in the Belgorod region on Thursday.\n"
    )
    bad = "title,text\nFirst,Shelling hit Shebekino on Monday.\nSecond,\n"
    at.file_uploader[0].set_value([("feed.csv", good.encode(), "text/csv"), ("broken.csv", bad.encode(), "text/csv")])
    at.button(key="FormSubmitter:upload-Extract and add").click().run()
    assert any("2 article(s) added" in s.value for s in at.success)
    assert any("broken.csv, line 3: empty 'text'" in plain(e.value) for e in at.error)
    assert {"Klintsy", "Shebekino"} <= set(EventStore(store_path).events()["location"])


def test_an_upload_over_the_size_limit_is_refused_clearly(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "max_article_bytes", 1000)
    at = run_app()
    at.file_uploader[0].set_value(("big.txt", b"Shelling hit Shebekino. " * 100, "text/plain"))
    at.button(key="FormSubmitter:upload-Extract and add").click().run()
    assert any("big.txt" in plain(e.value) and "limit" in e.value for e in at.error), (
        at.error,
        at.success,
        at.exception,
    )


def test_selecting_an_event_shows_details_and_a_correction_is_stored(store_path: Path) -> None:
    at = run_app()
    events = EventStore(store_path).events().set_index("event_id")
    target = events.index[events["location"] == "Grayvoron"][0]
    at.session_state["selected"] = target
    at.run()
    assert events.loc[target, "evidence"] in [t.value for t in at.text]

    widget(at.selectbox, "Event type").set_value("Battles").run()  # the sub-types follow the type
    assert widget(at.selectbox, "Sub-event type").options == ["Armed clash", "Government regains territory",
                                                              "Non-state actor overtakes territory"]  # fmt: skip
    widget(at.selectbox, "Sub-event type").set_value("Armed clash")
    widget(at.selectbox, "Place").set_value("Coordinates typed below")
    widget(at.number_input, "Latitude").set_value(50.4861)
    widget(at.number_input, "Longitude").set_value(35.6656)
    widget(at.text_input, "Name for typed coordinates").set_value("Grayvoron (centre)")
    widget(at.button, "Save correction").click().run()
    assert not at.exception
    assert any("marked reviewed" in s.value for s in at.success)

    stored = EventStore(store_path).events().set_index("event_id").loc[target]
    assert stored["event_type"] == "Battles" and stored["sub_event_type"] == "Armed clash"
    assert (round(stored["lat"], 4), round(stored["lon"], 4)) == (50.4861, 35.6656)
    assert stored["location"] == "Grayvoron (centre)"
    assert bool(stored["reviewed"])
    assert 0 < stored["distance_to_border_km"] < 20 and stored["border_side"] == "RU"
    corrections = EventStore(store_path).corrections()
    assert set(corrections["event_id"]) == {target}


def test_an_undated_event_can_be_corrected(store_path: Path) -> None:
    from geo.articles import article_from_text
    from geo.pipeline import extract

    article = article_from_text("Undated\n\nA drone hit a house in Shebekino.")  # no publication date
    (event,) = extract(article)
    assert event.date is None
    EventStore(store_path).ingest([(article, [event])])
    at = run_app(selected=event.event_id)
    widget(at.selectbox, "Event type").set_value("Battles")  # changed, and saved before the form is redrawn
    widget(at.selectbox, "Sub-event type").set_value("Air/drone strike")  # not a kind of battle
    widget(at.button, "Save correction").click().run()
    assert not at.exception and not at.error
    stored = EventStore(store_path).events().set_index("event_id").loc[event.event_id]
    assert (stored["event_type"], bool(stored["reviewed"])) == ("Battles", True) and stored["date"] is pd.NA
    assert stored["sub_event_type"] in ACLED_SUB_EVENT_TYPES["Battles"]  # never saved inconsistent


def test_details_escape_markdown_and_html_from_the_article(store_path: Path) -> None:
    at = run_app()
    text = "Shelling hit Shebekino <img src=x onerror=alert(1)> on Monday, [click](javascript:alert(1)) officials said."
    widget(at.text_input, "Title (optional: else the first line)").input("**Bold** <b>title</b>")
    widget(at.text_area, "Article text").input(text)
    at.button(key="FormSubmitter:paste-Extract and add").click().run()
    events = EventStore(store_path).events()
    added = events[events["evidence"].str.contains("onerror", regex=False)]
    assert len(added) == 1
    at.session_state["selected"] = added["event_id"].iloc[0]
    at.run()
    assert text in [t.value for t in at.text]  # st.text: shown as typed, never rendered
    rendered = " ".join(m.value for m in at.markdown if not m.allow_html) + " ".join(c.value for c in at.caption)
    assert "\\*\\*Bold\\*\\* \\<b\\>title\\</b\\>" in rendered.replace("\\/", "/")
    assert all("onerror" not in m.value for m in at.markdown if m.allow_html)


def test_markdown_in_a_place_name_shows_as_plain_text(store_path: Path) -> None:
    at = run_app()
    text = f"Shelling hit Shebekino on Monday {EVERY_PAYLOAD}, killing two people, officials said."
    widget(at.text_input, "Title (optional: else the first line)").input(f"Title {EVERY_PAYLOAD}")
    widget(at.text_area, "Article text").input(text)
    at.button(key="FormSubmitter:paste-Extract and add").click().run()
    store = EventStore(store_path)
    events = store.events()
    (target,) = events.loc[events["evidence"].str.contains("lipsum", regex=False), "event_id"]
    place = f"{HOSTILE['markdown']} Шебекино {EVERY_PAYLOAD}"
    store.correct(target, location=place)  # a place name as a correction (or a supplement) gives it
    at.session_state["selected"] = target
    at.run()
    assert not at.exception
    heading = at.subheader[0]  # the event's (the "Deleted" list has one too)
    assert plain(heading.value) == f"Explosions/Remote violence — {place}"
    assert not markup_left(heading.value), heading.value  # no image, link or tag: the text as typed
    (caption,) = (c for c in at.caption if c.value.startswith("Article"))
    assert plain(caption.value) == f"Article: Title {EVERY_PAYLOAD} — pasted text"
    assert text in [t.value for t in at.text]  # the evidence, as st.text
    for value in rendered_text(at):
        assert not markup_left(value), value


def test_an_unreadable_store_is_one_line_on_the_page_and_the_detail_in_the_log(
    store_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store_path.write_bytes(b"this is not a GeoPackage\n" * 40)
    with caplog.at_level(logging.ERROR, logger="streamlit_app"):
        at = run_app()
    (error,) = at.error
    assert (
        error.value
        == "The event store cannot be read or written; nothing stored was changed. The server log has the details."
    )
    assert str(store_path) in caplog.text and "Traceback" in caplog.text  # the detail is for the server
    assert store_path.read_bytes().startswith(b"this is not a GeoPackage")  # nothing was overwritten


def test_an_unexpected_failure_is_one_line_without_a_traceback(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "/srv/app/internal/module.py line 12"

    def broken(**_: Any) -> None:
        raise RuntimeError(f"map failed in {secret}")

    monkeypatch.setattr(geo.mapview, "base_map", broken)
    with caplog.at_level(logging.ERROR, logger="streamlit_app"):
        at = run_app()
    (error,) = at.error
    assert "\n" not in error.value and secret not in error.value and "Traceback" not in error.value
    assert error.value.startswith("Something went wrong while preparing this page.")
    assert secret in caplog.text


def test_the_app_listens_on_this_machine_only_and_shows_no_error_details() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["server"].get("enableCORS", True) is True
    assert config["client"]["showErrorDetails"] == "none"  # "false" still shows tracebacks
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = re.search(r"^run:.*\n(?:(?:run:|\t).*\n)*", makefile, re.M)
    assert run and "ADDRESS ?= 127.0.0.1" in run.group() and "--server.address $(ADDRESS)" in run.group()


def test_the_table_is_paged_and_opens_at_the_page_of_the_selected_event(store_path: Path) -> None:
    from geo.mapview import synthetic_events
    from geo.store import _write_events

    events = synthetic_events(1200)
    _write_events(store_path, events, append=False)
    at = run_app(raw=True)  # one row per report
    (page,) = [n for n in at.number_input if n.label.startswith("Table page")]
    assert page.value == 1 and "(of 3;" in page.label
    assert len(at.dataframe[0].value) == 500  # a page of rows, not all 1,200
    target = str(events["event_id"].iloc[1100])
    at = run_app(raw=True, selected=target)
    (page,) = [n for n in at.number_input if n.label.startswith("Table page")]
    assert page.value == 3
    table = at.dataframe[0].value
    assert len(table) == 200 and target in set(table["event_id"])  # rows 1,001 to 1,200
