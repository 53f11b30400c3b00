"""Ranking a window for a reader: candidates, signals, the model, recommendations, self-evaluation."""
