"""Border incidents map (the full app is being built; this page lists the stored events)."""

from __future__ import annotations

import streamlit as st

from geo.store import EventStore

st.set_page_config(page_title="Border incidents", layout="wide")
st.title("Border incidents")
events = EventStore().events()
st.caption(f"{len(events)} events in the store")
st.dataframe(events.drop(columns="geometry"), hide_index=True)
