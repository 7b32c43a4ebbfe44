"""Draw the figures of the six theory pages (chapters/*/index.md) as SVG files.

Run it as `make figures`. Every figure is computed here, from the formulas of its
chapter, and written next to the page that shows it, in `chapters/NN-topic/figures/`.
The files are byte-identical from run to run: the SVG metadata carries no date and no
creator, the ids matplotlib derives from a hash use a fixed salt, glyphs are stored as
paths (no dependence on installed fonts), and the background is opaque white so that
the figures stay legible when the book is read in dark mode. tests/test_figures.py
regenerates them into a temporary folder and compares the bytes.

    python figures/make_figures.py            # write into chapters/*/figures/
    python figures/make_figures.py --out DIR  # write the same tree under DIR instead
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("svg")  # no display is needed, and the output must not depend on one

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402

from nnbook.autodiff import Var  # noqa: E402
from nnbook.convolution import im2col  # noqa: E402
from nnbook.optimizers import SGD, Adam, Momentum  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

# Settings that make the SVG bytes reproducible and the figures readable in dark mode.
STYLE = {
    "svg.hashsalt": "nnbook-figures",
    "svg.fonttype": "path",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "font.size": 14,
    "mathtext.fontset": "dejavusans",
}
METADATA = {"Date": None, "Creator": None}

BLUE, RED, GREY, GREEN, ORANGE = "#1f5fa8", "#c0392b", "#7f7f7f", "#2e8b57", "#d67d00"


def save(fig, out_root, relative_path):
    """Write `fig` as an SVG at out_root/relative_path, with fixed metadata."""
    path = Path(out_root) / relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    # A whole number of CSS pixels (96 per inch) each way: a browser that draws an SVG of
    # 595.2 px into 595 scales it down and leaves thin transparent strips at the sides,
    # which show the page through the figure (the site test counts those pixels).
    width, height = fig.get_size_inches()
    fig.set_size_inches(round(width * 96) / 96, round(height * 96) / 96)
    fig.savefig(path, format="svg", metadata=METADATA, facecolor="white",
                transparent=False)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- chapter 1
def perceptron_rule(X, y, learning_rate=1, max_epochs=100):
    """The perceptron rule (eq-ch1-perceptron-rule) from w = 0, b = 0, in integers."""
    w = np.zeros(X.shape[1], dtype=int)
    b = 0
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            y_hat = int(x_i @ w + b > 0)
            if y_hat != y_i:
                w = w + learning_rate * (y_i - y_hat) * x_i
                b = b + learning_rate * (y_i - y_hat)
                mistakes += 1
        if mistakes == 0:
            return w, b
    raise RuntimeError("the perceptron rule did not converge")


def chapter1(out_root):
    """Decision boundaries: the perceptron on OR and AND, the XOR network's two lines."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    gates = {"OR": np.array([0, 1, 1, 1]), "AND": np.array([0, 0, 0, 1]),
             "XOR": np.array([0, 1, 1, 0])}
    x1 = np.array([-0.5, 1.5])           # the boundaries are straight lines
    fig, axes = plt.subplots(1, 3, figsize=(9.4, 5.0), constrained_layout=True)
    for ax, (name, y) in zip(axes, gates.items()):
        if name == "XOR":
            # The 2-2-1 step network of eq-ch1-xor-network answers 1 where h1 = 1 and
            # h2 = 0: between the lines x1 + x2 = 1/2 and x1 + x2 = 3/2.
            lower, upper = 0.5 - x1, 1.5 - x1
            lines = [(1, 1, -0.5, r"$h_1$: $x_1 + x_2 = \frac{1}{2}$"),
                     (1, 1, -1.5, r"$h_2$: $x_1 + x_2 = \frac{3}{2}$")]
            title = "XOR"
        else:
            w, b = perceptron_rule(X, y)
            # z > 0 above the line z = 0, since w2 > 0 for both gates
            assert w[1] > 0
            lower, upper = (-b - w[0] * x1) / w[1], np.full(2, 1.5)
            lines = [(w[0], w[1], b,
                      rf"$z = 0$ for $w = ({w[0]}, {w[1]})$, $b = {b}$")]
            title = name
        ax.set_facecolor("#f3f3f3")
        ax.fill_between(x1, lower, upper, color="#d6e6f7", lw=0)
        for (w1, w2, b, label), style in zip(lines, ["-", "--"]):
            ax.plot(x1, (-b - w1 * x1) / w2, style, color=BLUE, lw=2, label=label)
        for value, marker, colour in [(1, "o", BLUE), (0, "s", RED)]:
            pts = X[y == value]
            ax.scatter(pts[:, 0], pts[:, 1], marker=marker, s=90, color=colour,
                       edgecolor="black", zorder=3)
        ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), aspect="equal", title=title,
               xlabel="$x_1$ (dimensionless)", xticks=[0, 0.5, 1], yticks=[0, 0.5, 1])
        # below the square, so that no input point is hidden behind the legend
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=10.5)
    axes[0].set_ylabel("$x_2$ (dimensionless)")
    fig.suptitle("Decision boundaries, shaded where the output is 1\n"
                 "(circles: target 1, squares: target 0)")
    return save(fig, out_root, "chapters/01-perceptron/figures/decision-boundaries.svg")


