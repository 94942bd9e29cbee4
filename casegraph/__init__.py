"""casegraph: graph investigation for crypto-exchange fraud teams."""
__version__ = "0.1.0"
