# Lead's admin is generated from specs.py; its export resource (resources.py) is the generated one.
