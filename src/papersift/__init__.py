"""papersift: sift the daily flood of machine-learning papers, locally."""

__version__ = "0.1.0"
