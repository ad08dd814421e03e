"""Sample and benchmark data generators (not part of the installed package).

Regenerate the shipped samples from the repository root with
``PYTHONPATH=tools .venv/bin/python -m samplegen.sampledata samples``.
"""
