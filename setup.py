"""The package list, which pyproject.toml cannot write: every `idp*` package found in the tree,
plus `idp.templates` and its folders, whose files sit at the top level, in templates/ (see
`[tool.setuptools.package-dir]`). Listing the folders too keeps setuptools from warning that
they look like packages it was not told of."""

from setuptools import find_namespace_packages, setup

TEMPLATES = [
    "idp.templates",
    *(f"idp.templates.{name}" for name in find_namespace_packages("templates")),
]

setup(packages=[*find_namespace_packages(include=["idp*"]), *TEMPLATES])
