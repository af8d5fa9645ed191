import numpy as np
import pytest

from playground.viz import palette
from playground.viz.network import (
    NETWORK_VIEW_LIMITS,
    network_figure,
    network_image,
    network_layout,
    network_svg,
    network_view_too_large,
)


def maps_for(sizes, m=6, value=0.0):
    return [np.full((n, m, m), value) for n in sizes]


def test_limits_and_messages():
    assert NETWORK_VIEW_LIMITS["max_layers"] == 10 and NETWORK_VIEW_LIMITS["max_neurons"] == 16
    assert network_view_too_large([2, 8, 8, 1]) is None
    assert network_view_too_large([2] + [16] * 8 + [1]) is None
    msg = network_view_too_large([2] + [4] * 10 + [1])
    assert "at most 10 layers" in msg and "12" in msg and "Remove 2 hidden layer" in msg
    msg = network_view_too_large([2, 8, 32, 1])
    assert "at most 16 neurons" in msg and "hidden layer 2 has 32" in msg
    assert "input layer" in network_view_too_large([20, 4, 1])
    assert network_image([2, 32, 1], [np.zeros((2, 32)), np.zeros((32, 1))], None) is None


def test_image_shape_and_layout():
    sizes = [2, 4, 2, 1]
    weights = [np.ones((a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    img = network_image(sizes, weights, maps_for(sizes), cell=20)
    layout = network_layout(sizes, cell=20)
    assert img.dtype == np.uint8 and img.shape == (layout.height, layout.width, 3)
    # layers left to right, neurons of a layer top to bottom, all inside the image
    assert np.all(np.diff(layout.lefts) > 0)
    for tops in layout.tops:
        assert np.all(np.diff(tops) > 0) and tops.min() > 0 and tops.max() + 20 < layout.height


def _line_midpoint(layout, layer, src, dst):
    x0 = layout.lefts[layer] + layout.cell
    x1 = layout.lefts[layer + 1]
    y0 = layout.tops[layer][src] + layout.cell / 2
    y1 = layout.tops[layer + 1][dst] + layout.cell / 2
    return int((y0 + y1) / 2), int((x0 + x1) / 2)


@pytest.mark.parametrize("w, color", [(2.0, palette.POSITIVE), (-2.0, palette.NEGATIVE)])
def test_line_colour_follows_sign(w, color):
    sizes = [1, 1]
    img = network_image(sizes, [np.array([[w]])], maps_for(sizes), cell=20, weight_clip=2.0)
    layout = network_layout(sizes, cell=20)
    r, c = _line_midpoint(layout, 0, 0, 0)
    np.testing.assert_array_equal(img[r, c], palette.hex_to_rgb(color))  # full weight: full colour


def test_line_colours_in_a_bigger_net_and_width_grows_with_magnitude():
    sizes = [2, 3]
    w = np.array([[3.0, -3.0, 0.05], [0.0, 0.0, 0.0]])
    img = network_image(sizes, [w], maps_for(sizes), cell=20)
    layout = network_layout(sizes, cell=20)

    def colour_at(src, dst):
        r, c = _line_midpoint(layout, 0, src, dst)
        return img[r - 1 : r + 2, c].astype(int).min(axis=0)  # darkest of 3 px around the centre line

    pos, neg, tiny = colour_at(0, 0), colour_at(0, 1), colour_at(0, 2)
    assert pos[2] > pos[0] + 100  # blue
    assert neg[0] > neg[2] + 100  # orange
    assert tiny.min() > 150  # a near-zero weight is a faint line

    def thickness(src, dst):
        r, c = _line_midpoint(layout, 0, src, dst)
        column = img[max(r - 15, 0) : r + 15, c]
        return int((column.min(axis=1) < 235).sum())

    assert thickness(0, 0) > thickness(0, 2)


def test_neuron_maps_are_drawn_in_their_squares_with_row_zero_at_top():
    sizes = [2, 1]
    m = 4
    top_blue = np.zeros((m, m))
    top_blue[: m // 2] = 1.0  # rows 0..1 (top of the input plane) positive
    top_blue[m // 2 :] = -1.0
    maps = [np.stack([top_blue, -top_blue]), np.zeros((1, m, m))]
    img = network_image(sizes, [np.zeros((2, 1))], maps, cell=20)
    layout = network_layout(sizes, cell=20)
    left, top = layout.lefts[0], layout.tops[0][0]
    upper, lower = img[top + 2, left + 10].astype(int), img[top + 17, left + 10].astype(int)
    assert upper[2] > upper[0] + 60 and lower[0] > lower[2] + 60  # blue above, orange below
    top2 = layout.tops[0][1]
    upper2 = img[top2 + 2, left + 10].astype(int)
    assert upper2[0] > upper2[2] + 60  # the second neuron's map is the opposite


def test_biases_are_drawn():
    sizes = [2, 2]
    img = network_image(sizes, [np.zeros((2, 2))], maps_for(sizes), cell=28, biases=[np.array([1, -1])])
    layout = network_layout(sizes, cell=28)
    # bias squares at the lower-left corner of each output neuron, coloured by sign
    x = layout.lefts[1]
    b0 = img[layout.tops[1][0] + 28, x - 1].astype(int)
    b1 = img[layout.tops[1][1] + 28, x - 1].astype(int)
    assert b0[2] > b0[0] and b1[0] > b1[2]


def test_svg_writes_input_names_as_text_in_any_script():
    """The SVG names the inputs with <text> (escaped): the browser draws Chinese, subscripts or markup
    as text; the layout makes room for wide characters."""
    import xml.etree.ElementTree as ET

    sizes = [2, 3, 1]
    weights = [np.array([[2.0, -2.0, 0.0], [0.5, 0.0, 1.0]]), np.array([[1.0], [-1.0], [0.2]])]
    names = ["花瓣长度", "<b>x₂</b>"]
    svg = network_svg(sizes, weights, input_names=names, biases=[np.zeros(3), np.zeros(1)], cell=20)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert [t.text for t in root.iter(f"{ns}text")] == names
    lines = list(root.iter(f"{ns}line"))
    assert len(lines) == 2 * 3 + 3 * 1
    colours = {line.get("stroke") for line in lines}
    assert colours == {palette.POSITIVE, palette.NEGATIVE}
    layout = network_layout(sizes, cell=20, input_names=names)
    assert int(root.get("width")) == layout.width and int(root.get("height")) == layout.height
    latin = network_layout(sizes, cell=20, input_names=["abcd", "x"])
    assert layout.label_right > latin.label_right  # four Chinese characters take more room than "abcd"
    assert network_svg([2, 32, 1], [np.zeros((2, 32)), np.zeros((32, 1))]) is None


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match=r"weights\[0\] should have shape \(2, 3\)"):
        network_image([2, 3], [np.zeros((3, 2))], None)
    with pytest.raises(ValueError, match="need 2 weight matrices"):
        network_image([2, 3, 1], [np.zeros((2, 3))], None)
    with pytest.raises(ValueError, match="neuron maps"):
        network_image([2, 1], [np.zeros((2, 1))], [np.zeros((3, 4, 4)), np.zeros((1, 4, 4))])


def test_network_figure_hover_on_weights_and_neurons():
    sizes = [2, 3, 1]
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(2, 3)), rng.normal(size=(3, 1))]
    biases = [np.array([0.1, -0.2, 0.3]), np.array([0.5])]
    fig = network_figure(sizes, weights, maps_for(sizes), input_names=["x1", "x2"], biases=biases)
    weights_trace = next(t for t in fig.data if t.name == "weights")
    assert len(weights_trace.x) == 2 * 3 + 3 * 1
    assert any(f"{weights[0][1, 2]:+.4f}" in h and "x2 → hidden 1 #3" in h for h in weights_trace.hovertext)
    neurons = next(t for t in fig.data if t.name == "neurons")
    assert len(neurons.x) == 6
    assert any("bias = +0.5000" in h and "output" in h for h in neurons.hovertext)
    assert len(fig.layout.images) == 6
    assert fig.layout.images[0].source.startswith("data:image/png;base64,")
    line_traces = [t for t in fig.data if t.mode == "lines"]
    assert {t.line.color for t in line_traces} <= {palette.POSITIVE, palette.NEGATIVE}
    for t in line_traces:  # every segment in a trace has the sign of that trace's colour
        assert t.line.color in (palette.POSITIVE, palette.NEGATIVE)


def test_network_figure_too_large_raises_the_message():
    with pytest.raises(ValueError, match="at most 16 neurons"):
        network_figure([2, 17, 1], [np.zeros((2, 17)), np.zeros((17, 1))], None)


def test_a_diverged_net_still_draws():
    sizes = [2, 2]
    img = network_image(sizes, [np.array([[np.nan, np.inf], [-np.inf, 1.0]])], maps_for(sizes, value=np.nan))
    assert img is not None and img.dtype == np.uint8


def test_very_wide_lines_are_clipped_at_the_border():
    sizes = [1, 16]
    img = network_image(sizes, [np.full((1, 16), 3.0)], None, cell=10, max_line_width=30)
    assert img is not None and img.shape[0] == network_layout(sizes, cell=10).height
