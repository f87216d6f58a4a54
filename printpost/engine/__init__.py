"""Everything printpost does inside WeasyPrint (70) rather than through its public API.

- `startup`: a fresh process imports WeasyPrint faster (prebuilt C bindings, cached
  hyphenation patterns, fontTools modules loaded only when used).
- `fonts`: the bundled fonts loaded into one font configuration per process.
- `stylesheets`: stylesheets parsed once per process (`css.CSS` wrapped).
- `balance`: column sets balanced in fewer layouts (`layout.block.columns_layout`).
- `linebreaks`: no hyphenation ladders, and lines kept for a paragraph laid out again
  (`layout.block.iter_line_boxes`, `layout.inline.split_first_line`).
- `pdf`: a reproducible XMP document ID (`pdf.metadata.uuid4`), attachments listed once.

Each is entered only while printpost renders and put back after.
"""
