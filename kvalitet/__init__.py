"""kvalitet: quality analysis and reporting of case handling in a Danish municipality."""

__version__ = "0.1.0"
