"""Knowledge graph of low-dose interleukin-2 therapy in systemic lupus erythematosus."""

from importlib.metadata import PackageNotFoundError, version

try:
    #: the installed distribution's version: pyproject.toml's `version` is the one source
    __version__ = version("il2-sle-kg")
except PackageNotFoundError:  # the package directory on sys.path without being installed
    __version__ = "0+unknown"
