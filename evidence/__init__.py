"""Evidence-summary site generator: content/*.yaml -> validated -> static HTML."""
__version__ = "0.1.0"