# --------------------------------------------------------------------------- chapter 2
def chapter2(out_root):
    """A 2-3-3-2 network with w^l_jk, z^l, a^l and delta^l marked as chapter 2 names them."""
    sizes = [2, 3, 3, 2]
    xs = [0.0, 3.0, 6.0, 9.0]
    ys = {l: [(n - 1) / 2 - k for k in range(n)] for l, n in enumerate(sizes)}
    ys = {l: [1.4 * v for v in vs] for l, vs in ys.items()}
    fig, ax = plt.subplots(figsize=(10.5, 6.2), constrained_layout=True)
    ax.set_axis_off()
    ax.set_xlim(-1.3, 10.6)
    ax.set_ylim(-4.6, 3.3)
    radius = 0.33
    forward = (1, 1, 2, 2)       # the edge w^2_12: unit 1 of layer 1 to unit 2 of layer 2
    for l in range(1, 4):
        for j, yj in enumerate(ys[l - 1]):
            for k, yk in enumerate(ys[l]):
                if l == 2 and (j + 1, k + 1) == (forward[1], forward[3]):
                    continue
                ax.plot([xs[l - 1], xs[l]], [yj, yk], color="#c8c8c8", lw=1, zorder=1)
    # The highlighted forward weight.
    x0, y0, x1, y1 = xs[1], ys[1][0], xs[2], ys[2][1]
    ax.add_patch(FancyArrowPatch((x0 + radius, y0), (x1 - radius, y1),
                                 arrowstyle="-|>", mutation_scale=20, color=BLUE, lw=2.2,
                                 zorder=2))
    ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.32, r"$w^2_{12}$", color=BLUE, fontsize=19.5,
            ha="center")
    # Backward errors: delta^3_k travel back to unit 2 of layer 2 along w^3_2k.
    for k, yk in enumerate(ys[3]):
        ax.add_patch(FancyArrowPatch((xs[3] - radius, yk - 0.08),
                                     (xs[2] + radius, ys[2][1] - 0.08),
                                     arrowstyle="-|>", mutation_scale=18, color=RED,
                                     lw=1.8, ls="--", zorder=2))
        ax.text(xs[3] + 0.45, yk, rf"$\delta^3_{k + 1}$", color=RED, fontsize=18.2,
                va="center")
    ax.text(7.2, -1.55, r"$w^3_{21}$, $w^3_{22}$", color=RED, fontsize=15.6)
    for l, n in enumerate(sizes):
        for k, yk in enumerate(ys[l]):
            colour = "#fde9d9" if l == 0 else "white"
            ax.add_patch(plt.Circle((xs[l], yk), radius, facecolor=colour,
                                    edgecolor="black", lw=1.4, zorder=3))
            label = rf"$x_{k + 1}$" if l == 0 else rf"${k + 1}$"
            ax.text(xs[l], yk, label, ha="center", va="center", fontsize=15.6, zorder=4)
    ax.text(xs[1] - 0.5, ys[1][0] + 0.45, r"$a^1_1$", color=BLUE, fontsize=18.2, ha="right")
    ax.text(xs[2], ys[2][1] + 0.5, r"$z^2_2,\ a^2_2$", color="black", fontsize=16.9,
            ha="center")
    ax.text(xs[2] - 0.1, ys[2][1] - 0.75, r"$\delta^2_2$", color=RED, fontsize=18.2,
            ha="right")
    # Row of layer quantities under the columns.
    names = ["layer 0 (input)", "layer 1", "layer 2", "layer 3 = L (output)"]
    quantities = [r"$a^0 = x$", r"$z^1,\ a^1 = f_1(z^1)$", r"$z^2,\ a^2 = f_2(z^2)$",
                  r"$z^3,\ a^3 = \hat y$"]
    errors = ["", r"$\delta^1 = \partial\ell/\partial z^1$",
              r"$\delta^2 = \partial\ell/\partial z^2$",
              r"$\delta^3 = \partial\ell/\partial z^3$"]
    for x, name, quantity, error in zip(xs, names, quantities, errors):
        ax.text(x, -2.75, name, ha="center", fontsize=14.3, weight="bold")
        ax.text(x, -3.3, quantity, ha="center", fontsize=15.6, color=BLUE)
        ax.text(x, -3.85, error, ha="center", fontsize=15.6, color=RED)
    ax.text(4.5, -4.45,
            r"forward (blue): $z^2_2 = \sum_j a^1_j\, w^2_{j2} + b^2_2$;"
            r"   backward (red): "
            r"$\delta^2_2 = f_2'(z^2_2) \sum_k w^3_{2k}\, \delta^3_k$",
            ha="center", fontsize=15.6)
    ax.set_title(r"A 2-3-3-2 network: $w^l_{jk}$ goes from unit $j$ of layer $l-1$ "
                 r"to unit $k$ of layer $l$", fontsize=16.9)
    return save(fig, out_root, "chapters/02-backpropagation/figures/network.svg")


