"""Calculation traces, statements and the holds report (docs/traces.md).

A trace comes from the C library as a flat list of items (dotted key,
text, type); here it becomes nested dicts and lists: a numeric key segment
is a list index, decimals (amounts, rates) are Decimal, integers int,
booleans bool, absent values None.  Statements and holds come as the
library's CSV and as lists of dicts whose amounts are Decimal.
"""
import csv
import ctypes
import io
from decimal import Decimal
from typing import Any, Dict, List

from . import _native

lib = _native.lib

STRING, INTEGER, DECIMAL, BOOL, NULL = range(5)


def _value(kind: int, text: str) -> Any:
    if kind == INTEGER:
        return int(text)
    if kind == DECIMAL:
        return Decimal(text)
    if kind == BOOL:
        return text == "true"
    if kind == NULL:
        return None
    return text


def _lists(node: Any) -> Any:
    """Dicts whose keys are all 0..n-1 become lists."""
    if not isinstance(node, dict):
        return node
    out = {k: _lists(v) for k, v in node.items()}
    if out and all(k.isdigit() for k in out) and sorted(int(k) for k in out) == list(range(len(out))):
        return [out[str(i)] for i in range(len(out))]
    return out


def items_to_dict(items) -> Dict[str, Any]:
    """[(key, kind, text)] as nested dicts and lists."""
    root: Dict[str, Any] = {}
    for key, kind, text in items:
        parts = key.split(".")
        node = root
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = _value(kind, text)
    return _lists(root)


def read_trace(handle) -> Dict[str, Any]:
    items = []
    for i in range(lib.rewards_trace_count(handle)):
        items.append((lib.rewards_trace_key(handle, i).decode("utf-8"), lib.rewards_trace_type(handle, i),
                      lib.rewards_trace_value(handle, i).decode("utf-8")))
    return items_to_dict(items)


def csv_rows(text: str, amounts=("amount",)) -> List[Dict[str, Any]]:
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        for k in amounts:
            row[k] = Decimal(row[k]) if row.get(k) else None
        if row.get("entry"):
            row["entry"] = int(row["entry"])
        rows.append(row)
    return rows


def new_handle():
    return ctypes.c_void_p()
