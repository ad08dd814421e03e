"""``python -m arbook`` runs the command line."""
from .cli import main

main()
