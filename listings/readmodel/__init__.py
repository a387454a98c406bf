"""In-process search read model: numpy columns of the listings store (see model.py)."""

from .model import ReadModel
from .query import BBox, Near, SearchQuery, SearchResult, Sort

__all__ = ["BBox", "Near", "ReadModel", "SearchQuery", "SearchResult", "Sort"]
