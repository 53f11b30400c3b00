"""Shared test fixtures: where the real public samples live, temporary stores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests must not fail on a busy 2-core machine because an example ran slowly, and in
# CI they run derandomized so a red build is reproducible from the same commit.
settings.register_profile("papersift", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "papersift")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# ../shared beside the repository (CI clones main with shared/ next to it).
SHARED_FORMATS = Path(os.environ.get("PAPERSIFT_SHARED", REPO.parent / "shared")) / "formats"


@pytest.fixture
def shared_formats() -> Path:
    """The folder of real public samples; tests that need it skip only when it is absent."""
    present = SHARED_FORMATS.is_dir()
    return SHARED_FORMATS if present else pytest.skip(f"real samples not found at {SHARED_FORMATS}")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
