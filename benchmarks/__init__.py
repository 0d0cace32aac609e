"""webstat's benchmark suite: ``benchmarks/run.py`` (``make bench`` / ``make bench-full``)."""
