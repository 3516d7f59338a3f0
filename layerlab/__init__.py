"""layerlab: a daemonless model of Docker's storage engine."""
__version__ = "0.1.0"
