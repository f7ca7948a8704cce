"""The security suite: walks every sign-in form, admin page, export, API operation and portal form.

Each test counts what it tried in ``REPORT`` (``REPORT["api_fuzz_cases"] += 1``); the counts are written to
``var/security-report/`` per test and summed at the end of the run (tests/security/conftest.py).
"""

from collections import Counter

REPORT: Counter = Counter()
