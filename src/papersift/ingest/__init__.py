"""Getting papers in: files and network pages parsed into records and written to the store."""
