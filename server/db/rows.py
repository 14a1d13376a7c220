"""The type of a Core result row whose columns are read by name (`row.starts_at`)."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Row

AnyRow: TypeAlias = Row[*tuple[Any, ...]]
"""Any number of columns of any type: what `select(TABLE)` and joins hand back, whatever their width."""
