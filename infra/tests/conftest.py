"""Fixtures for the template's tests: the template as written, and as SAM transforms it."""

import pytest

from cfn_template import load, transform


@pytest.fixture(scope="session")
def template():
    return load()


@pytest.fixture(scope="session")
def transformed():
    return transform()
