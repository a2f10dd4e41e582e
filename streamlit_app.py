"""Border incidents: an interactive map of the events read from news about the RU–UA border.

Thin by design: read widgets, call :mod:`geo`, render. Caching lives here only (the gazetteer
and the assets as resources, event tables as data keyed by the store's modification time).

The map keeps its view across reruns: the base map is the same on every run and the events
arrive through ``feature_group_to_add``; panning reruns nothing (only clicks are returned), and
the map itself keeps ``lat``/``lon``/``zoom`` in the page URL, next to the filters the app puts
there, so a view can be shared as a link.

Every text from articles, supplements or corrections is shown as plain text: through
:func:`md` (all ASCII punctuation backslash-escaped) wherever Streamlit reads Markdown, or
``st.text``/``st.dataframe``. A failure shows one line (:func:`explain`); its detail goes to the
server log, never to the page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import geo
from geo import settings
from geo.articles import article_from_text, read_articles_bytes
from geo.borders import border_fields
from geo.errors import GazetteerError, GeoError, StoreError
from geo.export import ATTRIBUTION, csv_text, to_acled_csv, to_geojson
from geo.geocoders import OnlineGeocoder
from geo.incidents import build_incidents, incident_report_ids, merge_candidates, outlet
from geo.mapview import (
    BORDER_COLOR,
    CLUSTER_COLORS,
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    DENSITY_COLORS,
    EVENT_COLORS,
    HIGHLIGHT_COLOR,
    SIDE_COLORS,
    base_map,
    density_cells,
    density_layer,
    events_layer,
    features_blob,
    install_static_assets,
    map_features,
    place_labels,
    use_local_assets,
)
from geo.seeds import seed_articles
from geo.store import ARTICLE_KEY, EventStore, json_list, plain_value
from geo.timeline import STEPS, day_counts, span_dates, windows
from geo.triggers import ACLED_SUB_EVENT_TYPES

APP_DIR = Path(__file__).resolve().parent
UPLOAD_TYPES = ["txt", "md", "html", "htm", "json", "csv"]
SIDES = ["RU", "UA", "UA-occupied-Crimea"]
VIEW_KEYS = ("lat", "lon", "zoom")

logger = logging.getLogger("streamlit_app")  # run as __main__ by `streamlit run`

st.set_page_config(page_title="Border incidents map", layout="wide")


# -- resources and data -----------------------------------------------------------------------


@st.cache_resource
def prepare_assets() -> Path:
    """Leaflet from pip packages into ./static, served at /app/static (no CDN)."""
    static = install_static_assets(APP_DIR / "static")
    use_local_assets("/app/static")
    return static


@st.cache_resource(show_spinner="Loading the gazetteer…")
def gazetteer() -> geo.Gazetteer:
    return geo.get_gazetteer()


@st.cache_resource(show_spinner="Preparing the place labels…")
def labels() -> list[list[Any]]:
    """Town and region names for the base map, from the gazetteer (the map's only labels offline)."""
    return place_labels(gazetteer())


@st.cache_data(show_spinner=False)
def load_events(path: str, stamp: int) -> gpd.GeoDataFrame:
    return EventStore(path).events()


@st.cache_data(show_spinner=False)
def load_incidents(path: str, stamp: int) -> gpd.GeoDataFrame:
    store = EventStore(path)
    return build_incidents(store.events(), store.incident_decisions())


def the_store() -> EventStore:
    store = EventStore(settings.store_path)
    if not store.path.exists():  # first start: the bundled seed articles
        try:
            with st.spinner("First start: reading the bundled seed articles…"):
                articles = seed_articles()
                store.ingest([(a, geo.extract(a, gazetteer=gazetteer())) for a in articles])
        except (GeoError, OSError, ValueError) as err:
            st.error(f"{explain(err, doing='reading the bundled seed articles')} Articles can be added by hand.")
    return store


def stamp(store: EventStore) -> int:
    return store.path.stat().st_mtime_ns if store.path.exists() else 0


def md(text: Any) -> str:
    """Text made literal wherever Streamlit reads Markdown (no markup, links, images or HTML).

    Every ASCII punctuation character is backslash-escaped, as CommonMark allows, so no
    image, link, autolink, HTML tag, entity, directive or formula can start in it.
    """
    return _PUNCTUATION.sub(r"\\\g<0>", "" if text is None else str(text))


_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


def explain(err: BaseException, *, doing: str = "preparing this page") -> str:
    """One line for the page about a failure; its detail (and traceback) goes to the log."""
    if isinstance(err, StoreError):
        line = "The event store cannot be read or written; nothing stored was changed."
    elif isinstance(err, GazetteerError):
        line = "The place index (gazetteer) cannot be loaded."
    else:
        line = f"Something went wrong while {doing}."
    logger.error("%s (%s: %s)", line, type(err).__name__, err, exc_info=err)
    return f"{line} The server log has the details."


# -- URL: filters and the initial view --------------------------------------------------------


def initial_query() -> dict[str, str]:
    """The query string the session started with; the view keys are then left to the map."""
    if "initial_query" not in st.session_state:
        st.session_state.initial_query = {k: st.query_params.get(k, "") for k in st.query_params}
        for key in VIEW_KEYS:
            if key in st.query_params:
                del st.query_params[key]
    return st.session_state.initial_query


def initial_view() -> tuple[tuple[float, float], int]:
    q = initial_query()
    try:
        center = (float(q["lat"]), float(q["lon"]))  # (lat, lon) for folium
        zoom = int(q["zoom"])
        if -90 <= center[0] <= 90 and -180 <= center[1] <= 180 and 1 <= zoom <= 18:
            return center, zoom
    except (KeyError, ValueError):
        pass
    return DEFAULT_CENTER, DEFAULT_ZOOM


def _listed(key: str, options: list[Any]) -> list[Any]:
    wanted = [v for v in initial_query().get(key, "").split(",") if v]
    return [o for o in options if str(o) in wanted]


@dataclass
class Filters:
    start: dt.date | None
    end: dt.date | None
    undated: bool
    types: list[str]
    sides: list[str]
    precisions: list[int]
    admin1: list[str]
    actors: list[str]
    text: str

    def query(self) -> dict[str, str]:
        q = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "undated": "" if self.undated else "0",
            "type": ",".join(self.types),
            "side": ",".join(self.sides),
            "prec": ",".join(map(str, self.precisions)),
            "admin1": ",".join(self.admin1),
            "actor": ",".join(self.actors),
            "q": self.text,
        }
        return {k: v for k, v in q.items() if v}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def date_range(low: dt.date, high: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The date-range widget: from the URL at first, else all dates; it widens with the data.

    While the chosen range is the whole span of the stored dates, new events outside it (an
    article just added) widen it, so nothing added is hidden by a range the user never set.
    """
    first, last = min(low, dt.date(2014, 1, 1)), max(high, dt.date.today())
    state = st.session_state
    if "f_dates" not in state:
        q = initial_query()
        start, end = _date(q.get("from", "")) or low, _date(q.get("to", "")) or high
        state.f_dates = (min(max(start, first), last), min(max(end, first), last))
    elif state.get("f_dates_span") not in (None, (low, high)) and tuple(state.f_dates) == state.f_dates_span:
        state.f_dates = (low, high)
    state.f_dates_span = (low, high)
    pending = state.pop("pending_dates", None)  # a span chosen on the day chart, or a playback window
    if pending is not None:
        state.f_dates = (min(max(pending[0], first), last), min(max(pending[1], first), last))
    chosen = st.sidebar.date_input("Date range", min_value=first, max_value=last, key="f_dates")
    if isinstance(chosen, tuple) and chosen:
        return chosen[0], chosen[-1]
    return None, None


def sidebar_filters(events: gpd.GeoDataFrame) -> Filters:
    q = initial_query()
    dates = pd.to_datetime(events["date"], errors="coerce").dropna()
    low = dates.min().date() if not dates.empty else dt.date.today()
    high = dates.max().date() if not dates.empty else dt.date.today()
    st.sidebar.header("Filters")
    start, end = date_range(low, high)
    undated = st.sidebar.checkbox("Include events without a date", value=q.get("undated", "") != "0", key="f_undated")
    types = sorted(set(EVENT_COLORS) | set(events["event_type"].dropna()))
    admin1 = sorted(events["admin1"].dropna().unique())
    actors = sorted({a for value in events["actors"].dropna() for a in json_list(value)})
    return Filters(
        start=start,
        end=end,
        undated=undated,
        types=st.sidebar.multiselect("Event type (none: all)", types, default=_listed("type", types), key="f_types"),
        sides=st.sidebar.multiselect("Side of the border", SIDES, default=_listed("side", SIDES), key="f_sides"),
        precisions=st.sidebar.multiselect(
            "Geo precision (1 place, 2 near/district, 3 region)",
            [1, 2, 3],
            default=_listed("prec", [1, 2, 3]),
            key="f_prec",
        ),
        admin1=st.sidebar.multiselect("Region (admin1)", admin1, default=_listed("admin1", admin1), key="f_admin1"),
        actors=st.sidebar.multiselect("Actor", actors, default=_listed("actor", actors), key="f_actors"),
        text=st.sidebar.text_input("Search text", value=q.get("q", ""), key="f_text").strip(),
    )


def apply_filters(events: gpd.GeoDataFrame, f: Filters) -> gpd.GeoDataFrame:
    keep = pd.Series(True, index=events.index)
    dates = pd.to_datetime(events["date"], errors="coerce")
    if f.start is not None and f.end is not None:
        in_range = (dates >= pd.Timestamp(f.start)) & (dates <= pd.Timestamp(f.end))
        keep &= in_range.fillna(False) | (dates.isna() & f.undated)
    elif not f.undated:
        keep &= dates.notna()
    if f.types:
        keep &= events["event_type"].isin(f.types).fillna(False)
    if f.sides:
        keep &= events["border_side"].isin(f.sides).fillna(False)
    if f.precisions:
        keep &= events["geo_precision"].isin(f.precisions).fillna(False)
    if f.admin1:
        keep &= events["admin1"].isin(f.admin1).fillna(False)
    if f.actors:
        keep &= events["actors"].map(lambda v: bool(set(json_list(v)) & set(f.actors))).astype(bool)
    if f.text:
        needle = f.text.casefold()
        columns = ["evidence", "location", "article_title", "actors", "admin1"]
        text = events[columns].fillna("").astype(str).agg(" ".join, axis=1)
        keep &= text.str.casefold().str.contains(needle, regex=False).fillna(False).astype(bool)
    return events[keep.astype(bool)]


def sync_query(f: Filters) -> None:
    """Put the filters in the URL (the map adds its view); rewrite only when they changed."""
    wanted = f.query()
    current = {k: st.query_params[k] for k in st.query_params if k not in VIEW_KEYS}
    if current != wanted:
        st.query_params.from_dict(wanted)


# -- map, table, details ----------------------------------------------------------------------


def _swatch(css: str) -> str:
    return f"<span style='display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 .9em;{css}'></span>"


def legend() -> None:
    """What the colours and shapes mean: types, precision, selection, fills, the border, density."""
    dots = "".join(f"{_swatch(f'border-radius:50%;background:{c}')}{kind}" for kind, c in EVENT_COLORS.items())
    shapes = (
        f"{_swatch('border-radius:50%;background:#999;border:1px solid #444')}a place (precision 1–2)"
        f"{_swatch('border-radius:50%;background:rgba(153,153,153,.15);border:2px dashed #777')}"
        "a region only (precision 3), spread around the region's centre"
        f"{_swatch('border-radius:50%;background:#999;border:2px solid #000')}reviewed"
        f"{_swatch(f'border-radius:50%;background:#999;border:3px solid {HIGHLIGHT_COLOR}')}selected"
        " · bigger circles: more fatalities"
    )
    sides = {"RU": "Russia", "UA": "Ukraine", "UA-occupied-Crimea": "Crimea (occupied)"}
    fills = (
        "".join(f"{_swatch(f'background:{SIDE_COLORS[k]};border:1px solid #bbb')}{v}" for k, v in sides.items())
        + f"{_swatch(f'border-top:3px dashed {BORDER_COLOR};height:0')}the RU–UA land border"
        f"{_swatch(f'border-radius:50%;background:{CLUSTER_COLORS[1]}')}a cluster (its count)"
        f"{_swatch(f'background:linear-gradient(90deg,{DENSITY_COLORS[0]},{DENSITY_COLORS[-1]})')}"
        "event density (hexagons, in the layer control)"
    )
    st.markdown(
        f"<div class='map-legend' style='font-size:.82em;line-height:1.7'>{dots}<br>{shapes}<br>{fills}</div>",
        unsafe_allow_html=True,  # fixed markup of our own, no article text
    )


@st.cache_data(show_spinner=False, max_entries=16)
def map_data(path: str, stamp: int, raw: bool, query: str, _shown: gpd.GeoDataFrame) -> tuple[str, dict[str, Any]]:
    """The shown events as the map's blob and density cells, kept per store version and filters."""
    return features_blob(map_features(_shown)), density_cells(_shown)


def show_map(shown: gpd.GeoDataFrame, selected: str | None, key: tuple[str, int, bool, str]) -> str | None:
    """The map; returns the id of the event clicked last, if any. ``selected`` is ringed.

    ``key`` (store path, version, raw reports or incidents, filters) names what ``shown`` holds.
    """
    center, zoom = initial_view()
    blob, cells = map_data(*key, shown)
    out = st_folium(
        base_map(center=center, zoom=zoom, labels=labels()),
        key="map",
        feature_group_to_add=[events_layer(None, selected=selected, blob=blob), density_layer(None, cells=cells)],
        layer_control=folium.LayerControl(collapsed=True),
        center=center,
        zoom=zoom,
        height=600,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
    drawing = (out or {}).get("last_active_drawing") or {}
    clicked = (drawing.get("properties") or {}).get("id")
    return str(clicked) if clicked else None


# -- time: the day chart and the playback ------------------------------------------------------

PLAY_SECONDS = 2.0


def time_view(events: gpd.GeoDataFrame) -> None:
    """Events per day, stacked by type, for the events the other filters keep (any date).

    Selecting a span on the chart sets the date filter (and the URL); the playback steps the
    date filter through the days or weeks of the chart.
    """
    counts = day_counts(events)
    if counts.empty:
        st.caption("No dated events to chart.")
        return
    brush = alt.selection_interval(encodings=["x"], name="span")
    chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("utcyearmonthdate(date):T", title=None),
            y=alt.Y("sum(events):Q", title="events per day"),
            color=alt.Color(
                "event_type:N",
                scale=alt.Scale(domain=list(EVENT_COLORS), range=list(EVENT_COLORS.values())),
                legend=None,
            ),
            tooltip=[alt.Tooltip("date:N", title="day"), "event_type:N", "events:Q"],
        )
        .add_params(brush)
        .properties(height=130)
    )
    picked = st.altair_chart(chart, on_select="rerun", key="timeline", width="stretch")
    selection: Any = getattr(picked, "selection", None) or {}
    span = span_dates(selection.get("span"))
    if span is not None and span != st.session_state.get("applied_span"):
        st.session_state.applied_span = span
        st.session_state.pending_dates = span
        st.session_state.play_index = None
        st.rerun()
    st.caption("Drag across the chart to show those days; the playback below steps through them.")
    playback(dt.date.fromisoformat(counts["date"].iloc[0]), dt.date.fromisoformat(counts["date"].iloc[-1]))


