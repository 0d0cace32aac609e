"""Synthetic raw platform logs: realistic, deterministic, at any volume.

``generate(start, end, out_dir)`` writes ``out_dir/date=YYYY-MM-DD/*.ndjson`` in the
raw-log contract's format, with everything the pipeline must cope with: late files,
duplicate deliveries, malformed lines, missing leaves and ends, sessions crossing
midnight, open-entry guests. See ``docs/generator.md``.
"""

from webstat.generate.malformed import KINDS as MALFORMED_KINDS
from webstat.generate.run import GenerateSummary, events_per_day, generate
from webstat.generate.world import SCALES

__all__ = ["MALFORMED_KINDS", "SCALES", "GenerateSummary", "events_per_day", "generate"]
