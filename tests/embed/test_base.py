"""Pure helpers: the text we embed, its hash, row normalization, name parsing."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from papersift.embed import paper_text, parse_model_name, text_hash
from papersift.embed.base import normalize_rows
from papersift.errors import UsageError


def test_paper_text_joins_title_and_abstract() -> None:
    assert paper_text("Attention Is All You Need", "We propose...") == (
        "Attention Is All You Need. We propose..."
    )


def test_paper_text_keeps_the_title_punctuation() -> None:
    assert paper_text("Do LLMs plan?", "We test.") == "Do LLMs plan? We test."


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [("Only a title", None, "Only a title"), (None, "Only text.", "Only text."), ("", "", "")],
)
def test_paper_text_with_a_part_missing(title, abstract, expected) -> None:
    assert paper_text(title, abstract) == expected


def test_text_hash_is_stable_and_changes_with_text() -> None:
    first = text_hash("Sparse attention. We propose...")
    assert first == text_hash("Sparse attention. We propose...")
    assert first != text_hash("Sparse attention. We propose!")
    assert len(first) == 32 and int(first, 16) >= 0


@given(st.text(), st.text())
def test_text_hash_differs_for_different_texts(a: str, b: str) -> None:
    assert (text_hash(a) == text_hash(b)) == (a == b)


def test_normalize_rows_gives_unit_rows_and_keeps_zero_rows() -> None:
    rows = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert rows.dtype == np.float32
    np.testing.assert_allclose(rows, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        (None, "auto", (None, "transformer", 256, None)),
        ("static", "auto", (None, "static", 256, None)),
        ("fast", "auto", (None, "fast", 256, None)),
        ("all-MiniLM-L6-v2@onnx-int8", "auto", ("all-MiniLM-L6-v2", "fast", 256, None)),
        ("all-MiniLM-L6-v2@static-128", "auto", ("all-MiniLM-L6-v2", "static", 128, None)),
        ("org/model@static-64-top500", "auto", ("org/model", "static", 64, 500)),
        ("org/model", "fast", ("org/model", "fast", 256, None)),
        ("./my-model", "static", ("./my-model", "static", 256, None)),
    ],
)
def test_parse_model_name(name, kind, expected) -> None:
    request = parse_model_name(name, kind)
    assert (request.base, request.kind, request.static_dim, request.static_vocab_limit) == expected


def test_parse_model_name_rejects_an_unknown_kind() -> None:
    with pytest.raises(UsageError, match="transformer"):
        parse_model_name(None, "gpu")  # type: ignore[arg-type]


def test_importing_embed_does_not_import_torch() -> None:
    code = (
        "import sys, papersift.embed, papersift.embed.fast, papersift.embed.static; "
        "heavy = {'torch', 'sentence_transformers', 'onnxruntime', 'transformers'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
