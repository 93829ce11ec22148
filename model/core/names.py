"""What a scenario may be called: the one pattern that a params file's stem must match to be a scenario
(lower case, a letter first, then letters, digits and underscores; at most 64 characters). It is here,
with nothing else, so that the bottom of ``model.core`` (the recording of reads) can use it without
importing the schema."""

from __future__ import annotations

import re

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
