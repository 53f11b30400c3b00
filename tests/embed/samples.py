"""Texts and sizes the embedding tests share (invented abstracts, not real papers)."""

# Big enough that everyday English and ML words have rows, small enough to distill in seconds.
SMALL_VOCAB = 3000

ABSTRACTS = [
    "Sparse attention for long documents. We propose a transformer whose attention cost grows "
    "linearly with sequence length, and evaluate it on summarization of scientific articles.",
    "Graph neural networks for molecules. Message passing over atoms and bonds predicts "
    "solubility and toxicity better than fingerprints on three chemistry benchmarks.",
    "Speech recognition in noisy rooms. A conformer acoustic model trained with simulated "
    "reverberation lowers word error rate on far-field recordings.",
    "Café-quality résumé parsing? We extract fields from CVs — names, e-mails, dates (1999–2024) "
    "— with a small sequence labeller; accuracy: 97.5%.",
    "Diffusion models for image generation. We denoise step by step and reach a new FID on "
    "ImageNet at 256x256 resolution with fewer sampling steps.",
]
