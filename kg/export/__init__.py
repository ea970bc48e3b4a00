"""Export sinks: one file per format, registered in :mod:`kg.export.base`."""