# --------------------------------------------------------------------------- chapter 3
def chapter3_values(x_value=0.5):
    """Forward values and adjoints of f(x) = sqrt(x^2 + exp(x^2)) by nnbook's engine."""
    x = Var(x_value)
    a = x ** 2
    b = a.exp()
    c = a + b
    d = c.sqrt()
    d.backward()
    return {name: (v.value, v.grad) for name, v in zip("xabcd", (x, a, b, c, d))}


def chapter3(out_root):
    """The computational graph of example 2 with forward values and reverse adjoints."""
    values = chapter3_values()
    positions = {"x": (0.0, 0.0), "a": (3.0, 0.0), "b": (6.0, 1.5), "c": (9.0, 0.0),
                 "d": (12.0, 0.0)}
    formulas = {"x": "$x$", "a": "$a = x^2$", "b": r"$b = \exp(a)$", "c": "$c = a + b$",
                "d": r"$d = \sqrt{c}$"}
    edges = [("x", "a", r"$2x$"), ("a", "b", r"$b$"), ("a", "c", r"$1$"),
             ("b", "c", r"$1$"), ("c", "d", r"$\frac{1}{2d}$")]
    fig, ax = plt.subplots(figsize=(10.5, 5.0), constrained_layout=True)
    ax.set_axis_off()
    ax.set_xlim(-1.3, 13.3)
    ax.set_ylim(-2.9, 3.0)
    half_w, half_h = 1.15, 0.72
    for parent, child, local in edges:
        (xp, yp), (xc, yc) = positions[parent], positions[child]
        start = (xp + half_w, yp + (0.25 if yc > yp else 0))
        end = (xc - half_w, yc + (0.25 if yp > yc else 0))
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=19,
                                     color=BLUE, lw=1.6, zorder=1))
        ax.add_patch(FancyArrowPatch(end, start, arrowstyle="-|>", mutation_scale=17,
                                     color=RED, lw=1.3, ls="--", zorder=1,
                                     connectionstyle="arc3,rad=0.25"))
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.2, local,
                ha="center", fontsize=15.6, color="black",
                bbox=dict(facecolor="white", edgecolor="none", pad=1))
    for name, (x, y) in positions.items():
        value, adjoint = values[name]
        ax.add_patch(Rectangle((x - half_w, y - half_h), 2 * half_w, 2 * half_h,
                               facecolor="white", edgecolor="black", lw=1.3, zorder=2))
        ax.text(x, y + 0.22, formulas[name], ha="center", va="center", fontsize=15.6,
                zorder=3)
        ax.text(x, y - 0.25, f"{value:.4f}", ha="center", va="center", fontsize=14.3,
                color=BLUE, zorder=3)
        below = -1 if name != "b" else 1     # b's label would sit on the edge a -> c
        ax.text(x, y + below * (half_h + 0.3), rf"$\bar {name}$ = {adjoint:.4f}",
                ha="center", va="center", fontsize=14.3, color=RED, zorder=3)
    ax.text(6.0, -2.3,
            "blue: forward values at $x = 0.5$, computed parents first\n"
            "red: adjoints, computed children first; on the edges: local derivatives",
            ha="center", va="center", fontsize=13.7)
    ax.set_title(r"The computational graph of $f(x) = \sqrt{x^2 + \exp(x^2)}$",
                 fontsize=16.9)
    return save(fig, out_root,
                "chapters/03-automatic-differentiation/figures/computational-graph.svg")


