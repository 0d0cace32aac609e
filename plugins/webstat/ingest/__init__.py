"""Landing zone -> ``raw``: list, parse/validate, COPY, ledger."""

from webstat.ingest.loader import FileResult, IngestSummary, ingest_day, load_file

__all__ = ["FileResult", "IngestSummary", "ingest_day", "load_file"]
