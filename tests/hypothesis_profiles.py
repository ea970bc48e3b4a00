"""How many examples a property-based test tries: the full count in CI, a fifth in the fast tier.

Two Hypothesis settings profiles: ``ci`` (Hypothesis's default of 100 examples a property, as
CI has always run them) and ``fast`` (20). tests/conftest.py loads ``fast`` when the run leaves
the slow tier out (``-m "not slow and not browser"``) and ``ci`` otherwise; a
``--hypothesis-profile NAME`` on the command line wins over both.

A test that sets its own ``max_examples`` (an explicit ``@settings`` overrides any profile)
writes it as ``examples(n)``: n under ``ci``, scaled by the same share under ``fast``, so every
property keeps its relative weight and still tries a handful of cases in the fast tier. The
examples Hypothesis saved from an earlier failure (its database) are replayed in both profiles.
"""

from __future__ import annotations

from hypothesis import settings

__all__ = ["CI", "FAST", "FULL_EXAMPLES", "examples"]

CI, FAST = "ci", "fast"
#: examples a property tries in CI when it does not set its own count (Hypothesis's default)
FULL_EXAMPLES = 100
#: the fewest examples a property tries in the fast tier (unless it asks for fewer in CI)
FLOOR = 5

settings.register_profile(CI, max_examples=FULL_EXAMPLES)
settings.register_profile(FAST, max_examples=FULL_EXAMPLES // 5)


def examples(n: int) -> int:
    """max_examples for a property that runs n examples in CI: n * (this profile's share),
    at least min(n, FLOOR). Read when the test module is imported, after the profile is loaded.
    """
    share = settings.default.max_examples / FULL_EXAMPLES
    return max(min(n, FLOOR), round(n * share))