# --------------------------------------------------------------------------- chapter 4
def quadratic_cost(theta):
    """The loss surface of figure fig-ch4-optimizers: C = (theta1^2 + 10 theta2^2) / 2."""
    return 0.5 * (theta[0] ** 2 + 10.0 * theta[1] ** 2)


def quadratic_gradient(theta):
    return np.array([theta[0], 10.0 * theta[1]])


def optimizer_path(optimizer, start=(-4.0, 1.5), steps=40):
    """The iterates of an nnbook optimizer on the quadratic cost, start included."""
    theta = np.array(start, dtype=float)
    path = [theta.copy()]
    for _ in range(steps):
        optimizer.step([theta], [quadratic_gradient(theta)])
        path.append(theta.copy())
    return np.array(path)


def chapter4(out_root):
    """Paths of gradient descent, momentum and Adam on one loss surface."""
    contenders = [
        (r"gradient descent, $\eta = 0.18$", SGD(learning_rate=0.18), BLUE, "o"),
        (r"momentum, $\eta = 0.05$, $\mu = 0.7$",
         Momentum(learning_rate=0.05, momentum=0.7), GREEN, "s"),
        (r"Adam, $\eta = 0.3$", Adam(learning_rate=0.3), ORANGE, "^"),
    ]
    t1 = np.linspace(-4.6, 1.6, 300)
    t2 = np.linspace(-1.9, 1.9, 300)
    g1, g2 = np.meshgrid(t1, t2)
    cost = quadratic_cost(np.array([g1, g2]))
    fig, ax = plt.subplots(figsize=(9.5, 5.2), constrained_layout=True)
    ax.contour(g1, g2, cost, levels=[0.05, 0.25, 1, 2, 4, 8, 12, 18],
               colors=GREY, linewidths=0.8)
    for label, optimizer, colour, marker in contenders:
        path = optimizer_path(optimizer)
        ax.plot(path[:, 0], path[:, 1], "-", marker=marker, ms=4, color=colour, lw=1.4,
                label=label)
    ax.plot([-4.0], [1.5], "k*", ms=13, label=r"start $\theta_0 = (-4, 1.5)$")
    ax.plot([0], [0], "kx", ms=10, mew=2, label="minimum")
    ax.set(xlabel=r"parameter $\theta_1$ (dimensionless)",
           ylabel=r"parameter $\theta_2$ (dimensionless)", aspect="equal",
           title=r"Optimizers on $C(\theta) = \frac{1}{2}(\theta_1^2 + 10\,\theta_2^2)$,"
                 " 40 steps each (contours of $C$ in grey)")
    ax.legend(loc="lower right", fontsize=11.7, framealpha=0.95)
    return save(fig, out_root, "chapters/04-multilayer-perceptron/figures/optimizers.svg")


