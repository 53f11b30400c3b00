"""The defaults every front end shares: which embedding model, which windows.

A leaf module with no imports, so the command line can read these for its `--help` without
loading the use cases in `papersift.pipelines` (which re-exports them).
"""

# The bundled all-MiniLM-L6-v2 exported to int8 ONNX (embed.models' "fast" variant): several
# times the reference model's speed at nearly its vectors, see
# docs/benchmarks.md#embeddings-papersiftembed. One default for every command and for `serve`,
# so each paper is embedded once.
DEFAULT_EMBEDDER = "fast"
# Windows in `window.window_start`'s grammar: what a day's reading is, what a map shows.
FEED_WINDOW = "1d"
MAP_WINDOW = "7d"
# Hugging Face upvotes gather over days, so trending looks at a week by default.
TRENDING_WINDOW = "7d"
