"""Geocoding (OpenCage-style API) and the map's basemap style."""

from config.env import env

GEOCODER_BASE_URL = env("GEOCODER_BASE_URL", default="https://api.opencagedata.com")
GEOCODER_API_KEY = env("GEOCODER_API_KEY", default="")
MAPTILER_API_KEY = env("MAPTILER_API_KEY", default="")
# Without a MapTiler key the map uses the app's own offline style (no tiles fetched).
MAP_STYLE_URL = env("MAP_STYLE_URL", default="")