# --------------------------------------------------------------------------- chapter 5
def draw_matrix(ax, values, x0, y0, cell, highlight=None, colour=BLUE, fmt="{:g}",
                fontsize=14.3):
    """Draw a 2-D array as a grid with its entries; highlight=(rows, cols) sets."""
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            on = highlight is not None and r in highlight[0] and c in highlight[1]
            ax.add_patch(Rectangle((x0 + c * cell, y0 - (r + 1) * cell), cell, cell,
                                   facecolor="#d6e6f7" if on else "white",
                                   edgecolor=colour if on else "black",
                                   lw=2 if on else 0.8))
            ax.text(x0 + (c + 0.5) * cell, y0 - (r + 0.5) * cell,
                    fmt.format(values[r, c]), ha="center", va="center",
                    fontsize=fontsize)


def chapter5(out_root):
    """A 2x2 cross-correlation of a 3x4 image, and the same as an im2col matrix product."""
    image = np.arange(1.0, 13.0).reshape(3, 4)
    kernel = np.array([[1.0, 2.0], [0.0, -1.0]])
    # nnbook's im2col takes a mini-batch (n, height, width, channels).
    columns = im2col(image.reshape(1, 3, 4, 1), 2)
    columns = np.asarray(columns).reshape(6, 4)
    z = (columns @ kernel.reshape(4, 1)).reshape(2, 3)
    window_row = 4                        # output pixel (i, j) = (1, 1)
    fig, ax = plt.subplots(figsize=(11, 5.4), constrained_layout=True)
    ax.set_axis_off()
    ax.set_xlim(-1.0, 15.2)
    ax.set_ylim(-7.2, 1.2)
    cell = 0.8
    # Top row: image (star) kernel = output.
    draw_matrix(ax, image, 0.0, 0.0, cell, highlight=({1, 2}, {1, 2}))
    ax.text(2 * cell, 0.35, r"image $x$ (3x4)", ha="center", fontsize=14.3)
    ax.text(3.75, -1.2, r"$\star$", fontsize=26, ha="center", va="center")
    draw_matrix(ax, kernel, 4.3, -0.4, cell)
    ax.text(4.3 + cell, -0.05, r"kernel $w$ (2x2)", ha="center", fontsize=14.3)
    ax.text(6.35, -1.2, "=", fontsize=26, ha="center", va="center")
    draw_matrix(ax, z, 6.9, -0.4, cell, highlight=({1}, {1}))
    ax.text(6.9 + 1.5 * cell, -0.05, r"output $z$ (2x3)", ha="center", fontsize=14.3)
    window = image[1:3, 1:3].ravel()
    terms = " + ".join(rf"{x:g} \cdot {w:g}" if w >= 0 else rf"{x:g} \cdot ({w:g})"
                       for x, w in zip(window, kernel.ravel()))
    ax.text(9.9, -0.9, r"$z_{ij} = \sum_{p,q} x_{i+p,\,j+q}\, w_{pq}$" "\n"
            rf"$z_{{11}} = {terms} = {z[1, 1]:g}$", fontsize=14.3, va="top")
    # Bottom row: im2col matrix times flattened kernel = flattened output.
    top = -3.0
    draw_matrix(ax, columns, 0.0, top, 0.62, highlight=({window_row}, {0, 1, 2, 3}),
                fontsize=13)
    ax.text(0.0, top + 0.3, r"$\hat X$: a row per output pixel $(i, j)$,"
            " a column per kernel entry $(p, q)$", fontsize=13.7)
    row_labels = [f"({i},{j})" for i in range(2) for j in range(3)]
    for r, label in enumerate(row_labels):
        ax.text(-0.1, top - (r + 0.5) * 0.62, label, ha="right", va="center",
                fontsize=11.7, color=GREY)
    ax.text(2.95, top - 1.9, r"$\times$", fontsize=23.4, ha="center", va="center")
    draw_matrix(ax, kernel.reshape(4, 1), 3.4, top - 0.6, 0.62, fontsize=13)
    ax.text(3.71, top - 3.5, r"$\hat W$", ha="center", fontsize=14.3)
    ax.text(4.55, top - 1.9, "=", fontsize=23.4, ha="center", va="center")
    draw_matrix(ax, z.reshape(6, 1), 5.0, top, 0.62, highlight=({window_row}, {0}),
                fontsize=13)
    ax.text(5.31, top - 4.15, r"$Z = \hat X \hat W$", ha="center", fontsize=14.3)
    ax.text(6.4, top - 0.6,
            "The highlighted window is copied into\n"
            "row (1,1) of $\\hat X$; each of the 6 windows\n"
            "is one row, so the layer is one matrix\n"
            "product. A pixel appears in up to 4 rows:\n"
            "im2col trades memory for speed.",
            fontsize=13.7, va="top")
    ax.set_title("A 2x2 cross-correlation and the same computation by im2col",
                 fontsize=16.2)
    return save(fig, out_root, "chapters/05-convolutional-networks/figures/im2col.svg")