def playback(first: dt.date, last: dt.date) -> None:
    """Previous / next / play through windows of a day or a week; the map shows the window."""
    state = st.session_state
    c1, c2, c3, c4, c5 = st.columns([1.3, 1, 1, 1, 3], vertical_alignment="center")
    step = c1.selectbox("Step", STEPS, key="play_step", label_visibility="collapsed")
    steps = windows(first, last, step)
    index = state.get("play_index")
    if index is not None and index >= len(steps):
        index = None
    move = 0
    if c2.button("◀ Previous", key="play_prev", disabled=index is None or index == 0):
        move = -1
    if c3.button("Next ▶", key="play_next", disabled=index is not None and index + 1 >= len(steps)):
        move = 1
    playing = c4.toggle("Play", key="playing")
    if move:
        _play_to(steps, 0 if index is None else index + move)
    if index is not None:
        w0, w1 = steps[index]
        c5.caption(f"Window {index + 1} of {len(steps)}: {w0:%d %b %Y}" + ("" if w0 == w1 else f" – {w1:%d %b %Y}"))
    else:
        c5.caption(f"{len(steps)} {step}s from {first:%d %b %Y} to {last:%d %b %Y}")
    if playing:
        _autoplay(steps)


def _play_to(steps: list[tuple[dt.date, dt.date]], index: int) -> None:
    state = st.session_state
    index = max(0, min(index, len(steps) - 1))
    state.play_index = index
    state.pending_dates = steps[index]
    state.play_moved = dt.datetime.now().timestamp()
    st.rerun()


