"""Knowledge graph of low-dose interleukin-2 therapy in systemic lupus erythematosus."""

__version__ = "0.1.0"
