"""The public archive: published stories, searchable, filterable, with Atom feeds."""
