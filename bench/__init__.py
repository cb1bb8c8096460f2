"""Benchmarks of the exam server: bank import (import_bank.py) and the load scenarios (python -m bench)."""
