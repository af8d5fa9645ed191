"""Load and fault tests for a hosted playground: simulated participants speaking Streamlit's own
websocket protocol (``python -m tools.loadtest --help``). Loopback targets only."""