# --------------------------------------------------------------------------- chapter 6
# A fixed, untrained 1-3-1 tanh network N(t): any weights give a trial solution that
# meets the initial condition, which is the point of the figure.
N_HIDDEN_W = np.array([1.5, -2.0, 0.7])
N_HIDDEN_B = np.array([-0.3, 0.8, 0.1])
N_OUTPUT_W = np.array([-0.6, 0.4, -0.9])
N_OUTPUT_B = 0.2


def untrained_network(t):
    """N(t) and dN/dt of the fixed 1-3-1 tanh network, for an array of points t."""
    hidden = np.tanh(np.outer(t, N_HIDDEN_W) + N_HIDDEN_B)
    value = hidden @ N_OUTPUT_W + N_OUTPUT_B
    slope = ((1.0 - hidden ** 2) * N_HIDDEN_W) @ N_OUTPUT_W
    return value, slope


def chapter6(out_root, gamma=2.0, g0=1.0):
    """The decay trial solution g_t = g0 + t N(t), its collocation points and residual."""
    t = np.linspace(0.0, 1.0, 201)
    points = np.linspace(0.0, 1.0, 11)
    n_t, _ = untrained_network(t)
    n_p, slope_p = untrained_network(points)
    trial = g0 + t * n_t
    trial_p = g0 + points * n_p
    residual_p = n_p + points * slope_p + gamma * trial_p    # g_t' + gamma g_t
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 4.2), constrained_layout=True,
                                      gridspec_kw={"width_ratios": [1.5, 1]})
    left.plot(t, np.exp(-gamma * t) * g0, color="black", lw=1.5,
              label=r"exact solution $g_0 e^{-\gamma t}$")
    left.axhline(g0, color=GREEN, lw=1.5, ls="--",
                 label=r"$g_0$: meets $g_t(0) = g_0$ by itself")
    left.plot(t, t * n_t, color=ORANGE, lw=1.5, ls="-.",
              label=r"$t\,N(t)$: vanishes at $t = 0$")
    left.plot(t, trial, color=BLUE, lw=2.2, label=r"trial solution $g_t = g_0 + t\,N(t)$")
    left.plot(points, trial_p, "o", color=BLUE, ms=6, mec="black",
              label="collocation points $t_i$")
    left.plot([0], [g0], "*", color=GREEN, ms=15, mec="black", zorder=4,
              label="initial condition, exact for every $\\theta$")
    left.set(xlabel="time $t$ (dimensionless)", ylabel="value (dimensionless)",
             title=r"An untrained trial solution ($\gamma = 2$, $g_0 = 1$)")
    left.legend(fontsize=11.1, loc="lower left", framealpha=0.95)
    right.axhline(0.0, color=GREY, lw=0.8)
    right.vlines(points, 0.0, residual_p, color=RED, lw=1.5)
    right.plot(points, residual_p, "o", color=RED, ms=5,
               label=r"$R(t_i) = g_t'(t_i) + \gamma\, g_t(t_i)$")
    right.set(xlabel="time $t$ (dimensionless)", ylabel="residual (dimensionless)",
              title="What the cost sees: $R(t_i)$")
    right.legend(fontsize=11.7, loc="upper right")
    return save(fig, out_root, "chapters/06-differential-equations/figures/trial-solution.svg")


FIGURES = [chapter1, chapter2, chapter3, chapter4, chapter5, chapter6]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO),
                        help="root under which chapters/*/figures/ is written")
    args = parser.parse_args(argv)
    with matplotlib.rc_context(STYLE):
        for draw in FIGURES:
            print(draw(args.out))


if __name__ == "__main__":
    main()
