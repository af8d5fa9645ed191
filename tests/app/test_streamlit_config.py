"""The served app's Streamlit settings (``.streamlit/config.toml``) that the live loop relies on."""

from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit import config
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.forward_msg_cache import populate_hash_if_needed

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_no_message_is_small_enough_for_the_forward_message_cache():
    """With the cache on, a live view that repeats its bytes froze the page ("Cached ForwardMsg MISS",
    tests/e2e/test_soak_e2e.py): the cache's threshold must exceed the largest message Streamlit
    sends at all."""
    threshold = float(CONFIG["global"]["minCachedMessageSize"])
    max_message_mb = CONFIG.get("server", {}).get("maxMessageSize", 200)
    assert threshold > max_message_mb * 1024 * 1024

    # and Streamlit reads it that way: a 1 MB image element is not marked cacheable
    before = config.get_option("global.minCachedMessageSize")
    config.set_option("global.minCachedMessageSize", threshold)
    try:
        msg = ForwardMsg()
        msg.delta.new_element.imgs.imgs.add().url = "data:image/png;base64," + "A" * 1_000_000
        populate_hash_if_needed(msg)
        assert msg.hash and not msg.metadata.cacheable
    finally:
        config.set_option("global.minCachedMessageSize", before)
