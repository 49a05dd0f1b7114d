"""Rasa engine extensions (run inside the engine's virtual environment only)."""

from nlu_ext import engine_speedups

engine_speedups.install()
engine_speedups.freeze_after_load()
