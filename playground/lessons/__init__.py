"""The logic behind the lesson pages: pure Python + NumPy on top of the engine (no Streamlit).

* :mod:`playground.lessons.signals` — activation and gradient histograms of a deep net under each
  activation and initialization (Saito ch. 6), and the deep linear net of vanishing/exploding signals.
* :mod:`playground.lessons.race` — optimizers racing on 2-D functions, and the learning-rate schedules.
* :mod:`playground.lessons.graph` — a small autodiff over a node list, stepped forward and backward.
* :mod:`playground.lessons.descent` — y = 2x learned by gradient descent, and a gradient check.
* :mod:`playground.viz.lessons` — the lessons' chart builders (data in, figure out).
"""
