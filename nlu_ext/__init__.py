"""Rasa engine extensions (run inside the engine's virtual environment only)."""

from nlu_ext import (
    diet_inference,
    engine_speedups,
    policy_speedups,
    sanic_websocket,
    socketio_channel,
)

engine_speedups.install()
diet_inference.install()
policy_speedups.install()
engine_speedups.freeze_after_load()
sanic_websocket.install()
socketio_channel.install()
