"""termnews: a terminal news reader built around outlets, editions and sections."""

__version__ = "0.1.0"
