"""The tables that cross a stage boundary: one contract each, one reader and one writer for all.

``contract("studies")`` is the contract (columns, types, descriptions) of
``data/interim/studies.csv``; ``read_table(path, contract("studies"))`` reads and checks it;
``write_table(path, rows, contract("studies"))`` writes it in the contract's column order.
"""

from review.tables.contract import Column, Contract, contract, contract_names, contracts
from review.tables.io import (
    Row,
    check_header,
    check_rows,
    jsonl_text,
    read_cells,
    read_json,
    read_jsonl,
    read_numbered,
    read_table,
    table_text,
    unquote_cell,
    write_json,
    write_jsonl,
    write_table,
)

__all__ = [
    "Column",
    "Contract",
    "Row",
    "check_header",
    "check_rows",
    "contract",
    "contract_names",
    "contracts",
    "jsonl_text",
    "read_cells",
    "read_json",
    "read_jsonl",
    "read_numbered",
    "read_table",
    "table_text",
    "unquote_cell",
    "write_json",
    "write_jsonl",
    "write_table",
]
