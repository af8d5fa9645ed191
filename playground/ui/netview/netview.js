// The Playground's network view (a Streamlit custom component, v2): TF Playground's picture of the
// network, drawn as HTML + SVG and updated in place on every live tick.
//
// Data in (built by playground.viz.network.network_view_data): layer sizes, weights, biases, every
// neuron's output map as 8-bit values (base64), the input features (on/off) and the labels. Events out
// (one trigger, "action"): toggle a feature, add/remove a layer or a neuron, set a weight or a bias.
// Every label is user-visible text that may come from a CSV or a URL: it is set with textContent,
// never parsed as HTML. The view's own words come from Python, translated into the session's language
// (playground.ui.netview.view_text), through the loader component once per full page run: this file
// holds none, and a view waits for them before it draws.

let TEXT = null;
const VIEWS = new Set();

// The words of key `key` with its {fields} filled from `params` (plain text, shown with textContent).
function T(key, params) {
  let t = (TEXT && TEXT[key]) || "";
  if (params) for (const k in params) t = t.split("{" + k + "}").join(String(params[k]));
  return t;
}

function setText(text) {
  const changed = JSON.stringify(text) !== JSON.stringify(TEXT);
  TEXT = text;
  if (!changed) return;
  VIEWS.forEach((view) => {
    if (!view.root.isConnected) {
      VIEWS.delete(view);
      return;
    }
    view.signature = null; // rebuild in the new language
    if (view.data) view.update(view.data);
  });
}

const SVG = "http://www.w3.org/2000/svg";

