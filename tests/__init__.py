"""The test suite: a package, so that test modules and conftest.py files import shared helpers
as tests.support under plain `pytest` as under `python -m pytest`."""