@st.fragment(run_every=PLAY_SECONDS)
def _autoplay(steps: list[tuple[dt.date, dt.date]]) -> None:
    """While *Play* is on: the next window every few seconds (then the whole page reruns)."""
    state = st.session_state
    if not state.get("playing"):
        return
    if dt.datetime.now().timestamp() - state.get("play_moved", 0.0) < PLAY_SECONDS * 0.9:
        return  # the page was just drawn for this window
    index = state.get("play_index")
    if index is not None and index + 1 >= len(steps):
        state.playing = False
        st.rerun(scope="app")
    _play_to(steps, 0 if index is None else index + 1)


TABLE_COLUMNS = [
    "date", "event_type", "sub_event_type", "location", "admin1", "geo_precision", "distance_to_border_km",
    "border_side", "fatalities", "injuries", "actors", "claimed_by", "verified", "reviewed", "evidence",
    "language", "article_title", "event_id",
]  # fmt: skip


TABLE_PAGE = 500  # rows sent to the browser at a time


def show_table(shown: gpd.GeoDataFrame, selected: str | None) -> str | None:
    """The shown events, a page of :data:`TABLE_PAGE` rows at a time; returns the row picked.

    The page holding the event selected on the map is shown when the selection changes.
    """
    state = st.session_state
    pages = max(1, -(-len(shown) // TABLE_PAGE))
    if selected and selected != state.get("table_for"):
        where = (shown["event_id"] == selected).to_numpy().nonzero()[0]
        if len(where):
            state.table_page = int(where[0]) // TABLE_PAGE + 1
    state.table_for = selected
    if state.get("table_page", 1) > pages:
        state.table_page = pages
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Table page (of {pages}; {TABLE_PAGE} rows each)", 1, pages, key="table_page"))
    part = shown.iloc[(page - 1) * TABLE_PAGE : page * TABLE_PAGE]
    table = pd.DataFrame(part[TABLE_COLUMNS]).reset_index(drop=True)
    table["actors"] = table["actors"].map(lambda v: ", ".join(json_list(v)))
    rows = table.index[table["event_id"] == selected].tolist()
    grid = st.dataframe(
        table,
        key=f"table-{selected or 'none'}",  # a new selection from the map: a table showing it
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        selection_default={"selection": {"rows": rows[:1], "columns": []}},
        height=280,
        column_config={
            "distance_to_border_km": st.column_config.NumberColumn("km to border", format="%.1f"),
            "evidence": st.column_config.TextColumn("evidence", width="large"),
        },
    )
    picked = list(grid.selection.rows) if grid is not None else []
    return str(table.loc[picked[0], "event_id"]) if picked else None


def _verified_text(value: Any) -> str:
    if value is None or pd.isna(value):
        return "not stated"
    return "yes" if bool(value) else "no — the text says the claims are unverified"


def show_details(event: pd.Series) -> None:
    st.subheader(f"{md(event['event_type'])} — {md(event['location'])}", anchor=False)
    when = event["date"] if pd.notna(event["date"]) else "date unknown"
    st.markdown(
        f"**{md(event['sub_event_type'])}** · {md(when)} · {md(event['admin1'])}"
        f" · precision {md(event['geo_precision'])}"
        f" · {md(event['distance_to_border_km'])} km from the border ({md(event['border_side'])} side)"
    )
    facts = {
        "Actors": ", ".join(json_list(event["actors"])) or "not named",
        "Fatalities": event["fatalities"] if pd.notna(event["fatalities"]) else "not reported",
        "Injuries": event["injuries"] if pd.notna(event["injuries"]) else "not reported",
        "Claimed by": event["claimed_by"] if pd.notna(event["claimed_by"]) else "not stated",
        "Verified": _verified_text(event["verified"]),
        "Reviewed": "yes" if bool(event["reviewed"]) else "no",
    }
    st.markdown("  \n".join(f"**{k}:** {md(v)}" for k, v in facts.items()))
    st.markdown("**Evidence** (verbatim):")
    st.text(event["evidence"])
    st.caption(f"Article: {md(event['article_title'])} — {md(event['source'])}")
    places = json_list(event["places"])
    if places:
        st.dataframe(
            pd.DataFrame(places)[["name", "mention", "role", "precision", "lat", "lon", "resolved_as"]],
            hide_index=True,
            key=f"places-{event['event_id']}",
        )


def correction_form(event: pd.Series, store: EventStore) -> None:
    event = pd.Series({k: plain_value(v) for k, v in event.items()}, dtype=object)  # undated, unplaced: None
    eid = str(event["event_id"])
    with st.expander("Correct this event", expanded=False):
        types = list(ACLED_SUB_EVENT_TYPES)
        # outside the form, so that the sub-type list follows the chosen type at once
        kind = st.selectbox("Event type", types, index=_index_of(types, event["event_type"]), key=f"type-{eid}")
        search = st.text_input("Search the gazetteer for a place by name", key=f"search-{eid}").strip()
        with st.form(f"correct-{eid}"):
            options = _place_options(event, search)
            labels = [*options, "Coordinates typed below"]
            choice = st.selectbox("Place", labels, index=0)
            c1, c2 = st.columns(2)
            lat = c1.number_input("Latitude", -90.0, 90.0, float(event["lat"] or 0.0), format="%.5f")
            lon = c2.number_input("Longitude", -180.0, 180.0, float(event["lon"] or 0.0), format="%.5f")
            name = st.text_input("Name for typed coordinates", value=str(event["location"] or ""))
            subs = list(ACLED_SUB_EVENT_TYPES[kind])
            sub = st.selectbox("Sub-event type", subs, index=_index_of(subs, event["sub_event_type"]))
            date = st.date_input("Date", value=_date(str(event["date"])) if event["date"] else None)
            if st.form_submit_button("Save correction"):
                changes: dict[str, Any] = {
                    "event_type": kind,
                    "sub_event_type": sub,
                    "date": date.isoformat() if date else None,
                }
                if choice in options:
                    changes.update(options[choice])
                elif (lat, lon) != (event["lat"], event["lon"]):
                    changes.update(lat=lat, lon=lon, location=name, geo_precision=1)
                if "lat" in changes:
                    distance, side = border_fields(changes["lat"], changes["lon"])
                    changes.update(distance_to_border_km=distance, border_side=side)
                changes = {k: v for k, v in changes.items() if v != event.get(k)}
                if changes:
                    store.correct(eid, **changes)
                    st.session_state.flash = f"Saved: {', '.join(sorted(changes))} of the event (marked reviewed)."
                    st.rerun()
                else:
                    st.info("Nothing changed.")


def history_and_deletion(event: pd.Series, report_ids: list[str], store: EventStore) -> None:
    """The corrections of an event with an undo; deleting the event (its reports) or its article."""
    eid = str(event["event_id"])
    history = store.history(eid)
    with st.expander(f"History of corrections ({len(history)})", expanded=False):
        if history.empty:
            st.caption("Not corrected yet.")
        else:
            shown = history.assign(
                value=history["value"].map(_shown_value), previous=history["previous"].map(_shown_value)
            )
            st.dataframe(
                shown[["corrected_at", "field", "previous", "value", "undone"]], hide_index=True, key=f"hist-{eid}"
            )
            if st.button("Undo the last correction", key=f"undo-{eid}", disabled=not history["undoable"].any()):
                restored = store.undo(eid)
                st.session_state.flash = f"Undone: {', '.join(sorted(restored))} restored."
                st.rerun()
    c1, c2 = st.columns(2)
    what = "this event" if len(report_ids) == 1 else f"this incident's {len(report_ids)} reports"
    if c1.button(f"Delete {what}", key=f"delete-{eid}"):
        for report in report_ids:
            store.delete_event(report)
        st.session_state.selected = None
        st.session_state.flash = "Deleted; “About the data” lists what was deleted, to restore it."
        st.rerun()
    if c2.button("Delete its article", key=f"delete-article-{eid}", help="all the events of the article"):
        n = store.delete_article(str(event["article_id"]))
        st.session_state.selected = None
        st.session_state.flash = f"Deleted the article and its {n} event(s); it stays deleted when ingested again."
        st.rerun()


def _shown_value(value: Any) -> str:
    return "—" if value is None else str(value)


def deleted_items(store: EventStore) -> None:
    """What analysts deleted, each with a button that brings it back."""
    events, articles = store.deleted()
    st.subheader("Deleted", anchor=False)
    if events.empty and articles.empty:
        st.caption("Nothing deleted.")
        return
    for row in articles.itertuples(index=False):
        c1, c2 = st.columns([4, 1])
        c1.text(f"Article: {row.title} ({plain_value(row.published) or 'no date'}) — {row.events} event(s)")
        if c2.button("Restore", key=f"restore-article-{row.article_id}"):
            store.restore(ARTICLE_KEY + str(row.article_id))
            st.session_state.flash = "Restored the article and its events."
            st.rerun()
    for row in events.itertuples(index=False):
        c1, c2 = st.columns([4, 1])
        c1.text(
            f"Event: {row.event_type} — {row.location} — {plain_value(row.date) or 'no date'} — {row.article_title}"
        )
        if c2.button("Restore", key=f"restore-{row.event_id}"):
            store.restore(str(row.event_id))
            st.session_state.flash = "Restored the event."
            st.rerun()


def _index_of(options: list[str], value: Any) -> int:
    return options.index(value) if value in options else 0


def _place_options(event: pd.Series, search: str = "") -> dict[str, dict[str, Any]]:
    """Places the event could be moved to: its own, namesakes of its place, a gazetteer search.

    Namesakes inside the event's region (then its country) come first, so a village of the
    Kursk region offers the Kursk region's namesakes before those elsewhere.
    """
    found: dict[str, dict[str, Any]] = {}
    current = f"{event['location']} (current) — {float(event['lat'] or 0):.4f}, {float(event['lon'] or 0):.4f}"
    found[current] = {}
    gaz = gazetteer()
    candidates = [
        (p.get("name"), p.get("lat"), p.get("lon"), p.get("country"), p.get("admin1"), p.get("precision") or 1)
        for p in json_list(event["places"])
    ]
    names = [str(p.get("mention") or "") for p in json_list(event["places"])]
    matches = [m for name in [*names, search] if name for m in gaz.lookup(name)]
    if search:
        matches += gaz.fuzzy(search, min_score=85.0, limit=10)
    named = []
    for m in dict.fromkeys(matches):
        area = gaz.admin_area(m.place.country, m.place.admin1)
        region = area.name if area else None
        rank = (region != event["admin1"], m.place.country != event["country"], -m.place.population)
        named.append((rank, (m.place.name, m.place.lat, m.place.lon, m.place.country, region, 1)))
    candidates += [c for _, c in sorted(named, key=lambda t: t[0])[:25]]
    for name, lat, lon, country, admin1, precision in candidates:
        if lat is None or lon is None:
            continue
        label = f"{name} ({country}, {admin1 or '?'}) — {lat:.4f}, {lon:.4f}"
        if label not in found and (lat, lon) != (event["lat"], event["lon"]):
            found[label] = dict(
                lat=lat, lon=lon, location=name, country=country, admin1=admin1, geo_precision=precision
            )
    return found


def incident_form(
    incident: pd.Series, incidents: gpd.GeoDataFrame, reports: gpd.GeoDataFrame, store: EventStore
) -> None:
    """The reports of an incident; split a wrong merge, or merge it with a nearby incident."""
    ids = incident_report_ids(incident)
    key = str(incident["event_id"])
    with st.expander(f"Reports of this incident ({len(ids)}): split or merge", expanded=False):
        rows = reports[reports["event_id"].isin(ids)].set_index("event_id").reindex(ids)
        label = {i: f"{outlet(r.source)} · {plain_value(r.date) or 'no date'} · {r.location} · {r.fatalities} killed"
                 for i, r in zip(ids, rows.itertuples(), strict=True)}  # fmt: skip
        columns = ["source", "date", "location", "geo_precision", "fatalities", "injuries", "claimed_by"]
        st.dataframe(pd.DataFrame(rows[columns]).reset_index(), hide_index=True, key=f"reports-{key}")
        if len(ids) > 1:
            apart = st.multiselect(
                "Reports of another incident (split them off)", ids, format_func=lambda i: label.get(i, i)
            )
            if st.button("Split off", disabled=not apart or len(apart) == len(ids), key=f"split-{key}"):
                store.split_incident(ids, apart)
                st.session_state.flash = f"Split {len(apart)} report(s) off the incident."
                st.rerun()
        near = merge_candidates(incidents, incident)
        if not near.empty:
            options = {str(r.event_id): f"{r.date} · {r.location} · {r.reports} report(s) · {r.distance_km:.1f} km"
                       for r in near.itertuples()}  # fmt: skip
            other = st.selectbox("The same incident as", [None, *options], format_func=lambda k: options.get(k, "—"))
            if st.button("Merge", disabled=other is None, key=f"merge-{key}"):
                store.merge_incidents(ids, incident_report_ids(near[near["event_id"] == other].iloc[0]))
                st.session_state.flash = "Merged the two incidents."
                st.rerun()


# -- adding articles --------------------------------------------------------------------------


def add_articles(store: EventStore) -> None:
    online = st.checkbox(
        "Ask Nominatim about places the offline gazetteer lacks (needs a network; 1 request/s, cached)",
        value=settings.online,
    )
    geocoder = OnlineGeocoder() if online else None
    pasted, uploaded = st.tabs(["Paste text", "Upload files"])
    with pasted, st.form("paste"):
        title = st.text_input("Title (optional: else the first line)")
        text = st.text_area("Article text", height=220)
        published = st.date_input("Published", value=dt.date.today(), key="paste_date")
        if st.form_submit_button("Extract and add"):
            try:
                article = article_from_text(text, title=title or None, published=published, source="pasted text")
            except GeoError as err:
                st.error(md(err))
            else:
                _ingest(store, [article], geocoder)
    with uploaded, st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            f"Articles (.{', .'.join(UPLOAD_TYPES)}; up to {settings.max_article_bytes / 1e6:g} MB each)",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
        )
        published = st.date_input("Published (for files that do not say)", value=dt.date.today(), key="upload_date")
        if st.form_submit_button("Extract and add") and files:
            articles, problems = [], []
            for upload in files:
                try:
                    articles += read_articles_bytes(upload.getvalue(), upload.name, published=published)
                except GeoError as err:
                    problems.append(str(err))
            _ingest(store, articles, geocoder, problems)


def _ingest(
    store: EventStore, articles: list[geo.Article], geocoder: OnlineGeocoder | None, problems: list[str] | None = None
) -> None:
    """Extract, store, and report on the next run (the page reruns to show the new events)."""
    st.session_state.flash_errors = list(problems or [])
    if not articles:
        _show_flash()
        return
    progress = st.progress(0.0, text="Reading articles…")
    pairs = []
    for n, article in enumerate(articles, start=1):
        pairs.append((article, geo.extract(article, gazetteer=gazetteer(), online=geocoder)))
        progress.progress(n / len(articles), text=f"Read {n} of {len(articles)}: {md(article.title[:80])}")
    try:
        result = store.ingest(pairs)
    except GeoError as err:
        st.session_state.flash_errors.append(explain(err))
        _show_flash()
        return
    st.session_state.flash = (
        f"{result.articles_added} article(s) added with {result.events_added} event(s);"
        f" {result.articles_skipped} already in the store."
    )
    st.rerun()


def _show_flash() -> None:
    """Messages left by the run that changed the store (they survive its rerun)."""
    for problem in st.session_state.pop("flash_errors", []):
        st.error(md(problem))
    if "flash" in st.session_state:
        st.success(st.session_state.pop("flash"))  # our own words, no article text


# -- the page ---------------------------------------------------------------------------------


def main() -> None:
    """The page; a failure anywhere in it is one line on the page, the detail in the log."""
    try:
        page()
    except Exception as err:  # the page's last resort: no traceback reaches a browser (rerun/stop pass)
        st.error(explain(err))


def page() -> None:
    prepare_assets()
    store = the_store()
    reports = events = load_events(str(store.path), stamp(store))
    raw = st.sidebar.toggle("Show raw reports", value=False, key="raw", help="one marker per article's report")
    if not raw:  # incidents: the reports of one happening from different articles, merged
        events = load_incidents(str(store.path), stamp(store))
    st.title("Border incidents", anchor=False)
    _show_flash()
    filters = sidebar_filters(events)
    shown = apply_filters(events, filters)
    sync_query(filters)
    st.sidebar.metric("Reports shown" if raw else "Incidents shown", f"{len(shown)} of {len(events)}")
    tab_map, tab_add, tab_about = st.tabs(["Map and events", "Add articles", "About the data"])
    with tab_map:
        legend()
        map_col, side_col = st.columns([3, 2], gap="medium")
        with map_col:
            # Only a row picked in the table is ringed on the map: redrawing the markers for a
            # marker's own click would close the popup it just opened.
            ringed = st.session_state.get("selected") if st.session_state.get("picked_in_table") else None
            version = (str(store.path), stamp(store), raw, json.dumps(filters.query(), sort_keys=True))
            clicked = show_map(shown, ringed, version)
            if clicked and clicked != st.session_state.get("last_click"):
                st.session_state.last_click = clicked
                st.session_state.selected = clicked
                st.session_state.picked_in_table = False
            time_view(apply_filters(events, dataclasses.replace(filters, start=None, end=None, undated=False)))
        left, middle, right = st.columns(3)
        # computed when a button is pressed, not on every run
        left.download_button(
            "Download shown events (GeoJSON)",
            lambda: json.dumps(to_geojson(shown), ensure_ascii=False),
            file_name="border-incidents.geojson",
            mime="application/geo+json",
        )
        middle.download_button(
            "Download shown events (CSV, ACLED columns)",
            lambda: csv_text(to_acled_csv(shown)),
            file_name="border-incidents.csv",
            mime="text/csv",
        )
        right.download_button(
            "Download counts per day (CSV)",
            lambda: csv_text(day_counts(shown)),
            file_name="border-incidents-per-day.csv",
            mime="text/csv",
        )
        picked = show_table(shown, st.session_state.get("selected"))
        if picked and picked != st.session_state.get("selected"):
            st.session_state.selected = picked
            st.session_state.picked_in_table = True
            st.rerun()
        with side_col:
            chosen = shown[shown["event_id"] == st.session_state.get("selected")]
            if not chosen.empty:
                show_details(chosen.iloc[0])
                anchor = chosen.iloc[0].copy()
                anchor["event_id"] = incident_report_ids(anchor)[0]  # corrected through its anchor report
                correction_form(anchor, store)
                history_and_deletion(anchor, incident_report_ids(chosen.iloc[0]), store)
                if not raw:
                    incident_form(chosen.iloc[0], events, reports, store)
            else:
                st.caption("Click an event on the map, or a row of the table, to read its evidence and correct it.")
    with tab_add:
        add_articles(store)
    with tab_about:
        st.markdown(
            "Events are read from the articles by rules (no model): places are resolved among namesakes"
            " with the offline GeoNames index, dates against the publication date. Every event keeps the"
            " sentences it was read from. The border is the de jure RU–UA land border, not the front line."
        )
        st.caption(md(ATTRIBUTION))
        deleted_items(store)


main()
