"""Listing columns made level at their foot (vertical justification, "feathering").

A listing's items are kept whole, so a set of listing columns filled item by item ends where
the last item that fits ends: up to an item's depth (three to five lines) short of the
column beside it, or of the page's foot where the set runs on. A desk evens such columns by
opening the space between items a little; here the space a column is short by is shared
between the joins after its items (never between a head and what it heads): twice as much
before a head as between two items, at most MAX_BREAK_LINES and MAX_JOIN_LINES a join, once the set's columns are laid out (balance.py calls `level`). The
boxes are moved, nothing is laid out again. Copy that is not a listing set is left alone.
"""

from __future__ import annotations

from .. import roles

LISTING_SET = roles.LISTING_SET  # the class of multi-column sets of listings (roles.py)
ITEM_TAG = roles.LISTING_ITEM  # their pieces kept whole, after which space may open
MAX_JOIN_LINES = 3  # at most this much more space between two items, in the set's lines
MAX_BREAK_LINES = 10  # and before a head (a new listing, or a part of one): a section break


PIECES_PER_COLUMN = 3  # items and heads a listing column should hold at least


def columns_for(box, atoms, count: int) -> int:
    """How many columns a listing set (or the part of it on this page) of these pieces
    takes: `count`, or fewer so that each holds PIECES_PER_COLUMN, never fewer than the
    layout's data-min-columns (the narrowest measure its columns may have)."""
    pieces = sum(1 for atom in atoms
                 if getattr(atom.box, "element_tag", None) in roles.LISTING_PIECES)
    least = int(box.element.get("data-min-columns") or 1)
    return max(least, min(count, pieces // PIECES_PER_COLUMN))


def is_listing_set(box) -> bool:
    element = getattr(box, "element", None)
    return element is not None and LISTING_SET in (element.get("class") or "").split()


def level(columns, bottom: float, line: float) -> None:
    """Each column's pieces spread so that its copy ends at `bottom` (px, page coordinates),
    as far as MAX_JOIN_LINES a join allows."""
    for column in columns:
        _level_column(column, bottom, line)


def _pieces(box, found, parents):
    """The column's pieces in order: items whole, other blocks down to their lines; with the
    blocks that hold each."""
    from weasyprint.formatting_structure import boxes

    for child in box.children:
        if not child.is_in_normal_flow() or isinstance(child, boxes.LineBox):
            continue
        if child.element_tag == ITEM_TAG or not isinstance(child, boxes.ParentBox) or not any(
                isinstance(grandchild, boxes.BlockLevelBox) for grandchild in child.children):
            found.append((child, parents))
        else:
            _pieces(child, found, parents + [child])


def _level_column(column, bottom: float, line: float) -> None:
    pieces: list = []
    _pieces(column, pieces, [])
    if len(pieces) < 2:
        return
    last = pieces[-1][0]
    slack = bottom - (last.position_y + last.margin_height())
    joins = [index for index in range(1, len(pieces))
             if pieces[index - 1][0].element_tag == ITEM_TAG]
    if slack < 1 or not joins:
        return
    # Shared out as water fills vessels: each join its weight's share, up to its most.
    heads = {index for index in joins if pieces[index][0].element_tag != ITEM_TAG}
    most = {index: (MAX_BREAK_LINES if index in heads else MAX_JOIN_LINES) * line
            for index in joins}
    weight = {index: 2.0 if index in heads else 1.0 for index in joins}
    space = dict.fromkeys(joins, 0.0)
    left, open_joins = slack, set(joins)
    while left > 0.01 and open_joins:
        unit = left / sum(weight[index] for index in open_joins)
        for index in sorted(open_joins):
            add = min(unit * weight[index], most[index] - space[index])
            space[index] += add
            left -= add
            if most[index] - space[index] < 0.01:
                open_joins.discard(index)
    shifts, moved = [], 0.0
    for index, (piece, _) in enumerate(pieces):
        moved += space.get(index, 0.0)
        shifts.append(moved)
        if moved:
            piece.translate(0, moved)
    # The blocks holding the pieces move with their first piece and reach to their last (a
    # block going on in the next column reached the column's foot already: no further).
    spans: dict[int, list] = {}
    for (piece, parents), shift in zip(pieces, shifts):
        for parent in parents:
            span = spans.setdefault(id(parent), [parent, shift, piece])
            span[2] = piece
    for parent, first, last_piece in spans.values():
        bottom = parent.content_box_y() + parent.height
        parent.position_y += first
        top = parent.content_box_y()
        parent.height = max(bottom, last_piece.position_y + last_piece.margin_height()) - top
