"""What a notebook depends on, in one place for the layers above ``model.core``: the reads it made
(`model.core.reads`) and the build's cache of calibrated scenarios (`model.core.scenario_cache`).

The two halves are separate modules because they sit at opposite ends of ``model.core``: the readers
of params files record their reads (so `reads` is at the bottom), while the cache loads and solves
scenarios (so `scenario_cache` is at the top). Nothing in ``model.core`` imports this module.
"""

from __future__ import annotations

from .reads import (READS_ENV, Read, collecting, current, listing_digest, read_log, reads_are_current,  # noqa: F401
                    reads_bytes, record_file, record_listing, scenarios_read, sha256_text, suspended, touch,
                    where)
from .scenario_cache import (CACHE_ENV, NUDGED, cached_entry, chain_stems, ensure_nudged,  # noqa: F401
                             keep_shared_result, kind_of, load, load_nudged, nudged_file, original_dir,
                             params_digest, read_entry, results_for, shared_result, write_entry)
