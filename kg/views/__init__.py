"""Interactive, offline HTML views of the property graph (selection, layout, rendering)."""
