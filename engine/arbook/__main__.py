"""``python -m arbook`` runs the command line."""
from arbook.cli import main

main()
