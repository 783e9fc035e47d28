"""Build: the engine that turns content into an output folder. The build object and its
stages, the caches and manifest that make rebuilds incremental, reused fragments,
worker processes, staging and the atomic swap into `output/`, the search index run.
"""