function h(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function s(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

function hexRgb(c) {
  const n = parseInt(c.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// The palette's diverging map (playground.viz.palette): orange - neutral - blue, linear through three
// equally spaced stops, 256 entries, softened toward white like the Python tiles.
function makeLut(p) {
  const stops = [hexRgb(p.neg), hexRgb(p.mid), hexRgb(p.pos)];
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * 2;
    const k = Math.min(1, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) {
      const v = Math.round(stops[k][c] + f * (stops[k + 1][c] - stops[k][c]));
      lut[i * 4 + c] = Math.floor(v * p.alpha + 255 * (1 - p.alpha) + 0.5);
    }
    lut[i * 4 + 3] = 255;
  }
  return lut;
}

function decode(b64) {
  const bin = atob(b64 || "");
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function fmt(v) {
  if (!isFinite(v)) return String(v);
  const a = Math.abs(v);
  const t = a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(3) : v.toFixed(4);
  return (v >= 0 ? "+" : "") + t;
}

let measure = null;
function textWidth(text) {
  // the width of a label in the view's font (12 px, the page's sans-serif), in whole pixels
  measure = measure || document.createElement("canvas").getContext("2d");
  measure.font = "12px " + getComputedStyle(document.body).fontFamily;
  return Math.ceil(measure.measureText(String(text)).width);
}

function drawMap(canvas, bytes, offset, g, lut) {
  if (canvas.width !== g) {
    canvas.width = g;
    canvas.height = g;
  }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(g, g);
  const px = img.data;
  for (let i = 0; i < g * g; i++) {
    const q = bytes[offset + i] * 4;
    px[i * 4] = lut[q];
    px[i * 4 + 1] = lut[q + 1];
    px[i * 4 + 2] = lut[q + 2];
    px[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

class NetView {
  constructor(host) {
    this.root = h("div", "nv");
    host.appendChild(this.root);
    this.head = h("div", "nv-head", this.root);
    this.body = h("div", "nv-body", this.root);
    this.svg = s("svg", { class: "nv-links" }, this.body);
    this.gLinks = s("g", {}, this.svg);
    this.gHits = s("g", { class: "nv-hits" }, this.svg);
    this.nodes = h("div", "nv-nodes", this.body);
    this.note = h("div", "nv-note", this.root);
    this.tip = h("div", "nv-tip", this.root);
    this.tip.hidden = true;
    this.editor = null;
    this.hover = null;
    this.signature = null;
    this.width = 0;
    this.trigger = () => {};
    this.ro = new ResizeObserver(() => {
      const w = Math.floor(this.root.clientWidth);
      if (w > 0 && Math.abs(w - this.width) > 2 && this.data) {
        this.signature = null;
        this.update(this.data);
      }
    });
    this.ro.observe(this.root);
  }

  send(action) {
    this.trigger("action", { ...action, nonce: Date.now() + Math.random() });
  }

  // -- layout -------------------------------------------------------------------------------------
  layout(d, width) {
    const nIn = d.inputs.length;
    const rows = d.compact ? 1 : Math.max(nIn, ...d.sizes.slice(1));
    const nCols = d.sizes.length;
    const labelW = Math.min(150, Math.max(44, Math.round(width * 0.18)));
    // output labels as wide as the longest class name needs (a dot, a gap and the text at 12 px), so
    // "versicolor" is not broken in two; at most 110 px (longer names end in "…", whole in the hover)
    const outLabelW = d.out_labels.length
      ? Math.min(110, Math.max(48, Math.round(width * 0.14), 16 + Math.max(...d.out_labels.map(textWidth))))
      : 8;
    const avail = width - labelW - outLabelW - 16; // from the inputs' left edge to the output's right edge
    // a neuron fits the height budget, and the columns leave ~1.2 neurons of room for the weights
    const byHeight = Math.floor((d.max_height - 8) / (rows * 1.3));
    const byWidth = nCols > 1 ? Math.floor(avail / ((nCols - 1) * 2.2 + 1)) : 40;
    const cell = Math.max(14, Math.min(40, byHeight, byWidth));
    const gap = Math.max(4, Math.round(cell * 0.3));
    const left = labelW + 8;
    const step = nCols > 1 ? Math.max(cell * 1.6, (avail - cell) / (nCols - 1)) : 0;
    const xs = [];
    for (let i = 0; i < nCols; i++) xs.push(left + i * step);
    const height = rows * (cell + gap) - gap + 16;
    const column = (n) => {
      const span = n * (cell + gap) - gap;
      const top = 8 + (height - 16 - span) / 2;
      const out = [];
      for (let j = 0; j < n; j++) out.push(top + j * (cell + gap));
      return out;
    };
    const ys = [column(nIn)];
    for (let i = 1; i < nCols; i++) ys.push(column(d.sizes[i]));
    // +/- per hidden layer: side by side when the columns are wide apart, stacked when they are close
    const tight = step < 60;
    return { cell, gap, labelW, outLabelW, xs, ys, height, width, step, tight };
  }

  // -- build (structure changed) ------------------------------------------------------------------
  build(d) {
    const width = Math.max(320, Math.floor(this.root.clientWidth) || 600);
    this.width = width;
    this.closeEditor();
    this.hideTip();
    this.head.replaceChildren();
    this.nodes.replaceChildren();
    this.gLinks.replaceChildren();
    this.gHits.replaceChildren();
    this.lut = makeLut(d.palette);
    const L = this.layout(d, width);
    this.L = L;
    this.buildHead(d, L);
    this.body.style.height = (d.compact ? 96 : L.height) + "px";
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", d.compact ? 96 : L.height);
    if (d.compact) {
      this.buildCompact(d, L);
      return;
    }
    const cell = L.cell;
    // input features (all candidates; the switched-off ones faded, no lines)
    this.inputEls = d.inputs.map((inp, j) => {
      const y = L.ys[0][j];
      const lab = h("div", "nv-label nv-in-label" + (inp.on ? "" : " nv-off"), this.nodes, inp.label);
      lab.style.width = L.labelW + "px";
      lab.style.left = "0px";
      lab.style.top = y + "px";
      lab.style.height = cell + "px";
      const node = this.makeNode(L.xs[0], y, cell, "nv-input" + (inp.on ? "" : " nv-off"));
      node.dataset.role = "input";
      if (inp.toggle) {
        node.classList.add("nv-toggle");
        lab.classList.add("nv-toggle");
        node.title = T(inp.on ? "switch_off" : "switch_on", { label: inp.label });
        lab.title = node.title;
        const click = () => this.send({ kind: "toggle", feature: inp.id });
        node.addEventListener("click", click);
        lab.addEventListener("click", click);
      }
      node.addEventListener("mouseenter", () => this.showTip({ kind: "input", j }, node));
      node.addEventListener("mouseleave", () => this.hideTip());
      return node;
    });
    // hidden and output neurons
    this.unitEls = [];
    this.biasEls = [];
    for (let i = 1; i < d.sizes.length; i++) {
      const units = [];
      const biases = [];
      for (let j = 0; j < d.sizes[i]; j++) {
        const node = this.makeNode(L.xs[i], L.ys[i][j], cell, i === d.sizes.length - 1 ? "nv-out" : "");
        node.addEventListener("mouseenter", () => this.showTip({ kind: "unit", i, j }, node));
        node.addEventListener("mouseleave", () => this.hideTip());
        units.push(node);
        if (d.b) {
          const side = Math.max(7, Math.round(cell / 4.5));
          const b = h("div", "nv-bias", this.nodes);
          b.style.width = b.style.height = side + "px";
          b.style.left = L.xs[i] - side / 2 - 1 + "px";
          b.style.top = L.ys[i][j] + cell - side / 2 - 1 + "px";
          b.title = T("bias_click");
          b.addEventListener("mouseenter", () => this.showTip({ kind: "bias", i, j }, b));
          b.addEventListener("mouseleave", () => this.hideTip());
          b.addEventListener("click", (ev) => {
            ev.stopPropagation();
            this.openEditor({ kind: "bias", layer: i - 1, unit: j }, ev);
          });
          biases.push(b);
        }
      }
      this.unitEls.push(units);
      this.biasEls.push(biases);
    }
    // output labels (class names may come from a CSV: text only)
    const last = d.sizes.length - 1;
    d.out_labels.forEach((name, j) => {
      const lab = h("div", "nv-label nv-out-label", this.nodes);
      if (d.out_colors && d.out_colors[j]) {
        const dot = h("span", "nv-dot", lab);
        dot.style.background = d.out_colors[j];
      }
      h("span", "nv-out-name", lab, name).title = name;
      lab.style.left = L.xs[last] + cell + 6 + "px";
      lab.style.width = L.outLabelW + "px";
      lab.style.top = L.ys[last][j] + "px";
      lab.style.height = cell + "px";
    });
    // weights: a visible curve and a wider invisible one to hover and click
    this.links = [];
    const onIdx = d.inputs.map((inp, j) => (inp.on ? j : -1)).filter((j) => j >= 0);
    for (let i = 0; i < d.sizes.length - 1; i++) {
      const srcY = i === 0 ? onIdx.map((j) => L.ys[0][j]) : L.ys[i];
      const x0 = L.xs[i] + cell;
      const x1 = L.xs[i + 1];
      const xm = (x0 + x1) / 2;
      for (let a = 0; a < d.sizes[i]; a++) {
        for (let b = 0; b < d.sizes[i + 1]; b++) {
          const y0 = srcY[a] + cell / 2;
          const y1 = L.ys[i + 1][b] + cell / 2;
          const path = `M${x0},${y0} C${xm},${y0} ${xm},${y1} ${x1},${y1}`;
          const line = s("path", { d: path, class: "nv-link" }, this.gLinks);
          const hit = s("path", { d: path, class: "nv-hit" }, this.gHits);
          const ref = { kind: "weight", layer: i, src: a, dst: b };
          hit.addEventListener("mouseenter", () => {
            line.classList.add("nv-hot");
            this.showTip(ref, null, hit);
          });
          hit.addEventListener("mouseleave", () => {
            line.classList.remove("nv-hot");
            this.hideTip();
          });
          hit.addEventListener("click", (ev) => {
            if (this.data.editable) this.openEditor(ref, ev);
          });
          this.links.push({ line, i, a, b });
        }
      }
    }
  }

  makeNode(x, y, cell, cls) {
    const node = h("div", "nv-node " + cls, this.nodes);
    node.style.left = x + "px";
    node.style.top = y + "px";
    node.style.width = node.style.height = cell + "px";
    h("canvas", "nv-map", node);
    return node;
  }

  button(parent, text, label, enabled, action) {
    const b = h("button", "nv-btn", parent, text);
    b.type = "button";
    b.title = label;
    b.setAttribute("aria-label", label);
    b.disabled = !enabled;
    b.addEventListener("click", () => this.send(action));
    return b;
  }

  buildHead(d, L) {
    // row 1: FEATURES · [+][−] N HIDDEN LAYERS · OUTPUT; row 2: [+][−] and the width of each hidden layer
    const head = this.head;
    const nHidden = d.sizes.length - 2;
    const caps = d.caps;
    const put = (e, x, w, top) => {
      e.style.left = Math.round(x) + "px";
      e.style.width = Math.round(w) + "px";
      e.style.top = top + "px";
    };
    const featsRight = d.compact ? 110 : L.xs[0] + L.cell;
    const feats = h("div", "nv-title", head, T("features"));
    put(feats, 0, featsRight, 0);
    feats.style.textAlign = "right";
    const outW = 64;
    const outX = d.compact ? L.width - outW : Math.min(L.xs[L.xs.length - 1] + L.cell / 2 - outW / 2, L.width - outW);
    const out = h("div", "nv-title", head, T("output"));
    put(out, outX, outW, 0);
    out.style.textAlign = "center";
    const mid = h("div", "nv-layers", head);
    const midW = Math.max(60, Math.min(190, outX - featsRight - 8));
    put(mid, (featsRight + outX) / 2 - midW / 2, midW, 0);
    this.button(mid, "+", T("add_layer"), nHidden < caps.max_layers, { kind: "layers", delta: 1 });
    this.button(mid, "−", T("remove_layer"), nHidden > 0, { kind: "layers", delta: -1 });
    const layersText = T(nHidden === 1 ? "layers_1" : "layers_n", { n: nHidden });
    const count = h("span", "nv-count", mid, midW >= 150 ? layersText : String(nHidden));
    count.title = layersText;
    let height = 30;
    if (!d.compact && nHidden > 0) {
      const bw = Math.min(80, L.step - 4);
      for (let i = 1; i <= nHidden; i++) {
        const box = h("div", "nv-neurons" + (L.tight ? " nv-tight" : ""), head);
        const n = d.sizes[i];
        put(box, L.xs[i] + L.cell / 2 - bw / 2, bw, 30);
        const row = h("div", "nv-pm", box);
        this.button(row, "+", T("add_neuron", { i }), n < caps.max_neurons, {
          kind: "neurons",
          layer: i - 1,
          delta: 1,
        });
        this.button(row, "−", T("remove_neuron", { i }), n > caps.min_neurons, {
          kind: "neurons",
          layer: i - 1,
          delta: -1,
        });
        const text = L.tight ? String(n) : T(n === 1 ? "neurons_1" : "neurons_n", { n });
        h("div", "nv-small", box, text).title = T("neurons_in", { n, i });
      }
      height = L.tight ? 30 + 47 + 18 : 30 + 22 + 18;
    }
    head.style.height = height + "px";
  }

  buildCompact(d, L) {
    // A network too large to draw neuron by neuron: one block per layer, with its +/- buttons.
    const n = d.sizes.length;
    const left = 8;
    const span = L.width - 16;
    const w = Math.min(120, span / n - 10);
    for (let i = 0; i < n; i++) {
      const x = left + (i * (span - w)) / Math.max(1, n - 1);
      const box = h("div", "nv-block", this.nodes);
      box.style.left = x + "px";
      box.style.width = w + "px";
      box.style.top = "8px";
      const name = i === 0 ? T("inputs") : i === n - 1 ? T("output_lc") : T("hidden_i", { i });
      h("div", "nv-small", box, name);
      h("div", "nv-block-n", box, String(d.sizes[i]));
      if (i > 0 && i < n - 1) {
        const row = h("div", "nv-pm", box);
        this.button(row, "+", T("add_neuron", { i }), d.sizes[i] < d.caps.max_neurons, {
          kind: "neurons",
          layer: i - 1,
          delta: 1,
        });
        this.button(row, "−", T("remove_neuron", { i }), d.sizes[i] > d.caps.min_neurons, {
          kind: "neurons",
          layer: i - 1,
          delta: -1,
        });
      }
    }
  }

  // -- update (every tick) ------------------------------------------------------------------------
  update(d) {
    this.data = d;
    if (!TEXT) return; // the words arrive with the loader (setText draws then)
    const sig = JSON.stringify([d.sizes, d.inputs.map((i) => [i.id, i.on, i.label]), d.out_labels, d.compact, !!d.b, d.caps]);
    if (sig !== this.signature || Math.abs(Math.floor(this.root.clientWidth) - this.width) > 2) {
      this.build(d);
      this.signature = sig;
    }
    this.note.textContent = d.note || "";
    if (d.compact) return;
    const lut = this.lut;
    const maps = decode(d.maps);
    const ig = d.input_g;
    let off = 0;
    this.inputEls.forEach((node) => {
      drawMap(node.firstChild, maps, off, ig, lut);
      off += ig * ig;
    });
    this.mapOffset = off;
    const g = d.g;
    this.unitEls.forEach((units) =>
      units.forEach((node) => {
        drawMap(node.firstChild, maps, off, g, lut);
        off += g * g;
      }),
    );
    this.maps = maps;
    // weights: colour by sign, width and opacity by size
    const p = d.palette;
    for (const k of this.links) {
      const w = d.w[k.i][k.a * d.sizes[k.i + 1] + k.b];
      const mag = Math.min(Math.abs(w) / p.wclip, 1);
      k.line.setAttribute("stroke", w < 0 ? p.neg : p.pos);
      k.line.setAttribute("stroke-width", (0.6 + (p.wmax - 0.6) * mag).toFixed(2));
      k.line.setAttribute("stroke-opacity", (p.min_alpha + (1 - p.min_alpha) * mag).toFixed(2));
    }
    if (d.b) {
      this.biasEls.forEach((row, i) =>
        row.forEach((el, j) => {
          const v = Math.max(-1, Math.min(1, d.b[i][j] / p.bclip));
          const q = Math.round((v + 1) * 127.5) * 4;
          el.style.background = `rgb(${lut[q]},${lut[q + 1]},${lut[q + 2]})`;
        }),
      );
    }
    if (this.hover) this.fillTip();
  }

  // -- hover: the value and the enlarged map, refreshed on every tick ------------------------------
  showTip(ref, anchor, hitPath) {
    this.hover = { ref, anchor, hitPath };
    this.fillTip();
    this.tip.hidden = false;
    this.placeTip();
  }

  hideTip() {
    this.hover = null;
    this.tip.hidden = true;
  }

  unitName(i, j) {
    const d = this.data;
    if (i === 0) {
      const on = d.inputs.filter((inp) => inp.on);
      return on[j] ? on[j].label : T("input_j", { j: j + 1 });
    }
    if (i === d.sizes.length - 1) {
      return d.out_labels[j] !== undefined ? T("output_of", { label: d.out_labels[j] }) : T("output_lc");
    }
    return T("unit", { i, j: j + 1 });
  }

  fillTip() {
    const d = this.data;
    const { ref } = this.hover;
    const tip = this.tip;
    tip.replaceChildren();
    let mapAt = -1;
    let g = d.g;
    if (ref.kind === "input") {
      const inp = d.inputs[ref.j];
      h("div", "nv-tip-title", tip, inp.label);
      h("div", "", tip, T(inp.on ? "input_on" : "input_off"));
      mapAt = ref.j * d.input_g * d.input_g;
      g = d.input_g;
    } else if (ref.kind === "unit" || ref.kind === "bias") {
      const { i, j } = ref;
      const last = i === d.sizes.length - 1;
      h("div", "nv-tip-title", tip, this.unitName(i, j));
      if (d.b) h("div", "", tip, T(ref.kind === "bias" ? "bias_value_click" : "bias_value", { value: fmt(d.b[i - 1][j]) }));
      h("div", "nv-small", tip, last ? d.out_meaning : T("unit_map"));
      let off = this.mapOffset;
      for (let k = 1; k < i; k++) off += d.sizes[k] * g * g;
      mapAt = off + j * g * g;
    } else if (ref.kind === "weight") {
      const w = d.w[ref.layer][ref.src * d.sizes[ref.layer + 1] + ref.dst];
      h("div", "nv-tip-title", tip, `${this.unitName(ref.layer, ref.src)} → ${this.unitName(ref.layer + 1, ref.dst)}`);
      h("div", "", tip, T("weight_value", { value: fmt(w) }));
      if (d.editable) h("div", "nv-small", tip, T("click_to_set"));
      let off = this.mapOffset;
      for (let k = 1; k < ref.layer + 1; k++) off += d.sizes[k] * g * g;
      mapAt = off + ref.dst * g * g;
    }
    if (mapAt >= 0 && this.maps && mapAt + g * g <= this.maps.length) {
      const c = h("canvas", "nv-big", tip);
      drawMap(c, this.maps, mapAt, g, this.lut);
    }
  }

  placeTip() {
    const { anchor, hitPath } = this.hover || {};
    const rootBox = this.root.getBoundingClientRect();
    let x;
    let y;
    if (anchor) {
      const b = anchor.getBoundingClientRect();
      x = b.right - rootBox.left + 10;
      y = b.top - rootBox.top;
    } else if (hitPath) {
      const len = hitPath.getTotalLength();
      const pt = hitPath.getPointAtLength(len / 2);
      const sb = this.svg.getBoundingClientRect();
      x = pt.x + sb.left - rootBox.left + 12;
      y = pt.y + sb.top - rootBox.top - 20;
    }
    const tw = 190;
    if (x + tw > rootBox.width) x = Math.max(0, x - tw - 40);
    this.tip.style.left = x + "px";
    this.tip.style.top = Math.max(0, y) + "px";
  }

  // -- click a weight or a bias to set it -----------------------------------------------------------
  openEditor(ref, ev) {
    this.closeEditor();
    this.hideTip();
    const d = this.data;
    const value =
      ref.kind === "weight" ? d.w[ref.layer][ref.src * d.sizes[ref.layer + 1] + ref.dst] : d.b[ref.layer][ref.unit];
    const box = h("div", "nv-edit", this.root);
    const what =
      ref.kind === "weight"
        ? T("edit_weight", { src: this.unitName(ref.layer, ref.src), dst: this.unitName(ref.layer + 1, ref.dst) })
        : T("edit_bias", { unit: this.unitName(ref.layer + 1, ref.unit) });
    const label = h("label", "", box, what);
    const input = h("input", "", label);
    input.type = "number";
    input.step = "0.1";
    input.value = String(Math.round(value * 1e4) / 1e4);
    input.setAttribute("aria-label", what);
    const row = h("div", "nv-edit-row", box);
    const ok = h("button", "nv-btn nv-wide", row, T("set"));
    ok.type = "button";
    const cancel = h("button", "nv-btn nv-wide", row, T("cancel"));
    cancel.type = "button";
    const submit = () => {
      const v = parseFloat(input.value);
      if (!isFinite(v)) {
        input.setCustomValidity(T("type_number"));
        input.reportValidity();
        return;
      }
      this.send({ ...ref, value: v });
      this.closeEditor();
    };
    ok.addEventListener("click", submit);
    cancel.addEventListener("click", () => this.closeEditor());
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") submit();
      if (e.key === "Escape") this.closeEditor();
    });
    const rootBox = this.root.getBoundingClientRect();
    let x = ev.clientX - rootBox.left + 8;
    if (x + 220 > rootBox.width) x = Math.max(0, rootBox.width - 220);
    box.style.left = x + "px";
    box.style.top = Math.max(0, ev.clientY - rootBox.top - 10) + "px";
    this.editor = box;
    input.focus();
    input.select();
  }

  closeEditor() {
    if (this.editor) this.editor.remove();
    this.editor = null;
  }
}

// The page loads this file once (the loader component, mounted in full runs only) and the live view's
// tiny component calls window.__nnNetview on every tick, so the code is not re-sent with each tick's
// data. The style sheet comes along as NETVIEW_CSS (prepended by playground.ui.netview).
function render(component) {
  const { data, parentElement, setTriggerValue } = component;
  let view = parentElement.__netview;
  if (!view) {
    if (typeof NETVIEW_CSS === "string") h("style", "", parentElement, NETVIEW_CSS);
    view = parentElement.__netview = new NetView(parentElement);
    VIEWS.add(view);
  }
  view.trigger = setTriggerValue;
  if (data) view.update(data);
}

window.__nnNetview = render;

// The loader component: its data carries the view's words in the session's language.
export default function (component) {
  const text = component && component.data && component.data.text;
  if (text) setText(text);
}
