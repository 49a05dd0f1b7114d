"""Rasa engine extensions (run inside the engine's virtual environment only)."""

from nlu_ext import (
    diet_inference,
    engine_speedups,
    graph_runner,
    policy_speedups,
    sanic_websocket,
    socketio_channel,
    state_history,
)

engine_speedups.install()
diet_inference.install()
policy_speedups.install()
graph_runner.install()
state_history.install()
engine_speedups.freeze_after_load()
sanic_websocket.install()
socketio_channel.install()
