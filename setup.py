# Thin setuptools entry for tools that still call setup.py; pyproject.toml holds the metadata.
from setuptools import setup

setup()
