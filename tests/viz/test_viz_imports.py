"""The viz package's public API. (That viz imports neither Streamlit, Pillow, the engine nor the
lessons is checked statically by ``tests/test_layering.py``.)"""

import playground.viz as viz


def test_public_api_is_exported():
    for name in viz.__all__:
        assert hasattr(viz, name), name
