"""The pydantic-settings layer behind `papersift.config`, which re-exports its models."""
