"""Ingest: files → sections with locators → chunks → embeddings in Chroma."""

__all__: list[str] = []
