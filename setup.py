"""The package list, which pyproject.toml cannot write: every `idp*` package found in the tree,
plus `idp.templates`, whose files sit at the top level (see `[tool.setuptools.package-dir]`)."""

from setuptools import find_namespace_packages, setup

setup(packages=[*find_namespace_packages(include=["idp*"]), "idp.templates"])
