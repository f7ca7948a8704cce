# Lead's admin is generated from specs.py; its export resource is overridden in resources.py.
from cms.leads import resources  # noqa: F401
