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

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    EVENT_COLORS,
    base_map,
    events_layer,
    install_static_assets,
    use_local_assets,
)
from geo.seeds import seed_articles
from geo.store import EventStore, json_list
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


def legend() -> None:
    dots = " ".join(
        f"<span style='display:inline-block;width:.8em;height:.8em;border-radius:50%;background:{color};"
        f"margin:0 .25em 0 .8em'></span>{kind}"
        for kind, color in EVENT_COLORS.items()
    )
    st.markdown(
        f"<div style='font-size:.85em'>{dots} &nbsp;·&nbsp; bigger circles: more fatalities; dark ring: reviewed;"
        " red dashes: the RU–UA land border</div>",
        unsafe_allow_html=True,  # fixed markup of our own, no article text
    )


def show_map(shown: gpd.GeoDataFrame) -> str | None:
    """The map; returns the id of the event clicked last, if any."""
    center, zoom = initial_view()
    out = st_folium(
        base_map(center=center, zoom=zoom),
        key="map",
        feature_group_to_add=events_layer(shown),
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


TABLE_COLUMNS = [
    "date", "event_type", "sub_event_type", "location", "admin1", "geo_precision", "distance_to_border_km",
    "border_side", "fatalities", "injuries", "actors", "claimed_by", "verified", "reviewed", "evidence",
    "language", "article_title", "event_id",
]  # fmt: skip


def show_table(shown: gpd.GeoDataFrame, selected: str | None) -> str | None:
    table = pd.DataFrame(shown[TABLE_COLUMNS]).reset_index(drop=True)
    table["actors"] = table["actors"].map(lambda v: ", ".join(json_list(v)))
    rows = table.index[table["event_id"] == selected].tolist()
    state = st.dataframe(
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
    picked = list(state.selection.rows) if state is not None else []
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


def _plain(value: Any) -> Any:
    """A table value with pandas' missing values (NA, NaN, NaT) as None, so it can be compared."""
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):  # a list or other container: not missing
        return value


def correction_form(event: pd.Series, store: EventStore) -> None:
    event = pd.Series({k: _plain(v) for k, v in event.items()}, dtype=object)  # undated, unplaced: None
    with st.expander("Correct this event", expanded=False), st.form(f"correct-{event['event_id']}"):
        options = _place_options(event)
        labels = [*options, "Coordinates typed below"]
        choice = st.selectbox("Place", labels, index=0)
        c1, c2 = st.columns(2)
        lat = c1.number_input("Latitude", -90.0, 90.0, float(event["lat"] or 0.0), format="%.5f")
        lon = c2.number_input("Longitude", -180.0, 180.0, float(event["lon"] or 0.0), format="%.5f")
        name = st.text_input("Name for typed coordinates", value=str(event["location"] or ""))
        types = list(ACLED_SUB_EVENT_TYPES)
        kind = st.selectbox("Event type", types, index=_index_of(types, event["event_type"]))
        subs = [s for t in types for s in ACLED_SUB_EVENT_TYPES[t]]
        sub = st.selectbox("Sub-event type", subs, index=_index_of(subs, event["sub_event_type"]))
        date = st.date_input("Date", value=_date(str(event["date"])) if event["date"] else None)
        if st.form_submit_button("Save correction"):
            if sub not in ACLED_SUB_EVENT_TYPES[kind]:
                allowed = ", ".join(ACLED_SUB_EVENT_TYPES[kind])
                st.error(f"“{sub}” is not a sub-event type of {kind}: choose one of {allowed}.")
                return
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
                store.correct(str(event["event_id"]), **changes)
                st.session_state.flash = f"Saved: {', '.join(sorted(changes))} of the event (marked reviewed)."
                st.rerun()


def _index_of(options: list[str], value: Any) -> int:
    return options.index(value) if value in options else 0


def _place_options(event: pd.Series) -> dict[str, dict[str, Any]]:
    """Places the event could be moved to: those attached to it, and namesakes of its place."""
    found: dict[str, dict[str, Any]] = {}
    current = f"{event['location']} (current) — {float(event['lat'] or 0):.4f}, {float(event['lon'] or 0):.4f}"
    found[current] = {}
    gaz = gazetteer()
    candidates = [
        (p.get("name"), p.get("lat"), p.get("lon"), p.get("country"), p.get("admin1"), p.get("precision") or 1)
        for p in json_list(event["places"])
    ]
    for p in json_list(event["places"]):
        for m in gaz.lookup(str(p.get("mention") or ""))[:8]:
            area = gaz.admin_area(m.place.country, m.place.admin1)
            candidates.append((m.place.name, m.place.lat, m.place.lon, m.place.country, area.name if area else None, 1))
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
        label = {i: f"{outlet(r.source)} · {_plain(r.date) or 'no date'} · {r.location} · {r.fatalities} killed"
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
        clicked = show_map(shown)
        if clicked and clicked != st.session_state.get("last_click"):
            st.session_state.last_click = clicked
            st.session_state.selected = clicked
        left, right = st.columns(2)
        left.download_button(
            "Download shown events (GeoJSON)",
            json.dumps(to_geojson(shown), ensure_ascii=False),
            file_name="border-incidents.geojson",
            mime="application/geo+json",
        )
        right.download_button(
            "Download shown events (CSV, ACLED columns)",
            csv_text(to_acled_csv(shown)),
            file_name="border-incidents.csv",
            mime="text/csv",
        )
        picked = show_table(shown, st.session_state.get("selected"))
        if picked and picked != st.session_state.get("selected"):
            st.session_state.selected = picked
            st.rerun()
        chosen = shown[shown["event_id"] == st.session_state.get("selected")]
        if not chosen.empty:
            show_details(chosen.iloc[0])
            anchor = chosen.iloc[0].copy()
            anchor["event_id"] = incident_report_ids(anchor)[0]  # an incident is corrected through its anchor report
            correction_form(anchor, store)
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


main()
