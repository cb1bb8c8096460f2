"""Items as a spreadsheet in the template's layout, which the XLSX importer reads back.

Texts are written as HTML (the ``format`` column says so). An item whose
options weigh 1 and 0 gets its key letter; any other gets its weights in
percent. Kept: category, title, stem, options, weights, fixed options,
shuffling, difficulty, tags, general feedback. Not kept: option feedback,
the true/false kind (it comes back as a two-option item). Pictures are
written into the cells as ``data:`` URIs (a cell holds at most 32,767
characters, so a large picture is refused with a pointer to QTI).
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Mapping, Sequence

from exam_server.banks.export import register_exporter
from exam_server.banks.formats.tabular import COLUMNS, EXTRA_COLUMNS, LETTERS, Column
from exam_server.banks.inline_images import inline_pictures
from exam_server.banks.template import workbook_bytes
from exam_server.domain.items import Item
from exam_server.errors import BadInput

EXCEL_CELL_LIMIT = 32_767


@register_exporter("xlsx", extension=".xlsx",
                   media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def export_xlsx(items: Sequence[Item], assets: Mapping[str, bytes]) -> bytes:
    width = max([5] + [len(item.options) for item in items])
    if width > len(LETTERS):
        raise BadInput(f"an item has {width} options; a spreadsheet row holds at most {len(LETTERS)}")
    return workbook_bytes([_row(item) for item in inline_pictures(list(items), assets)], _columns(width))


def _columns(width: int) -> list[Column]:
    """The template's columns, with option and weight columns for ``width`` options."""
    columns: list[Column] = []
    for column in COLUMNS + EXTRA_COLUMNS:
        if column.field in ("option_e", "weight_e"):
            kind = column.field[:-2]
            columns += [_lettered(column, kind, letter) for letter in LETTERS[4:width].lower()]
        else:
            columns.append(column)
    return columns


def _lettered(model: Column, kind: str, letter: str) -> Column:
    """The column for option (or weight) ``letter`` made from the one for E."""
    def named(text: str) -> str:
        return re.sub(r"\bE\b", letter.upper(), text)

    return Column(f"{kind}_{letter}", model.english[:-1] + letter, model.indonesian[:-1] + letter,
                  named(model.help_en), named(model.help_id), model.width)


def _row(item: Item) -> dict[str, object]:
    row: dict[str, object] = {
        "category": item.category, "title": item.title, "stem": item.stem, "format": "html",
        "difficulty": item.difficulty, "tags": "; ".join(item.tags),
        "general_feedback": item.general_feedback,
        "fixed": ",".join(LETTERS[i] for i, option in enumerate(item.options) if option.fixed),
        "shuffle": "" if item.shuffle_options else "tidak",
    }
    weights = [option.weight for option in item.options]
    keyed = weights.count(Decimal(1)) == 1 and all(w in (0, 1) for w in weights)
    for index, option in enumerate(item.options):
        letter = LETTERS[index].lower()
        row[f"option_{letter}"] = option.text
        if not keyed:
            row[f"weight_{letter}"] = _percent(option.weight)
    if keyed:
        row["key"] = LETTERS[weights.index(Decimal(1))]
    for field, value in row.items():
        if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
            instead = "QTI, which carries pictures as files" if "data:image/" in value else "GIFT"
            raise BadInput(f"{item.source or item.title}: {field} is longer than the {EXCEL_CELL_LIMIT:,} "
                           f"characters a spreadsheet cell holds; export as {instead} instead")
    return row


def _percent(weight: Decimal) -> int | float:
    percent = weight * 100
    return int(percent) if percent == percent.to_integral_value() else float(percent)
