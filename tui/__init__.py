"""Anjuan (案卷): a terminal case manager for Beijing patent-transformation programme applications."""

__version__ = "0.1.0"
