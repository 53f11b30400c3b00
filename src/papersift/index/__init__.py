"""Vectors: stored embeddings kept in step with the papers, and the on-disk vector index."""
