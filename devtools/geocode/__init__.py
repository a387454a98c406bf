"""A local OpenCage-compatible geocoder (``python -m devtools.geocode --port 8767``)."""
