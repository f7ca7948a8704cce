# Load every app's factories before this app's own: monitoring's factories import ours, and importing
# ours first (as a lone tests/dcim run does) would hand them a half-initialised module.
import tests.factories  # noqa: F401
